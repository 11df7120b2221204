"""What stands in front of the form: the cross-site check, CORS, and a per-client rate limit."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .manifest import Manifest, ManifestError

CORS_PATHS = ("/apply/", "/health")
ALLOWED_HEADERS = "Accept, Content-Type, Idempotency-Key"


def origin_refused(headers: Headers, manifest: Manifest) -> str | None:
    """Why a POST is refused as cross-site (the message for the 403), or None when it may go on.

    Its Origin must be one of the manifest's sites (or this host itself, when the backend serves
    the sites as `make run` does). Failing an Origin, Sec-Fetch-Site must say same-origin. A
    POST with neither is refused too: browsers always send Origin on a POST, so a script or
    another system must send the Origin of the site it posts for.
    """
    origin = headers.get("origin")
    if origin is not None:
        origin = origin.strip().rstrip("/")
        if origin in manifest.origins:
            return None
        host = headers.get("host")
        if origin != "null" and host is not None and urlsplit(origin).netloc == host:
            return None
        return "This form can only be sent from its own page. Go back to the form and send it again."
    site = headers.get("sec-fetch-site")
    if site is not None:
        if site.strip().lower() == "same-origin":
            return None
        return "This form can only be sent from its own page. Go back to the form and send it again."
    example = min(manifest.origins) if manifest.origins else "https://your-site.example"
    return (
        "This form can only be sent from its own page. A program sending it must send an Origin "
        f"header naming the site the form is on, such as Origin: {example}."
    )


def _route_path(scope: Scope) -> str:
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class CORS:
    """CORS for the sites in the manifest only (read on each request, so a rebuild counts)."""

    def __init__(self, app: ASGIApp, manifest: Callable[[], Manifest]) -> None:
        self.app, self.manifest = app, manifest

    def _allowed(self, origin: str | None) -> bool:
        if not origin:
            return False
        try:
            return origin.rstrip("/") in self.manifest().origins
        except ManifestError:
            return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _route_path(scope).startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = self._allowed(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            status = 204 if allowed else 403
            out = [(b"vary", b"Origin"), (b"content-length", b"0")]
            if allowed:
                out += [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", b"POST, GET"),
                    (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                    (b"access-control-max-age", b"600"),
                ]
            await send({"type": "http.response.start", "status": status, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: dict) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"vary", b"Origin")]
                if allowed:
                    extra.append((b"access-control-allow-origin", origin.encode("latin-1")))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_cors)


class RateLimiter:
    """At most `count` requests per `seconds` per client key: a sliding window in memory.

    Per process: several workers or Lambda containers each keep their own count.
    """

    def __init__(self, count: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count, self.seconds, self.clock = count, seconds, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record a request; 0 when allowed, else the seconds until the client may try again."""
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10_000:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.count:
                return max(1.0, hits[0] + self.seconds - now)
            hits.append(now)
            return 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.seconds]:
            del self._hits[key]


def client_key(scope: Scope, headers: Headers, trust_forwarded: bool) -> str:
    """Whom a request counts against: the connecting address, or behind a trusted proxy
    (trust_forwarded) the rightmost X-Forwarded-For entry, the one that proxy added. Entries
    to its left came from the client and are whatever it chose to send."""
    if trust_forwarded:
        entries = [e.strip() for value in headers.getlist("x-forwarded-for") for e in value.split(",")]
        entries = [e for e in entries if e]
        if entries:
            return entries[-1]
    client = scope.get("client")
    return client[0] if client else "unknown"


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address in ("localhost", "testclient")
