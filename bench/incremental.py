"""Incremental rebuild: edit one campaign's YAML, then time the build until its site is rewritten.

Two figures. `ms` is the one the goal is about, the time until the site is rewritten: a worker
process imports generator.build.build, builds once (warm: imports done, output up to date), then
edits the campaign's title and times the build, EDITS times over (a comms officer previewing
edit after edit); `ms` is the median, `samples_ms` all of them. `cli_ms` is what a comms officer
waits for at the prompt: `recruit build` as a subprocess after another edit, Python's start-up
included.
Either way the files rewritten are found by comparing every output file's inode and mtime before
and after; "only that site" means nothing changed outside the campaign's folder except the pages
that list the campaign by title (its council's index, the region's hub) and the form manifest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .procs import run_measured
from .throughput import RECRUIT, TODAY

Snapshot = dict[str, tuple[int, int]]


def snapshot(out: Path) -> Snapshot:
    """Every output file's (inode, mtime_ns): an atomic rewrite changes both."""
    found: Snapshot = {}
    for folder, _dirs, files in os.walk(out):
        for name in files:
            path = os.path.join(folder, name)
            st = os.stat(path)
            found[os.path.relpath(path, out)] = (st.st_ino, st.st_mtime_ns)
    return found


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(p for p, v in after.items() if before.get(p) != v) + sorted(set(before) - set(after))


def edit_title(campaign_file: Path, label: str) -> None:
    """Change the campaign's title, as a comms officer would."""
    text = campaign_file.read_text(encoding="utf-8")
    new, count = re.subn(
        r"(?m)^title: (.*?)(?: \(edit [^)]*\))?$", rf"title: \1 (edit {label})", text, count=1
    )
    if count != 1:
        raise RuntimeError(f"{campaign_file} has no top-level title to edit")
    campaign_file.write_text(new, encoding="utf-8")


def verdict(paths: list[str], council: str, campaign: str) -> dict[str, Any]:
    """Which rewritten files belong to the edited site, and whether anything else was touched."""
    site = f"{council}/{campaign}/"
    listings = {f"{council}/index.html", "index.html", "_forms/manifest.json"}
    inside = [p for p in paths if p.startswith(site)]
    others = [p for p in paths if not p.startswith(site) and p not in listings]
    return {
        "files_written": len(paths),
        "site_files_written": len(inside),
        "only_site": bool(inside) and not others,
        "outside_site": others[:10],
    }


EDITS = 5


def _worker(project: Path, out: Path, campaign_file: Path) -> dict[str, Any]:
    from generator.build import build
    from generator.cache import BuildCache

    today = dt.date.fromisoformat(TODAY)
    cache = BuildCache()  # one for every build, as the preview server keeps
    started = time.perf_counter()
    build(project, out, today=today, cache=cache)
    warm_ms = (time.perf_counter() - started) * 1000
    samples, rewritten = [], set()
    for n in range(EDITS):
        before = snapshot(out)
        edit_title(campaign_file, f"in-process {n}")
        started = time.perf_counter()
        build(project, out, today=today, cache=cache)
        samples.append((time.perf_counter() - started) * 1000)
        rewritten.update(changed(before, snapshot(out)))
    return {
        "ms": statistics.median(samples),
        "samples_ms": samples,
        "warm_full_ms": warm_ms,
        "changed": sorted(rewritten),
    }


def measure(
    project: Path, out: Path, council: str, campaign: str, *, full_build_s: float, with_cli: bool = True
) -> dict[str, Any]:
    """Both figures on a region already built into `out` (by the throughput benchmark or not)."""
    campaign_file = project / "campaigns" / council / f"{campaign}.yaml"
    command = [sys.executable, "-m", "bench.incremental", str(project), str(out), str(campaign_file)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"incremental worker failed:\n{done.stderr[-2000:]}")
    worker = json.loads(done.stdout.strip().splitlines()[-1])
    result: dict[str, Any] = {
        "ms": round(worker["ms"], 1),
        "samples_ms": [round(x, 1) for x in worker["samples_ms"]],
        "percent_of_full": round(100 * worker["ms"] / 1000 / full_build_s, 2),
        "full_build_s": round(full_build_s, 2),
        "in_process_warm_full_ms": round(worker["warm_full_ms"], 1),
        **verdict(worker["changed"], council, campaign),
        "edited": f"{council}/{campaign}.yaml",
    }
    if with_cli:
        before = snapshot(out)
        edit_title(campaign_file, "cli")
        run = run_measured(
            [str(RECRUIT), "--project", str(project), "build", "--out", str(out), "--today", TODAY],
            cwd=project,
        )
        if run.returncode != 0:
            raise RuntimeError(f"recruit build failed:\n{run.stderr[-2000:]}")
        cli = verdict(changed(before, snapshot(out)), council, campaign)
        result.update(
            cli_ms=round(run.seconds * 1000, 1),
            cli_files_written=cli["files_written"],
            cli_only_site=cli["only_site"],
            cli_summary=run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "",
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="In-process incremental build timing (run by the bench).")
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("campaign_file", type=Path)
    args = parser.parse_args()
    print(json.dumps(_worker(args.project, args.out, args.campaign_file)))


if __name__ == "__main__":
    main()
