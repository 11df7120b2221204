"""Read YAML and TOML files, keeping the line and column of every key and value."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .aliases import check_aliases
from .problems import Loc, Problem, cut, format_path, shown


@dataclass(frozen=True)
class Mark:
    file: Path
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Document:
    """Parsed data plus where each part came from, so errors can point at a line."""

    file: Path
    data: Any
    marks: dict[Loc, Mark] = field(default_factory=dict)
    # where each mapping key itself stands (for "unknown key" errors)
    key_marks: dict[Loc, Mark] = field(default_factory=dict)
    # the source text of every file this document was merged from, for hints
    texts: dict[Path, list[str]] = field(default_factory=dict)
    # values the loader could not build (2026-02-30, an unknown !tag): already reported, so the
    # schema check says nothing more about them and the semantic checks leave them out
    unreadable: set[Loc] = field(default_factory=set)
    # mappings that lost keys the loader refused (a YAML merge key `<<`): nothing is "missing" there
    incomplete: set[Loc] = field(default_factory=set)

    def line(self, mark_or_line: int, file: Path | None = None) -> str:
        lines = self.texts.get(file or self.file, [])
        return lines[mark_or_line - 1] if 0 < mark_or_line <= len(lines) else ""

    def mark_for(self, loc: Loc, *, key: bool = False) -> Mark:
        """The closest known position for a path: the value, else its nearest parent."""
        loc = tuple(loc)
        if key and loc in self.key_marks:
            return self.key_marks[loc]
        while loc:
            if loc in self.marks:
                return self.marks[loc]
            loc = loc[:-1]
        return self.marks.get((), Mark(self.file, 1, 1))


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false are booleans.

    YAML 1.1 also reads yes, no, on and off as booleans, so `options: [Yes, No]` would turn
    into [True, False]; comms officers mean the words.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """libyaml's parser with the same resolvers: 10x faster on valid files. Files it rejects
    are parsed again by the pure-Python loader, whose errors say more."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _compose_fast(text: str) -> yaml.Node | None:
    loader = _FastLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _mark(file: Path, m: yaml.Mark) -> Mark:
    return Mark(file, m.line + 1, m.column + 1)


def _construct(file: Path, node: yaml.Node, loc: Loc, doc: Document, problems: list[Problem], scalars):
    doc.marks[loc] = _mark(file, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                doc.incomplete.add(loc)
                problems.append(
                    Problem(
                        file,
                        *_pos(file, key_node),
                        "",
                        "YAML merge keys (<<) are not supported",
                        "write the keys out, or use `extends:` to build on a shared campaign",
                    )
                )
                continue
            key = scalars.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                first = doc.key_marks[loc + (key,)]
                problems.append(
                    Problem(
                        file,
                        *_pos(file, key_node),
                        format_path(loc + (key,)),
                        f"{shown(key)} is given twice (first on line {first.line})",
                        "keep one of them; YAML would silently use the last",
                    )
                )
                continue
            doc.key_marks[loc + (key,)] = _mark(file, key_node.start_mark)
            out[key] = _construct(file, value_node, loc + (key,), doc, problems, scalars)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(file, item, loc + (i,), doc, problems, scalars) for i, item in enumerate(node.value)
        ]
    return _scalar_at(file, node, loc, doc, problems, scalars)


