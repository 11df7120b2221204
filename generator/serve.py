"""Serve the built sites on loopback, with the form backend (when given) under /api/ on the same port."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .headers import FINGERPRINTED, IMMUTABLE

if TYPE_CHECKING:
    from .preview import Preview

# A reference as the page script accepts it (themes/default/static/apply.js).
REFERENCE = re.compile(r"[A-Z]{2,4}-[A-Z0-9]{6,10}")
# The element that shows the reference on a thank-you page: its opening tag, content, closing tag.
REFERENCE_SLOT = re.compile(r"(<(\w+)\b[^>]*?\sdata-reference(?![-\w])[^>]*>)(.*?)(</\2\s*>)", re.S)


def static_app(dist: Path) -> Starlette:
    """dist/ as a web server would publish it: index.html for folders, 404.html otherwise."""
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=dist, html=True), name="sites")])


def show_reference(page: str, reference: str) -> str:
    """The thank-you page with the reference in its [data-reference] element (for no-JS browsers)."""
    return REFERENCE_SLOT.sub(lambda m: m.group(1) + reference + m.group(4), page, count=1)


class ThanksPages:
    """GET .../thanks/?ref=REF (or HEAD) puts a valid reference into the page: it shows without JavaScript."""

    def __init__(self, app: ASGIApp, dist: Path) -> None:
        self.app, self.dist = app, Path(dist).resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and scope.get("query_string"):
            ref = parse_qs(scope["query_string"].decode("latin-1")).get("ref", [""])[0]
            page = self._page(scope["path"]) if REFERENCE.fullmatch(ref) else None
            if page is not None and "data-reference" in page:
                body = show_reference(page, ref).encode("utf-8")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)

    def _page(self, path: str) -> str | None:
        if not path.endswith("/"):
            return None
        target = (self.dist / path.lstrip("/") / "index.html").resolve()
        if not target.is_relative_to(self.dist) or not target.is_file():
            return None
        return target.read_text(encoding="utf-8")


# The `_headers` patterns of fingerprinted files, as a host reads them ("*" is any run of characters).
_FINGERPRINTED = re.compile(
    "|".join("^" + ".*".join(map(re.escape, p.split("*"))) + "$" for p in FINGERPRINTED)
)


class LongCache:
    """Fingerprinted stylesheets, scripts and images cached for a year, as `_headers` asks of a host
    (a new version has a new name, so even a preview never shows a stale one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _FINGERPRINTED.match(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [*message.get("headers", []), (b"cache-control", IMMUTABLE.encode())]
            await send(message)

        await self.app(scope, receive, send_cached)


class Unmounted:
    """An app mounted at `prefix` that routes on the whole path, prefix included (the backend
    answers /workspace/... itself, wherever it is mounted)."""

    def __init__(self, app: Any, prefix: str) -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        if root.endswith(self.prefix):
            scope = {**scope, "root_path": root[: -len(self.prefix)]}
        await self.app(scope, receive, send)


def combined_app(dist: Path, backend: Any | None = None, preview: Preview | None = None) -> Starlette:
    """dist/ at /, the backend (an ASGI app) at /api/, one port; the backend's lifespan runs too.

    With a preview, the content is watched while the server runs, /_preview/ answers open tabs and
    every HTML response carries the reload script (added here, never in dist/).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if preview is not None:
                await stack.enter_async_context(preview.running())
            router = getattr(backend, "router", None)
            if router is not None:
                await stack.enter_async_context(router.lifespan_context(backend))
            yield

    routes: list[BaseRoute] = list(preview.routes()) if preview is not None else []
    if backend is not None:
        # /api itself too: every address under it is the backend's to answer (its JSON 404), none the sites'.
        routes += [Route("/api", backend), Mount("/api", app=backend)]
        # The backend's staff workspace at /workspace/ beside /api/, the backend seeing its own path.
        routes += [Route("/workspace", backend), Mount("/workspace", app=Unmounted(backend, "/workspace"))]
    sites = LongCache(ThanksPages(StaticFiles(directory=dist, html=True), dist))
    routes.append(Mount("/", app=sites, name="sites"))
    middleware = []
    if preview is not None:
        from .preview import InjectClient

        middleware.append(Middleware(InjectClient, preview=preview))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def run(app: Starlette, host: str, port: int, on_exit: Callable[[], None] | None = None) -> None:
    """Serve until Ctrl-C; on_exit runs first, so long-lived responses (the preview's events) end."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            if on_exit is not None:
                on_exit()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app, host=host, port=port, log_level="info", access_log=False, timeout_graceful_shutdown=5
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C after a clean stop: nothing to report
        Server(config).run()
