"""POST /apply/{council}/{campaign}: an application taken in.

Checked in turn (the form exists, the post comes from its site, the campaign is open, the
sender is within the rate limit, the body parses and validates), then committed with its mail
before the applicant is told: 201 with the reference as JSON, or a redirect to the thank-you
page. A bot that fills the honeypot is told it succeeded and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from . import guards, pages
from .backend import LONDON, Backend, backend_of
from .bank import joining, next_steps
from .evaluation.sources import source_of
from .mail import compose
from .manifest import Manifest, ManifestError, is_open
from .matching.fitting import route_of
from .parsing import BadRequest, Submission, parse_body
from .references import new_reference
from .responses import NO_STORE, refuse, site_url, too_often, wants_json
from .storage import NewApplication, SaveRequest, StorageError, StoredFile
from .validation import Result, fingerprint, raw_answers, validate

log = logging.getLogger("forms_backend")

# A form body up to this size is parsed and checked on the event loop, where it is quicker than
# a trip to a thread; a larger one (a CV, most often) in a worker thread, so other requests are
# not held up.
INLINE_BODY_BYTES = 64 * 1024


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be over `limit` (never read whole)."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.strip().isdigit():
            raise BadRequest("The Content-Length header is not a number.")
        if int(length) > limit:
            raise BadRequest(f"The form is larger than {limit // (1024 * 1024)} MB.", 413)
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BadRequest(f"The form is larger than {limit // (1024 * 1024)} MB.", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _idempotency_key(request: Request, fields: dict[str, list[str]]) -> str | None:
    key = request.headers.get("idempotency-key") or (fields.get("idempotency_key") or [""])[0]
    key = key.strip()
    return key if 0 < len(key) <= 200 and key.isascii() and key.isprintable() else None


def _read_answers(
    body: bytes, content_type: str | None, max_fields: int, fields: list[dict[str, Any]]
) -> tuple[Submission, Result]:
    """The body parsed and checked against the form's rules."""
    sub = parse_body(body, content_type, max_fields)
    return sub, validate(fields, sub)


async def apply(request: Request) -> Response:
    backend = backend_of(request)
    backend.outbox.taking += 1
    try:
        return await _apply(request, backend)
    finally:
        backend.outbox.taking -= 1


async def _apply(request: Request, backend: Backend) -> Response:
    settings = backend.settings
    council, campaign = request.path_params["council"], request.path_params["campaign"]
    try:
        manifest = backend.manifests.get()
    except ManifestError as exc:
        log.error("manifest: %s", exc)
        return JSONResponse(
            {"error": "Applications cannot be taken right now. Try again later."}, 503, headers=NO_STORE
        )
    form = manifest.form(council, campaign)
    if form is None:
        return refuse(
            request,
            404,
            "Page not found",
            "There is no application form at this address. Check the address and try again.",
            manifest=manifest,
        )
    refused = guards.origin_refused(request.headers, manifest)
    if refused:
        return refuse(request, 403, "Application not sent", refused, form, manifest)
    state = is_open(form, backend.today())
    if not state:
        return _not_open(request, form, manifest, state)
    limited = too_often(request, "", "Too many applications", "this form",
                        " Your answers have not been sent.", form, manifest)  # fmt: skip
    if limited:
        return limited
    try:
        body = await read_body(request, settings.max_body_bytes)
        args = (body, request.headers.get("content-type"), settings.max_fields, form["fields"])
        if len(body) <= INLINE_BODY_BYTES:
            sub, result = _read_answers(*args)
        else:  # a CV to check, or a very long form: off the event loop
            sub, result = await anyio.to_thread.run_sync(_read_answers, *args)
    except ClientDisconnect:
        return Response(status_code=400)
    except BadRequest as exc:
        return refuse(request, exc.status, "Application not sent", exc.message, form, manifest)

    honeypot = form.get("honeypot") or "website"
    if any(v.strip() for v in sub.fields.get(honeypot, [])):
        # A bot filled the field people cannot see: it is told it succeeded and nothing is kept.
        await backend.log_event(settings.now(), "honeypot", council, campaign, {})
        return _accepted(request, manifest, form, new_reference(manifest.code(council)), False)

    await backend.log_tampering(council, campaign, result.tampering)
    if not result.ok:
        if wants_json(request):
            return JSONResponse({"errors": result.errors}, 422, headers=NO_STORE)
        base = site_url(manifest, form, "form", settings)
        page = pages.error_page(settings.dist, form, base, result.errors, raw_answers(form["fields"], sub))
        return HTMLResponse(page, 422, headers=NO_STORE)

    now = settings.now()
    came = await source_of(request, council, sub.fields)
    email = str(result.answers.get("email", ""))
    bank = joining.join_of(manifest, form, result.answers)  # the talent bank's box ticked
    route = route_of(manifest, result.answers, now.astimezone(LONDON).date())  # on a route to registration
    application = NewApplication(
        council=council,
        campaign=campaign,
        email=email,
        answers=result.answers,
        content_hash=fingerprint(council, campaign, result.answers),
        created_at=now,
        idempotency_key=_idempotency_key(request, sub.fields),
        files={fid: StoredFile(f.filename, f.content_type, f.data) for fid, f in result.files.items()},
        source=came.source,
        medium=came.medium,
        source_tag=came.tag,
        bank=bank,
    )
    try:
        secret = await backend.bank_secret() if bank or route else ""  # read before anything is kept
        bank_note = joining.note(manifest, secret, email, bank, now) if bank else ""
        saved = await backend.committer.save(
            SaveRequest.prepare(
                application,
                lambda: new_reference(manifest.code(council)),
                lambda ref: compose(manifest, form, ref, result.answers, now, settings.mail_from, bank_note),
                now - settings.duplicate_window,
            )
        )
    except StorageError as exc:
        log.error("storage: %s", exc)
        return refuse(
            request,
            503,
            "Application not sent",
            "Your application could not be saved, so nothing was kept. "
            "Try again in a few minutes; your answers have not been sent.",
            form,
            manifest,
        )
    if saved.created:
        backend.outbox.wake()
    after = next_steps.next_url(manifest, secret, form, saved.reference, settings) if route else None
    return _accepted(request, manifest, form, saved.reference, not saved.created, after)


def _not_open(request: Request, form: dict, manifest: Manifest, state: bool | None) -> Response:
    """410 for a campaign closed (`state` False) or not open yet (None)."""
    message = (
        f"Applications for {form['title']} closed on {_long_date(form['closes'])}. "
        "Your answers have not been kept."
        if state is False
        else f"Applications for {form['title']} open on {_long_date(form['opens'])}. "
        "Your answers have not been kept."
    )
    heading = "This campaign has closed" if state is False else "This campaign is not open yet"
    return refuse(request, 410, heading, message, form, manifest)


def _accepted(request: Request, manifest: Manifest, form: dict, reference: str, duplicate: bool,
              after: str | None = None) -> Response:  # fmt: skip
    """201 with the reference (and `next_url`: the thank-you page with the steps left on the
    applicant's route to registration, when they are on one), or the redirect to either page."""
    if wants_json(request):
        body: dict[str, Any] = {"reference": reference}
        if duplicate:
            body["duplicate"] = True
        if after:
            body["next_url"] = after
        return JSONResponse(body, 201, headers=NO_STORE)
    thanks = site_url(manifest, form, "thanks", backend_of(request).settings)
    return RedirectResponse(after or f"{thanks}?ref={reference}", 303, headers=NO_STORE)
