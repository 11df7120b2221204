"""Searching the talent bank with 100,000 entries in it, on SQLite and on PostgreSQL.

Each engine gets 100,000 entries written in bulk (professions, registration bodies and states,
English tests, hours, councils preferred, availability and a line of free text spread as the
programme's candidates are: most care and support workers, a third with an overseas
qualification), then the workspace's searches are asked through the storage, 200 times each
after 20 not counted: by profession; profession and a council; registration body and state;
English test and hours; a word of free text; two words; nothing (the newest first) and its
20th page. The figure is the 95th percentile of all of them, beside the baseline of one query
that reads a single row by its key, in the same run. Ranking is measured too: a role's ranking
(Birmingham's nurse pathway), the entries of its professions who would work for the council
narrowed by the indexes, then every one of them explained and ranked.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from forms_backend.matching import load_routes, profile_of, rank
from forms_backend.storage import open_storage
from forms_backend.storage.bank import digest_of
from forms_backend.storage.bank_search import BankFilters

from .backend import build_example

PEOPLE = 100_000
# Birmingham's nurse pathway, as its campaign file requires it
NURSE_PATHWAY = {"profession": ["registered-nurse", "midwife"], "hours": "full-time",
                 "registration": {"body": "NMC", "state": "on-a-route", "essential": True},
                 "english_test": {"essential": False}}  # fmt: skip
REQUESTS, WARM = 200, 20
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
PROFESSIONS = (("care-worker", 40), ("support-worker", 20), ("registered-nurse", 12), ("social-worker", 10),
               ("occupational-therapist", 5), ("physiotherapist", 4), ("midwife", 3), ("doctor", 2),
               ("speech-and-language-therapist", 2), ("other", 2))  # fmt: skip
BODIES = {"registered-nurse": "NMC", "midwife": "NMC", "social-worker": "SWE", "doctor": "GMC",
          "occupational-therapist": "HCPC", "physiotherapist": "HCPC",
          "speech-and-language-therapist": "HCPC"}  # fmt: skip
COUNCILS = ("birmingham", "coventry", "dudley", "herefordshire", "sandwell", "shropshire", "solihull",
            "staffordshire", "stoke-on-trent", "telford-and-wrekin", "walsall", "warwickshire",
            "wolverhampton", "worcestershire")  # fmt: skip
COUNTRIES = ("Nigeria", "India", "Philippines", "Zimbabwe", "Ghana", "Pakistan", "Kenya", "Poland", "Romania")
COLUMNS = ("email", "email_digest", "name", "joined_at", "consent_at", "consent_wording", "consent_version",
           "contact_scope", "expires_at", "profession", "registration_body", "registration_state",
           "english_test", "hours", "councils", "role_kinds", "travel_miles", "available_from", "profile",
           "search_text", "updated_at")  # fmt: skip


def people(count: int) -> list[tuple]:
    rng = random.Random(15)
    made = []
    for n in range(count):
        profession = rng.choices([p for p, _ in PROFESSIONS], [w for _, w in PROFESSIONS])[0]
        abroad = rng.random() < 0.33
        body = BODIES.get(profession)
        state = (
            (rng.choice(["abroad", "on-a-route"]) if abroad else rng.choice(["registered", "lapsed"]))
            if body
            else "none"
        )
        english = rng.choice(["ielts-academic", "oet", "none"]) if abroad else None
        hours = rng.choice(["full-time", "part-time", "either"])
        councils = (
            "," + ",".join(rng.sample(COUNCILS, rng.randrange(1, 4))) + "," if rng.random() < 0.7 else ""
        )
        country = rng.choice(COUNTRIES) if abroad else "United Kingdom"
        joined = NOW - dt.timedelta(days=rng.randrange(365), minutes=n % 1440)
        profile = {"profession": profession, "registration_body": body, "registration_state": state,
                   "english_test": english, "hours": hours, "country": country}  # fmt: skip
        email = f"person{n}@example.com"
        text = f"person {n} {profession} {body or ''} {state} {country} {english or ''}".lower()
        available = None if rng.random() < 0.6 else (NOW + dt.timedelta(days=rng.randrange(120))).date()
        scope = json.dumps({"councils": "all", "providers": []})
        made.append((email, digest_of(email), f"Person {n}", joined, joined, "Add me to the talent bank",
                     "v1", scope, joined + dt.timedelta(days=365), profession, body, state, english, hours,
                     councils, "", rng.choice([None, 10, 20, 40]),
                     available.isoformat() if available else None,
                     json.dumps(profile), text, joined))  # fmt: skip
    return made


def fill(url: str, rows: list[tuple]) -> None:
    open_storage(url).close()
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            as_text = [
                tuple(v.isoformat(timespec="microseconds") if isinstance(v, dt.datetime) else v for v in r)
                for r in rows
            ]
            marks = ", ".join("?" * len(COLUMNS))
            db.executemany(f"INSERT INTO bank_people ({', '.join(COLUMNS)}) VALUES ({marks})", as_text)
            db.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(url) as db, db.cursor() as cursor:
        with cursor.copy(f"COPY bank_people ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("ANALYZE bank_people")


SEARCHES = {
    "profession": (BankFilters(profession="registered-nurse"), 0),
    "profession_council": (BankFilters(profession="social-worker", council="dudley"), 0),
    "registration": (BankFilters(registration_body="NMC", registration_state="on-a-route"), 0),
    "english_hours": (BankFilters(english_test="oet", hours="part-time"), 0),
    "one_word": (BankFilters(text="nigeria"), 0),
    "two_words": (BankFilters(text="philippines nurse"), 0),
    "newest": (BankFilters(), 0),
    "page_20": (BankFilters(), 19 * 50),
}


def timed(work: Any) -> list[float]:
    taken = []
    for n in range(WARM + REQUESTS):
        started = time.perf_counter()
        work()
        if n >= WARM:
            taken.append((time.perf_counter() - started) * 1000)
    return taken


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 2)


def measure_engine(url: str, rows: list[tuple], manifest: dict[str, Any]) -> dict[str, Any]:
    fill(url, rows)
    storage = open_storage(url)
    try:
        found: dict[str, list[float]] = {}
        totals = {}
        for name, (filters, offset) in SEARCHES.items():
            totals[name] = storage.bank_search(filters, 50, offset)[1]
            found[name] = timed(lambda f=filters, o=offset: storage.bank_search(f, 50, o))
        routes = load_routes(manifest)
        today = NOW.date()

        def ranking() -> list:  # a role's ranking: the candidates the indexes give, ranked in full
            found = storage.bank_candidates(list(NURSE_PATHWAY["profession"]), "dudley")
            return rank(NURSE_PATHWAY, [(k, profile_of(p)) for k, p in found], routes, today)

        ranked = len(ranking())
        found["ranking"] = timed(ranking)
        baseline = timed(lambda: storage.query("SELECT id FROM bank_people WHERE id = ?", (PEOPLE // 2,)))
        people_count = storage.bank_people_count()
    finally:
        storage.close()
    every = [ms for values in found.values() for ms in values]
    return {
        "people": people_count,
        "search_p95_ms": p95(every),
        "search_p50_ms": round(statistics.median(every), 2),
        "baseline_p95_ms": p95(baseline),
        **{f"{name}_p95_ms": p95(values) for name, values in found.items()},
        "ranking_p95_ms": p95(found["ranking"]),
        "ranked": ranked,
        "matches": totals,
    }


def measure(work: Path) -> dict[str, Any]:
    """Both engines' figures: bank.sqlite.*, bank.postgres.*."""
    work.mkdir(parents=True, exist_ok=True)
    rows = people(PEOPLE)
    _, manifest_path = build_example(work)  # for the routes of the example region (routes.yaml)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    db = work / "bank.db"
    for stale in (db, work / "bank.db-wal", work / "bank.db-shm"):
        stale.unlink(missing_ok=True)
    found: dict[str, Any] = {"sqlite": measure_engine(f"sqlite:///{db}", rows, manifest)}
    from .backend_postgres import on_postgres

    found["postgres"] = on_postgres(lambda pg: measure_engine(pg.create_database("bank"), rows, manifest))
    return found
