"""The records of one build into one output folder, from the last build's to this one's.

The last build's records are read first; each unit is then found up to date (its record kept,
the very same object) or rendered (a new record). Once the build is in place, what the last
build wrote and this one did not is removed, and the records whose council changed are saved.
"""

from __future__ import annotations

from pathlib import Path

from .cache import BuildCache
from .incremental import Record, Unit, fresh, group, load_records, save_records

REGION = "_region"  # the record of the files that depend on every council


class Books:
    """The records of a build of `only` (a council, a campaign, or everything) into `out`."""

    def __init__(self, cache: BuildCache, folder: Path, out: Path, only: str | None) -> None:
        self.cache, self.folder, self.out, self.only = cache, folder, out, only
        self.whole_council = only is None or "/" not in only
        self.previous = load_records(folder, cache)
        self.records: dict[str, Record] = {}
        self.built: dict[str, Record] = {}

    def stale(self, units: list[Unit]) -> list[list[Unit]]:
        """The units to render, by council; every other unit keeps its record."""
        previous, out = self.previous, self.out
        self.records = {u.key: previous[u.key] for u in units if fresh(previous.get(u.key), u, out)}
        by_council: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.key not in self.records:
                by_council.setdefault(unit.council.slug, []).append(unit)
        return list(by_council.values())

    def rendered(self, built: dict[str, Record]) -> None:
        self.built = built
        self.records.update(built)

    def region(self, outputs: dict[str, tuple[int, int]]) -> None:
        """The region's files, recorded so that one the region no longer has (an old stylesheet)
        is removed; a build of one council or campaign does not make them all."""
        if self.only is None:
            self.records[REGION] = Record("", outputs)

    def reused(self, units: list[Unit]) -> int:
        """Files of units that were up to date (not rendered, so not counted by the stage)."""
        return sum(len(self.records[u.key].outputs) for u in units if u.key not in self.built)

    def in_scope(self, key: str) -> bool:
        only = self.only
        if only is None:
            return True
        return key.startswith(f"{only}/") if "/" not in only else key == f"{only}/"

    def save(self) -> None:
        """Save the records of every council that has a new, or has lost, a record."""
        records, previous = self.records, self.previous
        kept = {k: r for k, r in previous.items() if k not in records and not self.in_scope(k)}
        gone = {k for k in previous if k not in records and self.in_scope(k)}
        changed = {group(k) for k in [*self.built, *gone]} | ({group(REGION)} if REGION in records else set())
        save_records(self.folder, {**kept, **records}, changed, self.cache)

    def remove_stale(self, units: list[Unit], region: set[str], clean: bool) -> int:
        """Remove what the last build wrote and this one did not (a deleted role or campaign);
        with `clean`, every other file in scope too."""
        out, records = self.out, self.records
        # Only a record this build replaced or dropped can have left a file behind (one it kept as it
        # was, the same object, still has every output), and most often its replacement writes the
        # same paths: the set of every output is made only when some path may have gone.
        changed = {k: r for k, r in self.previous.items() if self.in_scope(k) and records.get(k) is not r}
        gone = {path for r in changed.values() for path in r.outputs} - region
        for key in changed:
            if key in records:
                gone -= records[key].outputs.keys()
        keep: set[str] = set()
        if gone or clean:
            keep = {path for r in records.values() for path in r.outputs} | region
            gone -= keep
        removed = 0
        for record in changed.values():
            for path in record.outputs:
                if path in gone and (out / path).is_file():
                    (out / path).unlink()
                    removed += 1
                    _prune(out, (out / path).parent)
        if clean:
            if self.only is None:
                prefixes = [""]
            else:
                prefixes = sorted({f"{u.council.slug}/" for u in units}) if self.whole_council else []
            removed += _sweep(out, prefixes, keep)
        return removed


def _prune(out: Path, folder: Path) -> None:
    """Remove folders left empty, up to the output folder."""
    while folder != out and folder.is_relative_to(out) and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _sweep(out: Path, prefixes: list[str], keep: set[str]) -> int:
    """Remove every file under the prefixes that is not kept, and the folders left empty."""
    removed = 0
    for prefix in prefixes:
        base = out / prefix.strip("/") if prefix.strip("/") else out
        if not base.exists():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            rel = path.relative_to(out).as_posix()
            if path.is_file() or path.is_symlink():
                if rel not in keep:
                    path.unlink()
                    removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return removed