def _pos(file: Path, node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar_at(file: Path, node: yaml.Node, loc: Loc, doc: Document, problems: list[Problem], scalars):
    """A scalar value; one YAML cannot build (2026-02-30, an unknown !tag) becomes a problem.

    `scalars` is the document's own constructor: it builds an aliased scalar once, and is let go
    with the document (one kept for good would keep every node of every file ever loaded)."""
    try:
        return scalars.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError:
        message = f"unknown YAML tag {shown(node.tag)}"
        hint = 'a value starting with ! must be in quotes, e.g. title: "!Important"'
    except ValueError as exc:
        if node.tag == "tag:yaml.org,2002:timestamp":
            message = f"{cut(node.value)} is not a real date ({exc})"
            hint = "check the day and the month, e.g. 2026-04-30 (April has 30 days)"
        else:
            message, hint = f"cannot read {shown(node.value)} ({cut(str(exc))})", "put the value in quotes"
    scalars.recursive_objects.pop(node, None)  # an alias to it is reported the same way, not as a loop
    doc.unreadable.add(loc)
    problems.append(Problem(file, *_pos(file, node), format_path(loc), message, hint))
    return node.value


def load_yaml(file: Path) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML file; syntax errors come back as problems, never as exceptions."""
    problems: list[Problem] = []
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:  # a folder named like a file, a file without read permission
        return None, [Problem(file, 1, 1, "", f"cannot read the file ({exc.strerror})", None)]
    except UnicodeDecodeError as exc:
        message, hint = f"the file is not UTF-8 text ({exc.reason})", "save it as UTF-8 in your editor"
        return None, [Problem(file, 1, 1, "", message, hint)]
    if "\t" in text:
        for n, line in enumerate(text.splitlines(), 1):
            indent = line[: len(line) - len(line.lstrip())]
            if "\t" in indent:
                return None, [
                    Problem(
                        file,
                        n,
                        indent.index("\t") + 1,
                        "",
                        "a tab is used for indentation",
                        "YAML indents with spaces: replace the tab with spaces",
                    )
                ]
    try:
        node, loader = _compose_fast(text), _FastLoader
    except yaml.YAMLError as exc:
        if "exceeded maximum nesting depth" in str(exc):  # libyaml's 1,000 levels: no use reading on
            return None, [_too_deep(file)]
        node, loader = _compose_reporting(file, text), _Loader
        if isinstance(node, list):
            return None, node
    return _document(file, text, node, loader, problems)


def _compose_reporting(file: Path, text: str) -> yaml.Node | None | list[Problem]:
    """Compose with the pure-Python loader; its errors become problems (the returned list)."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character, e.g. pasted from a PDF
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        return [
            Problem(
                file,
                line,
                col,
                "",
                f"the file contains a control character (#x{exc.character:04x}) that YAML does not allow",
                "delete it: it often comes with text copied from Word or a PDF",
            )
        ]
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc.context}"
        hint = _yaml_hint(text, line, exc)
        opener = _UNCLOSED.get(str(exc.context))
        if (
            opener
            and exc.context_mark
            and (str(exc.problem).startswith("expected ',' or") or "end of stream" in str(exc.problem))
        ):
            # point at the bracket or quote that was never closed, not where the parser gave up
            message = f"invalid YAML: the {opener} here is not closed (line {line}: {exc.problem})"
            line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
            hint = (
                "add the closing quote at the end of the value"
                if opener == "quote"
                else f"close it, or put the whole value in quotes if the {opener} is part of the text"
            )
        return [Problem(file, line, col, "", message, hint)]
    except RecursionError:  # the pure-Python composer recurses, a level at a time
        return [_too_deep(file)]
    finally:
        loader.dispose()
    return node


def _document(file: Path, text: str, node: yaml.Node | None, loader: type, problems: list[Problem]):  # noqa: ANN202
    doc = Document(file, {}, texts={file: text.splitlines()})
    if node is None:
        doc.marks[()] = Mark(file, 1, 1)
        return doc, problems
    too_far = check_aliases(file, text, node, loader)  # before anything is expanded
    if too_far is not None:
        return None, [too_far]
    try:
        doc.data = _construct(file, node, (), doc, problems, yaml.constructor.SafeConstructor())
    except RecursionError:  # not an alias to itself (refused above): brackets nested hundreds deep
        return None, [_too_deep(file)]
    return doc, problems


def _too_deep(file: Path) -> Problem:
    hint = "a campaign needs a few levels: check that each [ and { is closed where it should be"
    return Problem(file, 1, 1, "", "the values are nested too deeply to read", hint)


_UNCLOSED = {
    "while parsing a flow sequence": "'['",
    "while parsing a flow mapping": "'{'",
    "while scanning a quoted scalar": "quote",
}


