"""Joining the talent bank on its own form, without an application (a mixin of SQLStorage).

The entry (made, or renewed with this consent: one person, one entry by email) and the email
confirming it, with the person's private link, go into the database in one commit: a join is
never kept without its email, nor an email sent for a join that was not kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .bank import BankJoin

PUBLIC = ("join_bank_alone",)


class BankJoinQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks, and the bank's queries

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def join_bank(self, db: Any, application_id: int | None, email: str, join: BankJoin,
                      now: dt.datetime, council: str | None, campaign: str | None) -> int: ...  # fmt: skip

    def join_bank_alone(self, join: BankJoin, email: str, now: dt.datetime, council: str, campaign: str,
                        compose: Callable[[bool], bytes]) -> int:  # fmt: skip
        """The person's entry, joined or renewed from `council`'s `campaign`, and the email
        (compose(pending) -> the message) in the outbox, in one transaction; the entry's id.

        Anyone can type an address into the form, so a new entry waits, hidden from search,
        until the person confirms from the email (their page's button); unconfirmed, it is
        deleted with the hidden, 30 days later. An entry already in the bank is renewed."""
        moment = self.moment(now)
        with self.transaction() as db:
            known = db.execute(
                "SELECT 1 FROM bank_people WHERE email = ? AND hidden_at IS NULL AND confirm_pending = 0",
                (email.strip().lower(),),
            ).fetchone()
            person = self.join_bank(db, None, email, join, now, council, campaign)
            if known is None:
                db.execute(
                    "UPDATE bank_people SET hidden_at = ?, confirm_pending = 1 WHERE id = ?", (moment, person)
                )
            db.execute(
                "INSERT INTO outbox (bank_person_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (?, 'talent-bank', 'bank-joined', ?, ?, ?, ?)",
                (person, email.strip().lower(), compose(known is None), moment, moment),
            )
        return person
