"""Fixtures shaped like the pipeline: the example region, built once, as a user would build it.

Every test of the example region (tests/, tests/backend/, tests/verify/) shares the one build
below; and a test file that collects no test, or a run that collects none, fails loudly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import ROOT, TODAY

from generator.build import BuildResult, build


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
