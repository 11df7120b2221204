"""The overview (today's numbers by stage, per council, campaign and role, the region's totals
being the sums of its councils'), and for the coordinator the audit trail and the people."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from email_validator import EmailNotValidError, validate_email
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import backend_of
from ..export import neutralise
from ..storage.staff import StaffSession
from ..storage.workspace import STAGES
from .render import base_path, page
from .signin import audit, form_of, workspace_of
from .views import NotYours, StaffHandler, names, scope, staff_only


def add_up(tally: list[tuple[str, str, str, str, int]], key: int, label: dict) -> tuple[list, dict]:
    """Rows of (name, {stage: count}) grouped by column `key` of the tally, and their total."""
    rows: dict[str, dict[str, int]] = {}
    total = dict.fromkeys(STAGES, 0)
    for row in tally:
        group = row[key] if key != 1 else (row[0], row[1])
        name = label.get(group, group if isinstance(group, str) else group[1]) or "Not given"
        counts = rows.setdefault(name, dict.fromkeys(STAGES, 0))
        counts[row[3]] += row[4]
        total[row[3]] += row[4]
    return sorted(rows.items()), total


@staff_only
async def overview(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    council = request.query_params.get("council", "")[:80]
    councils = scope(manifest, session, council)
    tally = await backend.call("tally", councils)
    label = names(manifest, councils)
    whole = "the region" if councils is None else label["council_names"].get(councils[0], councils[0])
    tables = []
    if councils is None:
        rows, total = add_up(tally, 0, label["council_names"])
        tables.append(("By council", "Applications by council and stage", rows, total))
    for key, heading, names_of in (
        (1, "By campaign", label["campaign_names"]),
        (2, "By role", label["role_names"]),
    ):
        rows, total = add_up(tally, key, names_of)
        tables.append((heading, f"Applications in {whole} by {heading[3:]} and stage", rows, total))
    await audit(request, session, council or session.user.council, "overview")
    return page(
        request, workspace_of(request).env, "overview.html", manifest,
        title="Overview", session=session, current="/overview", tables=tables,
        total_label="The region" if councils is None else "All",
        scope_name="All councils" if councils is None else whole,
    )  # fmt: skip


def coordinator_only(handler: StaffHandler) -> Callable[[Request], Awaitable[Response]]:
    """The region's coordinator only: a council's people get 404, as for any page not theirs."""

    @staff_only
    @functools.wraps(handler)
    async def wrapper(request: Request, session: StaffSession) -> Response:
        if session.user.council is not None:
            raise NotYours  # staff_only answers it 404
        return await handler(request, session)

    return wrapper


@coordinator_only
async def audit_trail(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    lines = await backend.call("audit_lines", None, 500)
    await audit(request, session, None, "audit")
    return page(request, workspace_of(request).env, "audit.html", backend.manifests.get(),
                title="Audit trail", session=session, current="/audit", lines=lines)  # fmt: skip


@coordinator_only
async def audit_csv(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    lines: list[dict[str, Any]] = await backend.call("audit_lines", None, 1_000_000)
    await audit(request, session, None, "audit-export", lines=len(lines))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = ["at", "actor", "council", "action", "reference", "detail", "client"]
    writer.writerow(columns)
    for line in reversed(lines):
        values = {**line, "detail": json.dumps(line["detail"], ensure_ascii=False)}
        writer.writerow([neutralise(str(values[c] or "")) for c in columns])
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
               "Content-Disposition": 'attachment; filename="audit.csv"'}  # fmt: skip
    body = ("\ufeff" + buffer.getvalue()).encode()
    return Response(body, 200, media_type="text/csv; charset=utf-8", headers=headers)


async def _people_page(request: Request, session: StaffSession, status: int = 200, errors: dict | None = None,
                       form: dict | None = None, notice: str = "") -> Response:  # fmt: skip
    backend = backend_of(request)
    manifest = backend.manifests.get()
    users = await backend.call("users")
    council_names = {slug: c.get("name", slug) for slug, c in manifest.councils.items()}
    return page(
        request, workspace_of(request).env, "people.html", manifest, status, title="People", session=session,
        current="/users", users=users, council_names=council_names, errors=errors or {}, form=form or {},
        council_choices=sorted(council_names.items(), key=lambda c: c[1]), notice=notice,
        error_summary=bool(errors),
    )  # fmt: skip


@coordinator_only
async def people(request: Request, session: StaffSession) -> Response:
    done = request.query_params.get("done", "")[:300]
    return await _people_page(
        request, session, notice=done if done.startswith(("Added ", "Removed ")) else ""
    )


@coordinator_only
async def add_person(request: Request, session: StaffSession) -> Response:
    fields, refused = await form_of(request, session)
    if refused:
        return refused
    backend = backend_of(request)
    manifest = backend.manifests.get()
    typed, council, role = (str(fields.get(k, "")).strip() for k in ("email", "council", "role"))
    errors = {}
    try:
        address = validate_email(typed, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        address = ""
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    if council and council not in manifest.councils:
        errors["council"] = "Select a council, or the region"
    allowed = ("coordinator",) if not council else ("viewer", "editor")
    if role not in allowed:
        errors["role"] = "Select viewer or editor for a council's team" if council else (
            "The region's people are coordinators")  # fmt: skip
    if not errors:
        user, added = await backend.call("add_user", address, council or None, role, backend.settings.now())
        if not added:
            errors["email"] = f"{address} can sign in already ({user.role}, {user.council or 'the region'})"
    if errors:
        return await _people_page(request, session, 400, errors, fields)
    await audit(request, session, council or None, "user-added", email=address, role=role)
    done = f"Added {address}. They sign in with their address on the sign-in page."
    return RedirectResponse(f"{base_path(request)}/users?{urlencode({'done': done})}", 303)


@coordinator_only
async def remove_person(request: Request, session: StaffSession) -> Response:
    fields, refused = await form_of(request, session)
    if refused:
        return refused
    backend = backend_of(request)
    address = str(fields.get("email", ""))[:254]
    if address == session.user.email:
        return await _people_page(request, session, 400, {"remove": "You cannot remove yourself"})
    if await backend.call("remove_user", address, backend.settings.now()):
        await audit(request, session, None, "user-removed", email=address)
    done = f"Removed {address}: their sessions have ended."
    return RedirectResponse(f"{base_path(request)}/users?{urlencode({'done': done})}", 303)
