"""The workspace's queries about applications, shared by the engines: lists with filters and
counts, one application with its files and history, stage moves, and the tallies the overview
adds up. Mixed into SQLStorage (its hooks, `?` placeholders).

Every query takes the councils the caller may see (None: every council, for the coordinator)
and puts them in its WHERE clause, so a row of another council is never read, whatever
reference a URL carries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .interface import Application
from .staff import stamp

STAGES = ("received", "screening", "interview", "offer", "placed", "not-progressed", "withdrawn")
SORTS = {
    "newest": "a.created_at DESC, a.id DESC",
    "oldest": "a.created_at, a.id",
    "name": "name, a.id",
    "stage": "a.stage, a.created_at DESC, a.id DESC",
}
PUBLIC = ("listing", "matching", "stage_counts", "application", "moves", "move", "tally", "sources")


# An application's columns (table alias a), as application_of reads them.
APPLICATION = (
    "a.id, a.reference, a.council, a.campaign, a.email, a.answers, a.created_at, a.stage, a.stage_at, "
    "a.source, a.medium"
)


def application_of(r: Sequence[Any]) -> Application:
    answers = json.loads(r[5]) if isinstance(r[5], str) else r[5]
    return Application(
        r[0], r[1], r[2], r[3], r[4], answers, stamp(r[6]) or "", r[7], stamp(r[8]), r[9], r[10]
    )


@dataclass
class Listed:
    """An application as the workspace lists it."""

    reference: str
    council: str
    campaign: str
    name: str
    email: str
    role: str
    stage: str
    created_at: str
    stage_at: str | None
    id: int = 0
    source: str = "unknown"
    medium: str = "unknown"
    answers: dict[str, Any] | None = None
    files: list[tuple[str, str, int]] | None = None  # (field, filename, size)


@dataclass
class Move:
    stage: str
    at: str
    by_email: str
    note: str | None
    start_date: str | None
    placed_role: str | None


@dataclass
class Filters:
    """What a list is narrowed to; empty values narrow nothing."""

    campaign: str = ""
    role: str = ""
    stage: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    search: str = ""
    source: str = ""


class WorkspaceQueries:
    """Mixed into SQLStorage; `json_text(column, key)` is the engine's JSON field as text."""

    if TYPE_CHECKING:  # SQLStorage's hooks

        def transaction(self) -> contextlib.AbstractContextManager[Any]: ...

        def query(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

        def moment(self, value: dt.datetime) -> Any: ...

        def placed_from_bank(self, db: Any, application_id: int, moment: Any) -> None: ...

    def json_text(self, column: str, key: str) -> str:
        raise NotImplementedError

    # Applications, as the workspace works them

    def _where(
        self, councils: list[str] | None, filters: Filters, with_stage: bool = True
    ) -> tuple[str, list]:
        clauses, params = ["true"], []
        if councils is not None:
            clauses.append(f"a.council IN ({', '.join('?' * len(councils))})" if councils else "false")
            params += councils
        if filters.campaign:
            clauses.append("a.campaign = ?")
            params.append(filters.campaign)
        if filters.role:
            clauses.append(f"{self.json_text('a.answers', 'role')} = ?")
            params.append(filters.role)
        if filters.source:
            clauses.append("a.source = ?")
            params.append(filters.source)
        if filters.stage and with_stage:
            clauses.append("a.stage = ?")
            params.append(filters.stage)
        if filters.received_from:
            clauses.append("a.created_at >= ?")
            params.append(self.moment(_midnight(filters.received_from)))
        if filters.received_to:
            clauses.append("a.created_at < ?")
            params.append(self.moment(_midnight(filters.received_to + dt.timedelta(days=1))))
        if filters.search.strip():
            text = filters.search.strip().lower()
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(
                f"(a.reference = ? OR a.email LIKE ? ESCAPE '\\' OR "
                f"LOWER({self.json_text('a.answers', 'full_name')}) LIKE ? ESCAPE '\\')"
            )
            params += [text.upper(), like, like]
        return " AND ".join(clauses), params

    def _listed(self, row: Sequence[Any]) -> Listed:
        return Listed(row[1], row[2], row[3], row[4] or "", row[5], row[6] or "", row[7], stamp(row[8]),  # type: ignore[arg-type]
                      stamp(row[9]), row[0], row[10], row[11])  # fmt: skip

    def _columns(self) -> str:
        return (
            f"a.id, a.reference, a.council, a.campaign, {self.json_text('a.answers', 'full_name')} AS name, "
            f"a.email, {self.json_text('a.answers', 'role')}, a.stage, a.created_at, a.stage_at, "
            "a.source, a.medium"
        )

    def listing(
        self,
        councils: list[str] | None,
        filters: Filters,
        sort: str = "newest",
        page: int = 1,
        per_page: int = 50,
    ) -> tuple[list[Listed], int]:
        """One page of applications, and how many match in all."""
        where, params = self._where(councils, filters)
        total = int(self.query(f"SELECT COUNT(*) FROM applications a WHERE {where}", params)[0][0])
        rows = self.query(
            f"SELECT {self._columns()} FROM applications a WHERE {where} "
            f"ORDER BY {SORTS.get(sort, SORTS['newest'])} LIMIT ? OFFSET ?",
            [*params, per_page, (max(page, 1) - 1) * per_page],
        )
        return [self._listed(r) for r in rows], total

    def matching(self, councils: list[str] | None, filters: Filters) -> list[Application]:
        """Every application under the filters, oldest first, with its answers (for exports)."""
        where, params = self._where(councils, filters)
        rows = self.query(
            f"SELECT {APPLICATION} FROM applications a WHERE {where} ORDER BY a.created_at, a.id",
            params,
        )
        return [application_of(r) for r in rows]

    def sources(self, councils: list[str] | None) -> list[str]:
        """The sources the applications in these councils came from (for the list's filter)."""
        where, params = self._where(councils, Filters())
        return [
            r[0]
            for r in self.query(
                f"SELECT DISTINCT a.source FROM applications a WHERE {where} ORDER BY 1", params
            )
        ]

    def stage_counts(self, councils: list[str] | None, filters: Filters) -> dict[str, int]:
        """Applications per stage under the filters other than the stage itself."""
        where, params = self._where(councils, filters, with_stage=False)
        sql = f"SELECT a.stage, COUNT(*) FROM applications a WHERE {where} GROUP BY a.stage"
        rows = self.query(sql, params)
        found = {r[0]: int(r[1]) for r in rows}
        return {stage: found.get(stage, 0) for stage in STAGES}

    def application(self, councils: list[str] | None, reference: str) -> Listed | None:
        where, params = self._where(councils, Filters())
        rows = self.query(
            f"SELECT {self._columns()}, a.answers FROM applications a WHERE {where} AND a.reference = ?",
            [*params, reference],
        )
        if not rows:
            return None
        found = self._listed(rows[0])
        answers = rows[0][12]
        found.answers = json.loads(answers) if isinstance(answers, str) else answers
        files = self.query(
            "SELECT field, filename, size FROM files WHERE application_id = ? ORDER BY id", (found.id,)
        )
        found.files = [(r[0], r[1], int(r[2])) for r in files]
        return found

    def moves(self, application_id: int) -> list[Move]:
        rows = self.query(
            "SELECT stage, at, by_email, note, start_date, placed_role FROM stage_moves "
            "WHERE application_id = ? ORDER BY id",
            (application_id,),
        )
        return [Move(r[0], stamp(r[1]), r[2], r[3], r[4], r[5]) for r in rows]  # type: ignore[arg-type]

    def move(
        self,
        councils: list[str] | None,
        references: list[str],
        stage: str,
        by_email: str,
        now: dt.datetime,
        note: str | None = None,
        start_date: str | None = None,
        placed_role: str | None = None,
        mail: dict[str, tuple[str, bytes]] | None = None,
    ) -> list[tuple[str, str]]:
        """Move each application (of the councils given) to `stage`; (reference, council) of
        each moved. One already at that stage is not moved again. `mail`: by reference, a
        message (recipient, bytes) to the applicant, put in the outbox in the same commit."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        moment = self.moment(now)
        where, params = self._where(councils, Filters())
        marks = ", ".join("?" * len(references))
        moved: list[tuple[str, str]] = []
        with self.transaction() as db:
            rows = db.execute(
                f"UPDATE applications AS a SET stage = ?, stage_at = ? WHERE {where} "
                f"AND a.reference IN ({marks}) AND a.stage <> ? RETURNING id, reference, council",
                [stage, moment, *params, *references, stage],
            ).fetchall()
            for app_id, reference, council in rows:
                db.execute(
                    "INSERT INTO stage_moves (application_id, stage, at, by_email, note, start_date, "
                    "placed_role) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (app_id, stage, moment, by_email, note or None, start_date or None, placed_role or None),
                )
                moved.append((reference, council))
                if stage == "placed":
                    self.placed_from_bank(db, app_id, moment)
                if mail and reference in mail:
                    db.execute(
                        "INSERT INTO outbox (application_id, reference, kind, recipient, message, "
                        "created_at, next_attempt_at) VALUES (?, ?, 'stage', ?, ?, ?, ?)",
                        (app_id, reference, *mail[reference], moment, moment),
                    )
        return sorted(moved)

    def tally(self, councils: list[str] | None) -> list[tuple[str, str, str, str, int]]:
        """(council, campaign, role, stage, applications) for every combination there is."""
        where, params = self._where(councils, Filters())
        rows = self.query(
            f"SELECT a.council, a.campaign, {self.json_text('a.answers', 'role')} AS role, a.stage, COUNT(*) "
            f"FROM applications a WHERE {where} GROUP BY a.council, a.campaign, role, a.stage "
            "ORDER BY 1, 2, 3, 4",
            params,
        )
        return [(r[0], r[1], r[2] or "", r[3], int(r[4])) for r in rows]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
