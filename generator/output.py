"""A render's files in memory (Output), and staging them into the output folder (Stage).

Nothing a visitor sees changes until every page has rendered, so a build that fails leaves the
last good site as it was. Each file is written to a temporary name and moved into place; a file
whose bytes did not change is not rewritten.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path


class DuplicateOutput(Exception):
    """Two pages would be written to one path: the second would silently replace the first."""


@dataclass
class WriteReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    paths: list[str] = field(default_factory=list)  # the files written, as site paths without the /


@dataclass
class Output:
    """Files by site path (no leading /), each refused a second time (Pelican's habit)."""

    files: dict[str, bytes | Path] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, content: bytes | str | Path, source: str = "") -> None:
        """Queue a file at a site path such as `/dudley/index.html` (bytes, text, or a file to copy)."""
        key = path.lstrip("/")
        if key in self.files:
            raise DuplicateOutput(
                f"two outputs for /{key}: {self.sources.get(key) or 'earlier'} and {source or 'later'}"
            )
        self.files[key] = content.encode("utf-8") if isinstance(content, str) else content
        self.sources[key] = source


@dataclass
class Stage:
    """Files written under temporary names beside their targets, moved into place together.

    Pages are written as they render (memory stays small however big the region), yet nothing
    a visitor sees changes until every page has rendered: `commit` moves them all into place,
    `discard` removes them. A file whose bytes did not change is not written at all.

    The first build of an output folder writes a sibling folder instead and renames it into
    place: one move for the whole site.
    """

    out: Path
    staged: list[tuple[str, str]] = field(default_factory=list)  # (temporary, target)
    written: int = 0
    unchanged: int = 0
    fresh: str | None = None  # the sibling folder a first build writes

    @classmethod
    def for_output(cls, out: Path) -> Stage:
        if out.exists():
            return cls(out)
        fresh = out.parent / f".{out.name}.recruit-tmp"
        if fresh.exists():  # left by a build that was killed
            shutil.rmtree(fresh)
        return cls(out, fresh=os.fspath(fresh))

    def put(self, key: str, data: bytes) -> tuple[int, int]:
        """Stage one file; returns the (size, mtime_ns) it will have in place."""
        if self.fresh is not None:
            target = temp = os.path.join(self.fresh, key)
        else:
            target = os.path.join(self.out, key)
            try:
                st = os.stat(target)
                if st.st_size == len(data):
                    with open(target, "rb") as handle:
                        if handle.read() == data:
                            self.unchanged += 1
                            return st.st_size, st.st_mtime_ns
            except FileNotFoundError:
                pass
            folder, name = os.path.split(target)
            temp = os.path.join(folder, f".{name}.recruit-tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            fd = os.open(temp, flags, 0o644)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(temp), exist_ok=True)
            fd = os.open(temp, flags, 0o644)
        os.fchmod(fd, 0o644)  # readable by the web server whatever the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            st = os.fstat(fd)
        self.staged.append((temp, target))
        self.written += 1
        return st.st_size, st.st_mtime_ns

    def put_all(self, out: Output) -> dict[str, tuple[int, int]]:
        """Stage every file of an Output (a file to copy is read); returns each one's (size, mtime_ns)."""
        staged = {}
        for key, content in out.files.items():
            staged[key] = self.put(key, content.read_bytes() if isinstance(content, Path) else content)
        return staged

    def take(self, other: Stage) -> None:
        self.staged += other.staged
        self.written += other.written
        self.unchanged += other.unchanged

    def commit(self) -> list[str]:
        """Move every staged file into place; returns their paths relative to the output folder."""
        base = self.fresh if self.fresh is not None else os.fspath(self.out)
        paths = sorted(os.path.relpath(target, base).replace(os.sep, "/") for _, target in self.staged)
        if self.fresh is not None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            if os.path.isdir(self.fresh):
                os.rename(self.fresh, self.out)
            else:
                self.out.mkdir()
        else:
            for temp, target in self.staged:
                os.replace(temp, target)
        self.staged = []
        return paths

    def discard(self) -> None:
        if self.fresh is not None:
            shutil.rmtree(self.fresh, ignore_errors=True)
        for temp, _ in self.staged:
            Path(temp).unlink(missing_ok=True)
        self.staged = []
