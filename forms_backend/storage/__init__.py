"""Where applications live: one small interface, an engine behind it, chosen by the database URL.

interface.py          Storage and the records it takes and gives (no HTTP, manifest or mail)
sqlite.py             SQLiteStorage: the default, one file (sqlite_connection.py: schema, locks)

PostgreSQL (Lambda, several servers) goes in a postgres module beside sqlite, opened here.
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
from .sqlite import SQLiteStorage, sqlite_path
from .sqlite_connection import SCHEMA, SCHEMA_VERSION

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


def open_storage(url: str, busy_timeout: float = 30.0) -> Storage:
    """The storage a database URL names: SQLite (a file) by default.

    `busy_timeout`: seconds to wait for another connection's lock before giving up with
    StorageError (the backend then answers 503 and keeps nothing)."""
    if url.startswith(("postgres://", "postgresql://", "postgresql+")):
        raise StorageError(
            "PostgreSQL storage is not implemented yet: it plugs in behind the Storage interface "
            "(forms_backend/storage/interface.py), beside sqlite.py. Use a sqlite:/// URL for now."
        )
    if "://" in url and not url.startswith("sqlite:"):
        raise StorageError(f"unknown database URL {url!r}: use sqlite:///path/to/recruit.db")
    return SQLiteStorage(sqlite_path(url), busy_timeout)
