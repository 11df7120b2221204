"""Fixtures for the form backend, shaped like its pipeline: example build -> settings -> app -> live server.

The example region (`dist`, `manifest`) is the one tests/conftest.py builds once a session with
the clock pinned; each test gets its own database and mail folder, and a real uvicorn server
on a free loopback port.

Every test that takes `database_url` (and so `settings`, `live` and `client`) runs on both
engines: its own SQLite file, and a real PostgreSQL, the session's throwaway cluster (the
`postgres` fixture of tests/conftest.py) whose tables are emptied before each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backend_support import ROOT, LiveServer, make_settings, site_client
from openapi_check import OpenAPI
from postgres_cluster import Cluster

from forms_backend.app import create_app
from forms_backend.settings import Settings
from forms_backend.storage.migrations import LATEST
from forms_backend.storage.rollups import ROLLUPS
from forms_backend.storage.sql import TABLES


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    return OpenAPI(ROOT / "openapi.yaml")


def emptied(cluster: Cluster, database: str = "recruit") -> str:
    """The database's URL, with every table of ours emptied (the schema is kept, at its version)."""
    with cluster.connect(database) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
                ([*TABLES, *ROLLUPS, "visit_salts"],),
            )
        ]
        if tables:
            db.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            # A test may have set the version ahead of this release's (to see it refused).
            db.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(LATEST),))
            db.execute("DELETE FROM meta WHERE key <> 'schema_version'")
    return cluster.url(database)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database for one test, on each engine in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'recruit.db'}"
    return emptied(request.getfixturevalue("postgres"))


@pytest.fixture
def settings(dist: Path, tmp_path: Path, database_url: str) -> Settings:
    return make_settings(dist, tmp_path, database_url=database_url)


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(settings)) as server:
        yield server


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with site_client(live.url) as c:
        yield c
