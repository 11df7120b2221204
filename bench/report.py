"""The regional evaluation report over 10 million page views and 100,000 applications, read from
the daily rollups, on SQLite and on PostgreSQL.

The example region is built for its manifest. Each engine gets 120 days of rollups written in
bulk, as `recruit events rollup` would have left them: every form of the region, eight sources,
the landing, role and apply pages (views adding up to 10,000,000), each site's visits, and
100,000 applications with a third moved on through the stages. The figure is the time to build
the region's report (every council side by side, the funnel by source, applications per day, the
campaigns' tables, the four figures) from the storage, median and slowest of 7 after one not
counted; and a council's report. Beside them in the same run, the baseline: one full count of
the views' rollup (`SELECT SUM(views)`), the least any report over every row must read.

Rolling a day up is measured too: 100,000 raw views of one day, counted into the rollups.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from forms_backend.evaluation.report import build
from forms_backend.manifest import Manifest
from forms_backend.storage import open_storage
from forms_backend.storage.analytics import PageEvent

from .backend import build_example

EVENTS, APPLICATIONS, DAYS, DAY_VIEWS = 10_000_000, 100_000, 120, 100_000
TODAY = dt.date(2026, 11, 23)
SOURCES = (("facebook", "social", 30), ("linkedin", "social", 12), ("instagram", "social", 8),
           ("google", "search", 20), ("x", "social", 4), ("tiktok", "social", 6), ("direct", "direct", 15),
           ("gmail", "email", 5))  # fmt: skip
PAGES = (("landing", 0.5), ("role", 0.3), ("apply", 0.2))
STEPS = ("screening", "interview", "offer", "placed")


def roles_of(form: dict[str, Any]) -> list[str]:
    return [o["value"] for f in form["fields"] if f["id"] == "role" for o in f.get("options") or []] or [""]


def rollups(manifest: dict[str, Any]) -> dict[str, list[tuple]]:
    """Rows of daily_views, daily_visitors and daily_steps for DAYS days before TODAY."""
    rng = random.Random(14)
    forms = manifest["forms"]
    weight = sum(w for *_, w in SOURCES)
    per_cell = EVENTS / (DAYS * len(forms) * weight)
    views, visitors, steps = [], [], Counter()
    for d in range(DAYS):
        day = (TODAY - dt.timedelta(days=DAYS - 1 - d)).isoformat()
        site: Counter = Counter()
        for form in forms:
            council, campaign, roles = form["council"], form["campaign"], roles_of(form)
            for source, medium, w in SOURCES:
                cell = per_cell * w
                for page, share in PAGES:
                    split = roles if page == "role" else [""]
                    for role in split:
                        n = round(cell * share / len(split) * rng.uniform(0.8, 1.2))
                        if n:  # four in five views a row's only one that day by its visitor
                            row = (day, council, campaign, role, source, medium, page, n, n * 4 // 5 or 1)
                            views.append(row)
                visits = max(1, round(cell * 0.45))
                visitors.append((day, council, campaign, source, medium, visits))
                site[(council, source, medium)] += visits
        visitors += [(day, c, "*", s, m, n) for (c, s, m), n in site.items()]
    short = EVENTS - sum(row[7] for row in views)  # the rounding's difference, on last row
    if short > 0:
        views[-1] = (*views[-1][:7], views[-1][7] + short, views[-1][8])
    for n in range(APPLICATIONS):
        form = forms[n % len(forms)]
        source, medium, _ = rng.choices(SOURCES, [w for *_, w in SOURCES])[0]
        day = (TODAY - dt.timedelta(days=rng.randrange(DAYS))).isoformat()
        key = (form["council"], form["campaign"], rng.choice(roles_of(form)), source, medium)
        steps[(day, *key, "applied")] += 1
        for step in STEPS[: (0 if n % 3 else 1 + n % 4)]:
            steps[(day, *key, step)] += 1
    return {"daily_views": views, "daily_visitors": visitors,
            "daily_steps": [(*key, count) for key, count in steps.items()]}  # fmt: skip


def fill(url: str, tables: dict[str, list[tuple]]) -> None:
    storage = open_storage(url)
    storage.close()
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            for table, rows in tables.items():
                db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        return
    import psycopg

    with psycopg.connect(url) as db, db.cursor() as cursor:
        for table, rows in tables.items():
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")


def timed(work: Any, runs: int = 7) -> list[float]:
    work()
    taken = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        taken.append(time.perf_counter() - started)
    return taken


def day_of_views(count: int) -> list[PageEvent]:
    rng = random.Random(23)
    start = dt.datetime.combine(TODAY, dt.time(), tzinfo=dt.UTC)
    return [
        PageEvent(start + dt.timedelta(seconds=n * 86000 / count), "dudley", "come-back-to-care",
                  rng.choice(["landing", "role", "apply"]), None,
                  rng.choice(["facebook", "google", "direct"]),
                  "social", None, None, "phone", f"{rng.randrange(count // 3):032x}")
        for n in range(count)
    ]  # fmt: skip


def measure_engine(url: str, manifest: Manifest, tables: dict[str, list[tuple]]) -> dict[str, Any]:
    fill(url, tables)
    storage = open_storage(url)
    try:
        since = storage.first_day()
        assert since is not None
        region = timed(lambda: build(storage, manifest, None, None, since, TODAY))
        council = timed(lambda: build(storage, manifest, ["dudley"], None, since, TODAY))
        baseline = timed(lambda: storage.query("SELECT SUM(views) FROM daily_views"))
        found = build(storage, manifest, None, None, since, TODAY)
        events = int(storage.query("SELECT SUM(views) FROM daily_views")[0][0])
        raw = day_of_views(DAY_VIEWS)
        for n in range(0, DAY_VIEWS, 5000):
            storage.add_page_events(raw[n : n + 5000])
        started = time.perf_counter()
        storage.roll_up(TODAY)
        rolled = time.perf_counter() - started
    finally:
        storage.close()
    return {
        "events": events,
        "applications": found.total["applied"],
        "rows": {table: len(rows) for table, rows in tables.items()},
        "region_report_s": round(statistics.median(region), 3),
        "region_report_slowest_s": round(max(region), 3),
        "council_report_s": round(statistics.median(council), 3),
        "baseline_sum_s": round(statistics.median(baseline), 3),
        "ratio_to_baseline": round(statistics.median(region) / statistics.median(baseline), 1),
        "roll_up_day_of_100k_views_s": round(rolled, 2),
    }


def measure(work: Path) -> dict[str, Any]:
    """Both engines' figures: report.sqlite.*, report.postgres.*."""
    work.mkdir(parents=True, exist_ok=True)
    _, manifest_path = build_example(work)
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    tables = rollups(data)
    db = work / "report.db"
    for stale in (db, work / "report.db-wal", work / "report.db-shm"):
        stale.unlink(missing_ok=True)
    found: dict[str, Any] = {"sqlite": measure_engine(f"sqlite:///{db}", Manifest(data), tables)}
    from .backend_postgres import on_postgres

    found["postgres"] = on_postgres(
        lambda pg: measure_engine(pg.create_database("report"), Manifest(data), tables)
    )
    return found
