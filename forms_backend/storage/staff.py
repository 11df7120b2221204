"""Staff of the workspace, their sign-in links and sessions, and the audit trail: queries shared
by the engines, mixed into SQLStorage (speaking through its hooks and `?` placeholders).

Links and sessions are kept as digests only. Removing a person ends their sessions and voids
their unused links in the same commit. The audit trail names the staff member and an
application's reference, never the applicant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

ROLES = ("viewer", "editor", "coordinator")
PUBLIC = (
    "add_user", "users", "user", "remove_user",
    "add_sign_in_link", "links_since", "use_sign_in_link",
    "add_session", "session", "end_session",
    "audit", "audit_lines", "queue_mail",
)  # fmt: skip
USER = "SELECT id, email, council, role, created_at, removed_at FROM users"


@dataclass
class User:
    id: int
    email: str
    council: str | None  # None: the region (the coordinator)
    role: str
    created_at: str
    removed_at: str | None = None

    def sees(self, council: str) -> bool:
        return self.council is None or self.council == council

    @property
    def councils(self) -> list[str] | None:
        """The councils whose applications this person may read (None: every one)."""
        return None if self.council is None else [self.council]

    @property
    def may_move(self) -> bool:
        return self.role in ("editor", "coordinator")


@dataclass
class StaffSession:
    id: int
    csrf: str
    user: User


def stamp(value: Any) -> str | None:
    """A time read from either engine as UTC ISO text (SQLite keeps text already)."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


class StaffQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

        def moment(self, value: dt.datetime) -> Any: ...

    def _user(self, row: Sequence[Any]) -> User:
        return User(row[0], row[1], row[2], row[3], stamp(row[4]), stamp(row[5]))  # type: ignore[arg-type]

    def add_user(self, email: str, council: str | None, role: str, now: dt.datetime) -> tuple[User, bool]:
        """The person, and True if they were added (False: already there, left as they were).
        Someone removed before is added again with the council and role given now."""
        email = email.strip().lower()
        with self.transaction() as db:
            row = db.execute(f"{USER} WHERE email = ?", (email,)).fetchone()
            if row and row[5] is None:
                return self._user(row), False
            if row:
                db.execute(
                    "UPDATE users SET council = ?, role = ?, created_at = ?, removed_at = NULL WHERE id = ?",
                    (council, role, self.moment(now), row[0]),
                )
            else:
                db.execute(
                    "INSERT INTO users (email, council, role, created_at) VALUES (?, ?, ?, ?)",
                    (email, council, role, self.moment(now)),
                )
        user = self.user(email)
        assert user is not None
        return user, True

    def users(self) -> list[User]:
        rows = self.query(f"{USER} WHERE removed_at IS NULL ORDER BY council IS NOT NULL, council, email")
        return [self._user(r) for r in rows]

    def user(self, email: str) -> User | None:
        rows = self.query(f"{USER} WHERE email = ? AND removed_at IS NULL", (email.strip().lower(),))
        return self._user(rows[0]) if rows else None

    def remove_user(self, email: str, now: dt.datetime) -> bool:
        """Removed at once: their sessions end and their unused sign-in links stop working."""
        moment = self.moment(now)
        with self.transaction() as db:
            row = db.execute(
                "UPDATE users SET removed_at = ? WHERE email = ? AND removed_at IS NULL RETURNING id",
                (moment, email.strip().lower()),
            ).fetchone()
            if not row:
                return False
            for table, column in (("sessions", "ended_at"), ("sign_in_links", "used_at")):
                db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE user_id = ? AND {column} IS NULL",
                    (moment, row[0]),
                )
        return True

    def add_sign_in_link(self, user_id: int, digest: str, now: dt.datetime, expires: dt.datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sign_in_links (user_id, digest, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (user_id, digest, self.moment(now), self.moment(expires)),
            )

    def links_since(self, user_id: int, since: dt.datetime) -> int:
        rows = self.query(
            "SELECT COUNT(*) FROM sign_in_links WHERE user_id = ? AND created_at >= ?",
            (user_id, self.moment(since)),
        )
        return int(rows[0][0])

    def use_sign_in_link(self, digest: str, now: dt.datetime) -> User | None:
        """The person a link signs in, once: a used, expired or unknown link gives None."""
        moment = self.moment(now)
        with self.transaction() as db:
            row = db.execute(
                "UPDATE sign_in_links SET used_at = ? WHERE digest = ? AND used_at IS NULL "
                "AND expires_at > ? RETURNING user_id",
                (moment, digest, moment),
            ).fetchone()
            if not row:
                return None
            found = db.execute(f"{USER} WHERE id = ? AND removed_at IS NULL", (row[0],)).fetchone()
        return self._user(found) if found else None

    def add_session(self, user_id: int, digest: str, csrf: str, now: dt.datetime) -> None:
        moment = self.moment(now)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sessions (user_id, digest, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
                (user_id, digest, csrf, moment, moment),
            )

    def session(self, digest: str, now: dt.datetime, idle: dt.timedelta) -> StaffSession | None:
        """The live session with this digest, its last use moved to `now`; None once it has been
        idle longer than `idle`, ended, or its person removed."""
        moment = self.moment(now)
        with self.transaction() as db:
            row = db.execute(
                "UPDATE sessions SET seen_at = ? WHERE digest = ? AND ended_at IS NULL AND seen_at > ? "
                "RETURNING id, csrf, user_id",
                (moment, digest, self.moment(now - idle)),
            ).fetchone()
            if not row:
                return None
            found = db.execute(f"{USER} WHERE id = ? AND removed_at IS NULL", (row[2],)).fetchone()
        return StaffSession(row[0], row[1], self._user(found)) if found else None

    def end_session(self, digest: str, now: dt.datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE sessions SET ended_at = ? WHERE digest = ? AND ended_at IS NULL",
                (self.moment(now), digest),
            )

    # The audit trail: who did what, when, from where; never the applicant's details

    def audit(
        self,
        at: dt.datetime,
        actor: str | None,
        council: str | None,
        action: str,
        reference: str | None = None,
        detail: dict[str, Any] | None = None,
        client: str | None = None,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO audit (at, actor, council, action, reference, detail, client) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.moment(at), actor, council, action, reference, json.dumps(detail or {}), client),
            )

    def audit_lines(self, since: dt.datetime | None = None, limit: int = 500) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT at, actor, council, action, reference, detail, client FROM audit"
            + (" WHERE at >= ?" if since else "")
            + " ORDER BY id DESC LIMIT ?",
            [self.moment(since), limit] if since else [limit],
        )
        keys = ("at", "actor", "council", "action", "reference", "detail", "client")
        lines = [dict(zip(keys, r, strict=True)) for r in rows]
        for line in lines:
            line["at"] = stamp(line["at"])
            line["detail"] = json.loads(line["detail"]) if isinstance(line["detail"], str) else line["detail"]
        return lines

    def queue_mail(self, kind: str, recipient: str, message: bytes, now: dt.datetime) -> None:
        """A message to a member of staff (a sign-in link), sent by the outbox like the rest."""
        moment = self.moment(now)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO outbox (application_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (NULL, ?, ?, ?, ?, ?, ?)",
                (kind, "staff", recipient, message, moment, moment),
            )
