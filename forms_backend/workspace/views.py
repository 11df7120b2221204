"""The workspace's application pages: the list (filters, counts per stage, pages of 50, bulk
moves), one application (answers, CV, history, a move), and exports of the filtered list.

Every handler reads the councils the signed-in person may see (`scope`) and hands them to the
storage query, which puts them in its WHERE clause: another council's application, CV or export
is a 404, whatever the URL says. Every view of personal data writes an audit line.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import export
from ..backend import LONDON, backend_of
from ..mail import shown, stage_message
from ..manifest import Manifest
from ..matching import fitting
from ..storage.staff import StaffSession
from ..storage.workspace import SORTS, STAGES, Filters
from .render import SOURCE_NAMES, STAGE_NAMES, base_path, page, source_name
from .signin import answers_errors, audit, form_of, message, signed_in, to_sign_in, workspace_of

PER_PAGE = 50
SORT_NAMES = {"newest": "Newest first", "oldest": "Oldest first", "name": "Name", "stage": "Stage"}
StaffHandler = Callable[[Request, StaffSession], Awaitable[Response]]


class NotYours(Exception):
    """Asked for a council, or a row of one, the person may not see: answered 404."""


class BadFilter(ValueError):
    """A filter that cannot be read (a date that is not one): answered 400."""


def staff_only(handler: StaffHandler) -> Callable[[Request], Awaitable[Response]]:
    """Signed-in staff only (others go to the sign-in page); 404 for what is not theirs."""

    @answers_errors
    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        session = await signed_in(request)
        if session is None:
            return to_sign_in(request)
        try:
            return await handler(request, session)
        except NotYours:
            return message(request, 404, "Page not found",
                           "There is nothing at this address that you can see.", session=session)  # fmt: skip
        except BadFilter as exc:
            return message(request, 400, "These filters cannot be used", str(exc), session=session)

    return wrapper


def scope(manifest: Manifest, session: StaffSession, council: str) -> list[str] | None:
    """The councils a request covers: the person's own, or for the coordinator the one asked
    for (None: all). Another council, or one the region does not have, is NotYours."""
    own = session.user.council
    if own is not None:
        if council and council != own:
            raise NotYours
        return [own]
    if council and council not in manifest.councils:
        raise NotYours
    return [council] if council else None


def names(manifest: Manifest, councils: list[str] | None) -> dict[str, Any]:
    """The labels pages show: councils, campaigns (per council), roles."""
    forms = [f for f in manifest.forms if councils is None or f["council"] in councils]
    roles: dict[str, str] = {}
    for form in forms:
        for spec in form["fields"]:
            if spec["id"] == "role":
                roles.update({o["value"]: o["label"] for o in spec.get("options") or []})
    council_names = {slug: c.get("name", slug) for slug, c in manifest.councils.items()}
    return {
        "council_names": council_names,
        "campaign_names": {(f["council"], f["campaign"]): f["title"] for f in forms},
        "role_names": roles,
        "campaign_choices": sorted({(f["campaign"], f["title"]) for f in forms}, key=lambda c: c[1]),
        "role_choices": sorted(roles.items(), key=lambda r: r[1]),
    }


def _date(text: str, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadFilter(f"{label} must be a date like 2026-11-23.") from None


def read_filters(request: Request) -> tuple[dict[str, str], Filters]:
    q = {key: request.query_params.get(key, "")[:200] for key in
         ("council", "campaign", "role", "stage", "from", "to", "q", "sort", "source")}  # fmt: skip
    if q["stage"] not in ("", *STAGES):
        raise BadFilter(f"There is no stage {q['stage'][:40]!r}.")
    filters = Filters(
        campaign=q["campaign"], role=q["role"], stage=q["stage"], search=q["q"], source=q["source"],
        received_from=_date(q["from"], "Received from"), received_to=_date(q["to"], "Received to"),
    )  # fmt: skip
    return q, filters


def page_numbers(page: int, pages: int) -> list[int]:
    return sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})


@staff_only
async def applications(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    query, filters = read_filters(request)
    councils = scope(manifest, session, query["council"])
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    sort = query["sort"] if query["sort"] in SORTS else "newest"

    def read(storage: Any) -> tuple:
        rows, total = storage.listing(councils, filters, sort, number, PER_PAGE)
        return rows, total, storage.stage_counts(councils, filters), storage.sources(councils)

    rows, total, counts, sources = await backend.call_with(read)
    await audit(request, session, query["council"] or session.user.council, "list",
                shown=len(rows), page=number, filters={k: v for k, v in query.items() if v})  # fmt: skip
    pages = max(1, math.ceil(total / PER_PAGE))
    moved, to = request.query_params.get("moved", ""), request.query_params.get("moved-to", "")
    notice = ""
    if moved.isdigit() and to in STAGES:
        notice = f"{moved} application{'' if moved == '1' else 's'} moved to {STAGE_NAMES[to]}."
    label = names(manifest, councils)
    coordinator = session.user.council is None
    return page(
        request, workspace_of(request).env, "applications.html", manifest,
        title="Applications", session=session, current="/applications", notice=notice,
        scope_name=label["council_names"].get(councils[0], councils[0]) if councils else "All councils",
        query={**query, "stage": filters.stage}, filters=filters, rows=rows, total=total, counts=counts,
        page=number, pages=pages, page_numbers=page_numbers(number, pages), may_move=session.user.may_move,
        council_choices=sorted(label["council_names"].items(), key=lambda c: c[1]) if coordinator else [],
        stage_choices=[(s, STAGE_NAMES[s]) for s in STAGES], sort_choices=list(SORT_NAMES.items()), **label,
        source_choices=[(s, source_name(s)) for s in sources],
    )  # fmt: skip


async def _found(request: Request, session: StaffSession) -> tuple[Manifest, list[str] | None, Any]:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    councils = session.user.councils
    found = await backend.call("application", councils, request.path_params["reference"][:40])
    if found is None:
        raise NotYours
    return manifest, councils, found


async def _application_page(
    request: Request, session: StaffSession, status: int = 200, errors: dict | None = None,
    form: dict | None = None,
) -> Response:  # fmt: skip
    backend = backend_of(request)
    manifest, councils, app = await _found(request, session)
    moves = await backend.call("moves", app.id)
    await audit(request, session, app.council, "view", app.reference)
    spec = manifest.form(app.council, app.campaign)
    fields = spec["fields"] if spec else [{"id": key, "label": key, "type": "text"} for key in app.answers]
    files = {field for field, _, _ in app.files or []}
    answers = [
        (str(f.get("label") or f["id"]), shown(f, app.answers[f["id"]]), f["id"] if f["id"] in files else "")
        for f in fields
        if f["id"] in app.answers
    ]
    label = names(manifest, [app.council])
    standard = [(STAGE_NAMES[k], t) for k in STAGES if (t := stage_template(manifest, app.council, k))]
    to = request.query_params.get("moved", "")
    today = backend.settings.now().astimezone(LONDON).date()
    role = str(app.answers.get("role", ""))
    return page(
        request, workspace_of(request).env, "application.html", manifest, status,
        title=app.name or app.reference, session=session, current="/applications", app=app, moves=moves,
        answers=answers, council_name=label["council_names"].get(app.council, app.council),
        campaign_name=label["campaign_names"].get((app.council, app.campaign), app.campaign),
        role_names=label["role_names"], role_choices=[("", "Not given"), *label["role_choices"]],
        may_move=session.user.may_move, errors=errors or {}, form=form or {},
        standard_messages=standard,
        notice=f"Moved to {STAGE_NAMES[to]}." if to in STAGES and not errors else "",
        came_from=source_name(app.source) + (f" ({app.medium})" if app.source not in SOURCE_NAMES else ""),
        error_summary=bool(errors), outcome_names=fitting.LABELS,
        fit=fitting.reasons_for(manifest, app.council, app.campaign, role, app.answers, today),
        route=fitting.route_of(manifest, app.answers, today),
    )  # fmt: skip


@staff_only
async def application(request: Request, session: StaffSession) -> Response:
    return await _application_page(request, session)


def _may_not_move(request: Request, session: StaffSession) -> Response | None:
    if session.user.may_move:
        return None
    return message(request, 403, "You cannot move applications",
                   "Your account can read applications. Ask your region's coordinator to make you an "
                   "editor.", session=session)  # fmt: skip


@staff_only
async def move_one(request: Request, session: StaffSession) -> Response:
    fields, refused = await form_of(request, session)
    refused = refused or _may_not_move(request, session)
    if refused:
        return refused
    _, councils, app = await _found(request, session)
    stage, note = str(fields.get("stage", "")), str(fields.get("note", "")).strip()
    start, role = str(fields.get("start_date", "")).strip(), str(fields.get("placed_role", "")).strip()
    errors = {}
    if stage not in STAGES or stage == app.stage:
        errors["stage"] = "Select the stage to move the application to"
    if len(note) > 2000:
        errors["note"] = "The note must be 2,000 characters or fewer"
    if stage == "placed":
        try:
            dt.date.fromisoformat(start)
        except ValueError:
            errors["start_date"] = "Enter the start date, like 2027-01-04" if not start else (
                "The start date must be a real date, like 2027-01-04")  # fmt: skip
    backend = backend_of(request)
    manifest = backend.manifests.get()
    text = message_text(manifest, app, stage, fields, errors)
    if errors:
        return await _application_page(request, session, 400, errors, fields)
    placed, now = stage == "placed", backend.settings.now()
    mail = None
    if text:
        message = stage_message(manifest, manifest.form(app.council, app.campaign), app, text, now,
                                backend.settings.mail_from)  # fmt: skip
        mail = {app.reference: (app.email, message)}
    await backend.call("move", councils, [app.reference], stage, session.user.email, now,
                       note, start if placed else None, role if placed else None, mail)  # fmt: skip
    await audit(request, session, app.council, "move", app.reference, stage=stage, emailed=bool(text))
    if text:
        backend.outbox.wake()
    return RedirectResponse(f"{base_path(request)}/applications/{app.reference}?moved={stage}", 303)


def stage_template(manifest: Manifest, council: str, stage: str) -> str | None:
    """The council's own message for the stage (council.yaml), else the region's (site.toml)."""
    own = manifest.councils.get(council, {}).get("messages") or {}
    return own.get(stage) or (manifest.region.get("messages") or {}).get(stage)


def message_text(manifest: Manifest, app: Any, stage: str, fields: dict, errors: dict) -> str:
    """The email to send the applicant with a move, if the team asked for one: what they wrote,
    else the region's message for the stage (site.toml [messages]) filled in."""
    if fields.get("tell") != "yes":
        return ""
    typed = str(fields.get("message", "")).strip()
    if len(typed) > 4000:
        errors["message"] = "The message must be 4,000 characters or fewer"
    if typed or "stage" in errors:
        return typed
    template = stage_template(manifest, app.council, stage)
    if not template:
        errors["message"] = f"Write the message: there is no standard one for {STAGE_NAMES[stage]}"
        return ""
    form = manifest.form(app.council, app.campaign)
    council = manifest.councils.get(app.council, {}).get("name", app.council)
    values = {"name": app.name or "applicant", "reference": app.reference, "council": council,
              "campaign": form["title"] if form else app.campaign}  # fmt: skip
    return template.format_map(values)


