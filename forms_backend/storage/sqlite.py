"""Storage in one SQLite file: the default, for one machine (several worker processes included).

An application and the notifications about it are committed in one transaction, so a crash
never leaves an application without its emails, nor a reference shown that was not stored. The
file itself (schema, durable connection, writers taking turns) is sqlite_connection.py's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .interface import (
    Application,
    NewApplication,
    OutboxItem,
    Removed,
    Saved,
    SaveRequest,
    Storage,
    StorageError,
    StoredFile,
    Token,
)
from .sqlite_connection import Transaction, connect, writers_lock


def stamp(moment: dt.datetime) -> str:
    """A UTC timestamp that sorts as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


# The same application within the window: by its idempotency key, or by its answers' hash.
_EARLIER = {
    kind: f"SELECT reference FROM applications INDEXED BY applications_{kind} WHERE council = ? "
    f"AND campaign = ? AND {column} = ? AND created_at >= ? ORDER BY id LIMIT 1"
    for kind, column in (("key", "idempotency_key"), ("hash", "content_hash"))
}


def _earlier(db: sqlite3.Connection, kind: str, app: NewApplication, since: str) -> str | None:
    """The reference of the same application saved since `since`, if there is one."""
    value = app.idempotency_key if kind == "key" else app.content_hash
    row = db.execute(_EARLIER[kind], (app.council, app.campaign, value, since)).fetchone()
    return row[0] if row else None


