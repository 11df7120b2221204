"""Content digests of a build's inputs, so a rebuild can tell what changed, and the memos kept
while those inputs stay the same (a BuildCache owns one of each, generator/cache.py)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# A file hashed this soon after it was modified may change again within the same timestamp tick,
# its size and time unchanged: its digest is not remembered ("racy" files, as git calls them).
RACY_NS = 100_000_000  # well above the timestamp tick of local filesystems


class FileDigests:
    """Digests of a build's input files, each read and hashed again only when its size or
    modification time changes (the digest is of its bytes: touching a file changes nothing).

    Within `one_look()` (one build), each file is looked at once, as first seen: a council's
    files are depended on by each of its campaigns. A file that changes during the build is seen
    as it was; the next build sees it.
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int, str]] = {}  # path -> (mtime_ns, size, digest)
        self._seen: dict[str, str] | None = None  # during one_look: path -> digest
        self._stats: dict[str, tuple[int, int] | None] | None = None  # and path -> (mtime_ns, size)

    @contextlib.contextmanager
    def one_look(self) -> Iterator[None]:
        """Look at each file once until the block ends (nested blocks share the outer one's look)."""
        outer = self._seen is not None
        if not outer:
            self._seen, self._stats = {}, {}
        try:
            yield
        finally:
            if not outer:
                self._seen = self._stats = None

    def digest(self, path: Path | str) -> str:
        """The digest of a file's bytes ('-' when it does not exist)."""
        name = os.fspath(path)
        seen = self._seen
        if seen is not None:
            found = seen.get(name)
            if found is None:
                found = seen[name] = self._digest(name)
            return found
        return self._digest(name)

    def _digest(self, name: str) -> str:
        try:
            st = os.stat(name)
        except OSError:
            return "-"
        known = self._known.get(name)
        if known and known[0] == st.st_mtime_ns and known[1] == st.st_size:
            return known[2]
        with open(name, "rb") as handle:
            digest = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
        if time.time_ns() - st.st_mtime_ns > RACY_NS:
            self._known[name] = (st.st_mtime_ns, st.st_size, digest)
        return digest

    def stat(self, name: str) -> tuple[int, int] | None:
        """A file's (mtime_ns, size), None when it does not exist."""
        seen = self._stats
        if seen is not None and name in seen:
            return seen[name]
        try:
            st = os.stat(name)
            found = st.st_mtime_ns, st.st_size
        except OSError:
            found = None
        if seen is not None:
            seen[name] = found
        return found

    def under(self, prefix: str) -> dict[str, tuple[int, int, str]]:
        """What is known of the files under a folder (a worker process hands it back to the build)."""
        return {k: v for k, v in self._known.items() if k.startswith(prefix)}

    def learn(self, known: dict[str, tuple[int, int, str]]) -> None:
        self._known.update(known)


def digest(*parts: object) -> str:
    """One digest of several values (strings, numbers, or nested tuples of them)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def tree_digest(folders: Iterable[Path], files: FileDigests, suffixes: tuple[str, ...] = ()) -> str:
    """Every file under the folders (names and contents; only `suffixes` if given), in a fixed order."""
    entries = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if suffixes and not name.endswith(suffixes):
                    continue
                path = os.path.join(dirpath, name)
                entries.append((os.path.relpath(path, folder), files.digest(path)))
        entries.append(("--", os.fspath(folder)))
    return digest(*entries)


def code_digest() -> str:
    """The generator's own code and the libraries that shape its output: a new version rebuilds all."""
    from importlib.metadata import version

    here = Path(__file__).resolve().parent
    libraries = [(name, version(name)) for name in ("jinja2", "markdown", "nh3", "pillow", "pydantic")]
    return digest(tree_digest([here], FileDigests(), (".py", ".yaml", ".js")), libraries)


class Unchanged:
    """Values kept while the files they were made from keep their size and modification time, and
    the listing they were made from (of a folder, say) stays the same.

    Cheaper than a Memo to check (no digest looked up per file), and what it gives back is the very
    object it was given. A file modified less than RACY_NS before the value was begun (`since_ns`)
    may change again unseen within its timestamp tick: such a value is not kept.
    """

    def __init__(self, files: FileDigests) -> None:
        self.files = files
        self._kept: dict[object, tuple[object, list[str], list[tuple[int, int] | None], object]] = {}

    def clear(self) -> None:
        self._kept.clear()

    def get(self, key: object, listing: object) -> object | None:
        kept = self._kept.get(key)
        if kept is None or kept[0] != listing or [self.files.stat(f) for f in kept[1]] != kept[2]:
            return None
        return kept[3]

    def put(self, key: object, value: object, files: list[str], listing: object, since_ns: int) -> None:
        stats = [self.files.stat(f) for f in files]
        if all(st is not None and st[0] < since_ns - RACY_NS for st in stats):
            self._kept[key] = (listing, files, stats, value)
        else:
            self._kept.pop(key, None)


class Memo:
    """Values worked out from files, kept while those files' bytes stay the same."""

    def __init__(self, files: FileDigests, code: Callable[[], str]) -> None:
        self.files = files
        self.code = code  # the generator code's digest: entries kept by other code are not used
        self._entries: dict[str, tuple[dict[str, str], object]] = {}

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: str) -> object | None:
        entry = self._entries.get(key)
        if entry is None or any(self.files.digest(p) != d for p, d in entry[0].items()):
            return None
        return entry[1]

    def put(self, key: str, value: object, deps: Iterable[Path | str], before: dict[str, str]) -> None:
        """Keep `value`, unless a file changed while it was being worked out (`before`: digests then)."""
        now = {os.fspath(p): self.files.digest(p) for p in deps}
        if all(now.get(p) == d for p, d in before.items()) and "-" not in now.values():
            self._entries[key] = (now, value)

    def entries_under(self, folder: Path) -> tuple[dict, dict]:
        """What was learnt about a folder's files (a worker process hands it back to the build)."""
        prefix = os.fspath(folder) + os.sep
        return (
            {k: v for k, v in self._entries.items() if k.startswith(prefix)},
            self.files.under(prefix),
        )

    def keep(self, path: Path, entries: dict) -> None:
        """Save entries for a later process (which checks each against its files before use)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.code(), entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except OSError:  # a read-only project: nothing kept, nothing lost
            pass

    def restore(self, path: Path) -> None:
        """Entries an earlier process kept (if the generator's code is the same)."""
        try:
            with open(path, "rb") as handle:
                code, entries = pickle.load(handle)
        except (
            OSError,
            EOFError,
            ValueError,
            TypeError,
            AttributeError,
            ImportError,
            pickle.UnpicklingError,
        ):
            return
        if code == self.code() and isinstance(entries, dict):
            for key, value in entries.items():
                self._entries.setdefault(key, value)

    def update(self, learnt: tuple[dict, dict]) -> None:
        entries, files = learnt
        self._entries.update(entries)
        self.files.learn(files)
