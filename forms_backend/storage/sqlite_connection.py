"""The SQLite file under SQLiteStorage: a durable connection and its transactions.

Commits are durable (WAL journal, synchronous=FULL: on disk before the applicant is told). The
writers of several processes (`recruit backend serve --workers N`, a scheduled `recruit outbox
send`) take turns through a lock file beside the database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading

try:
    import fcntl
except ImportError:  # Windows: writers rely on SQLite's own busy wait
    fcntl = None  # type: ignore[assignment]


def writers_lock(path: str) -> int | None:
    """The lock file beside the database that writers take turns through (None: there is none).

    flock wakes the next writer the moment a commit ends, where SQLite's own busy wait sleeps up
    to 100 ms between tries: workers sharing one file would spend their turns asleep."""
    if path != ":memory:" and fcntl is not None:
        return os.open(path + "-writer", os.O_RDWR | os.O_CREAT, 0o600)
    return None


class Transaction:
    """`with Transaction(db, lock, writers) as db:` one write transaction (BEGIN IMMEDIATE), its
    thread's and its process's turn held throughout; committed, or rolled back on an error."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, writers: int | None) -> None:
        self.db, self.lock, self.writers = db, lock, writers

    def __enter__(self) -> sqlite3.Connection:
        with contextlib.ExitStack() as held:  # let go in reverse if a later step fails
            self.lock.acquire()
            held.callback(self.lock.release)
            if self.writers is not None:
                fcntl.flock(self.writers, fcntl.LOCK_EX)
                held.callback(fcntl.flock, self.writers, fcntl.LOCK_UN)
            self.db.execute("BEGIN IMMEDIATE")
            self.held = held.pop_all()
        return self.db

    def __exit__(self, kind, exc, tb) -> None:  # noqa: ANN001
        with self.held:
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def connect(path: str, busy_timeout: float, lock: threading.RLock, writers: int | None) -> sqlite3.Connection:
    """A durable connection to the file; sqlite3.Error when it cannot be opened. One thread at a
    time uses it (holding `lock`). Its schema is migrations.py's."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=busy_timeout)
    try:
        db.execute(f"PRAGMA busy_timeout={max(0, int(busy_timeout * 1000))}")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA secure_delete=ON")  # what is deleted is overwritten, not left in free pages
    except sqlite3.Error:
        db.close()
        raise
    return db
