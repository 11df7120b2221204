"""What the `recruit` commands share: the project folder, the date option, the core's errors
as click's, and a build with its progress line."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .problems import ProblemsFound, ScaffoldError, UsageProblem

if TYPE_CHECKING:
    from .cache import BuildCache


def root_of(ctx: click.Context) -> Path:
    return ctx.obj["root"]


def fail(exc: ProblemsFound, root: Path) -> None:
    click.echo(exc.format(root), err=True)
    sys.exit(1)


@contextlib.contextmanager
def as_click() -> Iterator[None]:
    """The core's own errors as click's: the same message, one line, the usual exit code."""
    try:
        yield
    except UsageProblem as exc:
        if exc.argument:
            raise click.BadParameter(str(exc), param_hint=exc.argument) from None
        raise click.UsageError(str(exc)) from None
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None


class Today(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):  # noqa: ANN001
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2026-03-31", param, ctx)


TODAY_HELP = (
    "Build as if today were this date (decides which campaigns show as open); "
    "default: today, or $RECRUIT_TODAY."
)


def build_site(
    root: Path,
    out: Path | None,
    only: str | None,
    clean: bool,
    today: dt.date | None,
    base_url: str | None = None,
    jobs: int | None = None,
    progress: bool = False,
    cache: BuildCache | None = None,
):  # noqa: ANN202
    from .build import build

    meter = _ProgressLine() if progress and _interactive() else None
    try:
        with as_click():
            return build(
                root,
                out,
                only=only,
                clean=clean,
                today=today,
                base_url=base_url,
                jobs=jobs,
                progress=meter,
                cache=cache,
            )
    except ProblemsFound as exc:
        fail(exc, root)
    finally:
        if meter:
            meter.close()


def _interactive() -> bool:
    """A person watching a terminal (not a CI log, where one summary line reads better)."""
    import os

    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


class _ProgressLine:
    """`Building: 120/2000 sites, 1,930 pages (1,540 pages/s)`, redrawn in place on stderr."""

    def __init__(self) -> None:
        import time

        self.clock = time.perf_counter
        self.started = self.clock()
        self.shown = False

    def __call__(self, done: int, total: int, pages: int) -> None:
        rate = pages / max(self.clock() - self.started, 1e-6)
        line = f"Building: {done}/{total} sites, {pages:,} pages ({rate:,.0f} pages/s)"
        click.echo(f"\r{line}\x1b[K", nl=False, err=True)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", nl=False, err=True)
