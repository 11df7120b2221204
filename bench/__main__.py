"""`python -m bench`: the benchmarks, printed as one table and written to bench/results.json.

    python -m bench [--only build,incremental,pages,lighthouse,backend,workspace,events,report,bank]
                    [--scale F]

build        full build of a synthetic region (200 councils x 10 campaigns x 10 roles at scale
             1), ours against Hugo on the same pages, alternating, median pages/s and peak memory
incremental  one campaign YAML edited, time until its site is rewritten (and nothing else)
pages        page weight of the example region (bench/weight.py)
lighthouse   Lighthouse scores of the example region (bench/lighthouse.py)
backend      durable applications/s through uvicorn beside raw SQLite, p99 at 100/s, and the
             same on a throwaway PostgreSQL beside raw psycopg (bench/backend_postgres.py)
workspace    a council's list in the workspace with 100,000 applications stored, p95, on
             SQLite and PostgreSQL (bench/workspace.py)
events       page views counted per second through uvicorn beside raw inserts (bench/events.py)
report       the region's evaluation report over 10 million views and 100,000 applications, from
             the rollups, on SQLite and PostgreSQL (bench/report.py)
bank         the talent bank's searches over 100,000 entries, p95, on SQLite and PostgreSQL
             (bench/bank.py)

The number of full-build runs adapts to a time budget (BENCH_BUDGET seconds for the whole run,
default 540): at least two each (or --runs if lower), more while the budget allows, at most
--runs. BENCH_SCALE (or --scale) shrinks the synthetic region for a quick look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import backend, hugo, incremental, results, synth, throughput

SECTIONS = ("build", "incremental", "pages", "lighthouse", "backend", "workspace", "events", "report", "bank")
# Seconds the later sections are expected to take, reserved while the build runs are counted.
RESERVE = {
    "pages": 40.0,
    "lighthouse": 150.0,
    "backend": 110.0,
    "workspace": 90.0,
    "events": 60.0,
    "report": 30.0,
}


def log(line: str) -> None:
    print(line, flush=True)


def example_dist(work: Path) -> Path:
    """The example region built as `make run` builds it, with the date pinned."""
    dist = work / "example-dist"
    if not dist.exists():
        subprocess.run(
            [str(throughput.RECRUIT), "build", "--out", str(dist), "--today", throughput.TODAY],
            cwd=backend.ROOT,
            check=True,
            capture_output=True,
        )
    return dist


def external(module: str, dist: Callable[[], Path]) -> dict[str, Any]:
    """A section measured by another module's `measure(folder)`; missing (not zero) if it fails."""
    try:
        measure = importlib.import_module(f"bench.{module}").measure
    except (ImportError, AttributeError) as exc:
        return {"missing": f"bench/{module}.py not available ({exc})"}
    try:
        return measure(dist())
    except Exception as exc:  # noqa: BLE001 - one failing section must not lose the others
        traceback.print_exc()
        return {"missing": f"failed: {type(exc).__name__}: {exc}"}


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    only = set(args.only)
    deadline = time.monotonic() + args.budget
    sections: dict[str, Any] = {}
    councils = max(1, round(200 * args.scale))
    project, hugo_site, build_work = work / "region", work / "hugo-site", work / "builds"
    hugo_name = None
    full_build_s = None
    if only & {"build", "incremental"}:
        log(f"Synthetic region: {councils} councils x 10 campaigns x 10 roles -> {project}")
        synth.write_region(project, councils, 10, 10)
    if "build" in only:
        binary = hugo.ensure_hugo()
        hugo_name = hugo.hugo_version(binary)
        pages = hugo.write_site(project, hugo_site, dt.date.fromisoformat(throughput.TODAY))
        log(f"Hugo site of the same {pages} pages -> {hugo_site}; {hugo_name}")

        def reserve(ours_s: float) -> float:
            later = sum(RESERVE[s] for s in only if s in RESERVE)
            return later + (3 * ours_s + 10 if "incremental" in only else 0)

        ours, theirs, note = throughput.compare(
            project,
            hugo_site,
            build_work,
            min_runs=min(2, args.runs),
            max_runs=args.runs,
            deadline=deadline,
            reserve=reserve,
            hugo_binary=binary,
            log=log,
        )
        sections["build"] = throughput.figures(ours, theirs, note)
        full_build_s = ours.median_seconds()
        shutil.rmtree(hugo_site, ignore_errors=True)
    if "incremental" in only:
        out = build_work / "ours"
        if full_build_s is None or not out.exists():
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(project / ".recruit-cache", ignore_errors=True)
            first = throughput.run_measured(throughput.ours_command(project, out), cwd=project)
            if first.returncode:
                raise RuntimeError(f"recruit build failed:\n{first.stderr[-2000:]}")
            full_build_s = first.seconds
        campaign = "campaign-9"
        log(f"Incremental: editing council-000/{campaign}.yaml")
        sections["incremental"] = incremental.measure(
            project, out, "council-000", campaign, full_build_s=full_build_s
        )
    if "pages" in only:
        log("Page weight of the example region")
        sections["pages"] = external("weight", lambda: example_dist(work))
    if "lighthouse" in only:
        log("Lighthouse on the example region")
        sections["lighthouse"] = external("lighthouse", lambda: example_dist(work))
    if "backend" in only:
        log("Backend: 100 applications/s, then a closed loop, then raw SQLite")
        sections["backend"] = backend.measure(work / "backend")
        log("Backend on PostgreSQL: the same, then raw psycopg")
        sections["backend"]["postgres"] = external("backend_postgres", lambda: work / "backend-postgres")
    if "workspace" in only:
        log("Workspace: a council's list with 100,000 applications, on SQLite then PostgreSQL")
        sections["workspace"] = external("workspace", lambda: work / "workspace")
    if "events" in only:
        log("Events: page views counted per second, on SQLite then PostgreSQL, beside raw inserts")
        sections["events"] = external("events", lambda: work / "events")
    if "report" in only:
        log("Report: the region's evaluation over 10 million views' rollups, on SQLite then PostgreSQL")
        sections["report"] = external("report", lambda: work / "report")
    if "bank" in only:
        log("Talent bank: searches over 100,000 entries, on SQLite then PostgreSQL")
        sections["bank"] = external("bank", lambda: work / "bank")
    for name in SECTIONS:
        if name not in only:
            sections[name] = {"missing": "not run (--only)"}
    if hugo_name is None and hugo.hugo_binary():
        hugo_name = hugo.hugo_version()
    return results.document(sections, hugo_name, args.scale)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        type=lambda text: [s.strip() for s in text.split(",") if s.strip()],
        default=list(SECTIONS),
        help="comma-separated sections: " + ",".join(SECTIONS),
    )
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--runs", type=int, default=5, help="at most this many full builds each (default 5)")
    parser.add_argument("--budget", type=float, default=float(os.environ.get("BENCH_BUDGET", "540")))
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    if args.scale <= 0 or args.runs < 1:
        parser.error("--scale must be positive and --runs at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    load = os.getloadavg()  # other work on the machine moves every figure: say how busy it was
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        found = run(args, args.keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="recruit-bench-") as tmp:
            found = run(args, Path(tmp))
    found["seconds"] = round(time.monotonic() - started, 1)
    found["machine"]["load_average_at_start"] = [round(x, 2) for x in load]
    found["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    before = results.write(found)
    print()
    print(results.table(found, before))
    print(
        f"Written to {results.RESULTS} in {found['seconds']} s" + (" (previous run kept)" if before else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
