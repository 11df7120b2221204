"""POST /bank/join/{council}/{campaign}: joining the talent bank on its own form, without applying.

Every campaign that offers the bank (its apply form asks the talent bank question) has the form
at <campaign>/talent-bank/, open or closed: the bank outlives campaigns. Checked in turn (the
campaign offers the bank, the post comes from one of the region's sites, the sender is within
the rate limit counted apart from applications, the body is a small form), then validated with
the apply form's rules (validation.py): a name, an email address, what the person does and the
hours they want from fixed lists, and both boxes ticked. Kept as one entry by email, with its
consent and the email carrying the private link, in one commit (`join_bank_alone`); joining
again renews the consent. A browser is sent on to the "joined" page (303), a script gets 204;
mistakes are the built form again with its error summary (or 422 JSON). No cookie.

The page's questions are the generator's (generator/bank_form.py); these are their rules and
messages, for the same ids and values.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import Any

from email_validator import EmailNotValidError, validate_email
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .. import guards, pages
from ..apply import read_body
from ..backend import backend_of
from ..manifest import Manifest
from ..matching.profile import PROFESSION_NAMES
from ..parsing import URLENCODED, BadRequest, media_type, parse_body
from ..responses import NO_STORE, refuse, site_url, too_often, wants_json
from ..storage import StorageError
from ..validation import raw_answers, validate
from . import joining, mail

log = logging.getLogger("forms_backend")

MAX_BODY = 4096
MAX_FIELDS = 20
HONEYPOT = "website"
NOT_JOINED = "You have not joined the talent bank"
# The values the page's options post (generator/bank_form.py), as the confirmation email names them.
OFFERED = ("registered-nurse", "midwife", "social-worker", "occupational-therapist", "physiotherapist",
           "speech-and-language-therapist", "care-worker", "support-worker", "other")  # fmt: skip
PROFESSIONS = {value: PROFESSION_NAMES[value] for value in OFFERED}
HOURS = {"full-time": "Full-time", "part-time": "Part-time", "either": "Full-time or part-time"}


def _choice(fid: str, values: dict[str, str], message: str) -> dict[str, Any]:
    options = [{"value": value} for value in values]
    return {"id": fid, "type": "radios", "required": True, "options": options,
            "messages": {"required": message, "option": message}}  # fmt: skip


FIELDS: list[dict[str, Any]] = [
    {"id": "full_name", "type": "text", "required": True, "max_length": 200, "label": "Full name",
     "messages": {"required": "Enter your full name",
                  "too_long": "Full name must be 200 characters or fewer"}},
    {"id": "email", "type": "email", "required": True, "max_length": 254, "label": "Email address",
     "messages": {"required": "Enter your email address",
                  "format": "Enter an email address in the correct format, like name@example.com",
                  "too_long": "Email address must be 254 characters or fewer"}},
    _choice("profession", PROFESSIONS, "Select what you do, or what you trained as"),
    _choice("hours", HOURS, "Select the hours you would like to work"),
    {"id": joining.CONSENT_FIELD, "type": "consent", "required": True, "label": "Regional talent bank",
     "messages": {"required": "Confirm that you want to join the talent bank"}},
    {"id": "privacy_consent", "type": "consent", "required": True, "label": "Your data",
     "messages": {"required": "Confirm that you have read the privacy notice"}},
]  # fmt: skip


def bank_form(manifest: Manifest, council: str, campaign: str) -> dict[str, Any] | None:
    """The campaign's form in the manifest, when it offers the talent bank (asks its question)."""
    form = manifest.form(council, campaign)
    if form is None or not any(spec["id"] == joining.CONSENT_FIELD for spec in form["fields"]):
        return None
    return form


def paths(form: dict[str, Any]) -> dict[str, str]:
    """Where the join page and the page after it are (the manifest has the apply page's; the
    generator puts the bank's beside it, at <campaign>/talent-bank/), for `site_url`."""
    path, url = (form[key].rsplit("apply/", 1)[0] + "talent-bank/" for key in ("form_path", "form_url"))
    return {
        "join_path": path,
        "join_url": url,
        "joined_path": f"{path}joined/",
        "joined_url": f"{url}joined/",
    }


