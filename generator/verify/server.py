"""The sites (and the form backend, when there is one) on loopback, as a host would serve them.

The security headers in dist/_headers (what Netlify and Cloudflare Pages send) are applied here
too, so every check runs under the real Content-Security-Policy.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from ..serve import static_app

Rules = list[tuple[re.Pattern[str], list[tuple[str, str]]]]
Lookup = Callable[[str], bool]


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
    lookup: Lookup | None = None  # reference -> is it stored?
    missing: str = ""  # why there is no form backend, when there is none


BackendFactory = Callable[[Path, Path, dict[str, Any]], Backend]


def sqlite_lookup(database: Path) -> Lookup:
    """Is `reference` anywhere in the database? (The schema is the backend's; this reads any.)"""

    def lookup(reference: str) -> bool:
        if not database.exists():
            return False
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for table in tables:
                columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
                for column in columns:
                    query = f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) = ? LIMIT 1'
                    if db.execute(query, (reference,)).fetchone():
                        return True
        return False

    return lookup


def default_backend(dist: Path, workdir: Path, manifest: dict[str, Any]) -> Backend:
    """The app `recruit serve` runs (dist/ plus forms_backend under /api/), on a throwaway SQLite database."""
    try:
        from forms_backend.app import create_app  # type: ignore[import-not-found]
        from forms_backend.settings import Settings  # type: ignore[import-not-found]

        from ..serve import combined_app
    except ImportError as exc:
        return Backend(
            static_app(dist),
            "static files only",
            missing=f"there is no form backend to post to ({exc})",
        )
    manifest_path = workdir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    database = workdir / "verify.db"
    settings = Settings(
        dist=dist,
        manifest_path=manifest_path,
        database_url=f"sqlite:///{database}",
        mail_dir=workdir / "mail",
        outbox_interval=0,
    )
    return Backend(
        combined_app(dist, create_app(settings)),
        f"forms_backend, SQLite at {database.name} (thrown away)",
        sqlite_lookup(database),
    )


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
