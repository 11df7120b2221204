"""The workspace's pages: Jinja templates in the public sites' theme language, answered with
headers that keep personal data out of caches, frames and other origins.

The stylesheet is the region hub's own (dist/_static/site.*.css, with the region's colours)
followed by workspace.css (tables, tags for stages, the filter panel), served as one file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..evaluation.report import STEP_NAMES, VISITS_NOTE
from ..manifest import Manifest
from ..storage.workspace import STAGES

HERE = Path(__file__).parent
STAGE_NAMES = {
    "received": "Received",
    "screening": "Screening",
    "interview": "Interview",
    "offer": "Offer",
    "placed": "Placed",
    "not-progressed": "Not progressed",
    "withdrawn": "Withdrawn",
}
SOURCE_NAMES = {
    "unknown": "Direct or unknown", "direct": "Direct", "facebook": "Facebook",
    "instagram": "Instagram", "x": "X (Twitter)", "linkedin": "LinkedIn", "tiktok": "TikTok",
    "youtube": "YouTube", "nextdoor": "Nextdoor", "reddit": "Reddit", "whatsapp": "WhatsApp",
    "google": "Google", "bing": "Bing", "duckduckgo": "DuckDuckGo",
    "yahoo": "Yahoo", "ecosia": "Ecosia", "gmail": "Gmail", "outlook": "Outlook", "indeed": "Indeed",
    "nhs-jobs": "NHS Jobs",
}  # fmt: skip


def source_name(source: str) -> str:
    """How a source reads in the workspace ('unknown' is 'Direct or unknown')."""
    return SOURCE_NAMES.get(source, source)


HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([HERE / "templates", HERE.parent / "evaluation" / "templates"]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(STAGES=STAGES, STAGE_NAMES=STAGE_NAMES, STEP_NAMES=STEP_NAMES, visits_note=VISITS_NOTE)
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["source"] = source_name
    return env


def when(stamp: str | None) -> str:
    """'2026-11-23T12:05:00.000000+00:00' -> '23 November 2026, 12:05' (UTC, as stored)."""
    if not stamp:
        return ""
    moment = dt.datetime.fromisoformat(stamp)
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def day(stamp: str | None) -> str:
    if not stamp:
        return ""
    moment = dt.datetime.fromisoformat(stamp)
    return f"{moment.day} {moment:%B %Y}"


def base_path(request: Request) -> str:
    """Where the workspace is mounted, as the browser sees it ('/workspace' or '/api/workspace')."""
    root = request.scope.get("root_path", "")  # inside the workspace's Mount, it ends with /workspace
    return root if root.endswith("/workspace") else root + "/workspace"


def page(
    request: Request,
    env: jinja2.Environment,
    template: str,
    manifest: Manifest | None,
    status: int = 200,
    **context: Any,
) -> Response:
    region = manifest.region if manifest is not None else {}
    base = base_path(request)

    def url(path: str = "", **query: Any) -> str:
        shown = {k: v for k, v in query.items() if v not in (None, "", [])}
        return base + path + ("?" + urlencode(shown, doseq=True) if shown else "")

    shared = {"region_name": region.get("name", "Recruitment"), "base": base, "url": url, "session": None,
              "current": "", "notice": "", "error_summary": ""}  # fmt: skip
    body = env.get_template(template).render(**{**shared, **context})
    return HTMLResponse(body, status, headers=HEADERS)


def stylesheet(dist: Path) -> Response:
    hub = sorted((dist / "_static").glob("site.*.css"))
    parts = [hub[-1].read_text(encoding="utf-8")] if hub else []
    parts.append((HERE / "static" / "workspace.css").read_text(encoding="utf-8"))
    parts.append((HERE.parent / "evaluation" / "static" / "report.css").read_text(encoding="utf-8"))
    return Response(
        "\n".join(parts),
        media_type="text/css",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
