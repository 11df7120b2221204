"""POST /ratings: the thank-you page's one-question survey ("Overall, how did you feel about
applying today?"), a plain form that works without JavaScript.

Checked in turn (the post comes from one of the region's sites, the sender is within the rate
limit, the body is a small form naming a campaign of the manifest and a score from 1 to 5), then
kept as the day, the council, the campaign and the score alone: no reference, no address, no
time of day, no cookie. Ratings arriving together share a commit. A browser is sent on to the
campaign's feedback page (303), a script (Accept: application/json) gets 204; a refusal is a
page of the council's site saying why, or JSON.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import guards, pages
from ..apply import read_body
from ..backend import backend_of
from ..manifest import Manifest
from ..parsing import URLENCODED, BadRequest, media_type, parse_body
from ..responses import NO_STORE, refuse, site_url, too_often, wants_json
from ..storage import StorageError

log = logging.getLogger("forms_backend")

MAX_BODY = 2048
MAX_FIELDS = 10
SCORES = {str(score): score for score in range(1, 6)}  # 5 very satisfied ... 1 very dissatisfied
NOT_SENT = "Your feedback was not sent"


class BadRating(ValueError):
    """A rating that names no campaign of the region (`form` None), or no score: answered 400,
    nothing kept."""

    def __init__(self, message: str, form: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.form = form


def rating_of(manifest: Manifest, fields: dict[str, list[str]]) -> tuple[dict[str, Any], int]:
    """The campaign's form and the score of a posted rating, checked against the manifest."""
    council, campaign, score = ((fields.get(name) or [""])[0] for name in ("council", "campaign", "score"))
    form = manifest.form(council, campaign)
    if form is None:
        raise BadRating(
            "This feedback names no campaign of the region's. Go back to the page you came from "
            "and send it from there."
        )
    if score not in SCORES:
        message = "Select how you felt about applying today, from Very satisfied to Very dissatisfied."
        raise BadRating(message, form)
    return form, SCORES[score]


async def rate(request: Request) -> Response:
    """POST /ratings: council, campaign and score, as the thank-you page's form sends them."""
    backend = backend_of(request)
    manifest = backend.manifests.get()
    refused = guards.origin_refused(request.headers, manifest)
    if refused:
        return refuse(request, 403, NOT_SENT, refused, manifest=manifest)
    # counted apart from applications: answering the survey never keeps anyone from applying
    limited = too_often(request, "ratings", NOT_SENT, "feedback", manifest=manifest)
    if limited:
        return limited
    content_type = request.headers.get("content-type")
    if media_type(content_type)[0] != URLENCODED:
        message = f"Send the feedback as {URLENCODED}, as the form on the thank-you page does."
        return refuse(request, 415, NOT_SENT, message, manifest=manifest)
    try:
        body = await read_body(request, MAX_BODY)
        fields = parse_body(body, content_type, MAX_FIELDS).fields
    except ClientDisconnect:
        return Response(status_code=400)
    except BadRequest as exc:
        message = "This feedback is longer than 2 KB: nothing was kept." if exc.status == 413 else exc.message
        return refuse(request, exc.status, NOT_SENT, message, manifest=manifest)
    try:
        form, score = rating_of(manifest, fields)
    except BadRating as exc:
        return _refused(request, manifest, exc.form, str(exc))
    try:
        await backend.ratings.save((backend.today(), form["council"], form["campaign"], score))
    except StorageError as exc:
        log.error("storage: %s", exc)
        message = "Your feedback could not be saved, so nothing was kept. Try again in a few minutes."
        return _refused(request, manifest, form, message, 503)
    if wants_json(request):
        return Response(status_code=204, headers=NO_STORE)
    kind = "feedback" if "feedback_path" in form else "thanks"  # a manifest from before the survey
    return RedirectResponse(site_url(manifest, form, kind, backend.settings), 303, headers=NO_STORE)


def _refused(
    request: Request, manifest: Manifest, form: dict[str, Any] | None, message: str, status: int = 400
) -> Response:
    """A refusal as JSON, or as the campaign's thank-you page saying why, with a way back to the
    question (the region's 404 page when the post names no campaign)."""
    if form is None or wants_json(request):
        return refuse(request, status, NOT_SENT, message, manifest=manifest)
    settings = backend_of(request).settings
    thanks = site_url(manifest, form, "thanks", settings)
    back = (f"{thanks}#score-0", "Go back to the question")
    body = pages.message_page(settings.dist, form["thanks_path"], thanks, NOT_SENT, [message], back)
    return HTMLResponse(body, status, headers=NO_STORE)
