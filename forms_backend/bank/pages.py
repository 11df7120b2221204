"""The person's own talent bank page, reached by the private link in every email we send them
(no account, no cookie): what is held about them, their preferences and availability to change,
staying in when their consent is ending, leaving the bank, or erasing everything (the same erase
as `recruit applications erase`). Leaving and erasing take effect at once.

Answered with no-store, no Referer (the link is in the address) and the workspace's CSP. A link
changed, too old, or whose person is gone gets a clear page, never the person's data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from email_validator import EmailNotValidError, validate_email
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..backend import backend_of
from ..matching import fitting
from ..parsing import URLENCODED, BadRequest, media_type, parse_body
from ..responses import too_often
from ..storage.bank import BankPerson
from ..workspace.render import HEADERS, day, source_name
from . import links, next_steps, wording
from . import mail as bank_mail

HERE = Path(__file__).parent
PAGE_HEADERS = {**HEADERS, "Referrer-Policy": "no-referrer"}
ROLE_KINDS = (("social-work", "Social work"), ("occupational-therapy", "Occupational therapy"),
              ("nursing", "Nursing and midwifery"), ("therapy", "Physiotherapy and other therapies"),
              ("care-and-support", "Care and support work"), ("other", "Something else"))  # fmt: skip
HOURS = (("full-time", "Full time"), ("part-time", "Part time"), ("either", "Either"))
REFUSED = {
    "tampered": ("This link does not work", "The link is not complete, or it was changed. Open it again "
                 "from the email we sent you, or copy all of it into your browser."),
    "expired": ("This link has expired", "Links to your page work for 6 months. Every email we send you "
                "has a new one, or ask for one now: see the link below."),
    "gone": ("There is nothing in the talent bank for this link", "You may have left the talent bank, or "
             "asked us to erase what we held. If you want to join again, tick the talent bank box when "
             "you next apply."),
}  # fmt: skip


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        # the bank's own pages first (base.html), then the workspace's macros (the error summary)
        loader=jinja2.FileSystemLoader([HERE / "templates", HERE.parent / "workspace" / "templates"]),
        autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.filters.update(day=day, source=source_name)
    return env


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    manifest = backend_of(request).manifests.get()
    env = request.app.state.bank_pages
    base = request.scope.get("root_path", "")
    shared = {"region_name": manifest.region.get("name", "Recruitment"), "errors": {}, "notice": "",
              "css": f"{base}/workspace/static/workspace.css",
              "home": f"{base}/bank/{request.path_params.get('token', '')}"}  # fmt: skip
    return HTMLResponse(
        env.get_template(template).render(**{**shared, **context}), status, headers=PAGE_HEADERS
    )


def _refused(request: Request, reason: str) -> HTMLResponse:
    title, text = REFUSED[reason]
    again = (f"{request.scope.get('root_path', '')}/bank/link", "Email me a new link")
    return _render(request, "message.html", 404 if reason == "gone" else 410 if reason == "expired" else 400,
                   title=title, paragraphs=[text], back=again if reason != "gone" else None)  # fmt: skip


async def ask_for_link(request: Request) -> Response:
    """GET: the form; POST: a new private link emailed to the address, if the bank has it (the
    page says the same either way, so nobody learns who is in the bank)."""
    if request.method == "GET":
        return _render(request, "link.html", title="Email me a new link", address="")
    limited = too_often(request, "bank-link", "Nothing was sent", "this form")
    if limited:
        return limited
    try:
        fields = await _fields(request)
    except BadRequest as exc:
        return _render(request, "message.html", 400, title="Nothing was sent", paragraphs=[exc.message])
    typed = (fields.get("email") or [""])[0].strip()
    try:
        address = validate_email(typed, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        error = {"email": "Enter an email address in the correct format, like name@example.com"}
        return _render(
            request, "link.html", 400, title="Error: email me a new link", address=typed, errors=error
        )
    backend = backend_of(request)
    manifest, now, secret = backend.manifests.get(), backend.settings.now(), await backend.bank_secret()

    def compose(email: str, name: str) -> bytes:
        return bank_mail.new_link(manifest, secret, email, name, now, backend.settings.mail_from)

    await backend.call("bank_send_link", address, now, compose)
    said = f"If {address} is in the talent bank, we have sent it a new link to your page (for 6 months)."
    return _render(request, "message.html", title="Check your email", paragraphs=[said])


async def _person(request: Request) -> BankPerson | str:
    """The person the link names, or the reason it cannot be used."""
    backend = backend_of(request)
    try:
        digest = links.read(await backend.bank_secret(), request.path_params["token"], backend.settings.now())
    except links.LinkRefused as exc:
        return exc.reason
    person = await backend.call("bank_person", digest)
    return person if person is not None else "gone"


def _page(request: Request, person: BankPerson, status: int = 200, errors: dict | None = None,
          form: dict | None = None, notice: str = "") -> HTMLResponse:  # fmt: skip
    manifest = backend_of(request).manifests.get()
    councils = sorted(
        ((slug, c.get("name", slug)) for slug, c in manifest.councils.items()), key=lambda c: c[1]
    )
    names = dict(councils)
    titles = {(f["council"], f["campaign"]): f["title"] for f in manifest.forms}
    chosen = form or {
        "councils": person.councils, "role_kinds": person.role_kinds, "hours": person.hours or "",
        "travel_miles": person.travel_miles or "", "available_from": person.available_from or "",
        "stay_when_placed": person.stay_when_placed,
    }  # fmt: skip
    route = fitting.route_of(manifest, person.profile, backend_of(request).settings.now().date())
    answers = wording.answer_lines(manifest, person.profile)
    expires = dt.datetime.fromisoformat(person.expires_at)
    ending = expires - backend_of(request).settings.now() <= dt.timedelta(days=31)
    return _render(
        request, "person.html", status, person=person, council_names=names, council_choices=councils,
        campaign_titles=titles, role_kinds=ROLE_KINDS, hours=HOURS, chosen=chosen, errors=errors or {},
        notice=notice, ending=ending, route=route, answers=answers,
        months=int(manifest.region.get("talent_bank_months", 12)),
        base=f"{request.scope.get('root_path', '')}/bank/{request.path_params['token']}",
        title="Your talent bank page" if not errors else "Error: your talent bank page",
    )  # fmt: skip


async def show(request: Request) -> Response:
    person = await _person(request)
    if isinstance(person, str):
        return _refused(request, person)
    notice = {
        "saved": "Your choices are saved.",
        "stayed": "You are staying in the talent bank.",
        "confirmed": "You are in the talent bank: councils can find you now.",
    }.get(request.query_params.get("done", ""), "")
    return _page(request, person, notice=notice)


async def _fields(request: Request) -> dict[str, list[str]]:
    body = await request.body()
    if not body:  # every box left unticked
        return {}
    if len(body) > 8192 or media_type(request.headers.get("content-type"))[0] != URLENCODED:
        raise BadRequest(400, "Send the form from your talent bank page.")
    return parse_body(body, request.headers.get("content-type"), 60).fields


def preferences_of(fields: dict[str, list[str]], councils: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The page's form read and checked: (values, errors by field id)."""
    errors: dict[str, str] = {}
    chosen = {
        "councils": [c for c in fields.get("councils", []) if c in councils],
        "role_kinds": [k for k in fields.get("role_kinds", []) if k in dict(ROLE_KINDS)],
        "hours": (fields.get("hours") or [""])[0] if (fields.get("hours") or [""])[0] in dict(HOURS) else "",
        "travel_miles": (fields.get("travel_miles") or [""])[0].strip(),
        "available_from": (fields.get("available_from") or [""])[0].strip(),
        "stay_when_placed": bool(fields.get("stay_when_placed")),
    }
    if chosen["travel_miles"] and not (
        chosen["travel_miles"].isdigit() and int(chosen["travel_miles"]) <= 200
    ):
        errors["travel_miles"] = "Enter how far you will travel as a whole number of miles, from 0 to 200"
    if chosen["available_from"]:
        try:
            dt.date.fromisoformat(chosen["available_from"])
        except ValueError:
            errors["available_from"] = "Enter the date you could start, like 2027-01-04"
    return chosen, errors


