"""Page view intake: views counted per second through `recruit backend serve --workers N`, on
SQLite and on PostgreSQL, beside raw inserts of the same rows in the same run.

bench/loadgen.py --events posts the beacons the pages' script sends (a Facebook-tagged landing,
roles and apply views over every form of the example region, from a phone's User-Agent), 64
clients as fast as they are answered, for 10 seconds. Views share commits (the applications'
group commit), and each is answered only once it is stored: afterwards the database must hold
exactly the views answered 204.

The raw rate is the database alone writing the same rows as an unbatched intake would: one
connection, one transaction (one wait for the disk) a view, with the backend's own schema.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from .backend import _loadgen, build_example, running

ROW = ("2026-11-23T12:00:00.000000+00:00", "dudley", "come-back-to-care", "landing", None,
       "facebook", "social", "3", "m.facebook.com", "phone")  # fmt: skip
INSERT = ("INSERT INTO page_events (at, council, campaign, page, role, source, medium, tag, referrer_host, "
          "device, visitor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")  # fmt: skip


def serve_events(
    work: Path, dist: Path, database_url: str, workers: int, seconds: float
) -> list[dict[str, Any]]:
    """The server on `database_url`, loaded for 2 s (not counted) then `seconds`: both results."""
    with running(work, dist, database_url, workers) as url:
        manifest = dist / "_forms" / "manifest.json"
        warm = _loadgen(url, manifest, "--events", "--count", "2000", "--seconds", "2", "--concurrency", "16")
        return [warm, _loadgen(url, manifest, "--events", "--count", "400000", "--seconds", str(seconds),
                               "--concurrency", "64", "--start", "10000")]  # fmt: skip


def raw_sqlite(path: Path, seconds: float = 5.0) -> float:
    from forms_backend.storage import open_storage

    open_storage(f"sqlite:///{path}").close()
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL"):
        db.execute(f"PRAGMA {pragma}")
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        db.execute("BEGIN IMMEDIATE")
        db.execute(INSERT, (*ROW, f"{done:032x}"))
        db.execute("COMMIT")
        done += 1
    db.close()
    return done / (time.perf_counter() - started)


def raw_postgres(url: str, seconds: float = 5.0) -> float:
    import psycopg

    from forms_backend.storage import open_storage

    open_storage(url).close()
    row = (dt.datetime.fromisoformat(ROW[0]), *ROW[1:])
    with psycopg.connect(url, autocommit=True) as db:
        insert = INSERT.replace("?", "%s")
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            with db.transaction():
                db.execute(insert, (*row, f"{done:032x}"))
            done += 1
    return done / (time.perf_counter() - started)


def figures(runs: list[dict[str, Any]], stored: int, raw: float) -> dict[str, Any]:
    warm, served = runs
    rate = served["per_s"]
    answered = warm["acknowledged"] + served["acknowledged"]  # the warm-up's views are stored too
    return {
        "events_per_s": rate,
        "raw_per_s": round(raw, 1),
        "ratio": round(rate / raw, 3) if raw else None,
        "p99_ms": served["p99_ms"],
        "answered": answered,
        "stored": stored,
        "stored_matches": stored == answered,
        "statuses": served["statuses"],
    }


def measure(work: Path, seconds: float = 10.0, workers: int = os.cpu_count() or 1) -> dict[str, Any]:
    """events.sqlite.*, events.postgres.*"""
    work.mkdir(parents=True, exist_ok=True)
    dist, _ = build_example(work)
    db = work / "events.db"
    for stale in (db, work / "events.db-wal", work / "events.db-shm", work / "raw-events.db"):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    served = serve_events(work, dist, url, workers, seconds)
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT COUNT(*) FROM page_events").fetchone()[0]
    found: dict[str, Any] = {"sqlite": figures(served, stored, raw_sqlite(work / "raw-events.db"))}
    from .backend_postgres import on_postgres

    def on(pg: Any) -> dict[str, Any]:
        url = pg.create_database("events")
        served = serve_events(work, dist, url, workers, seconds)
        with pg.connect("events") as conn:
            stored = conn.execute("SELECT COUNT(*) FROM page_events").fetchone()[0]
        return figures(served, stored, raw_postgres(pg.create_database("raw_events")))

    found["postgres"] = on_postgres(on)
    return found
