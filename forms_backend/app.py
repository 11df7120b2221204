"""The backend as an ASGI app: `create_app(settings)`, the one factory; no global state.

POST /apply/{council}/{campaign}  an application (form-urlencoded or multipart)     apply.py
GET  /health                      storage reachable, manifest version              admin.py
GET  /councils/{slug}/applications.csv|.json, .../applications/{ref}/files/{field}  with a token
     /workspace/...                    the councils' workspace, for signed-in staff  workspace/
POST /events, GET /events.gif         page views, counted without cookies   evaluation/intake.py

Mounted under /api/ beside the sites (generator/serve.py), alone (`recruit backend serve`), or
behind Mangum on AWS Lambda (lambda_handler.py). One app's state is a Backend (backend.py):
its storage, the committer that shares commits among applications (committer.py), and the
outbox sent in the background (outbox.py). How it answers and refuses: responses.py.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from . import guards, workspace
from .admin import application_file, applications, health
from .apply import apply
from .backend import Backend
from .bank import join as bank_join
from .bank import pages as bank_pages
from .evaluation import intake, ratings, rollup
from .manifest import ManifestError
from .responses import http_error, server_error, unavailable
from .settings import Settings
from .storage import Storage, StorageError

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings, storage: Storage | None = None) -> Starlette:
    """The backend for one settings (and, for tests, a storage already open)."""
    backend = Backend(settings, storage)

    @asynccontextmanager
    async def lifespan(app: Starlette):  # noqa: ANN202
        try:
            async with anyio.create_task_group() as tasks:
                if settings.outbox_interval > 0:
                    tasks.start_soon(backend.outbox.run)
                if settings.rollup_interval > 0:
                    tasks.start_soon(rollup.run, lambda: backend.storage, settings, backend.manifests.get)
                yield
                tasks.cancel_scope.cancel()
        finally:
            backend.close()

    app = Starlette(
        routes=[
            Route("/apply/{council}/{campaign}", apply, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/councils/{slug}/applications.{kind}", applications, methods=["GET"]),
            Route(
                "/councils/{slug}/applications/{reference}/files/{field}", application_file, methods=["GET"]
            ),
            *bank_pages.routes(),
            Route("/bank/join/{council}/{campaign}", bank_join.join, methods=["POST"]),
            Route("/events", intake.beacon, methods=["POST"]),
            Route("/ratings", ratings.rate, methods=["POST"]),
            Route("/events.gif", intake.pixel, methods=["GET"]),
            *workspace.routes(),
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
    app.state.bank_pages = bank_pages.environment()
    app.state.workspace = workspace.make()
    return app


def from_environment() -> Starlette:
    """The app of one worker of `recruit backend serve --workers N`, its settings from the
    environment (RECRUIT_*, DATABASE_URL, SMTP_HOST), which the command sets from its options."""
    return create_app(Settings.from_env())
