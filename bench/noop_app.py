"""The ceiling beside the backend benchmark: an empty endpoint on the same server stack.

The same uvicorn (httptools, uvloop) and Starlette as the form backend, at the same path, that
reads the body and answers 201 with a reference, storing nothing. Loaded by the same load
generator in the same run, it shows how many requests a second the HTTP stack and the load
generator leave for the backend's own work on this machine, so `backend.submissions_per_s` can
be read against what Python can serve here at all.

    python -m uvicorn bench.noop_app:app --port PORT
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def apply(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"reference": "NOP-AAAAAAAA"}, 201, headers={"Cache-Control": "no-store"})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/apply/{council}/{campaign}", apply, methods=["POST"]),
        Route("/health", health, methods=["GET"]),  # what the bench waits for, as for the backend
    ]
)
