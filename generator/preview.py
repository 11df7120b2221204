"""Live preview for `recruit serve`: rebuild when content changes and reload the pages open in browsers.

The reload script is added to HTML responses as they are served (InjectClient), never written to
dist/. Open tabs listen on /_preview/events (server-sent events): `reload` after a rebuild that
changed a file, `problem` with the build's messages while the content has a mistake. The last good
dist/ stays served underneath.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from watchfiles import Change, DefaultFilter, awatch

from .problems import ProblemsFound

CLIENT_PATH = "/_preview/client.js"
EVENTS_PATH = "/_preview/events"
CLIENT_JS = Path(__file__).with_name("preview_client.js")
# What a rebuild reads, relative to the project folder.
SITE_FILE = "site.toml"
FOLDERS = ("campaigns", "themes")
WATCHED = f"{SITE_FILE}, " + ", ".join(f"{name}/" for name in FOLDERS)
STEP_MS = 100  # a burst of saves ends when nothing has changed for this long
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so closed tabs are noticed
HEADING = "Your site has a problem"
HINT = "Fix it and save the file: this page reloads by itself. Until then the last good version is served."

Echo = Callable[..., None]


class ContentFilter(DefaultFilter):
    """Changes a rebuild needs: site.toml, campaigns/ and themes/; not editor temp files, not the output."""

    def __init__(self, root: Path, out: Path) -> None:
        patterns = (*self.ignore_entity_patterns, r"^4913$")  # vim checks it may write with a file "4913"
        super().__init__(ignore_entity_patterns=patterns)
        self.root, self.out = Path(root), Path(out)

    def __call__(self, change: Change, path: str) -> bool:
        target = Path(path)
        if target.is_relative_to(self.out) or not target.is_relative_to(self.root):
            return False
        if not super().__call__(change, path):
            return False
        parts = target.relative_to(self.root).parts
        return parts == (SITE_FILE,) or (bool(parts) and parts[0] in FOLDERS)


def sse(event: str, data: str) -> str:
    """One server-sent event; data is a single line (JSON keeps newlines escaped)."""
    return f"event: {event}\ndata: {data}\n\n"


def described(changed: list[str]) -> str:
    if not changed:
        return "Rebuilt"
    more = len(changed) - 1
    return f"{changed[0]} changed" + (f" (and {more} more file{'s' * (more != 1)})" if more else "")


class Preview:
    """Watches the project, rebuilds one at a time in a worker thread, and tells open tabs what happened."""

    def __init__(self, root: Path, rebuild: Callable[[], Any], out: Path, echo: Echo = print) -> None:
        self.root, self.out = Path(root).resolve(), Path(out).resolve()
        self.rebuild, self.echo = rebuild, echo
        self.filter = ContentFilter(self.root, self.out)
        self.problem: dict[str, str] | None = None  # what the overlay shows while a build fails
        self._session, self._generation = secrets.token_hex(4), 0
        self._clients: set[asyncio.Queue[str | None]] = set()
        self._pending: set[str] = set()
        self._dirty = asyncio.Event()
        self._stop = asyncio.Event()
        self._rewatch = asyncio.Event()  # the folders to watch changed, or the preview is closing
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    @property
    def build_id(self) -> str:
        """Names the build a page was served from: a tab showing an older one reloads on connecting."""
        return f"{self._session}.{self._generation}"

    def script_tag(self) -> bytes:
        return f'<script src="{CLIENT_PATH}" data-build="{self.build_id}" defer></script>'.encode()

    def routes(self) -> list[Route]:
        return [Route(EVENTS_PATH, self.events), Route(CLIENT_PATH, self.client_js)]

    # Telling the tabs.

    async def client_js(self, request: Request) -> Response:
        return Response(
            CLIENT_JS.read_bytes(), media_type="text/javascript", headers={"Cache-Control": "no-store"}
        )

    async def events(self, request: Request) -> Response:
        """The event stream one tab listens to; ?build= says which build its page came from."""
        stream = self.stream(request.query_params.get("build", ""))
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream, media_type="text/event-stream", headers=headers)

    async def stream(self, build: str) -> AsyncIterator[str]:
        """Events for one tab until it goes or the preview closes: what it missed first, then each new one."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        if self.problem is not None:
            queue.put_nowait(sse("problem", json.dumps(self.problem)))
        elif build and build != self.build_id:
            queue.put_nowait(sse("reload", self.build_id))
        self._clients.add(queue)  # in the same step as the check above: nothing missed, nothing twice
        try:
            yield "retry: 1000\n\n"
            while not self.closed:
                try:
                    message = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    yield ": idle\n\n"
                    continue
                if message is None:
                    return
                yield message
        finally:
            self._clients.discard(queue)

    def _publish(self, message: str) -> None:
        for queue in list(self._clients):
            queue.put_nowait(message)

    # Watching and rebuilding.

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Watch while the server runs (its lifespan); stop the watchers and the event streams after."""
        task = asyncio.create_task(self.watch())
        try:
            yield
        finally:
            self.close()
            await asyncio.wait_for(task, 10)

    async def watch(self) -> None:
        """Two watchers (the project folder itself; everything in campaigns/ and themes/) feed one builder."""
        self._loop = asyncio.get_running_loop()
        builder = asyncio.create_task(self._builder())
        watchers = [asyncio.create_task(self._watch_top()), asyncio.create_task(self._watch_folders())]
        try:
            await self._stop.wait()
        finally:
            builder.cancel()
            await asyncio.gather(builder, *watchers, return_exceptions=True)

    async def _watch_top(self) -> None:
        # The project folder itself, not recursively: editors that save by renaming keep being seen.
        async for changes in awatch(
            self.root, watch_filter=self.filter, stop_event=self._stop, step=STEP_MS, recursive=False
        ):
            self.changed(changes)
            if any(change != Change.modified and Path(path).name in FOLDERS for change, path in changes):
                self._rewatch.set()

    async def _watch_folders(self) -> None:
        while not self._stop.is_set():
            self._rewatch.clear()
            folders = [self.root / name for name in FOLDERS if (self.root / name).is_dir()]
            if not folders:
                await self._rewatch.wait()
                continue
            try:
                async for changes in awatch(
                    *folders, watch_filter=self.filter, stop_event=self._rewatch, step=STEP_MS
                ):
                    self.changed(changes)
            except FileNotFoundError:  # a folder went while starting to watch it; look again
                await asyncio.sleep(STEP_MS / 1000)

    def changed(self, changes: set[tuple[Change, str]]) -> None:
        """Note the changed files and wake the builder (which rebuilds again if more come meanwhile)."""
        self._pending.update(Path(path).relative_to(self.root).as_posix() for _, path in changes)
        self._dirty.set()

    async def _builder(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            pending, self._pending = self._pending, set()
            # Name the files that are there (an editor's or sed's temporary file came and went).
            changed = sorted(p for p in pending if (self.root / p).exists()) or sorted(pending)
            await self.rebuild_now(changed)

    async def rebuild_now(self, changed: list[str]) -> None:
        """One rebuild off the event loop; its outcome goes to the terminal and to every open tab."""
        try:
            result = await asyncio.to_thread(self.rebuild)
        except ProblemsFound as exc:
            self.echo(f"{described(changed)}; the last good site is still served. Problems:", err=True)
            text = exc.format(self.root)
            self.echo(text, err=True)
            self._fail(text)
            return
        except Exception as exc:  # noqa: BLE001 - a bug in a build must not stop the preview
            self.echo(f"{described(changed)}; the build stopped unexpectedly:", err=True)
            self.echo(traceback.format_exc().rstrip(), err=True)
            self._fail(
                f"The build stopped unexpectedly: {exc.__class__.__name__}: {exc}\n"
                "This is a fault in recruit, not in your files; the terminal running "
                "`recruit serve` has the details for whoever maintains it."
            )
            return
        self.echo(f"{described(changed)}: {result.summary()}")
        if self.problem is not None or result.report.written or result.report.removed:
            self.problem = None
            self._generation += 1
            self._publish(sse("reload", self.build_id))

    def _fail(self, text: str) -> None:
        self.problem = {"heading": HEADING, "hint": HINT, "text": text}
        self._publish(sse("problem", json.dumps(self.problem)))

    def close(self) -> None:
        """End the event streams (so the server can stop) and the watchers. Safe to call twice."""
        self.closed = True
        for queue in list(self._clients):
            queue.put_nowait(None)
        self._stop.set()
        self._rewatch.set()

    def close_soon(self) -> None:
        """close() from a signal handler: run it on the event loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.close)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((value for key, value in headers if key.lower() == name), None)


