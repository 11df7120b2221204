"""The build, reading like the pipeline: load → validate → model → render → write.

Councils load and render in worker processes, one per core; a unit (a campaign's microsite, a
council's index, a council's static files) whose inputs did not change since the last build is
not rendered again (generator/incremental.py). Pages are staged beside their targets as they
render and moved into place only once everything has rendered, so a build that fails leaves the
last good site as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache
from .headers import headers_file
from .incremental import (
    Planner,
    Record,
    Unit,
    check_overlaps,
    fresh,
    group,
    load_records,
    render_councils,
    save_records,
)
from .manifest import form_json, manifest_file, read_manifest
from .output import Output, WriteReport
from .project import load_project
from .render import Explained, Renderer, views_for

MANIFEST = "_forms/manifest.json"
REGION = "_region"  # the cache record of the files that depend on every council
Progress = Callable[[int, int, int], None]  # (sites done, sites to build, pages rendered)


@dataclass
class BuildResult:
    out: Path
    councils: int
    campaigns: int
    pages: int
    files: int
    seconds: float
    report: WriteReport
    parts: list[list[Explained]] = field(default_factory=list, repr=False)  # by unit, then the region's
    rendered: int = 0  # pages rendered this time (the rest were up to date)

    @property
    def explained(self) -> list[Explained]:
        """Which template file made each page (`recruit build --explain-templates`)."""
        return [e for part in self.parts for e in part]

    def summary(self) -> str:
        r = self.report
        return (
            f"Built {self.councils} council{'s' * (self.councils != 1)}, "
            f"{self.campaigns} campaign{'s' * (self.campaigns != 1)}, {self.pages} pages "
            f"({r.written} file{'s' * (r.written != 1)} written, {r.unchanged} unchanged"
            + (f", {r.removed} removed" if r.removed else "")
            + f") in {self.seconds:.2f}s → {self.out}"
        )


def forget() -> None:
    """Drop the memos this process keeps outside any BuildCache (pure functions of their arguments,
    so never stale): the next build then works as a fresh process would.

    A build's own memory is its BuildCache: a build without one already starts afresh.
    """
    from . import views

    views.forget_pictures()


def default_today() -> dt.date:
    """Today, unless RECRUIT_TODAY pins it (reproducible builds and tests).

    A RECRUIT_TODAY that is not a date written YYYY-MM-DD is a UsageProblem (the CLI prints one
    line and exits 2, as it does for a bad --today), never a traceback.
    """
    pinned = os.environ.get("RECRUIT_TODAY", "").strip()
    if not pinned:
        return dt.date.today()
    try:
        if len(pinned) == 10:  # fromisoformat also reads 20260331 and 2026-W13-2
            return dt.date.fromisoformat(pinned)
    except ValueError:
        pass
    from .problems import UsageProblem

    raise UsageProblem(
        f"RECRUIT_TODAY={pinned!r} is not a date written YYYY-MM-DD, e.g. 2026-03-31 "
        "(set it to a real date, or unset it to build as of today)"
    )


def build(
    root: Path,
    out: Path | None = None,
    *,
    only: str | None = None,
    clean: bool = False,
    today: dt.date | None = None,
    base_url: str | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    cache: BuildCache | None = None,
) -> BuildResult:
    """Validate everything in scope, render what changed, then move it into place.

    `cache` is what the caller's builds remember between them (generator/cache.py); without one,
    the build starts with a fresh one.
    """
    cache = cache or BuildCache()
    collecting = gc.isenabled()
    gc.disable()  # a build's objects mostly live until it ends: collect afterwards, not during
    try:
        with cache.files.one_look():
            return _build(root, out, only, clean, today, base_url, jobs, progress, cache)
    finally:
        if collecting:
            gc.enable()


def _build(
    root: Path,
    out: Path | None,
    only: str | None,
    clean: bool,
    today: dt.date | None,
    base_url: str | None,
    jobs: int | None,
    progress: Progress | None,
    cache: BuildCache,
) -> BuildResult:
    started = time.perf_counter()
    project = load_project(root, only, jobs=jobs, cache=cache)  # load + validate; raises ProblemsFound
    out = (out or project.root / project.region.output_dir).resolve()
    renderer = Renderer(project, today or default_today(), base_url, cache)
    councils = views_for(project, renderer)  # model
    whole_council = only is None or "/" not in only

    folder = cache.records_folder(project.root, out)  # render what changed
    previous = load_records(folder, cache)
    planner = Planner(renderer)
    units: list[Unit] = [u for c in councils for u in planner.units(c, index=whole_council)]
    records: dict[str, Record] = {u.key: previous[u.key] for u in units if fresh(previous.get(u.key), u, out)}
    stale: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.key not in records:
            stale.setdefault(unit.council.slug, []).append(unit)
    built, stage = render_councils(renderer, list(stale.values()), out, jobs, progress)
    records.update(built)
    try:
        check_overlaps(records, cache)
        region = region_files(renderer, councils, records, out, only, whole_council)
        outputs = {}
        for key, data in sorted(region.files.items()):
            outputs[key] = stage.put(key, data if isinstance(data, bytes) else Path(data).read_bytes())
        if only is None:  # so that a file the region no longer has (an old stylesheet) is removed
            records[REGION] = Record("", outputs)
    except BaseException:
        stage.discard()
        raise
    written = stage.commit()  # write
    removed = remove_stale(out, previous, records, units, only, clean, whole_council, region)
    kept = {k: r for k, r in previous.items() if k not in records and not _in_scope(k, only)}
    gone = {k for k in previous if k not in records and _in_scope(k, only)}
    changed = {group(k) for k in [*built, *gone]} | ({group(REGION)} if REGION in records else set())
    save_records(folder, {**kept, **records}, changed, cache)
    in_scope = [records[u.key] for u in units]
    records.pop(REGION, None)
    parts = [r.explained for r in in_scope] + [renderer.explained]
    return BuildResult(
        out=out,
        councils=len(councils),
        campaigns=sum(len(c.campaigns) for c in councils),
        pages=sum(map(len, parts)),
        files=sum(len(r.outputs) for r in in_scope) + len(region.files),
        seconds=time.perf_counter() - started,
        report=WriteReport(len(written), stage.unchanged + _reused(units, records, built), removed, written),
        parts=parts,
        rendered=sum(r.pages for r in built.values()),
    )


def region_files(
    renderer: Renderer,
    councils: list,
    records: dict[str, Record],
    out: Path,
    only: str | None,
    whole_council: bool,
) -> Output:
    """The files that depend on every council: hub, sitemaps, the form manifest, security headers."""
    renderer.out, renderer.sitemap, renderer.explained = Output(), [], []
    sitemaps = {key: r.sitemap for key, r in records.items()}
    headers = headers_file(renderer.region.backend_url)
    for council in councils:  # a council on its own domain publishes its folder alone
        if council.model.base_url and whole_council:
            mine = {key: urls for key, urls in sitemaps.items() if key.startswith(f"{council.slug}/")}
            renderer.render_own_domain(council, mine)
            renderer.out.add(f"{council.path}_headers", headers, "security headers")
    if only is None:
        renderer.render_region(councils, sitemaps)
        renderer.out.add("/_headers", headers, "security headers")
    forms = {c.slug: [_form(c.slug, campaign.slug, records) for campaign in c.campaigns] for c in councils}
    previous = read_manifest(out / MANIFEST) if only else None
    manifest = manifest_file(
        renderer.region, renderer.urls, councils, forms, renderer.cache, previous, whole_council
    )
    renderer.out.add(MANIFEST, manifest, "form manifest")
    return renderer.out


def _form(council: str, campaign: str, records: dict[str, Record]) -> tuple[str, str]:
    """A campaign's form in the manifest, as its record has it."""
    record = records[f"{council}/{campaign}/"]
    assert record.form is not None  # incremental.fresh renders a campaign again without one
    return campaign, record.form_json or form_json(record.form)


