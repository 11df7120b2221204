"""Page views counted without cookies, shared by the engines: the day's random salt and the
page events (a mixin of SQLStorage, through its hooks and `?` placeholders).

A salt is made at random the first time a day needs one, and deleted two days later, so a
visitor key (a hash of the salt, the site, the address and the browser) can be matched within a
day and by nobody after: the address and the browser themselves are never stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

PUBLIC = ("salt", "add_page_events", "page_events", "purge_page_events", "visit_source")
SALT_DAYS = 2
COLUMNS = ("at", "council", "campaign", "page", "role", "source", "medium", "tag", "referrer_host", "device",
           "visitor")  # fmt: skip


@dataclass(frozen=True)
class PageEvent:
    at: dt.datetime
    council: str | None
    campaign: str | None
    page: str  # hub, council, landing, roles, role, apply, thanks, join, privacy, accessibility
    role: str | None
    source: str
    medium: str
    tag: str | None
    referrer_host: str | None
    device: str
    visitor: str


class AnalyticsQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def insert_many(
            self, db: Any, table: str, columns: Sequence[str], rows: list[Sequence[Any]]
        ) -> None: ...

    def salt(self, day: dt.date) -> str:
        """The salt of `day`, made now if it has none; salts over two days old are deleted."""
        found = self.query("SELECT salt FROM visit_salts WHERE day = ?", (day.isoformat(),))
        if found:  # the common case, read without a write transaction
            return found[0][0]
        with self.transaction() as db:
            row = db.execute("SELECT salt FROM visit_salts WHERE day = ?", (day.isoformat(),)).fetchone()
            if row:
                return row[0]
            db.execute(
                "DELETE FROM visit_salts WHERE day < ?", ((day - dt.timedelta(days=SALT_DAYS)).isoformat(),)
            )
            db.execute(
                "INSERT INTO visit_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
                (day.isoformat(), secrets.token_hex(32)),
            )
            return db.execute("SELECT salt FROM visit_salts WHERE day = ?", (day.isoformat(),)).fetchone()[0]

    def add_page_events(self, events: list[PageEvent]) -> list[None]:
        """Store page events in one commit (they come batched, as applications do)."""
        with self.transaction() as db:
            rows = [(self.moment(e.at), e.council, e.campaign, e.page, e.role, e.source, e.medium, e.tag,
                     e.referrer_host, e.device, e.visitor) for e in events]  # fmt: skip
            self.insert_many(db, "page_events", COLUMNS, rows)
        return [None] * len(events)

    def page_events(self, since: dt.datetime | None = None) -> list[PageEvent]:
        rows = self.query(
            "SELECT at, council, campaign, page, role, source, medium, tag, referrer_host, device, visitor "
            "FROM page_events" + (" WHERE at >= ?" if since else "") + " ORDER BY id",
            (self.moment(since),) if since else (),
        )
        return [PageEvent(_moment(r[0]), *r[1:]) for r in rows]  # type: ignore[arg-type]

    def visit_source(self, visitor: str, since: dt.datetime) -> tuple[str, str, str | None] | None:
        """Where this visitor came from since `since`: their first view from outside the sites,
        one with a source before one that came direct; None when they were not seen."""
        rows = self.query(
            "SELECT source, medium, tag FROM page_events WHERE visitor = ? AND at >= ? "
            "AND source <> 'internal' ORDER BY CASE WHEN source = 'direct' THEN 1 ELSE 0 END, id LIMIT 1",
            (visitor, self.moment(since)),
        )
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def purge_page_events(self, before: dt.datetime) -> int:
        with self.transaction() as db:
            return db.execute("DELETE FROM page_events WHERE at < ?", (self.moment(before),)).rowcount


def _moment(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
