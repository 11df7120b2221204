"""The regional talent bank's queries, shared by the engines (a mixin of SQLStorage, through its
hooks and `?` placeholders).

One person, one entry: found by their email, whichever council or campaign they applied to or
joined from. Joining records the consent (when, the exact wording seen, its version, who may
contact them, until when) in the same commit as the application it came with. A month before
the consent ends the person is sent a link to stay in; at the end they are hidden from search,
and 30 days later deleted (`sweep`). Leaving deletes the entry at once (the applications stay,
under their council's retention); placed anywhere in the region, a person leaves the search
unless they said they want to stay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .staff import stamp

PUBLIC = ("bank_secret", "bank_person", "bank_update", "bank_stay", "bank_leave", "sweep_bank",
          "bank_people_count", "bank_send_link")  # fmt: skip
# The columns search narrows by, from a person's structured answers (matching/profile.py).
SEARCHED = ("profession", "registration_body", "registration_state", "english_test", "hours")
REMIND_DAYS, DELETE_DAYS = 30, 30


def digest_of(email: str) -> str:
    """What private links carry instead of the address: SHA-256 of it, lower-cased."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class BankJoin:
    """Joining the bank, as an application (or the join form) says it."""

    name: str
    wording: str  # the exact consent wording the person saw
    version: str  # its version: a hash of the wording, from the campaign's YAML
    months: int  # how long the consent lasts (site.toml talent_bank_months)
    scope: dict[str, Any]  # who may contact them: {"councils": "all" | [...], "providers": [...]}
    profile: dict[str, Any]  # structured answers (profession, registration, English test...)


@dataclass
class BankPerson:
    id: int
    email: str
    name: str
    joined_at: str
    consent_at: str
    consent_wording: str
    expires_at: str
    hidden_at: str | None
    placed_at: str | None
    stay_when_placed: bool
    councils: list[str]
    role_kinds: list[str]
    travel_miles: int | None
    available_from: str | None
    hours: str | None
    pending: bool  # joined on the bank's own form, not confirmed from the email yet
    profile: dict[str, Any]
    scope: dict[str, Any]
    applications: list[tuple[str, str, str, str]]  # (reference, council, campaign, created_at)
    consents: list[tuple[str, str, str]]  # (at, action, wording)
    contacts: list[
        tuple[int, str, str | None, str | None, str, str | None]
    ]  # id, council, campaign, role, sent, answer


def _listed(value: str) -> list[str]:
    return [v for v in value.strip(",").split(",") if v]


def _joined(values: Sequence[str]) -> str:
    """A list as its column holds it: ',a,b,' (so that LIKE '%,a,%' finds one value)."""
    return "," + ",".join(values) + "," if values else ""


class BankQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def after_delete(self) -> None: ...

    def bank_secret(self) -> str:
        """The key private links are signed with: made at random the first time, kept in meta."""
        found = self.query("SELECT value FROM meta WHERE key = 'bank_secret'")
        if found:
            return found[0][0]
        with self.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('bank_secret', ?) ON CONFLICT (key) DO NOTHING",
                (secrets.token_hex(32),),
            )
            return db.execute("SELECT value FROM meta WHERE key = 'bank_secret'").fetchone()[0]

    def join_bank(self, db: Any, application_id: int | None, email: str, join: BankJoin, now: dt.datetime,
                  council: str | None, campaign: str | None) -> int:  # fmt: skip
        """In the caller's transaction: the person's entry made, or renewed with this consent and
        what these answers add to their profile; the application linked; the consent kept."""
        address = email.strip().lower()
        row = db.execute("SELECT id, profile FROM bank_people WHERE email = ?", (address,)).fetchone()
        profile = {**(json.loads(row[1]) if row else {}),
                   **{k: v for k, v in join.profile.items() if v not in (None, "", [])}}  # fmt: skip
        expires = now + dt.timedelta(days=round(join.months * 30.44))
        searched = [profile.get(column) or None for column in SEARCHED]
        # what councils may search by: the person's answers, never their name (nobody finds out
        # whether a named person is in the bank)
        text = " ".join(str(v) for v in profile.values() if v).lower()[:4000]
        renewed = ("name", "consent_at", "consent_wording", "consent_version", "contact_scope", "expires_at",
                   *SEARCHED, "profile", "search_text", "updated_at")  # fmt: skip
        values = (join.name, self.moment(now), join.wording, join.version, json.dumps(join.scope),
                  self.moment(expires), *searched, json.dumps(profile, ensure_ascii=False), text,
                  self.moment(now))  # fmt: skip
        columns = ("email", "email_digest", "joined_at", *renewed)
        person = db.execute(
            f"INSERT INTO bank_people ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            "ON CONFLICT (email) DO UPDATE SET reminded_at = NULL, hidden_at = NULL, confirm_pending = 0, "
            "placed_at = NULL, " + ", ".join(f"{c} = excluded.{c}" for c in renewed) + " RETURNING id",
            (address, digest_of(address), self.moment(now), *values),
        ).fetchone()[0]
        if application_id is not None:
            db.execute(
                "INSERT INTO bank_applications (person_id, application_id) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                (person, application_id),
            )
        db.execute(
            "INSERT INTO bank_consents (person_id, at, action, wording, version, council, campaign, "
            "expires_at) VALUES (?, ?, 'joined', ?, ?, ?, ?, ?)",
            (person, self.moment(now), join.wording, join.version, council, campaign, self.moment(expires)),
        )
        return person

    def bank_person(self, digest: str) -> BankPerson | None:
        """The entry whose email has this digest (what a private link carries), hidden or not."""
        rows = self.query(
            "SELECT id, email, name, joined_at, consent_at, consent_wording, expires_at, hidden_at, "
            "placed_at, stay_when_placed, councils, role_kinds, travel_miles, available_from, hours, "
            "confirm_pending, profile, contact_scope "
            "FROM bank_people WHERE email_digest = ?",
            (digest,),
        )
        if not rows:
            return None
        r = rows[0]
        applications = self.query(
            "SELECT a.reference, a.council, a.campaign, a.created_at FROM bank_applications b "
            "JOIN applications a ON a.id = b.application_id WHERE b.person_id = ? ORDER BY a.created_at",
            (r[0],),
        )
        consents = self.query(
            "SELECT at, action, wording FROM bank_consents WHERE person_id = ? ORDER BY id", (r[0],)
        )
        contacts = self.query(
            "SELECT id, council, campaign, role, sent_at, answer FROM bank_contacts WHERE person_id = ? "
            "ORDER BY id DESC",
            (r[0],),
        )
        return BankPerson(
            r[0], r[1], r[2], stamp(r[3]) or "", stamp(r[4]) or "", r[5], stamp(r[6]) or "", stamp(r[7]),
            stamp(r[8]), bool(r[9]), _listed(r[10]), _listed(r[11]), r[12], r[13], r[14], bool(r[15]),
            json.loads(r[16]), json.loads(r[17]),
            [(a[0], a[1], a[2], stamp(a[3]) or "") for a in applications],
            [(stamp(c[0]) or "", c[1], c[2]) for c in consents],
            [(c[0], c[1], c[2], c[3], stamp(c[4]) or "", c[5]) for c in contacts],
        )  # fmt: skip

    def bank_update(self, person_id: int, now: dt.datetime, councils: list[str], role_kinds: list[str],
                    hours: str | None, travel_miles: int | None, available_from: str | None,
                    stay_when_placed: bool) -> bool:  # fmt: skip
        """The person's own preferences and availability, as they set them on their page."""
        with self.transaction() as db:
            return db.execute(
                "UPDATE bank_people SET councils = ?, role_kinds = ?, hours = ?, travel_miles = ?, "
                "available_from = ?, stay_when_placed = ?, updated_at = ? WHERE id = ?",
                (_joined(councils), _joined(role_kinds), hours, travel_miles, available_from,
                 int(stay_when_placed), self.moment(now), person_id),
            ).rowcount == 1  # fmt: skip

    def bank_stay(self, person_id: int, now: dt.datetime, months: int) -> dt.datetime | None:
        """Stay in for another `months` from now (the reminder's link), or confirm a join from
        the bank's own form: the new end, or None."""
        until = now + dt.timedelta(days=round(months * 30.44))
        with self.transaction() as db:
            row = db.execute(
                "SELECT consent_wording, consent_version, confirm_pending FROM bank_people WHERE id = ?",
                (person_id,),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE bank_people SET expires_at = ?, reminded_at = NULL, hidden_at = NULL, "
                "confirm_pending = 0, updated_at = ? WHERE id = ?",
                (self.moment(until), self.moment(now), person_id),
            )
            action = "confirmed" if row[2] else "renewed"
            db.execute(
                "INSERT INTO bank_consents (person_id, at, action, wording, version, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (person_id, self.moment(now), action, row[0], row[1], self.moment(until)),
            )
        return until

    def bank_leave(self, person_id: int) -> bool:
        """Leave the bank: the entry, its consents, contacts and mail deleted at once."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM bank_people WHERE id = ?", (person_id,)).rowcount == 1
        if gone:
            self.after_delete()
        return gone

    def forget_in_bank(self, db: Any, email: str) -> int:
        """In the caller's transaction (erase): the person's entry and all of its, deleted."""
        return db.execute("DELETE FROM bank_people WHERE email = ?", (email.strip().lower(),)).rowcount

    def placed_from_bank(self, db: Any, application_id: int, moment: Any) -> None:
        """In the caller's transaction (a move to placed): the person leaves the bank's search,
        unless they said they want to stay."""
        db.execute(
            "UPDATE bank_people SET placed_at = ? WHERE stay_when_placed = 0 AND id IN "
            "(SELECT person_id FROM bank_applications WHERE application_id = ?)",
            (moment, application_id),
        )

    def sweep_bank(self, now: dt.datetime,
                   compose: Callable[[str, str, str], bytes]) -> tuple[int, int, int]:  # fmt: skip
        """The consents' calendar: a reminder (compose(email, name, expires_at) -> the message)
        put in the outbox for each consent ending within a month; the expired hidden; the hidden
        for 30 days deleted. (reminded, hidden, deleted)."""
        moment = self.moment(now)
        with self.transaction() as db:
            due = db.execute(
                "SELECT id, email, name, expires_at FROM bank_people WHERE reminded_at IS NULL AND "
                "hidden_at IS NULL AND expires_at <= ? AND expires_at > ?",
                (self.moment(now + dt.timedelta(days=REMIND_DAYS)), moment),
            ).fetchall()
            for person, email, name, expires in due:
                db.execute(
                    "INSERT INTO outbox (bank_person_id, reference, kind, recipient, message, created_at, "
                    "next_attempt_at) VALUES (?, 'talent-bank', 'bank-reminder', ?, ?, ?, ?)",
                    (person, email, compose(email, name, stamp(expires) or ""), moment, moment),
                )
                db.execute("UPDATE bank_people SET reminded_at = ? WHERE id = ?", (moment, person))
            hidden = db.execute(
                "UPDATE bank_people SET hidden_at = ? WHERE hidden_at IS NULL AND expires_at <= ?",
                (moment, moment),
            ).rowcount
            deleted = db.execute(
                "DELETE FROM bank_people WHERE hidden_at <= ?",
                (self.moment(now - dt.timedelta(days=DELETE_DAYS)),),
            ).rowcount
        if deleted:
            self.after_delete()
        return len(due), hidden, deleted

    def bank_send_link(self, email: str, now: dt.datetime, compose: Callable[[str, str], bytes]) -> bool:
        """A new private link, compose(email, name) -> the message, into the outbox for the
        person with this address; False (and nothing sent) when the bank has no one by it."""
        moment = self.moment(now)
        with self.transaction() as db:
            row = db.execute("SELECT id, email, name FROM bank_people WHERE email = ?",
                             (email.strip().lower(),)).fetchone()  # fmt: skip
            if row is None:
                return False
            db.execute(
                "INSERT INTO outbox (bank_person_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (?, 'talent-bank', 'bank-link', ?, ?, ?, ?)",
                (row[0], row[1], compose(row[1], row[2]), moment, moment),
            )
        return True

    def bank_people_count(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM bank_people")[0][0])
