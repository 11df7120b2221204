"""bench/results.json: every figure of a run, with the machine, so a later run can be compared.

The previous file is kept as bench/results.previous.json and the table shows each figure's
change. A section that did not run (or could not: a module or tool missing) is recorded as
missing with the reason, never as zero.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
PREVIOUS = HERE / "results.previous.json"

# (dotted key, goal text, test of the value, or None when the figure has no goal of its own)
GOALS: list[tuple[str, str, Any]] = [
    ("build.ours_pages_per_s", "", None),
    ("build.hugo_pages_per_s", "", None),
    ("build.ratio", ">= 1.0x Hugo", lambda v: v >= 1.0),
    ("build.ours_peak_rss_mb", "well under Hugo's", None),
    ("build.hugo_peak_rss_mb", "", None),
    ("incremental.ms", "<= 200 ms", lambda v: v <= 200),
    ("incremental.percent_of_full", "<= 2% of full build", lambda v: v <= 2),
    ("incremental.only_site", "only that site rewritten", lambda v: v is True),
    ("incremental.cli_ms", "(with Python start-up)", None),
    ("pages.max_first_render_bytes_gzip", "<= 14336 (one round trip)", lambda v: v <= 14 * 1024),
    ("pages.required_js_bytes", "0", lambda v: v == 0),
    ("lighthouse.performance", "100", lambda v: v == 100),
    ("lighthouse.accessibility", "100", lambda v: v == 100),
    ("lighthouse.best_practices", "100", lambda v: v == 100),
    ("lighthouse.seo", "100", lambda v: v == 100),
    # 404 and thank-you pages ask not to be indexed, which Lighthouse's SEO score counts against
    ("lighthouse.seo_indexed_pages", "100 (pages meant to be found)", lambda v: v == 100),
    ("backend.submissions_per_s", "", None),
    ("backend.raw_sqlite_per_s", "", None),
    ("backend.ratio", ">= 0.5x raw", lambda v: v >= 0.5),
    # the same load against an empty endpoint on the same stack: what Python serves here at all
    ("backend.empty_endpoint_per_s", "(ceiling of the HTTP stack)", None),
    ("backend.share_of_ceiling", "", None),
    ("backend.p99_ms", "< 50 ms at 100/s", lambda v: v < 50),
    ("backend.stored_matches", "stored == acknowledged", lambda v: v is True),
    # the mail of the closed loop's burst, sent once the burst is over
    ("backend.mail_after_burst_s", "(all its mail sent)", None),
    ("backend.mail_waiting_after", "0", lambda v: v == 0),
    # the same load on PostgreSQL (bench/backend_postgres.py)
    ("backend.postgres.submissions_per_s", "", None),
    ("backend.postgres.raw_psycopg_per_s", "(one connection)", None),
    ("backend.postgres.ratio", ">= 0.7x raw", lambda v: v >= 0.7),
    ("backend.postgres.raw_psycopg_pooled_per_s", "(as many connections as the pools)", None),
    ("backend.postgres.ratio_to_pooled", "", None),
    ("backend.postgres.p99_ms", "< 50 ms at 100/s", lambda v: v < 50),
    ("backend.postgres.stored_matches", "stored == acknowledged", lambda v: v is True),
    ("backend.postgres.mail_after_burst_s", "(all its mail sent)", None),
    ("backend.postgres.mail_waiting_after", "0", lambda v: v == 0),
    # a council's list in the workspace, 100,000 applications stored (bench/workspace.py)
    ("workspace.sqlite.list_p95_ms", "< 100 ms", lambda v: v < 100),
    ("workspace.sqlite.health_p95_ms", "(GET /health, same server)", None),
    ("workspace.postgres.list_p95_ms", "< 100 ms", lambda v: v < 100),
    ("workspace.postgres.health_p95_ms", "(GET /health, same server)", None),
    # page views counted (bench/events.py)
    ("events.sqlite.events_per_s", ">= 5,000/s", lambda v: v >= 5000),
    ("events.sqlite.raw_per_s", "(one transaction a view)", None),
    ("events.sqlite.ratio", ">= 0.5x raw", lambda v: v >= 0.5),
    ("events.sqlite.stored_matches", "stored == answered", lambda v: v is True),
    ("events.postgres.events_per_s", ">= 5,000/s", lambda v: v >= 5000),
    ("events.postgres.raw_per_s", "(one transaction a view)", None),
    ("events.postgres.ratio", ">= 0.5x raw", lambda v: v >= 0.5),
    ("events.postgres.stored_matches", "stored == answered", lambda v: v is True),
    # the region's evaluation report from the rollups of 10M views, 100k applications (bench/report.py)
    ("report.sqlite.region_report_s", "<= 1 s", lambda v: v <= 1),
    ("report.sqlite.baseline_sum_s", "(SUM over the views' rollup)", None),
    ("report.postgres.region_report_s", "<= 1 s", lambda v: v <= 1),
    ("report.postgres.baseline_sum_s", "(SUM over the views' rollup)", None),
    # the talent bank's searches over 100,000 entries (bench/bank.py)
    ("bank.sqlite.search_p95_ms", "<= 50 ms", lambda v: v <= 50),
    ("bank.sqlite.ranking_p95_ms", "<= 50 ms", lambda v: v <= 50),
    ("bank.sqlite.baseline_p95_ms", "(one row by its key)", None),
    ("bank.postgres.search_p95_ms", "<= 50 ms", lambda v: v <= 50),
    ("bank.postgres.ranking_p95_ms", "<= 50 ms", lambda v: v <= 50),
    ("bank.postgres.baseline_p95_ms", "(one row by its key)", None),
]
# The keys a later run is compared on (the list).
REQUIRED = [
    "build.ours_pages_per_s",
    "build.hugo_pages_per_s",
    "build.ratio",
    "build.ours_peak_rss_mb",
    "build.hugo_peak_rss_mb",
    "incremental.ms",
    "pages.max_first_render_bytes_gzip",
    "pages.required_js_bytes",
    "lighthouse.performance",
    "lighthouse.accessibility",
    "lighthouse.best_practices",
    "lighthouse.seo",
    "backend.submissions_per_s",
    "backend.raw_sqlite_per_s",
    "backend.ratio",
    "backend.p99_ms",
    "backend.postgres.submissions_per_s",
    "backend.postgres.raw_psycopg_per_s",
    "backend.postgres.ratio",
    "backend.postgres.p99_ms",
    "workspace.sqlite.list_p95_ms",
    "workspace.postgres.list_p95_ms",
]


def lookup(results: dict[str, Any], dotted: str) -> Any:
    node: Any = results
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def document(sections: dict[str, dict[str, Any]], hugo: str | None, scale: float) -> dict[str, Any]:
    """The whole results object: the machine, then one nested object per section."""
    return {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "hugo": hugo,
        },
        "scale": scale,
        **sections,
    }


def write(results: dict[str, Any], path: Path = RESULTS, previous: Path = PREVIOUS) -> dict[str, Any] | None:
    """Write `results`, keeping the file it replaces as `previous`; return that previous run."""
    before = None
    if path.exists():
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            before = None
        path.replace(previous)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return before


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(results: dict[str, Any], before: dict[str, Any] | None) -> str:
    """Section, figure, value, goal, met?, and the change since the previous run."""
    rows = [("figure", "value", "goal", "met", "previous")]
    for key, goal, test in GOALS:
        value = lookup(results, key)
        section = lookup(results, key.rsplit(".", 1)[0]) or {}  # backend.postgres for its keys
        if value is None and isinstance(section, dict) and section.get("missing"):
            shown = f"missing: {section['missing']}"[:60]
        else:
            shown = _show(value)
        met = "" if test is None or value is None else ("yes" if test(value) else "NO")
        if key == "build.ours_peak_rss_mb" and value is not None:
            hugo = lookup(results, "build.hugo_peak_rss_mb")
            met = "" if hugo is None else ("yes" if value < 0.75 * hugo else "NO")
        old = lookup(before, key) if before else None
        rows.append((key, shown, goal, met, "" if old is None else _show(old)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    machine = results.get("machine", {})
    load = machine.get("load_average_at_start")
    lines.append(
        f"{machine.get('cpus')} CPUs, Python {machine.get('python')}, scale {results.get('scale')}"
        + (f", load average {load[0]} at start" if load else "")
    )
    return "\n".join(lines)
