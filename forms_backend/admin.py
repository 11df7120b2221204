"""The routes for councils and for whoever runs the backend: GET /health (storage reachable,
manifest version), and with a council's token its applications (.csv, .json) and their files.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import auth, export
from .backend import backend_of
from .manifest import ManifestError
from .responses import NO_STORE
from .storage import StorageError

log = logging.getLogger("forms_backend")


async def health(request: Request) -> Response:
    backend = backend_of(request)
    body: dict[str, Any] = {"status": "ok", "storage": "ok", "manifest_version": None, "forms": 0}
    try:
        manifest = backend.manifests.get()
        body["manifest_version"], body["forms"] = manifest.version, len(manifest.forms)
    except ManifestError as exc:
        log.error("health: %s", exc)
        body["status"] = "unavailable"
    try:
        await backend.call("ping")
    except StorageError as exc:
        log.error("health: %s", exc)
        body["status"], body["storage"] = "unavailable", "unreachable"
    return JSONResponse(body, 200 if body["status"] == "ok" else 503, headers=NO_STORE)


async def _authorised(request: Request, council: str) -> Response | None:
    backend = backend_of(request)
    presented = auth.bearer(request.headers.get("authorization"))
    principal = None
    if presented is not None:
        principal = await anyio.to_thread.run_sync(lambda: auth.check(backend.storage, presented))
    if principal is None:
        return JSONResponse(
            {"error": "A valid bearer token is needed."},
            401,
            headers={**NO_STORE, "WWW-Authenticate": 'Bearer realm="recruit"'},
        )
    if not principal.may_read(council):
        return JSONResponse(
            {"error": "This token cannot read this council's applications."}, 403, headers=NO_STORE
        )
    return None


def parse_since(text: str | None) -> dt.datetime | None:
    """A date or date-time (UTC unless it says otherwise), in UTC; None when there is no `since`
    at all. ValueError when it is not one (an empty `since=` included) or falls outside the years
    1 to 9999 once in UTC (9999-12-31T23:00-05:00, say)."""
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(text)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is outside the dates that can be read") from None


EXPORT_PARAMETERS = frozenset({"since", "campaign"})


async def applications(request: Request) -> Response:
    slug, kind = request.path_params["slug"], request.path_params["kind"]
    denied = await _authorised(request, slug)
    if denied:
        return denied
    backend = backend_of(request)
    manifest = backend.manifests.get()
    if kind not in ("csv", "json"):
        return JSONResponse(
            {"error": "Ask for applications.csv or applications.json."}, 404, headers=NO_STORE
        )
    if slug not in manifest.councils:
        return JSONResponse({"error": f"There is no council {slug!r}."}, 404, headers=NO_STORE)
    unknown = sorted(set(request.query_params) - EXPORT_PARAMETERS)
    if unknown:  # a typo such as ?sinse= would otherwise export every application
        return JSONResponse(
            {"error": f"Unknown query parameter {unknown[0][:50]!r}: ask with since, campaign or neither."},
            400,
            headers=NO_STORE,
        )
    try:
        since = parse_since(request.query_params.get("since"))
    except ValueError:
        return JSONResponse(
            {"error": "since must be a date between the years 1 and 9999, like 2026-11-01."},
            400,
            headers=NO_STORE,
        )
    found = await backend.call("applications", slug, request.query_params.get("campaign") or None, since)
    if kind == "csv":
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{slug}-applications.csv"'}
        return Response(
            export.to_csv(manifest, found), 200, headers=headers, media_type="text/csv; charset=utf-8"
        )
    return Response(export.to_json(found), 200, headers=NO_STORE, media_type="application/json")


async def application_file(request: Request) -> Response:
    slug = request.path_params["slug"]
    denied = await _authorised(request, slug)
    if denied:
        return denied
    found = await backend_of(request).call(
        "file", slug, request.path_params["reference"], request.path_params["field"]
    )
    if found is None:
        return JSONResponse({"error": "There is no such file."}, 404, headers=NO_STORE)
    name, content_type, data = found
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return Response(
        data,
        200,
        media_type=content_type,
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{safe}"'},
    )