def address(value: str) -> str:
    """The address as the bank keys a person by: normalised by email-validator, lower-case."""
    with contextlib.suppress(EmailNotValidError):  # validate() accepted it: email_ok's rule, a subset
        value = validate_email(value, check_deliverability=False, allow_smtputf8=False).normalized
    return value.strip().lower()


async def join(request: Request) -> Response:
    backend = backend_of(request)
    settings = backend.settings
    manifest = backend.manifests.get()
    council, campaign = request.path_params["council"], request.path_params["campaign"]
    form = bank_form(manifest, council, campaign)
    if form is None:
        message = "There is no talent bank form at this address. Check the address and try again."
        return refuse(request, 404, "Page not found", message, manifest=manifest)
    where = paths(form)
    # refusals are shown on the join page, with a way back to the form
    page = {"form_path": where["join_path"], "form_url": where["join_url"], "title": "the talent bank form"}
    refused = guards.origin_refused(request.headers, manifest)
    if refused:
        return refuse(request, 403, NOT_JOINED, refused, page, manifest)
    limited = too_often(request, "bank-join", NOT_JOINED, "this form", " Your details have not been kept.",
                        page, manifest)  # fmt: skip
    if limited:
        return limited
    content_type = request.headers.get("content-type")
    if media_type(content_type)[0] != URLENCODED:
        message = f"Send the form as {URLENCODED}, as the talent bank's page does."
        return refuse(request, 415, NOT_JOINED, message, page, manifest)
    try:
        sub = parse_body(await read_body(request, MAX_BODY), content_type, MAX_FIELDS)
    except ClientDisconnect:
        return Response(status_code=400)
    except BadRequest as exc:
        message = "This form is longer than 4 KB: nothing was kept." if exc.status == 413 else exc.message
        return refuse(request, exc.status, NOT_JOINED, message, page, manifest)

    consent = next(spec for spec in form["fields"] if spec["id"] == joining.CONSENT_FIELD)
    fields = [{**spec, "label": consent["label"]} if spec["id"] == consent["id"] else spec for spec in FIELDS]
    if any(v.strip() for v in sub.fields.get(HONEYPOT, [])):
        # a bot filled the field people cannot see: it is told it succeeded and nothing is kept
        await backend.log_event(settings.now(), "honeypot", council, campaign, {"form": "bank-join"})
        return _joined(request, manifest, where)
    result = validate(fields, sub)
    await backend.log_tampering(council, campaign, result.tampering, "bank join")
    if not result.ok:
        if wants_json(request):
            return JSONResponse({"errors": result.errors}, 422, headers=NO_STORE)
        base = site_url(manifest, where, "join", settings)
        shown = {"form_path": where["join_path"], "fields": fields}
        body = pages.error_page(settings.dist, shown, base, result.errors, raw_answers(fields, sub))
        return HTMLResponse(body, 422, headers=NO_STORE)

    answers, now = result.answers, settings.now()
    email = address(str(answers["email"]))
    found = joining.join_of(manifest, form, answers)
    assert found is not None  # the box is required, so it was ticked
    profile = {"profession": answers["profession"], "hours": answers["hours"]}
    bank = dataclasses.replace(found, profile=profile)
    secret = await backend.bank_secret()
    told = [
        f"What you do: {PROFESSIONS[str(profile['profession'])]}",
        f"Hours: {HOURS[str(profile['hours'])]}",
    ]

    def compose(pending: bool) -> bytes:
        return mail.joined(
            manifest, secret, email, bank, now, form["title"], told, settings.mail_from, pending
        )

    try:
        await backend.call("join_bank_alone", bank, email, now, council, campaign, compose)
    except StorageError as exc:
        log.error("storage: %s", exc)
        message = "Your details could not be saved, so nothing was kept. Try again in a few minutes."
        return refuse(request, 503, NOT_JOINED, message, page, manifest)
    backend.outbox.wake()
    return _joined(request, manifest, where)


def _joined(request: Request, manifest: Manifest, where: dict[str, str]) -> Response:
    if wants_json(request):
        return Response(status_code=204, headers=NO_STORE)
    target = site_url(manifest, where, "joined", backend_of(request).settings)
    return RedirectResponse(target, 303, headers=NO_STORE)
