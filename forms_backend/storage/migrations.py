"""The database's schema as numbered migrations, for each engine: applied in order, each once.

The version a database is at is `meta.schema_version`; each migration applied is also a row of
`migrations` (its number, name and when). A database with no `meta` table is new, and the first
open creates every table in it. One that is older than this code is refused until
`recruit db migrate` brings it up to date; one that is newer (written by a later release) is
refused, so an old release never writes to a schema it does not know.

To change the schema, append a Migration to schema.py with the next number and both engines'
SQL; never edit one that has shipped. Each is applied inside one transaction (DDL is transactional on both
engines), so a migration that fails leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from .interface import StorageError
from .schema import MIGRATIONS, Migration


class Engine(Protocol):
    """What the runner needs of an engine: its name, a transaction, and a look at its tables."""

    engine: str

    def transaction(self) -> Any: ...

    def has_table(self, db: Any, name: str) -> bool: ...

    def lock_schema(self, db: Any) -> None: ...

    def moment(self, value: dt.datetime) -> Any: ...


LATEST = MIGRATIONS[-1].version
BOOKKEEPING = {
    "sqlite": "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)",
    "postgresql": "CREATE TABLE IF NOT EXISTS migrations (version integer PRIMARY KEY, name text NOT NULL, "
    "applied_at timestamptz NOT NULL)",
}


def statements(script: str) -> list[str]:
    """A script's statements, split at each `;` but those inside a trigger's BEGIN ... END."""
    found: list[str] = []
    trigger: list[str] = []
    for part in script.split(";"):
        text = part.strip()
        if trigger or text.upper().startswith("CREATE TRIGGER"):
            trigger.append(text)
            if text.upper().endswith("END"):
                found.append("; ".join(trigger))
                trigger = []
        elif text:
            found.append(text)
    return found


def version(engine: Engine, db: Any) -> int | None:
    """The schema version the database is at; None for a new database (no tables of ours)."""
    if not engine.has_table(db, "meta"):
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def applied(engine: Engine) -> list[tuple[int, str, Any]]:
    """The migrations recorded in the database: (version, name, when); empty for a new one."""
    with engine.transaction() as db:
        if not engine.has_table(db, "migrations"):
            return []
        rows = db.execute("SELECT version, name, applied_at FROM migrations ORDER BY version")
        return [tuple(r) for r in rows]


def migrate(
    engine: Engine, now: dt.datetime, target: int = LATEST, together: bool = False
) -> list[Migration]:
    """Apply every migration the database lacks, in order, each in its own transaction (or, with
    `together`, all in one: how a new database is made, so that a worker opening it at the same
    time sees no tables or all of them, never a version between); those applied. Concurrent
    callers take turns."""
    wanted = [m for m in MIGRATIONS if m.version <= target]
    done: list[Migration] = []
    for batch in [wanted] if together else [[m] for m in wanted]:
        with engine.transaction() as db:
            engine.lock_schema(db)
            for migration in batch:
                if _apply(engine, db, migration, now):
                    done.append(migration)
    return done


def _apply(engine: Engine, db: Any, migration: Migration, now: dt.datetime) -> bool:
    """One migration inside the caller's transaction, unless the database has it already."""
    current = version(engine, db) or 0
    if current > LATEST:
        raise newer(current)
    if migration.version <= current:
        return False
    db.execute(BOOKKEEPING[engine.engine])
    if current and not db.execute("SELECT 1 FROM migrations").fetchone():
        # A database from before the migrations table: its versions so far, recorded now.
        for earlier in MIGRATIONS[:current]:
            db.execute(
                "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (earlier.version, earlier.name, engine.moment(now)),
            )
    for statement in statements(getattr(migration, engine.engine)):
        db.execute(statement)
    db.execute(
        "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, engine.moment(now)),
    )
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(migration.version),),
    )
    return True


def newer(current: int) -> StorageError:
    return StorageError(
        f"the database is at schema version {current}, newer than this release of recruit knows "
        f"(version {LATEST}): it was written by a later release. Run that release, or upgrade this one."
    )


def check(engine: Engine, where: str, now: dt.datetime) -> None:
    """On opening: a new database gets every table; an older or newer one is refused, saying
    what to do."""
    with engine.transaction() as db:
        current = version(engine, db)
    if current is None:
        migrate(engine, now, together=True)
    elif current > LATEST:
        raise newer(current)
    elif current < LATEST:
        raise StorageError(
            f"the database {where} is at schema version {current}; this release needs version {LATEST}. "
            "Back it up, then run `recruit db migrate` (with the same --database or DATABASE_URL)."
        )
