"""Counting page views: POST /events from the pages' script (navigator.sendBeacon), and GET
/events.gif from a `<noscript>` image, both answered 204/the image with nothing stored on the
visitor's device.

Kept per view: the time, the page (council, campaign, page type, role), where the visit came
from (classify.py), the kind of device, and a visitor key: SHA-256 of the day's random salt,
the site, the address and the User-Agent. The address and the User-Agent are never stored;
the salt is deleted after two days. A visitor who sends Sec-GPC: 1 or DNT: 1 is not counted,
nor is a robot. Views share commits (the applications' group commit).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import guards
from ..backend import backend_of
from ..manifest import Manifest
from ..storage.analytics import PageEvent
from . import classify

PAGES = {"hub", "council", "landing", "roles", "role", "apply", "thanks", "join", "privacy", "accessibility"}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
UTM = ("utm_source", "utm_medium", "utm_campaign")
MAX_BODY = 4096
# A transparent 1x1 GIF: the answer to the <noscript> image.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
NOT_KEPT = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class BadEvent(ValueError):
    """A view that names no page the region has: answered 400, nothing kept."""


def _slug(value: Any, what: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 60 or not SLUG.fullmatch(value):
        raise BadEvent(f"{what} must be a slug like come-back-to-care")
    return value


def page_of(manifest: Manifest, fields: dict[str, Any]) -> tuple[str | None, str | None, str, str | None]:
    """(council, campaign, page type, role) of a view, checked against the manifest."""
    page = fields.get("page")
    if not isinstance(page, str) or page not in PAGES:
        raise BadEvent(f"page must be one of {', '.join(sorted(PAGES))}")
    council, campaign = _slug(fields.get("council"), "council"), _slug(fields.get("campaign"), "campaign")
    role = _slug(fields.get("role"), "role")
    if page == "hub":
        return None, None, page, None
    if council not in manifest.councils:
        raise BadEvent("council must be one of the region's councils")
    if page == "council":
        return council, None, page, None
    if campaign is None or manifest.form(council, campaign) is None:
        raise BadEvent("campaign must be one of the council's campaigns")
    return council, campaign, page, role if page == "role" else None


def utm_of(url: str | None) -> dict[str, str]:
    if not url or len(url) > 2048:
        return {}
    query = parse_qs(urlsplit(url).query)
    return {key: query[key][0] for key in UTM if query.get(key)}


def counting(manifest: Manifest, council: str | None) -> bool:
    """Analytics on for the region and the council (site.toml, council.yaml; on unless said)."""
    if manifest.region.get("analytics") is False:
        return False
    return council is None or manifest.councils.get(council, {}).get("analytics") is not False


def own_hosts(manifest: Manifest) -> frozenset[str]:
    return frozenset((urlsplit(origin).hostname or "") for origin in manifest.origins)


async def visitor_key(request: Request, council: str | None) -> str:
    """SHA-256 of the day's salt, the site (the council, or the region's hub), the client's
    address and its User-Agent: the same person on the same site today, and nobody after."""
    backend = backend_of(request)
    today = backend.today()
    salt = backend.salts.get(today)
    if salt is None:  # once a day a process: read (or made) in the database, shared by the workers
        salt = await backend.call("salt", today)
        backend.salts = {today: salt}
    client = guards.client_key(request.scope, request.headers, backend.settings.trust_forwarded)
    user_agent = request.headers.get("user-agent", "")[:512]
    return hashlib.sha256("\n".join((salt, council or "region", client, user_agent)).encode()).hexdigest()[
        :32
    ]


async def _count(
    request: Request, fields: dict[str, Any], landing: str | None, referrer: str | None
) -> Response:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    headers = {k.lower(): v for k, v in request.headers.items()}
    user_agent = headers.get("user-agent", "")[:512]
    try:
        council, campaign, page, role = page_of(manifest, fields)
    except BadEvent as exc:
        return JSONResponse({"error": f"This view was not counted: {exc}."}, 400, headers=NOT_KEPT)
    if classify.opted_out(headers) or classify.is_robot(user_agent) or not counting(manifest, council):
        return Response(status_code=204, headers=NOT_KEPT)
    now = backend.settings.now()
    visitor = await visitor_key(request, council)
    came = classify.classify(utm_of(landing), referrer, own_hosts(manifest))
    event = PageEvent(now, council, campaign, page, role, came.source, came.medium, came.tag,
                      came.referrer_host, classify.device(user_agent), visitor)  # fmt: skip
    await backend.events.save(event)
    return Response(status_code=204, headers=NOT_KEPT)


async def beacon(request: Request) -> Response:
    """POST /events: {"page", "council", "campaign", "role", "url", "referrer"} as sendBeacon sends it."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "This view was not counted: it is too long."}, 413, headers=NOT_KEPT)
    manifest = backend_of(request).manifests.get()
    if guards.origin_refused(request.headers, manifest):  # a copy of a page elsewhere: not counted
        return Response(status_code=204, headers=NOT_KEPT)
    try:
        fields = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        fields = None
    if not isinstance(fields, dict):
        return JSONResponse(
            {"error": "This view was not counted: send a JSON object."}, 400, headers=NOT_KEPT
        )
    url, referrer = fields.get("url"), fields.get("referrer")
    carried = (
        parse_qs(urlsplit(url).query).get("rc_ref", [""])[0]
        if isinstance(url, str) and len(url) < 2048
        else ""
    )
    if carried:  # the site the visit came from, carried in the site's own links
        referrer = carried
    return await _count(request, fields, url if isinstance(url, str) else None,
                        referrer[:2048] if isinstance(referrer, str) else None)  # fmt: skip


async def pixel(request: Request) -> Response:
    """GET /events.gif?page=...&council=...&campaign=...&role=...: the view of a page read
    without JavaScript. Its Referer is the page itself (the sources in its address count)."""
    fields = {key: request.query_params.get(key) for key in ("page", "council", "campaign", "role")}
    answer = await _count(request, fields, request.headers.get("referer"), None)
    if answer.status_code >= 400:
        return answer
    return Response(PIXEL, 200, media_type="image/gif", headers=NOT_KEPT)
