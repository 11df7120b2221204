"""Searching the talent bank and contacting its people, from the workspace (a mixin of SQLStorage).

A council sees an entry only while the person may be contacted: their consent current (not
hidden), not placed (unless they chose to stay), and their consent's scope taking in the
region's councils. Results carry what the person agreed to share (what they told us about their
work, their preferences and availability) and a number, never their name or address: those a
council sees once the person accepts its interest. A person gets at most `cap` expressions of
interest in 30 days, whichever councils send them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .staff import stamp

PUBLIC = ("bank_search", "bank_entry", "bank_contact", "bank_answer", "bank_contact_of", "bank_outcomes",
          "bank_candidates")  # fmt: skip
VISIBLE = "p.hidden_at IS NULL AND p.placed_at IS NULL"
CAP_DAYS = 30
COUNTED = 1000


@dataclass
class BankFilters:
    profession: str = ""
    registration_body: str = ""
    registration_state: str = ""
    english_test: str = ""
    hours: str = ""
    council: str = ""  # a council the person would work for (or any)
    available_by: dt.date | None = None
    joined_since: dt.date | None = None
    text: str = ""


@dataclass
class BankRow:
    """An entry as a council may see it before the person accepts: no name, no address."""

    id: int
    joined_at: str
    profession: str | None
    registration_body: str | None
    registration_state: str | None
    english_test: str | None
    hours: str | None
    councils: list[str]
    role_kinds: list[str]
    available_from: str | None
    travel_miles: int | None
    profile: dict[str, Any] = field(default_factory=dict)
    contacts: list[tuple[str, str, str | None, str | None]] = field(
        default_factory=list
    )  # (council, sent, answer, at)
    name: str | None = None  # once the person has accepted this council's interest
    email: str | None = None
    applications: list[tuple[str, str, str]] = field(default_factory=list)  # (reference, council, campaign)

    @property
    def handle(self) -> str:
        return f"TB-{self.id:06d}"


def _listed(value: str) -> list[str]:
    return [v for v in (value or "").strip(",").split(",") if v]


COLUMNS = ("p.id, p.joined_at, p.profession, p.registration_body, p.registration_state, p.english_test, "
           "p.hours, p.councils, p.role_kinds, p.available_from, p.travel_miles")  # fmt: skip


def _row(r: Sequence[Any]) -> BankRow:
    return BankRow(
        r[0], stamp(r[1]) or "", r[2], r[3], r[4], r[5], r[6], _listed(r[7]), _listed(r[8]), r[9], r[10]
    )


class BankSearchQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def words_match(self, words: list[str]) -> tuple[str, str]: ...

    def bank_search(
        self, filters: BankFilters, limit: int = 50, offset: int = 0
    ) -> tuple[list[BankRow], int]:
        """The visible entries matching every filter given, newest first; and how many match."""
        clauses, params = [VISIBLE], []
        for column in ("profession", "registration_body", "registration_state", "english_test"):
            value = getattr(filters, column)
            if value:
                clauses.append(f"p.{column} = ?")
                params.append(value)
        if filters.hours:
            clauses.append("(p.hours = ? OR p.hours = 'either' OR p.hours IS NULL)")
            params.append(filters.hours)
        if filters.council:
            clauses.append("(p.councils = '' OR p.councils LIKE ?)")
            params.append(f"%,{filters.council},%")
        if filters.available_by:
            clauses.append("(p.available_from IS NULL OR p.available_from <= ?)")
            params.append(filters.available_by.isoformat())
        if filters.joined_since:
            clauses.append("p.joined_at >= ?")
            params.append(self.moment(dt.datetime.combine(filters.joined_since, dt.time(), tzinfo=dt.UTC)))
        words = re.findall(r"[a-z0-9]+", filters.text.lower())[:6]
        if words:  # each word, or a word starting so, by the engine's full-text index
            sql, param = self.words_match(words)
            clauses.append(sql)
            params.append(param)
        where = " AND ".join(clauses)
        # counted up to COUNTED: "more than 1,000" is enough to know, and costs no full count
        counted = f"SELECT 1 FROM bank_people p WHERE {where} LIMIT {COUNTED + 1}"
        total = int(self.query(f"SELECT COUNT(*) FROM ({counted}) AS found", params)[0][0])
        rows = self.query(
            f"SELECT {COLUMNS} FROM bank_people p WHERE {where} ORDER BY p.joined_at DESC, p.id DESC "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_row(r) for r in rows], total

    def bank_candidates(self, professions: list[str] | None, council: str | None,
                        limit: int = 300) -> list[tuple[int, dict[str, Any]]]:  # fmt: skip
        """(id, profile) of the visible entries of these professions (None: any) who would work
        for `council`, newest first: the ones a role's ranking weighs (by the indexes search uses)."""
        clauses, params = [VISIBLE], []
        if professions:
            clauses.append(f"p.profession IN ({', '.join('?' * len(professions))})")
            params += professions
        if council:
            clauses.append("(p.councils = '' OR p.councils LIKE ?)")
            params.append(f"%,{council},%")
        rows = self.query(
            f"SELECT p.id, p.profile FROM bank_people p WHERE {' AND '.join(clauses)} "
            "ORDER BY p.joined_at DESC, p.id DESC LIMIT ?",
            (*params, limit),
        )
        return [(int(r[0]), json.loads(r[1])) for r in rows]

    def bank_entry(self, person_id: int, council: str | None) -> BankRow | None:
        """One visible entry as `council` may see it (None: the coordinator, as the region):
        with its name, address and applications only once the person accepted its interest."""
        sql = f"SELECT {COLUMNS}, p.profile, p.name, p.email FROM bank_people p WHERE p.id = ? AND {VISIBLE}"
        rows = self.query(sql, (person_id,))
        if not rows:
            return None
        entry = _row(rows[0])
        entry.profile = json.loads(rows[0][11])
        contacts = self.query(
            "SELECT council, sent_at, answer, answered_at FROM bank_contacts WHERE person_id = ? ORDER BY id",
            (person_id,),
        )
        entry.contacts = [(c[0], stamp(c[1]) or "", c[2], stamp(c[3])) for c in contacts]
        if any(c[2] == "accepted" and (council is None or c[0] == council) for c in entry.contacts):
            entry.name, entry.email = rows[0][12], rows[0][13]
            found = self.query(
                "SELECT a.reference, a.council, a.campaign FROM bank_applications b JOIN applications a "
                "ON a.id = b.application_id WHERE b.person_id = ? ORDER BY a.created_at",
                (person_id,),
            )
            entry.applications = [(a[0], a[1], a[2]) for a in found]
        return entry

    def bank_contact(self, person_id: int, council: str, campaign: str | None, role: str | None,
                     by_email: str, now: dt.datetime, cap: int,
                     compose: Any) -> str:  # fmt: skip
        """Express `council`'s interest: "sent" (and the message, compose(contact_id, email,
        name) -> bytes, in the outbox in the same commit), "capped" (the person had `cap` in 30
        days), "pending" (this council's last one is unanswered) or "gone"."""
        moment = self.moment(now)
        with self.transaction() as db:
            sql = f"SELECT p.id, p.email, p.name FROM bank_people p WHERE p.id = ? AND {VISIBLE}"
            person = db.execute(sql, (person_id,)).fetchone()
            if person is None:
                return "gone"
            waiting = db.execute(
                "SELECT 1 FROM bank_contacts WHERE person_id = ? AND council = ? AND answer IS NULL",
                (person_id, council),
            ).fetchone()
            if waiting:
                return "pending"
            since = self.moment(now - dt.timedelta(days=CAP_DAYS))
            recent = db.execute(
                "SELECT COUNT(*) FROM bank_contacts WHERE person_id = ? AND sent_at > ?", (person_id, since)
            ).fetchone()[0]
            if int(recent) >= cap:
                return "capped"
            contact = db.execute(
                "INSERT INTO bank_contacts (person_id, council, campaign, role, by_email, sent_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (person_id, council, campaign, role, by_email, moment),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO outbox (bank_person_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (?, 'talent-bank', 'bank-interest', ?, ?, ?, ?)",
                (person_id, person[1], compose(contact, person[1], person[2]), moment, moment),
            )
        return "sent"

    def bank_contact_of(
        self, person_id: int, contact_id: int
    ) -> tuple[str, str | None, str | None, str | None] | None:
        """(council, campaign, role, answer) of one of the person's contacts."""
        rows = self.query(
            "SELECT council, campaign, role, answer FROM bank_contacts WHERE id = ? AND person_id = ?",
            (contact_id, person_id),
        )
        return (rows[0][0], rows[0][1], rows[0][2], rows[0][3]) if rows else None

    def bank_answer(self, person_id: int, contact_id: int, answer: str, now: dt.datetime) -> bool:
        """The person accepts or declines a council's interest (once)."""
        if answer not in ("accepted", "declined"):
            raise ValueError(answer)
        with self.transaction() as db:
            return (
                db.execute(
                    "UPDATE bank_contacts SET answer = ?, answered_at = ? WHERE id = ? AND person_id = ? "
                    "AND answer IS NULL",
                    (answer, self.moment(now), contact_id, person_id),
                ).rowcount
                == 1
            )

    def bank_outcomes(self, since: dt.date, councils: list[str] | None) -> dict[str, int]:
        """The bank in the evaluation: people who can be found, contacted, accepted, and placed
        by a council whose interest they had accepted, since `since`."""
        marks = f" AND c.council IN ({', '.join('?' * len(councils))})" if councils else ""
        start = self.moment(dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
        found = self.query(
            f"SELECT COUNT(*), SUM(CASE WHEN c.answer = 'accepted' THEN 1 ELSE 0 END) FROM bank_contacts c "
            f"WHERE c.sent_at >= ?{marks}", (start, *(councils or [])))  # fmt: skip
        placed = self.query(
            "SELECT COUNT(DISTINCT c.person_id) FROM bank_contacts c "
            "JOIN bank_applications b ON b.person_id = c.person_id "
            "JOIN applications a ON a.id = b.application_id AND a.council = c.council "
            f"WHERE c.answer = 'accepted' AND a.stage = 'placed' AND c.sent_at >= ?{marks}",
            (start, *(councils or [])))  # fmt: skip
        people = self.query(f"SELECT COUNT(*) FROM bank_people p WHERE {VISIBLE}")
        return {"in_bank": int(people[0][0]), "contacted": int(found[0][0] or 0),
                "accepted": int(found[0][1] or 0), "placed": int(placed[0][0] or 0)}  # fmt: skip
