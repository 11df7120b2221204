"""The backend as an ASGI app: `create_app(settings)`, no global state.

POST /apply/{council}/{campaign}  an application (form-urlencoded or multipart)
GET  /health                      storage reachable, manifest version
GET  /councils/{slug}/applications.csv|.json, .../applications/{ref}/files/{field}  with a token

Mounted under /api/ beside the sites (generator/serve.py), alone (`recruit backend serve`), or
behind Mangum on AWS Lambda (lambda_handler.py). Every refusal is a clear 4xx: JSON for the
page script (Accept: application/json), a page of the council's own site for browsers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from contextlib import asynccontextmanager
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import auth, export, guards, pages
from .manifest import Manifest, ManifestError, ManifestSource, is_open, origin_of
from .notify import DRAIN_LIMIT, compose, drain
from .parsing import BadRequest, Submission, parse_body
from .references import new_reference
from .settings import Settings
from .storage import NewApplication, Saved, SaveRequest, Storage, StorageError, StoredFile, open_storage
from .validation import Result, fingerprint, raw_answers, validate

__all__ = ["Settings", "create_app"]
log = logging.getLogger("forms_backend")
NO_STORE = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# Applicants are answered before mail is sent: while applications are being taken in, the outbox
# waits (looking again this often, at most the outbox interval), so a burst is taken in at full
# speed and its mail follows it; between applications, as at 100 a second, mail goes at once.
QUIET_SECONDS = 0.01

# A form body up to this size is parsed and checked on the event loop (well under a millisecond);
# a larger one (a CV, most often) in a worker thread, so other requests are not held up.
INLINE_BODY_BYTES = 64 * 1024

try:
    from zoneinfo import ZoneInfo

    LONDON: dt.tzinfo = ZoneInfo("Europe/London")
except Exception:  # noqa: BLE001 - no time zone data: UTC is within an hour
    LONDON = dt.UTC


class Backend:
    """One app's state: its settings, manifest, storage (opened on first use) and rate limiter."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.settings = settings
        self.manifests = ManifestSource(settings.manifest_path)
        self._storage = storage
        self._lock = threading.Lock()
        limit = settings.rate_limit
        self.limiter = guards.RateLimiter(*limit) if limit else None
        self.wake: anyio.Event | None = None
        self.taking = 0  # applications being taken in (posts in progress)
        self._waiting: list[tuple[SaveRequest, asyncio.Future[Saved]]] = []
        self._committer: asyncio.Task | None = None

    @property
    def storage(self) -> Storage:
        with self._lock:
            if self._storage is None:
                self._storage = open_storage(self.settings.database_url, self.settings.busy_timeout)
            return self._storage

    async def call(self, method: str, *args: Any) -> Any:
        """A storage method in a worker thread (the first opens the storage there too).
        Raises StorageError when the database cannot be opened or used."""
        return await anyio.to_thread.run_sync(lambda: getattr(self.storage, method)(*args))

    async def save(self, request: SaveRequest) -> Saved:
        """Store the application, sharing a commit with the others waiting (group commit).

        While one commit is on its way to disk (in a worker thread), the applications that
        arrive wait together; the next commit takes them all, so one wait for the disk, and one
        trip to a thread, acknowledges every one of them. Raises StorageError when it could not
        be stored. A request given up on before its commit began is not kept."""
        future = asyncio.get_running_loop().create_future()  # uvicorn and Mangum run asyncio
        self._waiting.append((request, future))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_waiting())
        return await future

    async def _commit_waiting(self) -> None:
        try:
            while self._waiting:
                batch = [(r, f) for r, f in self._waiting if not f.done()]
                self._waiting = []
                try:
                    storage = self._storage or await anyio.to_thread.run_sync(lambda: self.storage)
                    outcomes = await anyio.to_thread.run_sync(storage.save_many, [r for r, _ in batch])
                except Exception as exc:  # noqa: BLE001 - every request waiting on it hears of it
                    outcomes = [exc] * len(batch)
                except BaseException:  # cancelled: the server is stopping
                    for _, future in batch:
                        future.cancel()
                    raise
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # its client went away while the commit ran
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self._committer = None

    async def log_event(self, *args: Any) -> None:
        """Record a honeypot or tampering event; a storage failure is logged, never answered."""
        try:
            await self.call("log_event", *args)
        except StorageError as exc:
            log.error("storage: could not record a %s event: %s", args[1], exc)

    async def quiet(self, longest: float) -> None:
        """Wait until no application is being taken in, or `longest` seconds."""
        give_up = time.monotonic() + longest
        while self.taking and (wait := min(QUIET_SECONDS, give_up - time.monotonic())) > 0:
            await anyio.sleep(wait)

    def close(self) -> None:
        with self._lock:
            if self._storage is not None:
                self._storage.close()
                self._storage = None

    def today(self) -> dt.date:
        return self.settings.now().astimezone(LONDON).date()