@staff_only
async def move_many(request: Request, session: StaffSession) -> Response:
    fields, refused = await form_of(request, session)
    refused = refused or _may_not_move(request, session)
    if refused:
        return refused
    stage = str(fields.get("stage-to", ""))
    references = [str(r)[:40] for r in fields.get("reference", [])][:PER_PAGE]
    back = str(fields.get("back", ""))
    back = (
        back
        if back.startswith(base_path(request) + "/applications")
        else base_path(request) + "/applications"
    )
    if stage not in STAGES or not references:
        return message(request, 400, "Nothing was moved",
                       "Select at least one application, and the stage to move them to.",
                       back=(back, "Back to applications"), session=session)  # fmt: skip
    backend = backend_of(request)
    moved = await backend.call("move", session.user.councils, references, stage, session.user.email,
                               backend.settings.now())  # fmt: skip
    for reference, council in moved:
        await audit(request, session, council, "move", reference, stage=stage)
    joiner = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{joiner}moved={len(moved)}&moved-to={stage}", 303)


@staff_only
async def application_file(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    _, _, app = await _found(request, session)
    found = await backend.call("file", app.council, app.reference, request.path_params["field"][:80])
    if found is None:
        raise NotYours
    await audit(request, session, app.council, "download", app.reference, field=request.path_params["field"])
    name, content_type, data = found
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return Response(data, 200, media_type=content_type, headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="{safe}"',
    })  # fmt: skip


@staff_only
async def export_list(request: Request, session: StaffSession) -> Response:
    kind = request.path_params["kind"]
    if kind not in ("csv", "json"):
        raise NotYours
    backend = backend_of(request)
    manifest = backend.manifests.get()
    query, filters = read_filters(request)
    councils = scope(manifest, session, query["council"])
    found = await backend.call("matching", councils, filters)
    asked = {k: v for k, v in query.items() if v}
    await audit(request, session, query["council"] or session.user.council, "export",
                kind=kind, applications=len(found), filters=asked)  # fmt: skip
    name = f"{query['council'] or session.user.council or 'region'}-applications.{kind}"
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'attachment; filename="{name}"'}  # fmt: skip
    if kind == "csv":
        return Response(
            export.to_csv(manifest, found), 200, media_type="text/csv; charset=utf-8", headers=headers
        )
    return Response(export.to_json(found), 200, media_type="application/json", headers=headers)
