"""How the backend answers: the headers every answer carries, a refusal as JSON for the page
script (Accept: application/json) or as a page of the council's own site for browsers, and the
answers to errors (never a traceback)."""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from . import guards, pages
from .backend import backend_of
from .manifest import Manifest, origin_of
from .settings import Settings

log = logging.getLogger("forms_backend")
NO_STORE = MappingProxyType(
    {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "").lower()


def site_url(manifest: Manifest, form: dict[str, Any], kind: str, settings: Settings) -> str:
    """form_path or thanks_path on the same host; the absolute URL when the site is elsewhere."""
    path, url = form[f"{kind}_path"], form[f"{kind}_url"]
    absolute = settings.absolute_redirects
    if absolute is None:
        base = manifest.region.get("base_url", "")
        absolute = not manifest.same_host or (base and origin_of(url) != origin_of(base))
    return url if absolute else path


def refuse(
    request: Request,
    status: int,
    heading: str,
    message: str,
    form: dict[str, Any] | None = None,
    manifest: Manifest | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """A 4xx as JSON for scripts, or as a page of the council's site (404.html when unknown)."""
    headers = {**NO_STORE, **(headers or {})}
    if wants_json(request) or manifest is None:
        return JSONResponse({"error": message, **(extra or {})}, status, headers=headers)
    dist = backend_of(request).settings.dist
    if form is not None:
        base = site_url(manifest, form, "form", backend_of(request).settings)
        campaign_path = form["form_path"].rsplit("apply/", 1)[0]
        body = pages.message_page(
            dist, form["form_path"], base, heading, [message], (campaign_path, f"Back to {form['title']}")
        )
    else:
        base = "/" if manifest.same_host else manifest.region.get("base_url", "/")
        body = pages.message_page(dist, "404.html", base, heading, [message], ("/", "Go to the home page"))
    return HTMLResponse(body, status, headers=headers)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "There is nothing at this address.", 405: "This address only takes another method."}
    text = message.get(exc.status_code, str(exc.detail))
    return JSONResponse({"error": text}, exc.status_code, headers={**NO_STORE, **(exc.headers or {})})


async def unavailable(request: Request, exc: Exception) -> Response:
    """Storage or the manifest cannot be used (a locked database, a missing build): 503."""
    log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
    return JSONResponse(
        {"error": "The service is unavailable right now. Nothing was changed: try again later."},
        503,
        headers={**NO_STORE, "Retry-After": "60"},
    )


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        {"error": "Something went wrong on our side. Nothing was kept: try again later."},
        500,
        headers=NO_STORE,
    )


def too_often(
    request: Request, bucket: str, heading: str, sent: str, after: str = "",
    form: dict | None = None, manifest: Manifest | None = None,
) -> Response | None:  # fmt: skip
    """429 when the sender has posted to `bucket` too often lately (loopback exempt unless
    configured): "You have sent `sent` too many times in a short time. Wait N minutes, then
    send it again." and `after`. Each bucket is counted apart, so one kind of post never uses
    up another's allowance."""
    backend = backend_of(request)
    settings = backend.settings
    if backend.limiter is None:
        return None
    key = guards.client_key(request.scope, request.headers, settings.trust_forwarded)
    if not settings.rate_limit_loopback and guards.is_loopback(key):
        return None
    wait = backend.limiter.hit(f"{bucket} {key}" if bucket else key)
    if not wait:
        return None
    minutes = max(1, round(wait / 60))
    message = (f"You have sent {sent} too many times in a short time. Wait {minutes} "
               f"minute{'s' * (minutes != 1)}, then send it again.{after}")  # fmt: skip
    return refuse(request, 429, heading, message, form, manifest, headers={"Retry-After": str(int(wait) + 1)},
                  extra={"retry_after": int(wait) + 1})  # fmt: skip
