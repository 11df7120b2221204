"""Fixtures for verify's tests: the form backend to verify against.

The regions verified are the root conftest's (`example`, `broken`, `forgetful`, `failing`, and
`broken_build`): those runs are most of the suite's time, and start before the first test, in a
process of their own (the regions and the runs are in regions.py).
"""

from __future__ import annotations

import pytest

from generator.cli import verify_backend
from generator.verify.server import BackendFactory


@pytest.fixture(scope="session")
def backend() -> BackendFactory:
    """The real form backend, as `recruit verify` gets it from the CLI."""
    return verify_backend
