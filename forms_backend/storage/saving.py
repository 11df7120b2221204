"""Saving applications, shared by the engines: one commit for a batch, the 24-hour duplicate
check by idempotency key and by content, and a fresh reference when one is taken. A mixin of
SQLStorage (its hooks transaction, moment, hint and serialise, and `?` placeholders)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from .interface import NewApplication, Saved, SaveRequest, StorageError


class SavingQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def hint(self, index: str) -> str: ...

        def serialise(self, db: Any, requests: list[SaveRequest]) -> None: ...

        def join_bank(
            self,
            db: Any,
            application_id: int | None,
            email: str,
            join: Any,
            now: dt.datetime,
            council: str | None,
            campaign: str | None,
        ) -> int: ...

    def save_many(self, requests: list[SaveRequest]) -> list[Saved | StorageError]:
        """One transaction for them all. One that fails (its reference space exhausted) fails
        alone: it wrote nothing (ON CONFLICT DO NOTHING raises no error), so no savepoint is
        needed, which on PostgreSQL would cost two more round trips an application. A database
        error fails the whole transaction, and every request in it hears so."""
        outcomes: list[Saved | StorageError] = []
        if not requests:
            return outcomes
        with self.transaction() as db:
            self.serialise(db, requests)
            for request in requests:
                try:
                    outcomes.append(self._save_one(db, request))
                except StorageError as exc:
                    outcomes.append(exc)
        return outcomes

    def _earlier(self, db: Any, app: NewApplication, since: dt.datetime) -> str | None:
        """The reference of the same application saved since `since`: by its idempotency key,
        or by its answers' hash."""
        for kind, column, value in (
            ("key", "idempotency_key", app.idempotency_key),
            ("hash", "content_hash", app.content_hash),
        ):
            if value is None:
                continue
            # The hint (SQLite): left to itself, SQLite picks (council, created_at) and reads
            # every application the council had in the window, once per new application, so
            # each save would slow as the council's applications grow.
            row = db.execute(
                f"SELECT reference FROM applications{self.hint('applications_' + kind)} WHERE council = ? "
                f"AND campaign = ? AND {column} = ? AND created_at >= ? ORDER BY id LIMIT 1",
                (app.council, app.campaign, value, self.moment(since)),
            ).fetchone()
            if row:
                return row[0]
        return None

    def _save_one(self, db: Any, pending: SaveRequest) -> Saved:
        app = pending.app
        earlier = self._earlier(db, app, pending.since)
        if earlier:
            return Saved(earlier, created=False)
        reference, messages = pending.reference, pending.messages
        for attempt in range(20):
            if attempt:  # the reference was taken: draw another, and address the mail to it
                reference = pending.new_reference()
                messages = pending.compose(reference)
            row = db.execute(
                "INSERT INTO applications (reference, council, campaign, email, answers, content_hash, "
                "idempotency_key, created_at, source, medium, source_tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?) ON CONFLICT (reference) DO NOTHING RETURNING id",
                (
                    reference,
                    app.council,
                    app.campaign,
                    app.email.lower(),
                    json.dumps(app.answers, ensure_ascii=False),
                    app.content_hash,
                    app.idempotency_key,
                    self.moment(app.created_at),
                    app.source,
                    app.medium,
                    app.source_tag,
                ),
            ).fetchone()
            if row:
                break
        else:
            raise StorageError("could not draw an unused reference")
        app_id = row[0]
        if app.files:
            db.executemany(
                "INSERT INTO files (application_id, field, filename, content_type, size, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (app_id, field_id, f.filename, f.content_type, len(f.data), f.data)
                    for field_id, f in app.files.items()
                ],
            )
        now = self.moment(app.created_at)
        if app.bank is not None:
            self.join_bank(db, app_id, app.email, app.bank, app.created_at, app.council, app.campaign)
        if messages:
            db.executemany(
                "INSERT INTO outbox (application_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(app_id, reference, out.kind, out.recipient, out.message, now, now) for out in messages],
            )
        return Saved(reference, created=True)