def _in_scope(key: str, only: str | None) -> bool:
    if only is None:
        return True
    return key.startswith(f"{only}/") if "/" not in only else key == f"{only}/"


def _reused(units: list[Unit], records: dict[str, Record], built: dict[str, Record]) -> int:
    """Files of units that were up to date (not rendered, so not counted by the stage)."""
    return sum(len(records[u.key].outputs) for u in units if u.key not in built)


def remove_stale(
    out: Path,
    previous: dict[str, Record],
    records: dict[str, Record],
    units: list[Unit],
    only: str | None,
    clean: bool,
    whole_council: bool,
    region: Output,
) -> int:
    """Remove what the last build wrote and this one did not (a deleted role or campaign);
    with `clean`, every other file in scope too."""
    # Only a record this build replaced or dropped can have left a file behind (one it kept as it
    # was, the same object, still has every output), and most often its replacement writes the
    # same paths: the set of every output is made only when some path may have gone.
    changed = {k: r for k, r in previous.items() if _in_scope(k, only) and records.get(k) is not r}
    gone = {path for r in changed.values() for path in r.outputs} - set(region.files)
    for key in changed:
        if key in records:
            gone -= records[key].outputs.keys()
    keep: set[str] = set()
    if gone or clean:
        keep = {path for r in records.values() for path in r.outputs} | set(region.files)
        gone -= keep
    removed = 0
    for record in changed.values():
        for path in record.outputs:
            if path in gone and (out / path).is_file():
                (out / path).unlink()
                removed += 1
                _prune(out, (out / path).parent)
    if clean:
        if only is None:
            prefixes = [""]
        else:
            prefixes = sorted({f"{u.council.slug}/" for u in units}) if whole_council else []
        removed += _sweep(out, prefixes, keep)
    return removed


def _prune(out: Path, folder: Path) -> None:
    """Remove folders left empty, up to the output folder."""
    while folder != out and folder.is_relative_to(out) and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _sweep(out: Path, prefixes: list[str], keep: set[str]) -> int:
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


__all__ = ["BuildResult", "MANIFEST", "build", "default_today", "forget"]
