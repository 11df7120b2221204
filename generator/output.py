"""Collect a build's files in memory, then write them atomically.

Nothing touches the output folder until every page has rendered, so a build that fails leaves
the last good site as it was. Each file is written to a temporary name and moved into place;
a file whose bytes did not change is not rewritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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

    def write(self, out: Path, *, clean_prefixes: list[str] | None = None) -> WriteReport:
        """Write every queued file; with clean_prefixes, remove other files under those folders."""
        report = WriteReport()
        out.mkdir(parents=True, exist_ok=True)
        for key, content in sorted(self.files.items()):
            target = out / key
            data = content.read_bytes() if isinstance(content, Path) else content
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                report.unchanged += 1
                continue
            _atomic_write(target, data)
            report.written += 1
        if clean_prefixes is not None:
            report.removed = self._clean(out, clean_prefixes)
        return report

    def _clean(self, out: Path, prefixes: list[str]) -> int:
        removed = 0
        for prefix in prefixes:
            base = out / prefix.strip("/") if prefix.strip("/") else out
            if not base.exists():
                continue
            for path in sorted(base.rglob("*"), reverse=True):
                rel = path.relative_to(out).as_posix()
                if path.is_file() or path.is_symlink():
                    if rel not in self.files:
                        path.unlink()
                        removed += 1
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        return removed


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