async def save_preferences(request: Request) -> Response:
    person = await _person(request)
    if isinstance(person, str):
        return _refused(request, person)
    backend = backend_of(request)
    try:
        fields = await _fields(request)
    except BadRequest as exc:
        return _render(
            request, "message.html", 400, title="Your choices were not saved", paragraphs=[exc.message]
        )
    chosen, errors = preferences_of(fields, set(backend.manifests.get().councils))
    if errors:
        return _page(request, person, 400, errors, chosen)
    miles = int(chosen["travel_miles"]) if chosen["travel_miles"] else None
    await backend.call(
        "bank_update", person.id, backend.settings.now(), chosen["councils"], chosen["role_kinds"],
        chosen["hours"] or None, miles, chosen["available_from"] or None, chosen["stay_when_placed"],
    )  # fmt: skip
    return RedirectResponse(f"{request.url.path.rsplit('/', 1)[0]}?{urlencode({'done': 'saved'})}", 303,
                            headers=PAGE_HEADERS)  # fmt: skip


async def stay(request: Request) -> Response:
    person = await _person(request)
    if isinstance(person, str):
        return _refused(request, person)
    backend = backend_of(request)
    months = int(backend.manifests.get().region.get("talent_bank_months", 12))
    await backend.call("bank_stay", person.id, backend.settings.now(), months)
    done = "confirmed" if person.pending else "stayed"
    return RedirectResponse(f"{request.url.path.rsplit('/', 1)[0]}?done={done}", 303, headers=PAGE_HEADERS)


