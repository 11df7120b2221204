"""Lighthouse on each page type, mobile profile, served from loopback the way a host serves it.

Scores are performance, accessibility, best practices and SEO (0-100) for the heaviest page of
each type (see bench.weight); the region's figure is the lowest page's. The thank-you and 404
pages ask search engines not to index them (`noindex`), which Lighthouse's SEO score counts
against them; `seo_indexed_pages` is the lowest SEO score of the pages meant to be found.
Page types run one at a time: on a small machine parallel runs slow each other down and the
performance score with it.

    python -m bench.lighthouse [DIST] [--runs N]

Lighthouse comes from npm (bench/node_modules, or $RECRUIT_LIGHTHOUSE); Chromium is the system's
($RECRUIT_CHROMIUM, else /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from generator.browser import system_chromium

from .weight import heaviest_pages, serve

HERE = Path(__file__).resolve().parent
CATEGORIES = {
    "performance": "performance",
    "accessibility": "accessibility",
    "best_practices": "best-practices",
    "seo": "seo",
}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
SCORED = {"binary", "numeric", "metricSavings"}
# The five metrics the performance score is made of (ms, and the layout shift score).
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "speed-index",
    "total-blocking-time",
    "cumulative-layout-shift",
)


class NoLighthouse(RuntimeError):
    """Lighthouse or Chromium is missing: say how to get it."""


def lighthouse_bin() -> Path:
    pinned = os.environ.get("RECRUIT_LIGHTHOUSE")
    path = Path(pinned) if pinned else HERE / "node_modules" / ".bin" / "lighthouse"
    if not path.is_file():
        raise NoLighthouse(f"no Lighthouse at {path}: run `make bench` (npm installs it under bench/)")
    return path


def chrome_path() -> str:
    chromium = system_chromium(shell=False)
    if chromium is None:
        raise NoLighthouse("no Chromium: install Debian's `chromium` package or set RECRUIT_CHROMIUM")
    return str(chromium)


def run_lighthouse(url: str, binary: Path, chrome: str) -> dict[str, Any]:
    """One Lighthouse run (mobile form factor, its default throttling); the parsed JSON report."""
    with tempfile.TemporaryDirectory(prefix="recruit-lighthouse-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(binary),
            url,
            f"--chrome-flags={CHROME_FLAGS}",
            "--form-factor=mobile",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            "--only-categories=" + ",".join(CATEGORIES.values()),
        ]
        env = {**os.environ, "CHROME_PATH": chrome, "TMPDIR": tmp}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url}: {(done.stderr or done.stdout).strip()[-800:]}")
        return json.loads(report.read_text(encoding="utf-8"))


def scores(report: dict[str, Any]) -> dict[str, int]:
    """Category scores as Lighthouse shows them (rounded percent; a failed category is 0)."""
    found = {}
    for key, category in CATEGORIES.items():
        score = report["categories"].get(category, {}).get("score")
        found[key] = round((score or 0) * 100)
    return found


def failing(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Audits that cost points or were flagged, with their category and weight."""
    rows = []
    for key, category in CATEGORIES.items():
        for ref in report["categories"].get(category, {}).get("auditRefs", []):
            audit = report["audits"][ref["id"]]
            scored = audit.get("scoreDisplayMode") in SCORED and audit.get("score") is not None
            if scored and audit["score"] < 1:
                rows.append(
                    {
                        "category": key,
                        "id": audit["id"],
                        "title": audit["title"],
                        "score": audit["score"],
                        "weight": ref.get("weight", 0),
                        "value": audit.get("displayValue", ""),
                    }
                )
    return rows


def noindex(dist: Path, path: str) -> bool:
    """Does the page ask search engines to leave it out (meta robots noindex)?"""
    name = path.lstrip("/")
    html = dist / (name + "index.html" if not name or name.endswith("/") else name)
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    robots = soup.find("meta", attrs={"name": "robots"})
    return robots is not None and "noindex" in robots.get("content", "").lower()


def median_run(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose performance score is the median (Lighthouse's advice for noisy machines)."""
    ordered = sorted(reports, key=lambda r: r["categories"]["performance"]["score"] or 0)
    return ordered[(len(ordered) - 1) // 2]


def measure(dist: Path, runs: int = 1, confirm: int = 3) -> dict[str, Any]:
    """Lighthouse scores of every page type; the region's score per category is the lowest page's.

    A page type whose performance is under 100 in fewer than `confirm` runs is run again until
    it has `confirm`, and the median run counts: one run's Total Blocking Time swings with
    whatever else the machine is doing (the disk still writing out a 32,000-page build, say)."""
    binary, chrome = lighthouse_bin(), chrome_path()
    pages = heaviest_pages(Path(dist))
    rows = []
    with serve(Path(dist)) as base:
        for kind, page in pages.items():
            reports = [run_lighthouse(base + page["path"], binary, chrome) for _ in range(runs)]
            while len(reports) < confirm and scores(median_run(reports))["performance"] < 100:
                reports.append(run_lighthouse(base + page["path"], binary, chrome))
            report = median_run(reports)
            perf = [scores(r)["performance"] for r in reports]
            metrics = {m: report["audits"][m]["numericValue"] for m in METRICS}
            rows.append(
                {
                    "page_type": kind,
                    "path": page["path"],
                    "noindex": noindex(Path(dist), page["path"]),
                    **scores(report),
                    "performance_runs": perf,
                    "median_performance": statistics.median(perf),
                    "metrics": metrics,
                    "failing": failing(report),
                    "lighthouse_version": report.get("lighthouseVersion", ""),
                }
            )
    lowest = {key: min((r[key] for r in rows), default=0) for key in CATEGORIES}
    indexed = min((r["seo"] for r in rows if not r["noindex"]), default=0)
    return {**lowest, "seo_indexed_pages": indexed, "runs": runs, "rows": rows}


def table(result: dict[str, Any]) -> str:
    head = f"{'page type':<14} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}  failing audits"
    lines = [head, "-" * len(head)]
    for r in result["rows"]:
        audits = ", ".join(f"{a['id']} ({a['value'] or a['score']})" for a in r["failing"] if a["weight"])
        runs = f" runs {r['performance_runs']}" if len(r["performance_runs"]) > 1 else ""
        lines.append(
            f"{r['page_type']:<14} {r['performance']:>5} {r['accessibility']:>5} {r['best_practices']:>5} "
            f"{r['seo']:>5}  {audits or '-'}{runs}{'  (noindex)' if r['noindex'] else ''}"
        )
    lines.append(
        "lowest: "
        + ", ".join(f"{key} {result[key]}" for key in CATEGORIES)
        + f"; seo of the pages meant to be indexed {result['seo_indexed_pages']}"
        + f" ({result['runs']} run{'s' * (result['runs'] != 1)} per page type)"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    runs = 1
    if "--runs" in argv:
        at = argv.index("--runs")
        runs = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    dist = Path(argv[0]) if argv else Path("dist")
    if not (dist / "index.html").is_file():
        print(f"{dist} has no built site: run `recruit build` first", file=sys.stderr)
        return 2
    try:
        result = measure(dist, runs)
    except NoLighthouse as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    print(table(result))
    return 0 if all(result[key] == 100 for key in CATEGORIES) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
