"""Storage in one SQLite file: the default, for one machine (several worker processes included).

An application and the notifications about it are committed in one transaction, so a crash
never leaves an application without its emails, nor a reference shown that was not stored. The
queries are sql.py's, shared with PostgreSQL; the file itself (durable connection, writers
taking turns) is sqlite_connection.py's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import migrations
from .interface import StorageError
from .sql import SQLStorage, guard_public_methods
from .sqlite_connection import Transaction, connect, writers_lock


def sqlite_path(url: str) -> str:
    """'sqlite:///data/recruit.db' -> 'data/recruit.db'; 'sqlite:////abs.db' -> '/abs.db'."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.startswith("sqlite://"):
        return url[len("sqlite://") :]
    return url


@guard_public_methods
class SQLiteStorage(SQLStorage):
    """One connection per process, used by one thread at a time; durable commits (WAL,
    synchronous=FULL). save_many commits any number of applications in one transaction.
    Other programs (a backup, sqlite3 at a prompt) that hold the write lock are waited for up to
    busy_timeout, then StorageError."""

    errors = (sqlite3.Error,)
    engine = "sqlite"

    def __init__(self, path: str | Path, busy_timeout: float = 30.0, check_schema: bool = True) -> None:
        self.path = self.where = str(path)
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the folder for {self.path}: {exc.strerror}") from None
        self._lock = threading.RLock()
        self._writers = writers_lock(self.path)
        try:
            self._db = connect(self.path, busy_timeout, self._lock, self._writers)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the database {self.path}: {exc}") from None
        if check_schema:
            try:
                migrations.check(self, self.path, dt.datetime.now(dt.UTC))
            except (sqlite3.Error, StorageError) as exc:
                self.close()
                if isinstance(exc, StorageError):
                    raise
                raise StorageError(f"cannot open the database {self.path}: {exc}") from None

    def transaction(self) -> Transaction:
        return Transaction(self._db, self._lock, self._writers)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._db.execute(sql, params)
            try:
                return cursor.fetchall()
            finally:
                cursor.close()

    def has_table(self, db: sqlite3.Connection, name: str) -> bool:
        found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None

    def lock_schema(self, db: sqlite3.Connection) -> None:
        """Nothing to do: a write transaction already holds the file's one write lock."""

    def hint(self, index: str) -> str:
        return f" INDEXED BY {index}"

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def after_delete(self) -> None:
        """Copies of the deleted pages wait in the write-ahead log until a checkpoint (the file's
        own free pages are overwritten: secure_delete)."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def words_match(self, words: list[str]) -> tuple[str, str]:
        """The talent bank's full-text search: every word, as a word or its start (FTS5)."""
        query = " ".join(f'"{w}"*' for w in words)
        return "p.id IN (SELECT rowid FROM bank_words WHERE bank_words MATCH ?)", query

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.query(f"PRAGMA table_info({table})")]

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._writers is not None:
                os.close(self._writers)
                self._writers = None
