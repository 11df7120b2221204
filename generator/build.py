"""The build, reading like the pipeline: load and check → views → plan → render → region files
→ commit → prune.

Councils load and render in worker processes, one per core; a unit (a campaign's microsite, a
council's index, a council's static files) whose inputs did not change since the last build is
not rendered again (generator/incremental.py). Pages are staged beside their targets as they
render and moved into place only once everything has rendered, so a build that fails leaves the
last good site as it was. What builds remember between them is the caller's BuildCache.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .bookkeeping import Books
from .cache import BuildCache
from .incremental import Planner, check_overlaps, render_councils
from .opening import default_today
from .output import WriteReport
from .project import load_project
from .region import region_files
from .render import Explained, Renderer, views_for

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
    project = load_project(root, only, jobs=jobs, cache=cache)  # load and check: raises ProblemsFound
    out = (out or project.root / project.region.output_dir).resolve()
    renderer = Renderer(project, today or default_today(), base_url, cache)
    councils = views_for(project, renderer)  # what templates see
    books = Books(cache, cache.records_folder(project.root, out), out, only)  # the last build's records
    planner = Planner(renderer)  # plan: each unit and the fingerprint of its inputs
    units = [u for c in councils for u in planner.units(c, index=books.whole_council)]
    built, stage = render_councils(renderer, books.stale(units), out, jobs, progress)  # render, staged
    books.rendered(built)
    try:
        check_overlaps(books.records, cache)
        region = region_files(renderer, councils, books.records, out, only, books.whole_council)
        books.region(stage.put_all(region.out))
    except BaseException:
        stage.discard()
        raise
    written = stage.commit()  # everything in place at once
    removed = books.remove_stale(units, set(region.out.files), clean)  # prune
    books.save()
    in_scope = [books.records[u.key] for u in units]
    parts = [r.explained for r in in_scope] + [region.explained]
    return BuildResult(
        out=out,
        councils=len(councils),
        campaigns=sum(len(c.campaigns) for c in councils),
        pages=sum(map(len, parts)),
        files=sum(len(r.outputs) for r in in_scope) + len(region.out.files),
        seconds=time.perf_counter() - started,
        report=WriteReport(len(written), stage.unchanged + books.reused(units), removed, written),
        parts=parts,
        rendered=sum(r.pages for r in built.values()),
    )


__all__ = ["BuildResult", "build"]
