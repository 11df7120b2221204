"""`recruit verify`: every built site checked in a real Chromium before it is published.

sites.py finds what to check in a build; checks.py (with dom.py) and answers.py are pure (links,
JSON-LD, open/closed, valid answers); sweep.py, formflow.py and keyboard.py drive the browser;
server.py serves dist/ and the form backend on loopback; runner.py runs sites in parallel;
report.py writes the report. Which form backend is served is the caller's: a BackendFactory (the
CLI passes the real backend's), so verify never imports the backend.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from .runner import Echo, Options, Outcome, VerifyError
from .server import Backend, BackendFactory, no_backend, static_only
from .sites import NoSites

__all__ = [
    "Backend",
    "BackendFactory",
    "Options",
    "Outcome",
    "VerifyError",
    "no_backend",
    "output_dir",
    "run_verify",
    "static_only",
]


def output_dir(root: Path) -> Path:
    """site.toml's output_dir (without validating the whole project: --no-build needs only dist/)."""
    try:
        config = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    return root / str(config.get("output_dir", "dist"))


def run_verify(
    root: Path,
    dist: Path,
    report: Path,
    *,
    only: str | None = None,
    jobs: int | None = None,
    today: dt.date | None = None,
    backend: BackendFactory = no_backend,
    echo: Echo = print,
) -> Outcome:
    """Verify the sites built in `dist`, their forms posting to the backend `backend` makes
    (no_backend: static files only); raises VerifyError when verify itself cannot run."""
    from .runner import run

    try:
        return run(Options(root, dist, report, only, jobs or 0, today, backend), echo)
    except NoSites as exc:
        raise VerifyError(str(exc)) from None
