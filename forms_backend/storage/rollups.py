"""The evaluation's daily rollups and what reports read from them, shared by the engines (a mixin
of SQLStorage, through its hooks and `?` placeholders).

A day is rolled up from the raw rows, in place of what was counted for it before, so it can run
again as the day goes on: page views (daily_views), the visitors of each site (daily_visitors),
and the applications received and moved to each stage (daily_steps). Every view of a visitor is
counted under the source they came from (their first view from outside the sites, one with a
source before one that came direct), so the steps of a visit share one source. Reports read the
rollups only: raw views are deleted after the keeping period, the rollups stay.

The thank-you page's ratings are here too: a score, the day, the council and the campaign, and
nothing that could tell whose it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

PUBLIC = ("roll_up", "daily", "report_views", "report_visitors", "report_steps", "add_ratings",
          "report_ratings", "rolled_up_at", "applications_by_day",
          "first_day")  # fmt: skip
ROLLUPS = ("daily_views", "daily_visitors", "daily_steps")
STEPS = ("applied", "screening", "interview", "offer", "placed")
VIEW_GROUPS = "council, campaign, role, source, medium, page"

# The day's views, each with the source of its visitor's visit (see the module's docstring).
VISITS = """
WITH day_views AS (
    SELECT id, COALESCE(council, '') AS council, COALESCE(campaign, '') AS campaign,
        COALESCE(role, '') AS role, page, visitor,
        CASE WHEN source = 'internal' THEN 'direct' ELSE source END AS source,
        CASE WHEN source = 'internal' THEN 'direct' ELSE medium END AS medium
    FROM page_events WHERE at >= ? AND at < ?
), ranked AS (
    SELECT council, visitor, source, medium, ROW_NUMBER() OVER (PARTITION BY council, visitor
        ORDER BY CASE WHEN source = 'direct' THEN 1 ELSE 0 END, id) AS n
    FROM day_views
), came AS (SELECT council, visitor, source, medium FROM ranked WHERE n = 1),
views AS (
    SELECT d.council, d.campaign, d.role, c.source, c.medium, d.page, d.visitor
    FROM day_views d JOIN came c ON c.council = d.council AND c.visitor = d.visitor
)
"""


class RollupQueries:
    """Mixed into SQLStorage."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def json_text(self, column: str, key: str) -> str: ...

        def take_turns(self, db: Any, name: str) -> None: ...

    def roll_up(self, day: dt.date, zone: dt.tzinfo = dt.UTC, now: dt.datetime | None = None) -> int:
        """Count `day` (a day where `zone` keeps time) into the rollups, in place of what was
        counted for it before; the rows written."""
        start = self.moment(dt.datetime.combine(day, dt.time(), tzinfo=zone))
        end = self.moment(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone))
        iso = day.isoformat()
        role = self.json_text("a.answers", "role")
        written = 0
        with self.transaction() as db:
            self.take_turns(db, f"recruit rollup {iso}")  # two workers counting a day: one, then the other
            for table in ROLLUPS:
                db.execute(f"DELETE FROM {table} WHERE day = ?", (iso,))
            written += db.execute(
                f"INSERT INTO daily_views (day, {VIEW_GROUPS}, views, visitors) {VISITS} "
                f"SELECT ?, {VIEW_GROUPS}, COUNT(*), COUNT(DISTINCT visitor) FROM views "
                f"GROUP BY {VIEW_GROUPS}",
                (start, end, iso),
            ).rowcount
            written += db.execute(
                f"INSERT INTO daily_visitors (day, council, campaign, source, medium, visitors) {VISITS} "
                "SELECT ?, council, campaign, source, medium, COUNT(DISTINCT visitor) FROM views "
                "GROUP BY council, campaign, source, medium "
                "UNION ALL SELECT ?, council, '*', source, medium, COUNT(DISTINCT visitor) FROM views "
                "GROUP BY council, source, medium",
                (start, end, iso, iso),
            ).rowcount
            written += db.execute(
                "INSERT INTO daily_steps (day, council, campaign, role, source, medium, step, count) "
                f"SELECT ?, a.council, a.campaign, COALESCE({role}, ''), a.source, a.medium, 'applied', "
                "COUNT(*) FROM applications a WHERE a.created_at >= ? AND a.created_at < ? "
                f"GROUP BY a.council, a.campaign, COALESCE({role}, ''), a.source, a.medium "
                f"UNION ALL SELECT ?, a.council, a.campaign, COALESCE({role}, ''), a.source, a.medium, "
                "m.stage, COUNT(DISTINCT a.id) FROM stage_moves m "
                "JOIN applications a ON a.id = m.application_id "
                "WHERE m.at >= ? AND m.at < ? AND m.stage IN ('screening', 'interview', 'offer', 'placed') "
                f"GROUP BY a.council, a.campaign, COALESCE({role}, ''), a.source, a.medium, m.stage",
                (iso, start, end, iso, start, end),
            ).rowcount
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('rolled_up_at', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ((now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),),
            )
        return written

    def first_day(self) -> dt.date | None:
        """The first day the rollups hold (the campaigns' launch, as the reports say)."""
        found = self.query("SELECT MIN(day) FROM daily_views UNION ALL SELECT MIN(day) FROM daily_steps")
        days = [r[0] for r in found if r[0]]
        return dt.date.fromisoformat(min(days)) if days else None

    def rolled_up_at(self) -> dt.datetime | None:
        """When a day was last rolled up (the figures are as of then)."""
        found = self.query("SELECT value FROM meta WHERE key = 'rolled_up_at'")
        return dt.datetime.fromisoformat(found[0][0]) if found else None

    def daily(self, since: dt.date, councils: list[str] | None = None) -> list[tuple]:
        """(day, council, campaign, role, source, medium, page, views, visitors) rows from `since`."""
        marks, params = _councils(councils)
        return [
            tuple(r)
            for r in self.query(
                f"SELECT day, {VIEW_GROUPS}, views, visitors FROM daily_views WHERE day >= ?{marks} "
                "ORDER BY day, council, campaign, role, source, page",
                (since.isoformat(), *params),
            )
        ]

    def report_views(self, since: dt.date, week: dt.date, today: dt.date, councils: list[str] | None,
                     campaign: str | None = None) -> list[tuple]:  # fmt: skip
        """(council, campaign, role, source, medium, page, views today, in the week, since)."""
        marks, params = _councils(councils, campaign)
        return self._periods(
            "daily_views", "council, campaign, role, source, medium, page", "views", since, week, today,
            marks, params,
        )  # fmt: skip

    def report_visitors(self, since: dt.date, week: dt.date, today: dt.date, councils: list[str] | None,
                        campaign: str | None = None) -> list[tuple]:  # fmt: skip
        """(council, campaign ('*': the whole site), source, medium, visits today, week, since).
        Each day's visitors are counted once that day, on that site; a visitor on two days or two
        councils' sites is two, so these sum only across days and sources."""
        marks, params = _councils(councils, campaign)
        return self._periods(
            "daily_visitors",
            "council, campaign, source, medium",
            "visitors",
            since,
            week,
            today,
            marks,
            params,
        )

    def report_steps(self, since: dt.date, week: dt.date, today: dt.date, councils: list[str] | None,
                     campaign: str | None = None) -> list[tuple]:  # fmt: skip
        """(council, campaign, role, source, medium, step, count today, in the week, since)."""
        marks, params = _councils(councils, campaign)
        return self._periods(
            "daily_steps", "council, campaign, role, source, medium, step", "count", since, week, today,
            marks, params,
        )  # fmt: skip

    def _periods(self, table: str, groups: str, counted: str, since: dt.date, week: dt.date, today: dt.date,
                 marks: str, params: list[str]) -> list[tuple]:  # fmt: skip
        rows = self.query(
            f"SELECT {groups}, SUM({counted}), SUM(CASE WHEN day >= ? THEN {counted} ELSE 0 END), "
            f"SUM(CASE WHEN day = ? THEN {counted} ELSE 0 END) FROM {table} WHERE day >= ?{marks} "
            f"GROUP BY {groups}",
            (week.isoformat(), today.isoformat(), since.isoformat(), *params),
        )
        return [(*r[:-3], int(r[-1]), int(r[-2]), int(r[-3])) for r in rows]  # today, week, since

    def applications_by_day(self, since: dt.date, councils: list[str] | None,
                            campaign: str | None = None) -> list[tuple[str, str, int]]:  # fmt: skip
        """(day, source, applications) from `since`."""
        marks, params = _councils(councils, campaign)
        return [
            (r[0], r[1], int(r[2]))
            for r in self.query(
                f"SELECT day, source, SUM(count) FROM daily_steps WHERE step = 'applied' AND day >= ?{marks} "
                "GROUP BY day, source ORDER BY day, source",
                (since.isoformat(), *params),
            )
        ]

    def add_ratings(self, ratings: list[tuple[dt.date, str, str, int]]) -> list[None]:
        """Keep (day, council, campaign, score) ratings, in one commit."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO ratings (day, council, campaign, score) VALUES (?, ?, ?, ?)",
                [(day.isoformat(), council, campaign, score) for day, council, campaign, score in ratings],
            )
        return [None] * len(ratings)

    def report_ratings(self, since: dt.date, councils: list[str] | None,
                       campaign: str | None = None) -> list[tuple[str, str, int, int]]:  # fmt: skip
        """(council, campaign, score, ratings) from `since`."""
        marks, params = _councils(councils, campaign)
        return [
            (r[0], r[1], int(r[2]), int(r[3]))
            for r in self.query(
                f"SELECT council, campaign, score, COUNT(*) FROM ratings WHERE day >= ?{marks} "
                "GROUP BY council, campaign, score ORDER BY 1, 2, 3",
                (since.isoformat(), *params),
            )
        ]


def _councils(councils: list[str] | None, campaign: str | None = None) -> tuple[str, list[str]]:
    """The WHERE clause's end narrowing rows to `councils` (None: all) and `campaign`."""
    marks, params = "", list(councils or [])
    if councils is not None:
        marks = f" AND council IN ({', '.join('?' * len(councils))})" if councils else " AND 1 = 0"
    if campaign:
        marks += " AND campaign = ?"
        params.append(campaign)
    return marks, params
