"""The sites, the form backend and the workspace on a real HTTP server on loopback, as `recruit
serve` runs them, for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from forms_backend.app import create_app
from forms_backend.settings import Settings
from generator.serve import combined_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """`settings.dist` and the backend at http://127.0.0.1:port until the block ends."""
    app = combined_app(settings.dist, create_app(settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
