"""Serve the built sites on loopback (and, when it exists, the form backend under /api/)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def static_app(dist: Path) -> Starlette:
    """dist/ as a web server would publish it: index.html for folders, 404.html otherwise."""
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=dist, html=True), name="sites")])


def run(app: Starlette, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
