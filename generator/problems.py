"""Problems a comms officer can fix: each names a file, line, column, field path and a hint."""

from __future__ import annotations

import contextlib
import difflib
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Loc = tuple[str | int, ...]

# Longest a message echoes of what the user wrote: a whole value can be a 50,000-item list or a
# page of text, and a problem must stay one line that names the mistake.
SHOWN_CHARS = 80


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text`, or its start with "…" when it is longer than `limit`."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: Any) -> str:
    """A value as a problem echoes it: quoted like Python (`'fulltime'`, `['mornings']`), cut to
    a readable length; a long list or mapping by its size ("a list of 50,000 items")."""
    if isinstance(value, str):
        if len(value) <= SHOWN_CHARS:
            return repr(value)
        head = repr(value[: SHOWN_CHARS - 3])
        return f"{head[:-1]}…{head[-1]} ({len(value):,} characters)"
    # bounded: it reads no more items than fit in SHOWN_CHARS, so whatever it leaves out is long
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 3, SHOWN_CHARS, SHOWN_CHARS
    short.maxlist = short.maxtuple = short.maxdict = SHOWN_CHARS // 3
    text = short.repr(value)
    if len(text) <= SHOWN_CHARS:
        return text
    if isinstance(value, list | tuple):
        return f"a list of {len(value):,} item{'s' * (len(value) != 1)}"
    if isinstance(value, dict):
        return f"a group of {len(value):,} key{'s' * (len(value) != 1)}"
    return cut(text)


def format_path(loc: Loc) -> str:
    """Turn ('roles', 2, 'closes') into 'roles[2].closes', the way the YAML reads (a key too
    long to read is cut)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{cut(part)}" if out else cut(str(part))
    return out


def did_you_mean(word: str, choices: list[str] | set[str]) -> str | None:
    """The closest allowed name to a misspelt one, if any is close enough."""
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            return lowered[word.lower()]
        return None
    return matches[0]


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, with where it is and what to do about it."""

    file: Path
    line: int
    column: int
    path: str
    message: str
    hint: str | None = field(default=None, compare=False)

    def format(self, root: Path | None = None) -> str:
        name = self.file
        if root is not None:
            with contextlib.suppress(ValueError):
                name = self.file.relative_to(root)
        where = f"{name}:{self.line}:{self.column}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class ProblemsFound(Exception):
    """Raised when validation finds problems; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) found")

    def format(self, root: Path | None = None) -> str:
        lines = [p.format(root) for p in self.problems]
        count = len(self.problems)
        files = len({p.file for p in self.problems})
        lines.append(
            f"{count} problem{'s' if count != 1 else ''} in "
            f"{files} file{'s' if files != 1 else ''}; nothing was written."
        )
        return "\n".join(lines)


class UsageProblem(Exception):
    """A setting given to a command (an option, an environment variable, an argument) that
    cannot be used. The core raises it; the CLI shows it as a usage error (one line, exit 2),
    as click's bad parameter when `argument` names the command's argument, never a traceback.
    """

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class ScaffoldError(Exception):
    """`recruit new` cannot do what was asked (the file exists, no such council); the message
    says why and what to do instead. The CLI prints it as `Error: ...` and exits 1."""
