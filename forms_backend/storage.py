"""Where applications live: one small interface, and its SQLite implementation.

An application and the notifications about it are committed in one transaction (WAL journal,
synchronous=FULL: on disk before the applicant is told), so a crash never leaves an
application without its emails, nor a reference shown that was not stored. PostgreSQL plugs in
behind the same interface (see open_storage).
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .parsing import Upload

try:
    import fcntl
except ImportError:  # Windows: writers rely on SQLite's own busy wait
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    council TEXT NOT NULL,
    campaign TEXT NOT NULL,
    email TEXT NOT NULL,
    answers TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    idempotency_key TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS applications_hash ON applications (council, campaign, content_hash);
CREATE INDEX IF NOT EXISTS applications_key ON applications (council, campaign, idempotency_key);
CREATE INDEX IF NOT EXISTS applications_council ON applications (council, created_at);
CREATE INDEX IF NOT EXISTS applications_email ON applications (email);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS files_application ON files (application_id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    application_id INTEGER REFERENCES applications (id) ON DELETE CASCADE,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message BLOB NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    failed_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, failed_at, next_attempt_at);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    council TEXT,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    council TEXT,
    campaign TEXT,
    detail TEXT NOT NULL
);
"""


class StorageError(Exception):
    """Storage cannot be opened or used; the message says what to do."""


def stamp(moment: dt.datetime) -> str:
    """A UTC timestamp that sorts as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass
class NewApplication:
    council: str
    campaign: str
    email: str
    answers: dict[str, Any]
    content_hash: str
    created_at: dt.datetime
    idempotency_key: str | None = None
    files: dict[str, Upload] = field(default_factory=dict)


@dataclass
class Outgoing:
    kind: str  # "council" or "applicant"
    recipient: str
    message: bytes


@dataclass(eq=False)
class SaveRequest:
    """One application on its way to storage, its reference drawn and its mail composed by the
    caller; `new_reference` and `compose` draw again if the reference turns out to be taken."""

    app: NewApplication
    new_reference: Callable[[], str]
    compose: Callable[[str], list[Outgoing]]
    since: dt.datetime
    reference: str
    messages: list[Outgoing]

    @classmethod
    def prepare(
        cls,
        app: NewApplication,
        new_reference: Callable[[], str],
        compose: Callable[[str], list[Outgoing]],
        since: dt.datetime,
    ) -> SaveRequest:
        reference = new_reference()
        return cls(app, new_reference, compose, since, reference, compose(reference))


@dataclass
class Saved:
    reference: str
    created: bool  # False: a duplicate of an application already stored


@dataclass
class Application:
    id: int
    reference: str
    council: str
    campaign: str
    email: str
    answers: dict[str, Any]
    created_at: str


@dataclass
class OutboxItem:
    id: int
    reference: str
    kind: str
    recipient: str
    message: bytes
    attempts: int


@dataclass
class Token:
    id: int
    label: str
    council: str | None  # None: the regional token
    hash: str
    created_at: str
    revoked_at: str | None


@dataclass
class Removed:
    reference: str
    council: str
    campaign: str
    created_at: str


class Storage(abc.ABC):
    """What the backend needs of a database. Every method is blocking; call it from a thread."""

    @abc.abstractmethod
    def save_many(self, requests: list[SaveRequest]) -> list[Saved | StorageError]:
        """Store each application with its notifications, all in one commit where the storage can
        (one wait for the disk acknowledges them all); each outcome in its request's place.

        An application with the same idempotency key, or the same content, for its campaign
        after its `since` is not stored again: its outcome is that one, `created` False. One
        that cannot be stored (every reference it drew was taken) gets its StorageError in its
        place and the others are stored; a commit that fails raises StorageError for all."""

    def save(
        self,
        app: NewApplication,
        new_reference: Callable[[], str],
        compose: Callable[[str], list[Outgoing]],
        since: dt.datetime,
    ) -> Saved:
        """Store one application and its notifications (see save_many)."""
        outcome = self.save_many([SaveRequest.prepare(app, new_reference, compose, since)])[0]
        if isinstance(outcome, StorageError):
            raise outcome
        return outcome

    @abc.abstractmethod
    def applications(
        self, council: str | None, campaign: str | None = None, since: dt.datetime | None = None
    ) -> list[Application]: ...

    @abc.abstractmethod
    def file(self, council: str, reference: str, field_id: str) -> tuple[str, str, bytes] | None: ...

    @abc.abstractmethod
    def purge(self, before: dt.datetime) -> list[Removed]: ...

    @abc.abstractmethod
    def erase(self, email: str) -> list[Removed]: ...

    @abc.abstractmethod
    def log_event(
        self, at: dt.datetime, kind: str, council: str | None, campaign: str | None, detail: dict[str, Any]
    ) -> None: ...

    @abc.abstractmethod
    def events(self, kind: str | None = None) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def due(self, now: dt.datetime, limit: int = 50) -> list[OutboxItem]: ...

    @abc.abstractmethod
    def claim(self, now: dt.datetime, until: dt.datetime, limit: int = 50) -> list[OutboxItem]:
        """The messages due at `now`, each leased to the caller until `until`: no other drainer
        (another worker process, a scheduled `recruit outbox send`) is given them meanwhile. A
        drainer that dies mid-send leaves them to be sent again once the lease is over."""

    @abc.abstractmethod
    def release(self, item_ids: list[int], now: dt.datetime) -> None:
        """Give claimed messages back, due again at `now` (a drain that stopped early)."""

    @abc.abstractmethod
    def mark_sent(self, item_id: int, now: dt.datetime) -> None: ...

    def mark_sent_many(self, item_ids: list[int], now: dt.datetime) -> None:
        """Mark several messages sent (one commit where the storage can)."""
        for item_id in item_ids:
            self.mark_sent(item_id, now)

    @abc.abstractmethod
    def mark_retry(self, item_id: int, error: str, next_at: dt.datetime) -> None: ...

    @abc.abstractmethod
    def mark_failed(self, item_id: int, error: str, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def requeue_failed(self, now: dt.datetime) -> int:
        """Make every failed message due again now, with its back-off restarted; how many."""

    @abc.abstractmethod
    def outbox_counts(self) -> dict[str, int]: ...

    @abc.abstractmethod
    def add_token(self, label: str, council: str | None, digest: str, now: dt.datetime) -> int: ...

    @abc.abstractmethod
    def token(self, token_id: int) -> Token | None: ...

    @abc.abstractmethod
    def tokens(self) -> list[Token]: ...

    @abc.abstractmethod
    def revoke_token(self, token_id: int, now: dt.datetime) -> bool: ...

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise StorageError when the database cannot be read."""

    @abc.abstractmethod
    def close(self) -> None: ...


