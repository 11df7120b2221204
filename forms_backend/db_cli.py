"""`recruit db migrate | status | copy`: the database's schema, and moving a region to another one.

Added to `recruit` with the backend's other commands (forms_backend/cli.py COMMANDS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import click

from .settings import Settings
from .storage import StorageError, migrations, open_storage
from .storage import copy as copying
from .storage.sql import SQLStorage, stamp


@contextmanager
def _raw(url: str, busy_timeout: float) -> Iterator[SQLStorage]:
    """A database opened as it is, older or newer than this code; errors as clear messages."""
    try:
        storage = open_storage(url, busy_timeout, check_schema=False)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield storage  # type: ignore[misc]
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        with suppress(StorageError):
            storage.close()


def _settings(database: str | None) -> Settings:
    from .cli import _settings as settings  # the project folder the command runs in

    return settings(database_url=database)


@click.group("db")
def db() -> None:
    """The database: its schema version, migrations, and copying it to another database."""


database_option = click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)


@db.command("migrate")
@database_option
def migrate(database) -> None:  # noqa: ANN001
    """Bring the database's schema up to this release (back it up first); each step once."""
    settings = _settings(database)
    with _raw(settings.database_url, settings.busy_timeout) as storage:
        done = migrations.migrate(storage, dt.datetime.now(dt.UTC))
        where = storage.where
    for step in done:
        click.echo(f"Applied migration {step.version}: {step.name}")
    state = "now" if done else "already"
    click.echo(f"The database {where} is {state} at schema version {migrations.LATEST}.")


@db.command("status")
@database_option
def status(database) -> None:  # noqa: ANN001
    """The schema version the database is at, each migration applied, and those waiting."""
    settings = _settings(database)
    with _raw(settings.database_url, settings.busy_timeout) as storage:
        with storage.transaction() as session:
            current = migrations.version(storage, session)
        applied = {version: when for version, _, when in migrations.applied(storage)}
        where = storage.where
    click.echo(f"Database: {where} ({storage.engine})")
    click.echo(
        f"Schema version: {current if current is not None else 'none (a new database)'}; "
        f"this release: {migrations.LATEST}"
    )
    for step in migrations.MIGRATIONS:
        done = applied.get(step.version)
        mark = f"applied {stamp(done)[:19].replace('T', ' ')} UTC" if done else "waiting"
        if not done and current is not None and step.version <= current:
            mark = "applied (before migrations were recorded)"
        click.echo(f"  {step.version}  {step.name}: {mark}")
    if current is not None and current > migrations.LATEST:
        raise click.ClickException(str(migrations.newer(current)))
    if current is not None and current < migrations.LATEST:
        click.echo("Run `recruit db migrate` to bring it up to date.")


@db.command("copy")
@click.option("--from", "source", required=True, metavar="URL", help="The database to copy from.")
@click.option("--to", "target", required=True, metavar="URL", help="An empty database to copy into.")
def copy(source, target) -> None:  # noqa: ANN001
    """Copy every application, file, email, token and event into another database, and check the
    counts (stop the backend first). The target is made or migrated to this release's schema."""
    settings = _settings(None)
    with _raw(source, settings.busy_timeout) as origin, _raw(target, settings.busy_timeout) as into:
        with origin.transaction() as session:
            current = migrations.version(origin, session)
        if current != migrations.LATEST:
            raise click.ClickException(
                f"the source database is at schema version {current}, not {migrations.LATEST}: "
                f"run `recruit db migrate --database {source}` first"
            )
        migrations.migrate(into, dt.datetime.now(dt.UTC))
        copied = copying.copy(origin, into)
        where = (origin.where, into.where)
    click.echo(f"Copied {where[0]} to {where[1]}; the counts match:")
    for table, count in copied.items():
        click.echo(f"  {table}: {count:,}")
