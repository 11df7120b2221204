"""The workspace's list with 100,000 applications in the database, on SQLite and on PostgreSQL.

The example region is built for its manifest; each engine gets a database of 100,000
applications spread over the 14 councils (answers of the size the apply forms store, a third
moved on to later stages), written in bulk. `recruit backend serve` runs on it (one worker, on
loopback), and a signed-in editor of one council asks, one request at a time, for that
council's list: its first page, a stage, a search by name, a later page, sorted by name. Each
is asked 200 times after 20 not counted; the figure is the 95th percentile of all of them.
Every list view also writes its audit line, as in use. The baseline in the same run is GET
/health on the same server: what one request costs with no query at all.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from forms_backend.storage import open_storage
from forms_backend.storage.workspace import Filters
from forms_backend.workspace import auth

from .backend import build_example, running

APPLICATIONS = 100_000
COUNCIL = "dudley"
REQUESTS, WARM = 200, 20
STAGES = ("received", "screening", "interview", "offer", "placed", "not-progressed", "withdrawn")
COLUMNS = ("reference", "council", "campaign", "email", "answers", "content_hash", "idempotency_key",
           "created_at", "stage", "stage_at")  # fmt: skip


FIRST = ("Ada", "Bola", "Chen", "Dara", "Eve", "Femi")
LAST = ("Khan", "Smith", "Owusu", "Nowak", "Patel")


def rows(manifest: dict[str, Any], count: int) -> list[tuple]:
    """`count` applications over every form of the region, oldest first, a third moved on."""
    rng = random.Random(2026)
    forms = manifest["forms"]
    made = []
    for n in range(count):
        form = forms[n % len(forms)]
        roles = next((f.get("options") or [] for f in form["fields"] if f["id"] == "role"), [])
        answers = {
            "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}",
            "email": f"applicant{n}@example.com",
            "phone": "0121 303 1111",
            "postcode": "B1 1BB",
            "right_to_work": "yes",
            "role": roles[n % len(roles)]["value"] if roles else "",
            "experience": "x" * 300,
            "talent_bank_consent": "yes",
            "privacy_consent": "yes",
        }
        month, day, hour = 1 + n * 10 // count, 1 + n % 28, n % 24
        created = f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00.{n % 1000000:06d}+00:00"
        stage = "received" if n % 3 else STAGES[1 + (n // 3) % 6]
        moved = created if stage != "received" else None
        made.append((f"B{n:07d}", form["council"], form["campaign"], answers["email"], json.dumps(answers),
                     f"{n:064x}", None, created, stage, moved))  # fmt: skip
    made.sort(key=lambda r: r[7])
    return made


def fill_sqlite(path: Path, data: list[tuple]) -> str:
    import sqlite3

    url = f"sqlite:///{path}"
    open_storage(url).close()  # the schema, by the backend's migrations
    with sqlite3.connect(path) as db:
        marks = ", ".join("?" * len(COLUMNS))
        db.executemany(f"INSERT INTO applications ({', '.join(COLUMNS)}) VALUES ({marks})", data)
    return url


def fill_postgres(url: str, data: list[tuple]) -> str:
    import psycopg

    open_storage(url).close()
    with psycopg.connect(url) as db, db.cursor() as cursor:
        with cursor.copy(f"COPY applications ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        cursor.execute("ANALYZE applications")
    return url


def latencies(client: httpx.Client, path: str, params: dict[str, str]) -> list[float]:
    taken = []
    for n in range(WARM + REQUESTS):
        started = time.perf_counter()
        response = client.get(path, params=params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path} {params} answered {response.status_code}: {response.text[:300]}")
        if n >= WARM:
            taken.append(elapsed)
    return taken


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 2)


def measure_engine(work: Path, dist: Path, database_url: str) -> dict[str, Any]:
    storage = open_storage(database_url)
    now = dt.datetime.now(dt.UTC)
    user, _ = storage.add_user(f"hr@{COUNCIL}.gov.uk", COUNCIL, "editor", now)
    token = auth.open_session(storage, user, now)
    total = storage.listing(None, Filters())[1]
    council_total = storage.listing([COUNCIL], Filters())[1]
    storage.close()
    # the clock not pinned: the editor's session is made now
    served = running(work, dist, database_url, RECRUIT_NOW="", RECRUIT_OUTBOX_INTERVAL="0")
    with served as url, httpx.Client(base_url=url, cookies={auth.COOKIE: token}, timeout=30) as client:
        health = latencies(client, "/health", {})
        lists: dict[str, list[float]] = {}
        for name, params in (
            ("first_page", {}),
            ("stage", {"stage": "interview"}),
            ("search", {"q": "owusu 7"}),
            ("page_20", {"page": "20"}),
            ("by_name", {"sort": "name"}),
        ):
            lists[name] = latencies(client, "/workspace/applications", params)
    every = [ms for values in lists.values() for ms in values]
    return {
        "applications": total,
        "council_applications": council_total,
        "list_p95_ms": p95(every),
        "list_p50_ms": round(statistics.median(every), 2),
        "health_p95_ms": p95(health),
        **{f"{name}_p95_ms": p95(values) for name, values in lists.items()},
    }


def measure(work: Path) -> dict[str, Any]:
    """Both engines' figures: workspace.sqlite.*, workspace.postgres.*."""
    work.mkdir(parents=True, exist_ok=True)
    dist, manifest_path = build_example(work)
    data = rows(json.loads(manifest_path.read_text(encoding="utf-8")), APPLICATIONS)
    db = work / "workspace.db"
    for stale in (db, work / "workspace.db-wal", work / "workspace.db-shm"):
        stale.unlink(missing_ok=True)
    found: dict[str, Any] = {"sqlite": measure_engine(work, dist, fill_sqlite(db, data))}
    from .backend_postgres import on_postgres

    found["postgres"] = on_postgres(
        lambda pg: measure_engine(work, dist, fill_postgres(pg.create_database("workspace"), data))
    )
    return found
