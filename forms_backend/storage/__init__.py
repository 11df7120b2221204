"""Where applications live: one small interface, an engine behind it, chosen by the database URL.

interface.py          Storage and the records it takes and gives (no HTTP, manifest or mail)
sql.py                the queries, written once for both engines (SQLStorage)
sqlite.py             SQLiteStorage: the default, one file (sqlite_connection.py: durability, locks)
postgres.py           PostgresStorage: Lambda, containers, several servers (a pool per process)
migrations.py         the schema as numbered migrations for both engines
"""

from __future__ import annotations

from .interface import (
    Application,
    NewApplication,
    OutboxItem,
    Outgoing,
    Removed,
    Saved,
    SaveRequest,
    Storage,
    StorageError,
    StoredFile,
    Token,
)
from .migrations import LATEST as SCHEMA_VERSION
from .migrations import MIGRATIONS
from .sqlite import SQLiteStorage, sqlite_path

# Every table and index of the latest schema, on SQLite (the bench's raw baseline builds it).
SCHEMA = ";".join(m.sqlite for m in MIGRATIONS)

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "Application",
    "NewApplication",
    "OutboxItem",
    "Outgoing",
    "Removed",
    "SQLiteStorage",
    "SaveRequest",
    "Saved",
    "Storage",
    "StorageError",
    "StoredFile",
    "Token",
    "open_storage",
    "sqlite_path",
]


def open_storage(url: str, busy_timeout: float = 30.0, check_schema: bool = True) -> Storage:
    """The storage a database URL names: SQLite (a file) by default, or PostgreSQL.

    `busy_timeout`: seconds to wait for another connection's lock, or for a free connection,
    before giving up with StorageError (the backend then answers 503 and keeps nothing).
    `check_schema`: refuse a database older or newer than this code (a new one is created);
    `recruit db` opens without it to migrate or report."""
    if url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        from .postgres import PostgresStorage  # psycopg is loaded only by those who use it

        return PostgresStorage(url.replace("postgres://", "postgresql://", 1), busy_timeout, check_schema)
    if "://" in url and not url.startswith("sqlite:"):
        raise StorageError(
            f"unknown database URL {url!r}: use sqlite:///path/to/recruit.db or postgresql://user@host/database"
        )
    return SQLiteStorage(sqlite_path(url), busy_timeout, check_schema)
