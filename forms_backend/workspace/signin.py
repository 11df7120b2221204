"""Signing in and out of the workspace (see auth.py for the rules), and what every page shares:
the signed-in person, the CSRF check, the audit line, and the answer when storage is down."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jinja2
from email_validator import EmailNotValidError, validate_email
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import guards
from ..backend import backend_of
from ..manifest import ManifestError
from ..storage import StorageError
from ..storage.staff import StaffSession
from . import auth
from .render import base_path, page

log = logging.getLogger("forms_backend")
Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Workspace:
    """What the workspace keeps between requests, on the app (never module-level)."""

    env: jinja2.Environment
    limiter: guards.RateLimiter  # asks for a sign-in link, per client and process


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace


def client(request: Request) -> str:
    return guards.client_key(request.scope, request.headers, backend_of(request).settings.trust_forwarded)


def message(request: Request, status: int, title: str, *paragraphs: str, **context: Any) -> Response:
    backend = backend_of(request)
    try:
        manifest = backend.manifests.get()
    except ManifestError:
        manifest = None
    return page(
        request, workspace_of(request).env, "message.html", manifest, status,
        title=title, paragraphs=paragraphs, **{"back": None, **context},
    )  # fmt: skip


def answers_errors(handler: Handler) -> Handler:
    """A page whose database or manifest cannot be used answers 503 with a page, not a traceback."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        try:
            return await handler(request)
        except (StorageError, ManifestError) as exc:
            log.error("workspace: %s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
            return message(
                request, 503, "The workspace is not available right now",
                "It cannot reach its database. Nothing was changed. Try again in a few minutes.",
            )  # fmt: skip

    return wrapper


async def signed_in(request: Request) -> StaffSession | None:
    backend = backend_of(request)
    now = backend.settings.now()
    return await backend.call_with(lambda storage: auth.current(storage, request, now))


def to_sign_in(request: Request) -> Response:
    return RedirectResponse(base_path(request) + "/sign-in", 303, headers={"Cache-Control": "no-store"})


async def form_of(request: Request, session: StaffSession) -> tuple[dict[str, Any], Response | None]:
    """The posted form, or a 403 page when its CSRF token is not this session's."""
    form = await request.form(max_fields=200, max_files=0)
    fields: dict[str, Any] = {key: form.getlist(key) for key in form}
    fields = {k: v[0] if len(v) == 1 and k != "reference" else v for k, v in fields.items()}
    if not auth.csrf_ok(session, fields.get("csrf")):
        return fields, message(
            request, 403, "This form has expired",
            "Nothing was changed. Go back, reload the page and try again.", session=session,
        )  # fmt: skip
    return fields, None


async def audit(request: Request, session: StaffSession | None, council: str | None, action: str,
                reference: str | None = None, **detail: Any) -> None:  # fmt: skip
    backend = backend_of(request)
    actor = session.user.email if session else None
    await backend.call(
        "audit", backend.settings.now(), actor, council, action, reference, detail, client(request)
    )


@answers_errors
async def sign_in_page(request: Request) -> Response:
    if await signed_in(request):
        return RedirectResponse(base_path(request) + "/applications", 303)
    notice = "You have signed out." if request.query_params.get("signed-out") else ""
    return page(request, workspace_of(request).env, "sign_in.html", backend_of(request).manifests.get(),
                title="Sign in", email="", error_summary="", notice=notice)  # fmt: skip


@answers_errors
async def ask_for_link(request: Request) -> Response:
    backend, workspace = backend_of(request), workspace_of(request)
    manifest = backend.manifests.get()
    form = await request.form(max_fields=20, max_files=0)
    typed = str(form.get("email") or "").strip()
    try:
        address = validate_email(typed, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        error = "Enter an email address in the correct format, like name@example.org" if typed else (
            "Enter your work email address")  # fmt: skip
        return page(request, workspace.env, "sign_in.html", manifest, 400,
                    title="Sign in", email=typed[:254], error_summary=error, notice="")  # fmt: skip
    settings = backend.settings
    who = client(request)
    if settings.rate_limit_loopback or not guards.is_loopback(who):
        wait = workspace.limiter.hit(who)
        if wait:
            return message(request, 429, "Too many sign-in requests",
                           f"Try again in {int(wait // 60) + 1} minutes.")  # fmt: skip
    now = settings.now()
    url = settings.workspace_address(manifest.region)

    def send(storage: Any) -> None:
        user = storage.user(address)
        link = auth.new_link(storage, user, now, url) if user else None
        if link is not None:
            auth.email_link(storage, manifest, address, link, now, settings.mail_from)

    await backend.call_with(send)
    backend.outbox.wake()
    return message(
        request, 200, "Check your email",
        f"If {address} belongs to someone who works in the workspace, we have sent a sign-in link to it.",
        "The link works once, within 15 minutes. It can take a minute or two to arrive.",
    )  # fmt: skip


@answers_errors
async def confirm_page(request: Request) -> Response:
    token = request.path_params["token"]
    return page(request, workspace_of(request).env, "confirm.html", backend_of(request).manifests.get(),
                title="Sign in", token=token)  # fmt: skip


@answers_errors
async def use_link(request: Request) -> Response:
    backend = backend_of(request)
    token, now = request.path_params["token"], backend.settings.now()

    def sign_in(storage: Any) -> tuple[str, Any] | None:
        user = storage.use_sign_in_link(auth.digest(token), now) if len(token) <= 100 else None
        return (auth.open_session(storage, user, now), user) if user else None

    opened = await backend.call_with(sign_in)
    if opened is None:
        return message(
            request, 400, "This sign-in link cannot be used",
            "It has been used already, or it is more than 15 minutes old. Ask for a new one.",
            back=(base_path(request) + "/sign-in", "Ask for a new sign-in link"),
        )  # fmt: skip
    session_token, user = opened
    response = RedirectResponse(
        base_path(request) + "/applications", 303, headers={"Cache-Control": "no-store"}
    )
    is_secure = auth.secure(request, backend.settings.trust_forwarded)
    auth.set_cookie(response, session_token, base_path(request), is_secure)
    await backend.call("audit", now, user.email, user.council, "sign-in", None, {}, client(request))
    return response


@answers_errors
async def sign_out(request: Request) -> Response:
    session = await signed_in(request)
    if session is None:
        return to_sign_in(request)
    _, refused = await form_of(request, session)
    if refused:
        return refused
    backend = backend_of(request)
    now = backend.settings.now()
    await backend.call_with(lambda storage: auth.end(storage, request, now))
    await audit(request, session, session.user.council, "sign-out")
    response = RedirectResponse(base_path(request) + "/sign-in?signed-out=1", 303)
    auth.clear_cookie(response, base_path(request), auth.secure(request, backend.settings.trust_forwarded))
    return response
