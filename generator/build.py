"""The build, reading like the pipeline: load → validate → model → render → write."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .headers import headers_file
from .manifest import build_manifest, dumps, read_manifest
from .output import WriteReport
from .project import load_project
from .render import Explained, Renderer, views_for

MANIFEST = "_forms/manifest.json"


@dataclass
class BuildResult:
    out: Path
    councils: int
    campaigns: int
    pages: int
    files: int
    seconds: float
    report: WriteReport
    explained: list[Explained] = field(default_factory=list)

    def summary(self) -> str:
        r = self.report
        return (
            f"Built {self.councils} council{'s' * (self.councils != 1)}, "
            f"{self.campaigns} campaign{'s' * (self.campaigns != 1)}, {self.pages} pages "
            f"({r.written} file{'s' * (r.written != 1)} written, {r.unchanged} unchanged"
            + (f", {r.removed} removed" if r.removed else "")
            + f") in {self.seconds:.2f}s → {self.out}"
        )


def default_today() -> dt.date:
    """Today, unless RECRUIT_TODAY pins it (reproducible builds and tests)."""
    pinned = os.environ.get("RECRUIT_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def build(
    root: Path,
    out: Path | None = None,
    *,
    only: str | None = None,
    clean: bool = False,
    today: dt.date | None = None,
    base_url: str | None = None,
) -> BuildResult:
    """Validate everything in scope, render it all in memory, then write what changed."""
    started = time.perf_counter()
    project = load_project(root, only)  # load + validate; raises ProblemsFound
    out = (out or project.root / project.region.output_dir).resolve()
    renderer = Renderer(project, today or default_today(), base_url)
    councils = views_for(project, renderer)  # model
    whole_council = only is None or "/" not in only
    renderer.render(councils, region_pages=only is None, council_index=whole_council)  # render
    previous = read_manifest(out / MANIFEST) if only else None
    manifest = build_manifest(renderer, previous, whole_council)
    renderer.out.add(MANIFEST, dumps(manifest), "form manifest")
    headers = headers_file(project.region.backend_url)
    if only is None:
        renderer.out.add("/_headers", headers, "security headers")
    for council in councils:  # a council on its own domain publishes its folder alone
        if council.model.base_url and whole_council:
            renderer.out.add(f"{council.path}_headers", headers, "security headers")
    if clean:
        prefixes = [""] if only is None else [f"{c.slug}/" for c in councils] if whole_council else []
    else:
        prefixes = None
    report = renderer.out.write(out, clean_prefixes=prefixes)  # write
    pages = sum(1 for e in renderer.explained)
    return BuildResult(
        out=out,
        councils=len(councils),
        campaigns=sum(len(c.campaigns) for c in councils),
        pages=pages,
        files=len(renderer.out.files),
        seconds=time.perf_counter() - started,
        report=report,
        explained=renderer.explained,
    )
