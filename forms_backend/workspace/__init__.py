"""The councils' workspace: HR teams and the region's coordinator work applications in the
browser, at /workspace/ in the backend (beside /api/ when `recruit serve` runs both).

auth.py     sign-in links, sessions, CSRF        signin.py   signing in and out, shared helpers
views.py    the list, one application, moves     overview.py the overview, audit trail, people
evaluation.py  the evaluation report (and ../evaluation/: counting, rollups, the report itself)
render.py   templates, headers, the stylesheet
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .. import guards
from ..backend import backend_of
from . import bank, evaluation, matching, overview, signin, views
from .render import base_path, environment, stylesheet
from .signin import Workspace

__all__ = ["Workspace", "make", "routes"]

# Asks for a sign-in link from one client (per process): enough for an office behind one address.
ASKS_PER_CLIENT = (20, 900.0)


def make() -> Workspace:
    return Workspace(environment(), guards.RateLimiter(*ASKS_PER_CLIENT))


async def home(request: Request) -> Response:
    target = "/applications" if await signin.signed_in(request) else "/sign-in"
    return RedirectResponse(base_path(request) + target, 303, headers={"Cache-Control": "no-store"})


async def css(request: Request) -> Response:
    return stylesheet(backend_of(request).settings.dist)


def routes() -> list[BaseRoute]:
    return [
        Route("/workspace", home, methods=["GET"]),
        Mount(
            "/workspace",
            routes=[
                Route("/", home, methods=["GET"]),
                Route("/static/workspace.css", css, methods=["GET"]),
                Route("/sign-in", signin.sign_in_page, methods=["GET"]),
                Route("/sign-in", signin.ask_for_link, methods=["POST"]),
                Route("/sign-in/{token}", signin.confirm_page, methods=["GET"]),
                Route("/sign-in/{token}", signin.use_link, methods=["POST"]),
                Route("/sign-out", signin.sign_out, methods=["POST"]),
                Route("/applications", views.applications, methods=["GET"]),
                Route("/applications.{kind}", views.export_list, methods=["GET"]),
                Route("/applications/move", views.move_many, methods=["POST"]),
                Route("/applications/{reference}", views.application, methods=["GET"]),
                Route("/applications/{reference}/move", views.move_one, methods=["POST"]),
                Route("/applications/{reference}/files/{field}", views.application_file, methods=["GET"]),
                Route("/overview", overview.overview, methods=["GET"]),
                Route("/evaluation", evaluation.evaluation, methods=["GET"]),
                Route("/evaluation.{kind}", evaluation.evaluation_file, methods=["GET"]),
                Route("/match", matching.match, methods=["GET"]),
                Route("/bank", bank.search, methods=["GET"]),
                Route("/bank/{person}", bank.entry, methods=["GET"]),
                Route("/bank/{person}/interest", bank.express_interest, methods=["POST"]),
                Route("/audit", overview.audit_trail, methods=["GET"]),
                Route("/audit.csv", overview.audit_csv, methods=["GET"]),
                Route("/users", overview.people, methods=["GET"]),
                Route("/users/add", overview.add_person, methods=["POST"]),
                Route("/users/remove", overview.remove_person, methods=["POST"]),
            ],
        ),
    ]
