"""Matching in the workspace: for one of a council's roles with structured requirements, its
applicants and the talent bank's people ranked by fit, each row saying why in plain words (met,
not met, on a route, and the steps left). A requirement marked essential and not met (on no
route) never ranks above one that is met. Bank entries show their number, not who they are,
until the person accepts a council's interest. Every ranking shown is in the audit trail."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..backend import LONDON, backend_of
from ..manifest import Manifest
from ..matching.fitting import LABELS, ranked, requirements_of
from ..storage.staff import StaffSession
from ..storage.workspace import Filters
from .render import page
from .signin import audit, workspace_of
from .views import NotYours, names, scope, staff_only

SHOWN = 100  # rows of a ranking


def roles_with_requirements(manifest: Manifest, council: str) -> list[tuple[str, str]]:
    found = []
    for form in manifest.council_forms(council):
        for role in form.get("roles", []):
            if role.get("requirements"):
                found.append((f"{form['campaign']}/{role['slug']}", f"{role['title']} ({form['title']})"))
    return sorted(found, key=lambda r: r[1])


@staff_only
async def match(request: Request, session: StaffSession) -> Response:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    asked = request.query_params.get("council", "")[:80]
    councils = scope(manifest, session, asked)
    council = councils[0] if councils else ""
    choice = request.query_params.get("role", "")[:200]
    roles = roles_with_requirements(manifest, council) if council else []
    rows: list = []
    needs = None
    if choice:
        if choice not in dict(roles):
            raise NotYours
        campaign, role = choice.split("/", 1)
        needs = requirements_of(manifest, council, campaign, role)
        applicants = await backend.call("matching", [council], Filters(campaign=campaign, role=role))
        professions = (needs or {}).get("profession") or None
        bank = await backend.call("bank_candidates", professions, council)
        people = [(("application", a.reference, str(a.answers.get("full_name", a.reference))), a.answers)
                  for a in applicants]  # fmt: skip
        people += [(("bank", str(person), f"TB-{person:06d}"), profile) for person, profile in bank]
        today = backend.settings.now().astimezone(LONDON).date()
        rows = ranked(manifest, needs or {}, people, today)[:SHOWN]
        await audit(request, session, council, "match", None, role=choice, applicants=len(applicants),
                    bank=len(bank))  # fmt: skip
    label = names(manifest, None)
    return page(
        request, workspace_of(request).env, "match.html", manifest, title="Matching", session=session,
        current="/match", roles=roles, choice=choice, rows=rows, needs=needs, outcome_names=LABELS,
        council=council, council_choices=sorted(label["council_names"].items(), key=lambda c: c[1])
        if session.user.council is None else [],
        scope_name=label["council_names"].get(council, "Choose a council"),
    )  # fmt: skip
