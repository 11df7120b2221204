"""Full build throughput, ours against Hugo: same pages, same machine, same run, in alternation.

Fairness: every run of either tool starts from an empty output folder (removed before the clock
starts), so both write every file; our build's cache folder (.recruit-cache, if any) is removed
too, so each of our runs is a full build. Both run as subprocesses from their command lines, with
Python's start-up counted for ours as Hugo's is for Hugo. Pages are the HTML files each wrote.
Runs alternate ours, Hugo, ours, Hugo... so a noisy neighbour on the machine hits both alike.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import hugo
from .procs import Run, run_measured

TODAY = "2026-11-23"
RECRUIT = Path(sys.executable).with_name("recruit")


@dataclass
class Side:
    runs: list[Run] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    html_bytes: int = 0

    def rates(self) -> list[float]:
        return [p / r.seconds for p, r in zip(self.pages, self.runs, strict=True)]

    def median_rate(self) -> float:
        return statistics.median(self.rates())

    def median_seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def peak_rss(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)

    def peak_pss(self) -> float:
        return max(r.peak_pss_mb for r in self.runs)


def ours_command(project: Path, out: Path) -> list[str]:
    return [str(RECRUIT), "--project", str(project), "build", "--out", str(out), "--clean", "--today", TODAY]


def _fresh(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def _check(run: Run, what: str) -> None:
    if run.returncode != 0:
        raise RuntimeError(f"{what} failed ({run.returncode}):\n{run.stderr[-2000:]}")


def html_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.html"))


def compare(
    project: Path,
    hugo_site: Path,
    work: Path,
    *,
    min_runs: int,
    max_runs: int,
    deadline: float,
    reserve: Callable[[float], float] = lambda ours_s: 0.0,
    hugo_binary: str = "hugo",
    log: Callable[[str], None] = print,
) -> tuple[Side, Side, str]:
    """Alternate full builds; at least `min_runs` each, more while another pair plus
    `reserve(our median seconds)` (what the later sections need) ends before `deadline`
    (time.monotonic()). Returns (ours, hugo, note); our last output stays in work/ours."""
    ours, theirs = Side(), Side()
    ours_out, hugo_out = work / "ours", work / "hugo"
    note = ""
    for i in range(max_runs):
        if i >= min_runs:
            pair = ours.median_seconds() + theirs.median_seconds()
            if time.monotonic() + pair + reserve(ours.median_seconds()) > deadline:
                note = f"{i} runs each: the time budget left no room for another pair (~{pair:.0f} s)"
                break
        _fresh(ours_out, project / ".recruit-cache")
        run = run_measured(ours_command(project, ours_out), cwd=project)
        _check(run, "recruit build")
        ours.runs.append(run)
        ours.pages.append(hugo.count_html(ours_out))
        _fresh(hugo_out, hugo_site / ".cache")
        hrun = run_measured(hugo.build_command(hugo_site, hugo_out, hugo_binary), cwd=hugo_site)
        _check(hrun, "hugo")
        theirs.runs.append(hrun)
        theirs.pages.append(hugo.count_html(hugo_out))
        log(
            f"  run {i + 1}: ours {ours.pages[-1]} pages in {run.seconds:.1f} s "
            f"({ours.rates()[-1]:.0f}/s, {run.peak_rss_mb:.0f} MB); hugo {theirs.pages[-1]} pages in "
            f"{hrun.seconds:.1f} s ({theirs.rates()[-1]:.0f}/s, {hrun.peak_rss_mb:.0f} MB)"
        )
    else:
        note = f"{max_runs} runs each"
    ours.html_bytes, theirs.html_bytes = html_bytes(ours_out), html_bytes(hugo_out)
    _fresh(hugo_out)
    return ours, theirs, note


def figures(ours: Side, theirs: Side, note: str) -> dict[str, object]:
    """The build section of results.json."""
    return {
        "ours_pages_per_s": round(ours.median_rate(), 1),
        "hugo_pages_per_s": round(theirs.median_rate(), 1),
        "ratio": round(ours.median_rate() / theirs.median_rate(), 3),
        "ours_peak_rss_mb": round(ours.peak_rss(), 1),
        "hugo_peak_rss_mb": round(theirs.peak_rss(), 1),
        "ours_peak_pss_mb": round(ours.peak_pss(), 1),
        "hugo_peak_pss_mb": round(theirs.peak_pss(), 1),
        "ours_pages": ours.pages[-1],
        "hugo_pages": theirs.pages[-1],
        "ours_html_mb": round(ours.html_bytes / 1e6, 1),
        "hugo_html_mb": round(theirs.html_bytes / 1e6, 1),
        "ours_median_s": round(ours.median_seconds(), 2),
        "hugo_median_s": round(theirs.median_seconds(), 2),
        "runs": len(ours.runs),
        "runs_note": note,
    }