def sqlite_path(url: str) -> str:
    """'sqlite:///data/recruit.db' -> 'data/recruit.db'; 'sqlite:////abs.db' -> '/abs.db'."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.startswith("sqlite://"):
        return url[len("sqlite://") :]
    return url


def _guarded(method: Callable) -> Callable:
    """A storage method whose sqlite3 errors (a locked or unreadable file, a full disk) come out
    as StorageError, which the app answers with 503 and the CLI with a clear message."""

    @functools.wraps(method)
    def guarded(self: SQLiteStorage, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StorageError(f"the database {self.path} cannot be used right now: {exc}") from None

    return guarded


def _guard_public_methods(cls: type) -> type:
    for name in Storage.__abstractmethods__ | {"mark_sent_many"}:
        if name in vars(cls):
            setattr(cls, name, _guarded(vars(cls)[name]))
    return cls


@_guard_public_methods
class SQLiteStorage(Storage):
    """One connection per process, used by one thread at a time; durable commits (WAL,
    synchronous=FULL). save_many commits any number of applications in one transaction.
    Other programs (a backup, sqlite3 at a prompt) that hold the write lock are waited for up to
    busy_timeout, then StorageError."""

    def __init__(self, path: str | Path, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
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

    def _transaction(self) -> Transaction:
        return Transaction(self._db, self._lock, self._writers)

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._db.execute(sql, params)
            try:
                return cursor.fetchall()
            finally:
                cursor.close()

    # Applications

    def save_many(self, requests: list[SaveRequest]) -> list[Saved | StorageError]:
        """One transaction for them all; each application in its own savepoint, so one that fails
        (an exhausted reference space, say) fails alone."""
        outcomes: list[Saved | StorageError] = []
        if not requests:
            return outcomes
        with self._transaction() as db:
            for request in requests:
                db.execute("SAVEPOINT application")
                try:
                    outcomes.append(self._save_one(db, request))
                except StorageError as exc:
                    db.execute("ROLLBACK TO application")
                    outcomes.append(exc)
                db.execute("RELEASE application")
        return outcomes

    def _save_one(self, db: sqlite3.Connection, pending: SaveRequest) -> Saved:
        app, since = pending.app, stamp(pending.since)
        # INDEXED BY: left to itself, SQLite picks (council, created_at) and reads every
        # application the council had in the window, once per new application, so each save
        # would slow as the council's applications grow.
        by_key = _earlier(db, "key", app, since) if app.idempotency_key else None
        earlier = by_key or _earlier(db, "hash", app, since)
        if earlier:
            return Saved(earlier, created=False)
        reference, messages = pending.reference, pending.messages
        for attempt in range(20):
            if attempt:  # the reference was taken: draw another, and address the mail to it
                reference = pending.new_reference()
                messages = pending.compose(reference)
            try:
                cursor = db.execute(
                    "INSERT INTO applications (reference, council, campaign, email, answers, "
                    "content_hash, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        reference,
                        app.council,
                        app.campaign,
                        app.email.lower(),
                        json.dumps(app.answers, ensure_ascii=False),
                        app.content_hash,
                        app.idempotency_key,
                        stamp(app.created_at),
                    ),
                )
                break
            except sqlite3.IntegrityError:
                continue
        else:
            raise StorageError("could not draw an unused reference")
        app_id = cursor.lastrowid
        for field_id, upload in app.files.items():
            db.execute(
                "INSERT INTO files (application_id, field, filename, content_type, size, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (app_id, field_id, upload.filename, upload.content_type, len(upload.data), upload.data),
            )
        now = stamp(app.created_at)
        for out in messages:
            db.execute(
                "INSERT INTO outbox (application_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (app_id, reference, out.kind, out.recipient, out.message, now, now),
            )
        return Saved(reference, created=True)

    def applications(self, council, campaign=None, since=None) -> list[Application]:  # noqa: ANN001
        sql = (
            "SELECT id, reference, council, campaign, email, answers, created_at FROM applications WHERE 1=1"
        )
        params: list[Any] = []
        if council is not None:
            sql += " AND council = ?"
            params.append(council)
        if campaign is not None:
            sql += " AND campaign = ?"
            params.append(campaign)
        if since is not None:
            sql += " AND created_at >= ?"
            params.append(stamp(since))
        rows = self._query(sql + " ORDER BY created_at, id", tuple(params))
        return [Application(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]

    def file(self, council, reference, field_id) -> StoredFile | None:  # noqa: ANN001
        rows = self._query(
            "SELECT f.filename, f.content_type, f.data FROM files f JOIN applications a "
            "ON a.id = f.application_id WHERE a.council = ? AND a.reference = ? AND f.field = ?",
            (council, reference, field_id),
        )
        return StoredFile(rows[0][0], rows[0][1], bytes(rows[0][2])) if rows else None

    def _remove(self, where: str, params: tuple) -> list[Removed]:
        with self._transaction() as db:
            rows = db.execute(
                f"SELECT reference, council, campaign, created_at FROM applications WHERE {where} "
                "ORDER BY created_at, id",
                params,
            ).fetchall()
            db.execute(f"DELETE FROM applications WHERE {where}", params)
        if rows:  # copies of the deleted pages wait in the write-ahead log until a checkpoint
            with self._lock, contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return [Removed(*r) for r in rows]

    def purge(self, before) -> list[Removed]:  # noqa: ANN001
        removed = self._remove("created_at < ?", (stamp(before),))
        with self._transaction() as db:
            db.execute("DELETE FROM events WHERE at < ?", (stamp(before),))
        return removed

    def erase(self, email) -> list[Removed]:  # noqa: ANN001
        return self._remove("email = ?", (email.strip().lower(),))

    # Events (tampering, honeypot): no personal data beyond what was typed into a fixed list

    def log_event(self, at, kind, council, campaign, detail) -> None:  # noqa: ANN001
        with self._transaction() as db:
            db.execute(
                "INSERT INTO events (at, kind, council, campaign, detail) VALUES (?, ?, ?, ?, ?)",
                (stamp(at), kind, council, campaign, json.dumps(detail, ensure_ascii=False)),
            )

    def events(self, kind=None) -> list[dict[str, Any]]:  # noqa: ANN001
        rows = self._query(
            "SELECT at, kind, council, campaign, detail FROM events"
            + (" WHERE kind = ?" if kind else "")
            + " ORDER BY id",
            (kind,) if kind else (),
        )
        return [
            {"at": r[0], "kind": r[1], "council": r[2], "campaign": r[3], "detail": json.loads(r[4])}
            for r in rows
        ]

    # Outbox

    def due(self, now, limit=50) -> list[OutboxItem]:  # noqa: ANN001
        rows = self._query(
            "SELECT id, reference, kind, recipient, message, attempts FROM outbox "
            "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (stamp(now), limit),
        )
        return [OutboxItem(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]

    def claim(self, now, until, limit=50) -> list[OutboxItem]:  # noqa: ANN001
        with self._transaction() as db:
            rows = db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM outbox "
                "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?) "
                "RETURNING id, reference, kind, recipient, message, attempts",
                (stamp(until), stamp(now), limit),
            ).fetchall()
        items = [OutboxItem(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]
        return sorted(items, key=lambda item: item.id)

    def release(self, item_ids, now) -> None:  # noqa: ANN001
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET next_attempt_at = ? "
                "WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL",
                [(stamp(now), item_id) for item_id in item_ids],
            )

    def mark_sent(self, item_id, now) -> None:  # noqa: ANN001
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                (stamp(now), item_id),
            )

    def mark_sent_many(self, item_ids, now) -> None:  # noqa: ANN001
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                [(stamp(now), item_id) for item_id in item_ids],
            )

    def mark_retry(self, item_id, error, next_at) -> None:  # noqa: ANN001
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                (error[:500], stamp(next_at), item_id),
            )

    def mark_failed(self, item_id, error, now) -> None:  # noqa: ANN001
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ? WHERE id = ?",
                (error[:500], stamp(now), item_id),
            )

    def requeue_failed(self, now) -> int:  # noqa: ANN001
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ? "
                "WHERE sent_at IS NULL AND failed_at IS NOT NULL",
                (stamp(now),),
            )
            return cursor.rowcount

    def outbox_counts(self) -> dict[str, int]:
        row = self._query(
            "SELECT SUM(sent_at IS NULL AND failed_at IS NULL), SUM(sent_at IS NOT NULL), "
            "SUM(failed_at IS NOT NULL) FROM outbox"
        )[0]
        return {"waiting": row[0] or 0, "sent": row[1] or 0, "failed": row[2] or 0}

    # Tokens (only their SHA-256 hashes)

    def add_token(self, label, council, digest, now) -> int:  # noqa: ANN001
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO tokens (label, council, hash, created_at) VALUES (?, ?, ?, ?)",
                (label, council, digest, stamp(now)),
            )
            return int(cursor.lastrowid)

    def token(self, token_id) -> Token | None:  # noqa: ANN001
        rows = self._query(
            "SELECT id, label, council, hash, created_at, revoked_at FROM tokens WHERE id = ?", (token_id,)
        )
        return Token(*rows[0]) if rows else None

    def tokens(self) -> list[Token]:
        rows = self._query("SELECT id, label, council, hash, created_at, revoked_at FROM tokens ORDER BY id")
        return [Token(*r) for r in rows]

    def revoke_token(self, token_id, now) -> bool:  # noqa: ANN001
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (stamp(now), token_id)
            )
            return cursor.rowcount > 0

    def ping(self) -> None:
        self._query("SELECT value FROM meta WHERE key = 'schema_version'")

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._writers is not None:
                os.close(self._writers)
                self._writers = None