def _backend(request: Request) -> Backend:
    return request.app.state.backend


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "").lower()


def _site_url(manifest: Manifest, form: dict[str, Any], kind: str, settings: Settings) -> str:
    """form_path or thanks_path on the same host; the absolute URL when the site is elsewhere."""
    path, url = form[f"{kind}_path"], form[f"{kind}_url"]
    absolute = settings.absolute_redirects
    if absolute is None:
        base = manifest.region.get("base_url", "")
        absolute = not manifest.same_host or (base and origin_of(url) != origin_of(base))
    return url if absolute else path


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


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
    dist = _backend(request).settings.dist
    if form is not None:
        base = _site_url(manifest, form, "form", _backend(request).settings)
        campaign_path = form["form_path"].rsplit("apply/", 1)[0]
        body = pages.message_page(
            dist, form["form_path"], base, heading, [message], (campaign_path, f"Back to {form['title']}")
        )
    else:
        base = "/" if manifest.same_host else manifest.region.get("base_url", "/")
        body = pages.message_page(dist, "404.html", base, heading, [message], ("/", "Go to the home page"))
    return HTMLResponse(body, status, headers=headers)


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
    backend = _backend(request)
    backend.taking += 1
    try:
        return await _apply(request, backend)
    finally:
        backend.taking -= 1


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
        message = (
            f"Applications for {form['title']} closed on {_long_date(form['closes'])}. "
            "Your answers have not been kept."
            if state is False
            else f"Applications for {form['title']} open on {_long_date(form['opens'])}. "
            "Your answers have not been kept."
        )
        heading = "This campaign has closed" if state is False else "This campaign is not open yet"
        return refuse(request, 410, heading, message, form, manifest)
    if backend.limiter is not None:
        key = guards.client_key(request.scope, request.headers, settings.trust_forwarded)
        if settings.rate_limit_loopback or not guards.is_loopback(key):
            wait = backend.limiter.hit(key)
            if wait:
                minutes = max(1, round(wait / 60))
                return refuse(
                    request,
                    429,
                    "Too many applications",
                    f"You have sent this form too many times in a short time. Wait {minutes} "
                    f"minute{'s' * (minutes != 1)}, then send it again. Your answers have not been sent.",
                    form,
                    manifest,
                    headers={"Retry-After": str(int(wait) + 1)},
                    extra={"retry_after": int(wait) + 1},
                )
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

    for field_id, value in result.tampering:
        log.warning("tampering: %s/%s field %s got %r", council, campaign, field_id, value[:200])
        await backend.log_event(
            settings.now(), "tampering", council, campaign, {"field": field_id, "value": value[:200]}
        )
    if not result.ok:
        if wants_json(request):
            return JSONResponse({"errors": result.errors}, 422, headers=NO_STORE)
        base = _site_url(manifest, form, "form", settings)
        page = pages.error_page(settings.dist, form, base, result.errors, raw_answers(form["fields"], sub))
        return HTMLResponse(page, 422, headers=NO_STORE)

    now = settings.now()
    application = NewApplication(
        council=council,
        campaign=campaign,
        email=str(result.answers.get("email", "")),
        answers=result.answers,
        content_hash=fingerprint(council, campaign, result.answers),
        created_at=now,
        idempotency_key=_idempotency_key(request, sub.fields),
        files={fid: StoredFile(f.filename, f.content_type, f.data) for fid, f in result.files.items()},
    )
    try:
        saved = await backend.save(
            SaveRequest.prepare(
                application,
                lambda: new_reference(manifest.code(council)),
                lambda ref: compose(manifest, form, ref, result.answers, now, settings.mail_from),
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
    if saved.created and backend.wake is not None:
        backend.wake.set()
    return _accepted(request, manifest, form, saved.reference, not saved.created)


def _accepted(request: Request, manifest: Manifest, form: dict, reference: str, duplicate: bool) -> Response:
    if wants_json(request):
        body: dict[str, Any] = {"reference": reference}
        if duplicate:
            body["duplicate"] = True
        return JSONResponse(body, 201, headers=NO_STORE)
    thanks = _site_url(manifest, form, "thanks", _backend(request).settings)
    return RedirectResponse(f"{thanks}?ref={reference}", 303, headers=NO_STORE)


async def health(request: Request) -> Response:
    backend = _backend(request)
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
    backend = _backend(request)
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


async def applications(request: Request) -> Response:
    slug, kind = request.path_params["slug"], request.path_params["kind"]
    denied = await _authorised(request, slug)
    if denied:
        return denied
    backend = _backend(request)
    manifest = backend.manifests.get()
    if kind not in ("csv", "json"):
        return JSONResponse(
            {"error": "Ask for applications.csv or applications.json."}, 404, headers=NO_STORE
        )
    if slug not in manifest.councils:
        return JSONResponse({"error": f"There is no council {slug!r}."}, 404, headers=NO_STORE)
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
    found = await _backend(request).call(
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


async def _drain_loop(backend: Backend) -> None:
    interval = backend.settings.outbox_interval
    backend.wake = anyio.Event()
    more = False
    while True:
        if not more:
            with anyio.move_on_after(interval):
                await backend.wake.wait()
        # A fresh event before the drain, not after it: an application stored while this drain
        # runs wakes the next one at once instead of waiting out the interval.
        backend.wake = anyio.Event()
        await backend.quiet(interval)
        more = False
        try:
            report = await anyio.to_thread.run_sync(lambda: drain(backend.storage, backend.settings))
            if report.sent or report.retried or report.failed:
                log.info("outbox: %s", report.summary())
            more = report.taken >= DRAIN_LIMIT  # a backlog: the next batch at once, not next interval
        except Exception:  # noqa: BLE001 - the loop must outlive one bad drain
            log.exception("outbox drain failed; trying again in %ss", interval)


def create_app(settings: Settings, storage: Storage | None = None) -> Starlette:
    """The backend for one settings (and, for tests, a storage already open)."""
    backend = Backend(settings, storage)

    @asynccontextmanager
    async def lifespan(app: Starlette):  # noqa: ANN202
        try:
            async with anyio.create_task_group() as tasks:
                if settings.outbox_interval > 0:
                    tasks.start_soon(_drain_loop, backend)
                yield
                tasks.cancel_scope.cancel()
        finally:
            backend.wake = None
            backend.close()

    app = Starlette(
        routes=[
            Route("/apply/{council}/{campaign}", apply, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/councils/{slug}/applications.{kind}", applications, methods=["GET"]),
            Route(
                "/councils/{slug}/applications/{reference}/files/{field}", application_file, methods=["GET"]
            ),
        ],
        middleware=[Middleware(guards.CORS, manifest=backend.manifests.get)],
        exception_handlers={
            HTTPException: http_error,
            StorageError: unavailable,
            ManifestError: unavailable,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # /health/ is an unknown address (a JSON 404), not a redirect
    app.state.backend = backend
    return app


def from_environment() -> Starlette:
    """The app of one worker of `recruit backend serve --workers N`, its settings from the
    environment (RECRUIT_*, DATABASE_URL, SMTP_HOST), which the command sets from its options."""
    return create_app(Settings.from_env())
