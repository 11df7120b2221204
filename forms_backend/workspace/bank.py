"""The talent bank in the workspace: councils' people and the coordinator search it, open an
entry (what the person agreed to share, and a number: no name, no address), and a council's
editors express interest in one for a role, which sends the person a message through the outbox
naming the council and the role. The person's name, address and applications are shown to a
council once the person accepts its interest. Every search, entry opened and contact is in the
audit trail."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import backend_of
from ..bank import mail as bank_mail
from ..bank import wording
from ..manifest import Manifest
from ..matching.profile import PROFESSION_NAMES
from ..storage.bank_search import BankFilters, BankRow
from ..storage.staff import StaffSession
from .render import base_path, page
from .signin import audit, form_of, workspace_of
from .views import BadFilter, NotYours, _date, staff_only

PAGE = 50
PROFESSIONS = tuple(PROFESSION_NAMES.items())
BODIES = (("NMC", "NMC"), ("HCPC", "HCPC"), ("SWE", "Social Work England"), ("GMC", "GMC"), ("none", "None"))
STATES = (("registered", "Registered in the UK"), ("lapsed", "Lapsed"),
          ("qualified-abroad", "Qualified abroad"), ("training", "Training in the UK"),
          ("none", "Not registered"))  # fmt: skip
ENGLISH = (("ielts-academic", "IELTS Academic"), ("ielts-general", "IELTS General"), ("oet", "OET"),
           ("none", "None yet"))  # fmt: skip
HOURS = (("full-time", "Full time"), ("part-time", "Part time"))
CHOICES = {"profession": PROFESSIONS, "registration_body": BODIES, "registration_state": STATES,
           "english_test": ENGLISH, "hours": HOURS}  # fmt: skip


def read_bank_filters(request: Request, manifest: Manifest) -> tuple[dict[str, str], BankFilters]:
    q = {key: request.query_params.get(key, "")[:200] for key in
         (*CHOICES, "council", "available", "joined", "q", "page")}  # fmt: skip
    for key, options in CHOICES.items():
        if q[key] and q[key] not in dict(options):
            raise BadFilter(f"There is no {key.replace('_', ' ')} {q[key][:40]!r}.")
    if q["council"] and q["council"] not in manifest.councils:
        raise BadFilter("There is no such council in the region.")
    filters = BankFilters(
        profession=q["profession"], registration_body=q["registration_body"],
        registration_state=q["registration_state"], english_test=q["english_test"], hours=q["hours"],
        council=q["council"], available_by=_date(q["available"], "Available by"),
        joined_since=_date(q["joined"], "Joined since"), text=q["q"],
    )  # fmt: skip
    return q, filters


def _labels(manifest: Manifest) -> dict:
    return {
        "council_names": {slug: c.get("name", slug) for slug, c in manifest.councils.items()},
        "choices": {key: dict(options) for key, options in CHOICES.items()},
    }


@staff_only
async def search(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    q, filters = read_bank_filters(request, manifest)
    number = int(q["page"]) if q["page"].isdigit() and int(q["page"]) > 0 else 1
    rows, total = await backend.call("bank_search", filters, PAGE, (number - 1) * PAGE)
    shown = {k: v for k, v in q.items() if v and k != "page"}
    await audit(request, session, session.user.council, "bank-search", results=total, filters=shown)
    labels = _labels(manifest)
    return page(
        request, workspace_of(request).env, "bank.html", manifest, title="Talent bank", session=session,
        current="/bank", rows=rows, total=total, query=q, page_number=number,
        pages=max(1, -(-min(total, 1000) // PAGE)), options=CHOICES,
        council_choices=sorted(labels["council_names"].items(), key=lambda c: c[1]), **labels,
    )  # fmt: skip


def _roles(manifest: Manifest, council: str | None) -> list[tuple[str, str]]:
    """(council/campaign/role, "Role title (campaign title)") for every role of the council's
    campaigns; for the coordinator (None), every council's, with the council named."""
    found = []
    for slug in [council] if council else sorted(manifest.councils):
        name = manifest.councils.get(slug, {}).get("name", slug)
        for form in manifest.council_forms(slug):
            for spec in form["fields"]:
                if spec["id"] == "role":
                    found += [(f"{slug}/{form['campaign']}/{o['value']}",
                               f"{o['label']} ({form['title']})" + ("" if council else f", {name}"))
                              for o in spec.get("options") or []]  # fmt: skip
    return sorted(found, key=lambda r: r[1])


async def _entry_page(request: Request, session: StaffSession, status: int = 200, errors: dict | None = None,
                      notice: str = "") -> Response:  # fmt: skip
    backend = backend_of(request)
    manifest = backend.manifests.get()
    person_id = request.path_params["person"]
    if not person_id.isdigit():
        raise NotYours
    entry: BankRow | None = await backend.call("bank_entry", int(person_id), session.user.council)
    if entry is None:
        raise NotYours  # hidden, placed, left or erased: nobody's to see
    await audit(request, session, session.user.council, "bank-view", entry.handle)
    council = session.user.council
    shared = {
        k: v for k, v in entry.profile.items() if k != "postcode_district"
    }  # where they live: not shown
    return page(
        request, workspace_of(request).env, "bank_entry.html", manifest, status, title=entry.handle,
        session=session, current="/bank", entry=entry, roles=_roles(manifest, council),
        errors=errors or {}, notice=notice, error_summary=bool(errors), may_contact=session.user.may_move,
        answers=wording.answer_lines(manifest, shared),
        **_labels(manifest),
    )  # fmt: skip


@staff_only
async def entry(request: Request, session: StaffSession) -> Response:
    done = request.query_params.get("done", "")
    return await _entry_page(request, session, notice="Your interest was sent. You will see their details "
                             "here if they accept." if done == "sent" else "")  # fmt: skip


@staff_only
async def express_interest(request: Request, session: StaffSession) -> Response:
    fields, refused = await form_of(request, session)
    if refused:
        return refused
    if not session.user.may_move:
        raise NotYours  # editors (for their council's roles) and the coordinator (for any council's)
    backend = backend_of(request)
    manifest = backend.manifests.get()
    choice = str(fields.get("role", ""))
    roles = dict(_roles(manifest, session.user.council))
    if choice not in roles:
        return await _entry_page(
            request, session, 400, {"role": "Select the role you are interested in them for"}
        )
    council, campaign, role = choice.split("/", 2)
    person_id, now = int(request.path_params["person"]), backend.settings.now()
    secret = await backend.bank_secret()
    council_name = manifest.councils[council].get("name", council)

    def compose(contact: int, email: str, name: str) -> bytes:
        return bank_mail.interest(manifest, secret, email, name, council_name, roles[choice], contact, now,
                                  backend.settings.mail_from)  # fmt: skip

    cap = int(manifest.region.get("talent_bank_contacts_per_month", 3))
    outcome = await backend.call("bank_contact", person_id, council, campaign, role, session.user.email, now,
                                 cap, compose)  # fmt: skip
    if outcome == "gone":
        raise NotYours
    if outcome in ("capped", "pending"):
        message = (
            f"They have had {cap} messages from councils in the last 30 days: try again later"
            if outcome == "capped"
            else "Your council's last message to them is not answered yet"
        )
        return await _entry_page(request, session, 400, {"role": message})
    await audit(request, session, council, "bank-contact", f"TB-{person_id:06d}", role=choice)
    where = f"{base_path(request)}/bank/{person_id}?{urlencode({'done': 'sent'})}"
    return RedirectResponse(where, 303)
