"""`recruit events rollup`: count the page views of the last days into the daily rollups, and
delete raw views older than the keeping period (90 days unless told), keeping the rollups.

Run it from a timed job (cron, a scheduled task) every few minutes: each run counts a day
anew, so it can run as often as wanted. Added to `recruit` with the backend's other commands.
"""

from __future__ import annotations

import datetime as dt

import click

from .backend import LONDON


@click.group("events")
def events() -> None:
    """Page views, counted without cookies: their daily rollups and how long raw views are kept."""


@events.command("rollup")
@click.option(
    "--days", default=2, show_default=True, type=click.IntRange(1, 400), help="Days to count, today included."
)
@click.option("--keep-days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="Delete raw page views older than this (the rollups stay).")  # fmt: skip
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def rollup(days, keep_days, database) -> None:  # noqa: ANN001
    """Count the last days' page views into the daily rollups; delete old raw views."""
    from .cli import _opened, _settings

    settings = _settings(database_url=database)
    now = settings.now()
    today = now.astimezone(LONDON).date()
    with _opened(settings) as storage:
        rows = sum(storage.roll_up(today - dt.timedelta(days=n), LONDON, now) for n in range(days))
        deleted = storage.purge_page_events(now - dt.timedelta(days=keep_days))
    click.echo(
        f"Counted {days} day{'s' * (days != 1)} into {rows} rollup rows; "
        f"deleted {deleted} views over {keep_days} days old."
    )