def insert_script(page: bytes, tag: bytes) -> bytes:
    """The page with the tag before its last </body> (at the end when there is none)."""
    at = page.lower().rfind(b"</body")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


class InjectClient:
    """Adds the preview script to HTML responses as they are served; every other response passes as is."""

    DROPPED = {b"content-length", b"etag", b"last-modified", b"cache-control"}

    def __init__(self, app: ASGIApp, preview: Preview) -> None:
        self.app, self.preview = app, preview

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_preview/"):
            await self.app(scope, receive, send)
            return
        # No 304s: a page kept by the browser would carry an old build's script.
        conditional = (b"if-none-match", b"if-modified-since")
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in conditional]}
        head = scope["method"] == "HEAD"
        tag = self.preview.script_tag()
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_script(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not self._is_page(message["status"], headers):
                    await send(message)
                    return
                start = {**message, "headers": [(k, v) for k, v in headers if k.lower() not in self.DROPPED]}
                start["headers"].append((b"cache-control", b"no-store"))
                if head:  # no body to change: say how long it would be
                    length = _header(headers, b"content-length")
                    if length is not None:
                        start["headers"].append((b"content-length", str(int(length) + len(tag)).encode()))
                    await send(start)
                return
            if message["type"] != "http.response.body" or start is None or head:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = insert_script(b"".join(chunks), tag)
            length = (b"content-length", str(len(body)).encode())
            await send({**start, "headers": [*start["headers"], length]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_with_script)

    @staticmethod
    def _is_page(status: int, headers: list[tuple[bytes, bytes]]) -> bool:
        content_type = (_header(headers, b"content-type") or b"").lower()
        return (
            content_type.startswith(b"text/html")
            and _header(headers, b"content-encoding") is None
            and status >= 200
            and status not in (204, 206, 304)
        )