async def leave(request: Request) -> Response:
    person = await _person(request)
    if isinstance(person, str):
        return _refused(request, person)
    await backend_of(request).call("bank_leave", person.id)
    return _render(request, "message.html", title="You have left the talent bank", paragraphs=[
        "Councils can no longer find you or contact you through the talent bank, and what the bank "
        "held about you is deleted.", "Your applications stay with the councils you sent them to, "
        "for as long as their privacy notices say."])  # fmt: skip


async def erase(request: Request) -> Response:
    person = await _person(request)
    if isinstance(person, str):
        return _refused(request, person)
    try:
        fields = await _fields(request)
    except BadRequest as exc:
        return _render(request, "message.html", 400, title="Nothing was erased", paragraphs=[exc.message])
    if fields.get("confirm") != ["erase"]:
        return _page(request, person, 400, {"confirm": "Tick the box to confirm you want everything erased"})
    await backend_of(request).call("erase", person.email)
    return _render(request, "message.html", title="Everything is erased", paragraphs=[
        "Your talent bank entry, your applications, their files and the emails about them are erased, "
        "in every council of the region. This cannot be undone."])  # fmt: skip


def _role_title(request: Request, council: str, campaign: str | None, role: str | None) -> str:
    manifest = backend_of(request).manifests.get()
    form = manifest.form(council, campaign or "") or {}
    for spec in form.get("fields", []):
        if spec["id"] == "role":
            for option in spec.get("options") or []:
                if option["value"] == role:
                    return f"{option['label']} ({form.get('title', campaign)})"
    return form.get("title", "a job")


async def contact(request: Request) -> Response:
    """A council's interest: who and for what, and the person's yes or no (once)."""
    person = await _person(request)
    if isinstance(person, str):
        return _refused(request, person)
    backend = backend_of(request)
    number = request.path_params["contact"]
    found = await backend.call("bank_contact_of", person.id, int(number)) if number.isdigit() else None
    if found is None:
        return _refused(request, "gone")
    council, campaign, role, answer = found
    council_name = backend.manifests.get().councils.get(council, {}).get("name", council)
    if request.method == "POST" and answer is None:
        try:
            fields = await _fields(request)
        except BadRequest as exc:
            return _render(request, "message.html", 400, title="Nothing was sent", paragraphs=[exc.message])
        chosen = (fields.get("answer") or [""])[0]
        if chosen not in ("accepted", "declined"):
            return _render(request, "contact.html", 400, title="Error: answer " + council_name, person=person,
                           council_name=council_name, role=_role_title(request, council, campaign, role),
                           answer=None, errors={"answer-yes": "Select yes or no"})  # fmt: skip
        await backend.call("bank_answer", person.id, int(number), chosen, backend.settings.now())
        answer = chosen
    title = f"{council_name} would like to talk to you"
    return _render(request, "contact.html", title=title, person=person, council_name=council_name,
                   role=_role_title(request, council, campaign, role), answer=answer)  # fmt: skip


def routes() -> list[BaseRoute]:
    return [
        Route("/bank/link", ask_for_link, methods=["GET", "POST"]),
        Route("/bank/{token}", show, methods=["GET"]),
        Route("/bank/{token}/preferences", save_preferences, methods=["POST"]),
        Route("/bank/{token}/stay", stay, methods=["POST"]),
        Route("/bank/{token}/leave", leave, methods=["POST"]),
        Route("/bank/{token}/erase", erase, methods=["POST"]),
        Route("/bank/{token}/contacts/{contact}", contact, methods=["GET", "POST"]),
        Route("/next/{council}/{campaign}/{reference}/{signature}", next_steps.page, methods=["GET"]),
    ]