def sqlite_path(url: str) -> str:
    """'sqlite:///data/recruit.db' -> 'data/recruit.db'; 'sqlite:////abs.db' -> '/abs.db'."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if url.startswith("sqlite://"):
        return url[len("sqlite://") :]
    return url


def open_storage(url: str, busy_timeout: float = 30.0) -> Storage:
    """The storage a database URL names: SQLite (a file) by default.

    `busy_timeout`: seconds to wait for another connection's lock before giving up with
    StorageError (the backend then answers 503 and keeps nothing)."""
    if url.startswith(("postgres://", "postgresql://", "postgresql+")):
        raise StorageError(
            "PostgreSQL storage is not implemented yet: the Storage interface in "
            "forms_backend/storage.py is where it plugs in. Use a sqlite:/// URL for now."
        )
    if "://" in url and not url.startswith("sqlite:"):
        raise StorageError(f"unknown database URL {url!r}: use sqlite:///path/to/recruit.db")
    return SQLiteStorage(sqlite_path(url), busy_timeout)


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
        # Writers take turns through a lock file beside the database (`recruit backend serve
        # --workers N`, or a scheduled `recruit outbox send`): flock wakes the next one the moment
        # a commit ends, where SQLite's own busy wait sleeps up to 100 ms between tries (two
        # workers on one file: 1,650 applications/s with it, 820-1,030 without).
        self._writers: int | None = None
        if self.path != ":memory:" and fcntl is not None:
            self._writers = os.open(self.path + "-writer", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
            )
            self._db.execute(f"PRAGMA busy_timeout={max(0, int(busy_timeout * 1000))}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute(
                "PRAGMA secure_delete=ON"
            )  # what is deleted is overwritten, not left in free pages
            with self._transaction():
                for statement in SCHEMA.split(";"):  # executescript would commit first
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except sqlite3.Error as exc:
            if hasattr(self, "_db"):
                self._db.close()
            raise StorageError(f"cannot open the database {self.path}: {exc}") from None

    class _Tx:
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

    def _transaction(self) -> SQLiteStorage._Tx:
        return self._Tx(self._db, self._lock, self._writers)

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
        # application the council had in the window, once per new application (700 us an
        # application with 4,000 stored; 55 us this way).
        if app.idempotency_key:
            row = db.execute(
                "SELECT reference FROM applications INDEXED BY applications_key WHERE council = ? "
                "AND campaign = ? AND idempotency_key = ? AND created_at >= ? ORDER BY id LIMIT 1",
                (app.council, app.campaign, app.idempotency_key, since),
            ).fetchone()
            if row:
                return Saved(row[0], created=False)
        row = db.execute(
            "SELECT reference FROM applications INDEXED BY applications_hash WHERE council = ? "
            "AND campaign = ? AND content_hash = ? AND created_at >= ? ORDER BY id LIMIT 1",
            (app.council, app.campaign, app.content_hash, since),
        ).fetchone()
        if row:
            return Saved(row[0], created=False)
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

    def file(self, council, reference, field_id):  # noqa: ANN001, ANN201
        rows = self._query(
            "SELECT f.filename, f.content_type, f.data FROM files f JOIN applications a "
            "ON a.id = f.application_id WHERE a.council = ? AND a.reference = ? AND f.field = ?",
            (council, reference, field_id),
        )
        return (rows[0][0], rows[0][1], bytes(rows[0][2])) if rows else None

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
