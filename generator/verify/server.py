"""The sites (and the form backend, when there is one) on loopback, as a host would serve them.

The security headers in dist/_headers (what Netlify and Cloudflare Pages send) are applied here
too, so every check runs under the real Content-Security-Policy. Which form backend runs is not
verify's to know: a BackendFactory comes from the caller (the CLI passes the real backend's).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from ..serve import static_app

Rules = list[tuple[re.Pattern[str], list[tuple[str, str]]]]
Lookup = Callable[[str, str, str], bool]  # (council, campaign, reference) -> is it stored?


def parse_headers_file(text: str) -> Rules:
    """Netlify/Cloudflare `_headers`: a path pattern line, then indented `Name: value` lines."""
    rules: Rules = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            pattern = "^" + ".*".join(re.escape(p) for p in raw.strip().split("*")) + "$"
            rules.append((re.compile(pattern), []))
        elif rules and ":" in raw:
            name, value = raw.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def headers_for(rules: Rules, path: str) -> list[tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for pattern, headers in rules:
        if pattern.match(path):
            for name, value in headers:
                found.setdefault(name.lower(), (name, value))
    return list(found.values())


class HostHeaders:
    """ASGI middleware: add the `_headers` rules to the static files' responses, as the host would.

    The form backend (under /api/) is another service in production and sends its own headers.
    """

    def __init__(self, app: Any, rules: Rules, backend_prefix: str = "/api/") -> None:
        self.app, self.rules, self.backend_prefix = app, rules, backend_prefix

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not self.rules or scope["path"].startswith(self.backend_prefix):
            await self.app(scope, receive, send)
            return
        extra = headers_for(self.rules, scope["path"])

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (n.lower().encode(), v.encode()) for n, v in extra if n.lower().encode() not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class UnderBasePath:
    """ASGI middleware: serve the site under the path it is published at too (/REPO/x is /x).

    Pages link relatively and need none of this; the 404 page, served at any depth, links from
    the host's root, so its stylesheet is /REPO/_static/... on a GitHub Pages project site.
    """

    def __init__(self, app: Any, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and self.path != "/" and scope["path"].startswith(self.path):
            path = scope["path"][len(self.path) - 1 :]
            scope = {**scope, "path": path, "raw_path": path.encode("utf-8")}
        await self.app(scope, receive, send)


@dataclass
class Backend:
    """What serves a verify run: dist/ plus the form backend under /api/, and how to find an application."""

    app: Any
    description: str
    lookup: Lookup | None = None  # None: verify says it could not look
    missing: str = ""  # why there is no form backend, when there is none
    # The staff workspace, when the backend has one: () -> (a signed-in session's cookie, the
    # pages to check signed in). Called once a run, for the region's site.
    workspace: Callable[[], tuple[str, list[str]]] | None = None


# (dist, a work folder thrown away after the run, the manifest as the backend must see it) -> Backend
BackendFactory = Callable[[Path, Path, dict[str, Any]], Backend]


class CountsNothing:
    """For a run without the real backend: the pages' view counter (POST /api/events, GET
    /api/events.gif) is answered 204 and nothing is counted, so that a page's check is about
    the page; the rest goes to `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["path"].endswith(("/api/events", "/api/events.gif")):
            await send(
                {"type": "http.response.start", "status": 204, "headers": [(b"cache-control", b"no-store")]}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def static_only(dist: Path, missing: str = "there is no form backend to post to") -> Backend:
    """dist/ alone: every page is checked, and the form checks fail saying `missing`."""
    return Backend(CountsNothing(static_app(dist)), "static files only", missing=missing)


def no_backend(dist: Path, workdir: Path, manifest: dict[str, Any]) -> Backend:
    """The BackendFactory of a run given none: the static files only."""
    return static_only(dist)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn on 127.0.0.1 in a background thread; a context manager."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False, lifespan="auto"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="verify-server")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the verify server did not start on 127.0.0.1:{self.port}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
