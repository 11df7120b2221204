"""Fixtures shaped like the pipeline: the example region, built once, as a user would build it.

Every test of the example region (tests/, tests/backend/, tests/verify/) shares the one build
below, and every test of a region verified in Chromium shares that run; a test file that
collects no test, or a run that collects none, fails loudly.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from postgres_cluster import Cluster, why_unavailable
from support import ROOT, TODAY

from generator.build import BuildResult, build
from generator.verify import Outcome


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The shipped example region built once a session, with the clock pinned."""
    out = tmp_path_factory.mktemp("example") / "dist"
    return build(ROOT, out, today=TODAY)


@pytest.fixture(scope="session")
def dist(example_build: BuildResult) -> Path:
    return example_build.out


@pytest.fixture(scope="session")
def manifest(dist: Path) -> dict:
    return json.loads((dist / "_forms" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """The session's PostgreSQL cluster, with an empty database `recruit` (tests/postgres_cluster.py).

    A machine that cannot run PostgreSQL skips the tests that take it and says why; with CI=true
    they fail instead."""
    reason = why_unavailable()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must run the PostgreSQL half of the suite, and cannot: {reason}")
        pytest.skip(f"no PostgreSQL here: {reason}")
    with Cluster() as cluster:
        cluster.create_database("recruit")
        yield cluster


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for one test module (generator.browser finds the machine's)."""
    from playwright.sync_api import sync_playwright

    from generator.browser import launch

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


# --- the regions verified in Chromium, in a process of their own ------------------------------

# The runs of `recruit verify` tests share (tests/verify/regions.py), in the order they are made.
RUNS = ("example", "broken", "forgetful", "failing")


@pytest.fixture(scope="session", autouse=True)
def verified(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Each run some collected test needs, started before the first test, one after another in
    another process: verifying a region is most of the suite's time, and its browsers use the
    cores the other tests leave idle. A test asks for a run's outcome by its name (below)."""
    wanted = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    runs = [name for name in RUNS if name in wanted]
    if not runs:
        yield {}
        return
    import regions  # tests/verify/regions.py, importable once tests/verify is collected

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    futures: dict[str, Future] = {}
    for name in runs:
        report = tmp_path_factory.mktemp(f"{name}-report")
        if name == "example":
            futures[name] = pool.submit(regions.verify_example, request.getfixturevalue("dist"), report)
        else:
            dist = request.getfixturevalue("broken_build").out
            futures[name] = pool.submit(regions.verify_broken, dist, report, name)
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def broken_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The broken region (regions.BROKEN_FILES), built, with the bad edits made to its dist/."""
    import regions

    return regions.build_broken(tmp_path_factory.mktemp("broken"))


@pytest.fixture(scope="session")
def broken_root(broken_build: BuildResult) -> Path:
    return broken_build.out.parent


@pytest.fixture(scope="session")
def example(verified: dict[str, Future]) -> Outcome:
    """The whole example region verified once a session, as CI verifies it before publishing."""
    return verified["example"].result()


@pytest.fixture(scope="session")
def broken(verified: dict[str, Future]) -> Outcome:
    """The broken region verified once a session, against the stub backend (its forms post off-host)."""
    return verified["broken"].result()


@pytest.fixture(scope="session")
def forgetful(verified: dict[str, Future]) -> Outcome:
    """The broken region's one correct campaign, against a stub that loses applications and
    sends the form's errors back without their summary."""
    return verified["forgetful"].result()


@pytest.fixture(scope="session")
def failing(verified: dict[str, Future]) -> Outcome:
    """The broken region's one correct campaign, against a stub that answers 500."""
    return verified["failing"].result()


# --- a test that never runs is a failure ---------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # noqa: ANN201 - a hook wrapper
    """A test file that collects nothing (every function misnamed, say) is a collection error."""
    outcome = yield
    report = outcome.get_result()
    if isinstance(collector, pytest.Module) and report.passed and not report.result:
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} collects no tests: name each test function test_... "
            "(or each class Test...), or move the helpers out of this test file"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that collects no test at all fails (pytest's own exit code 5 is easy to miss)."""
    if session.testscollected == 0 and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.config.get_terminal_writer().line(
            "ERROR: no tests were collected: check the paths and the -k/-m expressions", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
