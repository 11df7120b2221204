"""Fixtures for the form backend, shaped like its pipeline: example build -> settings -> app -> live server.

The example region is built once into a temporary folder with the clock pinned; each test gets
its own SQLite file and mail folder, and a real uvicorn server on a free loopback port.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backend_support import ROOT, TODAY, LiveServer, make_settings, site_client
from openapi_check import OpenAPI

from forms_backend.app import create_app
from forms_backend.settings import Settings
from generator.build import build


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "dist"
    build(ROOT, out, today=TODAY)
    return out


@pytest.fixture(scope="session")
def manifest(dist: Path) -> dict:
    return json.loads((dist / "_forms" / "manifest.json").read_text(encoding="utf-8"))


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