def _yaml_hint(text: str, line: int, exc: yaml.MarkedYAMLError) -> str:
    lines = text.splitlines()
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    previous = lines[line - 2] if 1 < line <= len(lines) + 1 else ""
    problem = str(exc.problem or "")
    if "mapping values are not allowed" in problem and exc.problem_mark is not None:
        # `title: Care: a career` fails at the second colon; a wrongly indented key at its first
        if ": " in current[: exc.problem_mark.column]:
            return "a value containing ': ' must be in quotes, e.g. title: \"Care: a career\""
        return (
            "check the indentation of this line and the one above it "
            f"({previous.strip()[:40]!r}); items at the same level line up exactly"
        )
    if current.count(": ") > 1:
        return "a value containing ': ' must be in quotes, e.g. title: \"Care: a career\""
    if "found character" in problem and "@" in problem or "`" in problem:
        return "put the value in quotes"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return (
            "check the indentation of this line and the one above it "
            f"({previous.strip()[:40]!r}); items at the same level line up exactly"
        )
    return "check the indentation and that values with special characters are in quotes"


def load_toml(file: Path) -> tuple[Document | None, list[Problem]]:
    """Parse site.toml. TOML has no positions, so keys are found by a line scan."""
    try:
        text = file.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        return None, [Problem(file, 1, 1, "", f"cannot read the file ({exc.strerror})", None)]
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        msg = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        return None, [
            Problem(
                file,
                line,
                col,
                "",
                f"invalid TOML: {msg}",
                'text values need quotes, e.g. name = "West Midlands"',
            )
        ]
    except UnicodeDecodeError:
        return None, [Problem(file, 1, 1, "", "the file is not UTF-8 text", "save it as UTF-8")]
    doc = Document(file, data, texts={file: text.splitlines()})
    doc.marks[()] = Mark(file, 1, 1)
    table: Loc = ()
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[([A-Za-z0-9_.\-]+)\]", stripped)
        if header:
            table = tuple(header.group(1).split("."))
            doc.marks[table] = doc.key_marks[table] = Mark(file, n, 1)
            continue
        key = re.match(r"^([A-Za-z0-9_\-]+)\s*=", stripped)
        if key:
            col = line.index(key.group(1)) + 1
            loc = table + (key.group(1),)
            doc.key_marks[loc] = Mark(file, n, col)
            value_col = line.index("=") + 2
            doc.marks[loc] = Mark(file, n, min(value_col + 1, len(line) + 1))
    return doc, []


# Mappings under these keys replace the shared campaign's as a whole, never key by key: an
# image's src and alt describe one picture, so a new src with the old alt would describe another.
WHOLE = frozenset({"image"})


def replaces_whole(loc: Loc, value: Any) -> bool:
    """Whether `value` at `loc` in the extending file replaces the base's value whole."""
    return not isinstance(value, dict) or (bool(loc) and loc[-1] in WHOLE)


def base_could_fill(loc: Loc) -> bool:
    """Whether a value missing at `loc` from an extending file could come from the base file:
    only through mappings that merge (never inside a list or an image, which replace whole)."""
    return all(isinstance(part, str) for part in loc) and not any(part in WHOLE for part in loc[:-1])


def merge(base: Document, over: Document) -> Document:
    """Deep-merge `over` onto `base`: mappings merge, lists, scalars and images replace.

    Marks follow the data, so an error in a merged value points at the file it came from.
    """
    merged = Document(over.file, _merge_data(base.data, over.data, ()), texts={**base.texts, **over.texts})
    replaced_set = {loc for loc in over.marks if loc and replaces_whole(loc, _get(over.data, loc))}

    def shadowed(loc: Loc) -> bool:
        return any(loc[:i] in replaced_set for i in range(1, len(loc) + 1))

    for marks_name in ("marks", "key_marks"):
        target = getattr(merged, marks_name)
        for loc, mark in getattr(base, marks_name).items():
            if not shadowed(loc):
                target[loc] = mark
        target.update(getattr(over, marks_name))
    merged.marks[()] = over.marks.get((), Mark(over.file, 1, 1))
    for name in ("unreadable", "incomplete"):
        kept = {loc for loc in getattr(base, name) if not shadowed(loc)}
        setattr(merged, name, kept | getattr(over, name))
    return merged


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _merge_data(base: Any, over: Any, loc: Loc) -> Any:
    if isinstance(base, dict) and not replaces_whole(loc, over):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge_data(base[key], value, loc + (key,)) if key in base else value
        return out
    return over
