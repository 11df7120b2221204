"""`recruit events rollup`: count the page views of the last days into the daily rollups, and
delete raw views older than the keeping period (90 days unless told), keeping the rollups.

Run it from a timed job (cron, a scheduled task) every few minutes: each run counts a day
anew, so it can run as often as wanted. Added to `recruit` with the backend's other commands.
"""

from __future__ import annotations

import click


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
    from .evaluation.rollup import catch_up

    settings = _settings(database_url=database)
    settings.keep_days = keep_days
    with _opened(settings) as storage:
        counted = catch_up(storage, settings, days)
    click.echo(
        f"Counted {days} day{'s' * (days != 1)} into {counted.rows} rollup row{'s' * (counted.rows != 1)}; "
        f"deleted {counted.deleted} views over {keep_days} days old."
    )


@click.command("report")
@click.option(
    "--council", metavar="SLUG", help="One council (default: the region, every council side by side)."
)
@click.option("--campaign", metavar="SLUG", help="One campaign (default: all).")
@click.option("--since", metavar="DATE", help="From this day, like 2026-11-01 (default: since launch).")
@click.option("--out", metavar="DIR", default="report", show_default=True, type=click.Path(file_okay=False),
              help="Where report.html, report.csv and report.json are written.")  # fmt: skip
@click.option(
    "--no-rollup", is_flag=True, help="Report the rollups as they are, without counting today first."
)
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def report(council, campaign, since, out, no_rollup, database) -> None:  # noqa: ANN001
    """Write the evaluation report (HTML to email or publish, with CSV and JSON beside it)."""
    import datetime as dt
    from pathlib import Path

    from .backend import LONDON
    from .cli import _manifest, _opened, _settings
    from .evaluation.report import build
    from .evaluation.report_files import write
    from .evaluation.rollup import catch_up

    settings = _settings(database_url=database)
    manifest = _manifest(settings)
    if council and council not in manifest.councils:
        known = ", ".join(sorted(manifest.councils))
        raise click.BadParameter(
            f"the region has no council {council!r} (it has: {known})", param_hint="--council"
        )
    if campaign and not any(f["campaign"] == campaign and (not council or f["council"] == council)
                            for f in manifest.forms):  # fmt: skip
        where = f"{council} has" if council else "the region has"
        raise click.BadParameter(f"{where} no campaign {campaign!r}", param_hint="--campaign")
    today = settings.now().astimezone(LONDON).date()
    try:
        start = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise click.BadParameter(
            f"{since!r} is not a date: write it like 2026-11-01", param_hint="--since"
        ) from None
    if start is not None and start > today:
        raise click.BadParameter(f"{since} is after today ({today})", param_hint="--since")
    with _opened(settings) as storage:
        if not no_rollup:
            catch_up(storage, settings)
        first = start or storage.first_day() or today
        found = build(storage, manifest, [council] if council else None, campaign, min(first, today), today)
    names = {slug: c.get("name", slug) for slug, c in manifest.councils.items()}
    for path in write(found, Path(out), manifest.region.get("name", ""), names):
        click.echo(f"wrote {path}")
    visits, applied, placed = (found.total[step] for step in ("visits", "applied", "placed"))
    click.echo(
        f"{found.scope[:1].upper()}{found.scope[1:]}: {visits:,} visit{'s' * (visits != 1)}, "
        f"{applied:,} application{'s' * (applied != 1)}, {placed:,} placed since {found.since}."
    )


@click.group("bank")
def bank() -> None:
    """The regional talent bank: its consents' calendar."""


@bank.command("sweep")
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def sweep(database) -> None:  # noqa: ANN001
    """Remind those whose consent ends within a month, hide the expired, delete the hidden for 30 days."""
    from .bank.sweep import sweep as run_sweep
    from .cli import _manifest, _opened, _settings

    settings = _settings(database_url=database)
    manifest = _manifest(settings)
    with _opened(settings) as storage:
        reminded, hidden, deleted = run_sweep(storage, settings, manifest)
    click.echo(
        f"Talent bank: {reminded} reminded, {hidden} hidden at the end of their consent, {deleted} deleted."
    )
