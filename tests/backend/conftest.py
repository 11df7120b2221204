"""Fixtures for the form backend, shaped like its pipeline: example build -> settings -> app -> live server.

The example region (`dist`, `manifest`) is the one tests/conftest.py builds once a session with
the clock pinned; each test gets its own SQLite file and mail folder, and a real uvicorn server
on a free loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backend_support import ROOT, LiveServer, make_settings, site_client
from openapi_check import OpenAPI

from forms_backend.app import create_app
from forms_backend.settings import Settings


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    return OpenAPI(ROOT / "openapi.yaml")


@pytest.fixture
def settings(dist: Path, tmp_path: Path) -> Settings:
    return make_settings(dist, tmp_path)


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(settings)) as server:
        yield server


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with site_client(live.url) as c:
        yield c
