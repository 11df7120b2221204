"""Fixtures shaped like the pipeline: the example region, built once, as a user would build it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import ROOT, TODAY

from generator.build import BuildResult, build


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The shipped example region built once, with the clock pinned."""
    out = tmp_path_factory.mktemp("example") / "dist"
    return build(ROOT, out, today=TODAY)


@pytest.fixture(scope="session")
def dist(example_build: BuildResult) -> Path:
    return example_build.out


@pytest.fixture(scope="session")
def manifest(dist: Path) -> dict:
    return json.loads((dist / "_forms" / "manifest.json").read_text(encoding="utf-8"))
