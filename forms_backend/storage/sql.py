"""The storage's SQL, written once for every engine: SQLStorage, over a connection its engine gives.

An engine (sqlite.py, postgres.py) supplies transactions and queries on its connection, its
errors, and the few places the dialects differ: how a timestamp is passed, a planner hint on
SQLite, the row locks PostgreSQL takes so that concurrent writers and drains do not meet, and
what is done after a delete so that nothing deleted can still be read. The SQL here uses `?`
placeholders; an engine that speaks another style translates them.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from . import analytics, bank, bank_join, bank_search, rollups, saving, staff, workspace
from .interface import (
    Application,
    OutboxItem,
    Removed,
    SaveRequest,
    Storage,
    StorageError,
    StoredFile,
    Token,
)
from .staff import stamp

# Every table that holds a region's data, in the order a copy must fill them (parents first).
TABLES = (
    "applications", "bank_people", "files", "outbox", "tokens", "events",
    "users", "sign_in_links", "sessions", "stage_moves", "audit", "page_events", "ratings",
    "bank_applications", "bank_consents", "bank_contacts",
)  # fmt: skip


def loaded(value: Any) -> Any:
    """A JSON column's value: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


class Session(Protocol):
    """What the shared SQL needs of a connection inside a transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...


def guarded(method: Callable) -> Callable:
    """A storage method whose engine errors (a lock held too long, a server gone, a full disk)
    come out as StorageError, which the app answers with 503 and the CLI with a clear message."""

    @functools.wraps(method)
    def wrapper(self: SQLStorage, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except self.errors as exc:
            raise StorageError(f"the database {self.where} cannot be used right now: {exc}") from None

    return wrapper


# What callers use: the Storage interface and the workspace's queries.
PUBLIC_METHODS = Storage.__abstractmethods__ | {
    "mark_sent_many",
    *staff.PUBLIC,
    *workspace.PUBLIC,
    *analytics.PUBLIC,
    *rollups.PUBLIC,
    *bank.PUBLIC,
    *bank_search.PUBLIC,
    *bank_join.PUBLIC,
}


def guard_public_methods(cls: type) -> type:
    """Every method of the Storage interface that `cls` has (its own or SQLStorage's), guarded."""
    for name in PUBLIC_METHODS:
        method = getattr(cls, name, None)
        if method is not None and not getattr(method, "__isabstractmethod__", False):
            setattr(cls, name, guarded(method))
    return cls


class SQLStorage(
    saving.SavingQueries,
    staff.StaffQueries,
    workspace.WorkspaceQueries,
    analytics.AnalyticsQueries,
    rollups.RollupQueries,
    bank.BankQueries,
    bank_search.BankSearchQueries,
    bank_join.BankJoinQueries,
    Storage,
):
    """The queries of the Storage interface, shared by the engines."""

    errors: tuple[type[BaseException], ...] = ()
    where = "database"  # how messages name the database (a path, a host and database)
    # Appended to the outbox claim's inner SELECT (PostgreSQL: FOR UPDATE SKIP LOCKED).
    claim_locks = ""

    # What an engine provides

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Session]:
        """One write transaction: committed at the end of the block, rolled back on an error."""

    @abc.abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        """The rows of one read."""

    def moment(self, value: dt.datetime) -> Any:
        """A timestamp as this engine stores it (text on SQLite)."""
        return stamp(value)

    def hint(self, index: str) -> str:
        """A planner hint naming an index, where the engine takes one."""
        return ""

    def serialise(self, db: Session, requests: list[SaveRequest]) -> None:
        """Make concurrent saves of the same application take turns (SQLite: writers already do)."""

    def insert_many(self, db: Session, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
        """Insert `rows` into `table` in the transaction (PostgreSQL: by COPY, one round trip)."""
        marks = ", ".join("?" * len(columns))
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def take_turns(self, db: Session, name: str) -> None:
        """Writers of the same `name` wait for each other until commit (SQLite: writers already do)."""

    def after_delete(self) -> None:
        """What the engine does so that deleted rows can no longer be read anywhere."""

    # Applications

    # saving: saving.py's SavingQueries

    def applications(self, council, campaign=None, since=None) -> list[Application]:  # noqa: ANN001
        sql = f"SELECT {workspace.APPLICATION} FROM applications a WHERE true"
        params: list[Any] = []
        for column, value in (("council", council), ("campaign", campaign)):
            if value is not None:
                sql += f" AND a.{column} = ?"
                params.append(value)
        if since is not None:
            sql += " AND a.created_at >= ?"
            params.append(self.moment(since))
        return [workspace.application_of(r) for r in self.query(sql + " ORDER BY a.created_at, a.id", params)]

    def file(self, council, reference, field_id) -> StoredFile | None:  # noqa: ANN001
        rows = self.query(
            "SELECT f.filename, f.content_type, f.data FROM files f JOIN applications a "
            "ON a.id = f.application_id WHERE a.council = ? AND a.reference = ? AND f.field = ?",
            (council, reference, field_id),
        )
        return StoredFile(rows[0][0], rows[0][1], bytes(rows[0][2])) if rows else None

    def _remove(self, where: str, params: tuple, action: str, person: str | None = None) -> list[Removed]:
        """Delete applications with everything of theirs (files, mail, stage history and notes),
        and with `person` (an email) their talent bank entry too, leaving an audit line per
        council that says how many, and nothing about whom."""
        with self.transaction() as db:
            if person is not None:
                self.forget_in_bank(db, person)
            rows = db.execute(
                f"DELETE FROM applications WHERE {where} RETURNING reference, council, campaign, created_at",
                params,
            ).fetchall()
            by_council: dict[str, int] = {}
            for row in rows:
                by_council[row[1]] = by_council.get(row[1], 0) + 1
            for council, n in sorted(by_council.items()):
                db.execute(
                    "INSERT INTO audit (at, actor, council, action, detail) VALUES (?, NULL, ?, ?, ?)",
                    (self.moment(dt.datetime.now(dt.UTC)), council, action, json.dumps({"applications": n})),
                )
        if rows:
            self.after_delete()
        removed = [Removed(r[0], r[1], r[2], stamp(r[3])) for r in rows]
        return sorted(removed, key=lambda r: r.created_at)

    def purge(self, before) -> list[Removed]:  # noqa: ANN001
        removed = self._remove("created_at < ?", (self.moment(before),), "purge")
        with self.transaction() as db:  # the events and the audit trail are kept as long, no longer
            for table in ("events", "audit"):
                db.execute(f"DELETE FROM {table} WHERE at < ?", (self.moment(before),))
        return removed

    def erase(self, email) -> list[Removed]:  # noqa: ANN001
        address = email.strip().lower()
        return self._remove("email = ?", (address,), "erase", person=address)

    # Events (tampering, honeypot): no personal data beyond what was typed into a fixed list

    def log_event(self, at, kind, council, campaign, detail) -> None:  # noqa: ANN001
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events (at, kind, council, campaign, detail) VALUES (?, ?, ?, ?, ?)",
                (self.moment(at), kind, council, campaign, json.dumps(detail, ensure_ascii=False)),
            )

    def events(self, kind=None) -> list[dict[str, Any]]:  # noqa: ANN001
        rows = self.query(
            "SELECT at, kind, council, campaign, detail FROM events"
            + (" WHERE kind = ?" if kind else "")
            + " ORDER BY id",
            (kind,) if kind else (),
        )
        return [
            {"at": stamp(r[0]), "kind": r[1], "council": r[2], "campaign": r[3], "detail": loaded(r[4])}
            for r in rows
        ]

    # Outbox

    _WAITING = "sent_at IS NULL AND failed_at IS NULL"
    _ITEM = "id, reference, kind, recipient, message, attempts"

    def due(self, now, limit=50) -> list[OutboxItem]:  # noqa: ANN001
        rows = self.query(
            f"SELECT {self._ITEM} FROM outbox WHERE {self._WAITING} AND next_attempt_at <= ? "
            "ORDER BY id LIMIT ?",
            (self.moment(now), limit),
        )
        return [OutboxItem(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]

    def claim(self, now, until, limit=50) -> list[OutboxItem]:  # noqa: ANN001
        with self.transaction() as db:
            rows = db.execute(
                f"UPDATE outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM outbox WHERE "
                f"{self._WAITING} AND next_attempt_at <= ? ORDER BY id LIMIT ?{self.claim_locks}) "
                f"RETURNING {self._ITEM}",
                (self.moment(until), self.moment(now), limit),
            ).fetchall()
        items = [OutboxItem(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]
        return sorted(items, key=lambda item: item.id)

    def _update_each(self, sql: str, rows: list[tuple]) -> None:
        with self.transaction() as db:
            db.executemany(sql, rows)

    def release(self, item_ids, now) -> None:  # noqa: ANN001
        self._update_each(
            f"UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND {self._WAITING}",
            [(self.moment(now), item_id) for item_id in item_ids],
        )

    _SENT = "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?"

    def mark_sent(self, item_id, now) -> None:  # noqa: ANN001
        self._update_each(self._SENT, [(self.moment(now), item_id)])

    def mark_sent_many(self, item_ids, now) -> None:  # noqa: ANN001
        self._update_each(self._SENT, [(self.moment(now), item_id) for item_id in item_ids])

    def mark_retry(self, item_id, error, next_at) -> None:  # noqa: ANN001
        self._update_each(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            [(error[:500], self.moment(next_at), item_id)],
        )

    def mark_failed(self, item_id, error, now) -> None:  # noqa: ANN001
        self._update_each(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ? WHERE id = ?",
            [(error[:500], self.moment(now), item_id)],
        )

    def requeue_failed(self, now) -> int:  # noqa: ANN001
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ? "
                "WHERE sent_at IS NULL AND failed_at IS NOT NULL",
                (self.moment(now),),
            )
            return cursor.rowcount

    def outbox_counts(self) -> dict[str, int]:
        row = self.query(
            f"SELECT COUNT(*) FILTER (WHERE {self._WAITING}), COUNT(*) FILTER (WHERE sent_at IS NOT NULL), "
            "COUNT(*) FILTER (WHERE failed_at IS NOT NULL) FROM outbox"
        )[0]
        return {"waiting": row[0], "sent": row[1], "failed": row[2]}

    # Tokens (only their SHA-256 hashes)

    _TOKEN = "id, label, council, hash, created_at, revoked_at"

    def add_token(self, label, council, digest, now) -> int:  # noqa: ANN001
        with self.transaction() as db:
            row = db.execute(
                "INSERT INTO tokens (label, council, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                (label, council, digest, self.moment(now)),
            ).fetchone()
        return int(row[0])

    def _token(self, row: Sequence[Any]) -> Token:
        return Token(row[0], row[1], row[2], row[3], stamp(row[4]), None if row[5] is None else stamp(row[5]))

    def token(self, token_id) -> Token | None:  # noqa: ANN001
        rows = self.query(f"SELECT {self._TOKEN} FROM tokens WHERE id = ?", (token_id,))
        return self._token(rows[0]) if rows else None

    def tokens(self) -> list[Token]:
        return [self._token(r) for r in self.query(f"SELECT {self._TOKEN} FROM tokens ORDER BY id")]

    def revoke_token(self, token_id, now) -> bool:  # noqa: ANN001
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (self.moment(now), token_id),
            )
            return cursor.rowcount > 0

    def ping(self) -> None:
        self.query("SELECT value FROM meta WHERE key = 'schema_version'")

    # Copying a region from one database to another (recruit db copy)

    @abc.abstractmethod
    def columns(self, table: str) -> list[str]:
        """The columns of one of TABLES, id first."""

    def after_copy(self, db: Session, table: str) -> None:
        """After rows were copied in with their ids: new rows must get ids after them."""
