"""The backend's admin commands, added to `recruit` by generator/cli.py (see COMMANDS).

recruit backend serve | tokens create/revoke/list | applications export/purge/erase
| outbox send/retry-failed | db migrate/status/copy (db_cli.py) | users add/list/remove/link (users_cli.py)
| events rollup, report, bank sweep (events_cli.py)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import click

from . import auth, export
from .db_cli import db
from .events_cli import bank, events, report
from .manifest import Manifest, ManifestError, load
from .outbox import drain
from .settings import Settings, parse_rate
from .storage import Removed, Storage, StorageError, open_storage
from .users_cli import users


def _root() -> Path:
    ctx = click.get_current_context()
    obj = ctx.find_root().obj or {}
    return Path(obj.get("root") or ".")


def _settings(**overrides) -> Settings:  # noqa: ANN003
    return Settings.from_env(_root(), **overrides)


def _storage(settings: Settings) -> Storage:
    try:
        return open_storage(settings.database_url, settings.busy_timeout)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def _opened(settings: Settings) -> Iterator[Storage]:
    """The storage for one command; a database that cannot be used is a clear error, not a traceback."""
    storage = _storage(settings)
    try:
        yield storage
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        with suppress(StorageError):
            storage.close()


def _manifest(settings: Settings) -> Manifest:
    try:
        return load(settings.manifest_path)
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from None


database_option = click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
manifest_option = click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The forms manifest (default: dist/_forms/manifest.json).",
)

mail_dir_option = click.option(
    "--mail-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where .eml files go (default: data/mail).",
)


@click.group("backend")
def backend() -> None:
    """Run the form backend on its own (what a container or VM runs)."""


@backend.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@manifest_option
@database_option
@click.option(
    "--dist", type=click.Path(file_okay=False, path_type=Path), help="The built sites (default: dist)."
)
@click.option("--mail-dir", type=click.Path(file_okay=False, path_type=Path), help="Where .eml files go.")
@click.option(
    "--smtp", metavar="HOST[:PORT]", help="Send mail through this SMTP server (default: .eml files)."
)
@click.option(
    "--rate-limit", metavar="N/SECONDS", help="Posts per client per window, or 'off' (default 30/600)."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes serving at once, e.g. one a core. They share the database and its outbox; "
    "each counts the rate limit on its own.",
)
def serve(host, port, manifest, database, dist, mail_dir, smtp, rate_limit, workers) -> None:  # noqa: ANN001
    """Serve the backend API at http://HOST:PORT/ (the sites' forms post to /apply/...)."""
    import uvicorn

    from .app import create_app

    overrides: dict = {
        "manifest_path": manifest,
        "database_url": database,
        "dist": dist,
        "mail_dir": mail_dir,
    }
    if smtp:
        name, _, number = smtp.partition(":")
        overrides.update(smtp_host=name, smtp_port=int(number or 25))
    if rate_limit:
        try:
            overrides["rate_limit"] = parse_rate(rate_limit) or (10**9, 1.0)
        except ValueError:
            raise click.BadParameter(
                "write it as N/SECONDS, e.g. 30/600, or off", param_hint="--rate-limit"
            ) from None
    settings = _settings(**overrides)
    _manifest(settings)
    _storage(settings).close()
    click.echo(f"Form backend at http://{host}:{port}/ (manifest {settings.manifest_path}, Ctrl-C to stop)")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)
        return
    # Each worker is a fresh process that builds its app from the environment: hand it these
    # settings there, as the variables Settings.from_env reads.
    os.environ.update(settings.environment())
    uvicorn.run(
        "forms_backend.app:from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
    )


@click.group("tokens")
def tokens() -> None:
    """Bearer tokens for the admin API: one per council, or regional."""


@tokens.command("create")
@click.option("--council", metavar="SLUG", help="The council whose applications the token reads.")
@click.option("--region", is_flag=True, help="A regional token: reads every council's applications.")
@click.option("--label", default="", help="What the token is for, e.g. 'Dudley HR'.")
@manifest_option
@database_option
def tokens_create(council, region, label, manifest, database) -> None:  # noqa: ANN001
    """Make a token and print it once: only its hash is kept."""
    if bool(council) == region:
        raise click.UsageError("give either --council SLUG or --region")
    settings = _settings(manifest_path=manifest, database_url=database)
    if council:
        known = _manifest(settings).councils
        if council not in known:
            raise click.BadParameter(
                f"no council {council!r} in the manifest; known: {', '.join(sorted(known))}",
                param_hint="--council",
            )
    with _opened(settings) as storage:
        token_id, token = auth.create_token(storage, council, label or (council or "region"), settings.now())
    click.echo(token)
    who = f"council {council}" if council else "the region (every council)"
    click.echo(f"Token {token_id} for {who}. Keep it now: it is not shown again.", err=True)


@tokens.command("revoke")
@click.argument("token_or_id")
@database_option
def tokens_revoke(token_or_id, database) -> None:  # noqa: ANN001
    """Revoke a token, given the token itself or its id."""
    token_id = auth.token_id_of(token_or_id)
    if token_id is None:
        raise click.BadParameter("give a token (rc12_...) or its id (12)", param_hint="TOKEN_OR_ID")
    settings = _settings(database_url=database)
    with _opened(settings) as storage:
        done = storage.revoke_token(token_id, settings.now())
    if not done:
        raise click.ClickException(f"no active token {token_id}; `recruit tokens list` shows them")
    click.echo(f"Revoked token {token_id}.")


@tokens.command("list")
@database_option
def tokens_list(database) -> None:  # noqa: ANN001
    """List tokens (ids, councils, labels; never the tokens)."""
    settings = _settings(database_url=database)
    with _opened(settings) as storage:
        for t in storage.tokens():
            state = f"revoked {t.revoked_at[:10]}" if t.revoked_at else "active"
            click.echo(f"{t.id}\t{t.council or '(region)'}\t{t.label}\t{state}")


@click.group("applications")
def applications() -> None:
    """Export, purge and erase applications."""


class Since(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2026-11-01", param, ctx)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:
            self.fail(f"{value!r} is outside the years 1 to 9999 once in UTC; give a nearer date", param, ctx)


@applications.command("export")
@click.option("--council", required=True, metavar="SLUG", help="The council whose applications to export.")
@click.option("--campaign", metavar="SLUG", help="Only this campaign.")
@click.option("--since", type=Since(), help="Only applications received on or after this date.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@manifest_option
@database_option
def applications_export(council, campaign, since, fmt, output, manifest, database) -> None:  # noqa: ANN001
    """One council's applications as CSV (opens safely in Excel) or JSON."""
    settings = _settings(manifest_path=manifest, database_url=database)
    loaded = _manifest(settings)
    if council not in loaded.councils:
        raise click.BadParameter(f"no council {council!r} in the manifest", param_hint="--council")
    with _opened(settings) as storage:
        found = storage.applications(council, campaign, since)
    data = export.to_csv(loaded, found) if fmt == "csv" else export.to_json(found)
    if output:
        output.write_bytes(data)
        click.echo(f"Wrote {len(found)} application{'s' * (len(found) != 1)} to {output}", err=True)
    else:
        stdout = sys.stdout.buffer
        stdout.write(data)
        stdout.flush()


def _report(removed: list[Removed], mail_dir: Path, what: str) -> None:
    files = 0
    for item in removed:
        for eml in sorted(mail_dir.glob(f"{item.reference}-*.eml")) if mail_dir.is_dir() else []:
            eml.unlink(missing_ok=True)
            files += 1
        click.echo(
            f"removed {item.reference} ({item.council}/{item.campaign}, received {item.created_at[:10]})"
        )
    click.echo(
        f"Removed {len(removed)} application{'s' * (len(removed) != 1)} {what}, with their files, "
        f"queued emails and {files} saved email{'s' * (files != 1)}."
    )


@applications.command("purge")
@manifest_option
@database_option
@mail_dir_option
def applications_purge(manifest, database, mail_dir) -> None:  # noqa: ANN001
    """Delete applications older than the region's retention period (retention_days)."""
    settings = _settings(manifest_path=manifest, database_url=database, mail_dir=mail_dir)
    days = _manifest(settings).retention_days
    cutoff = settings.now() - dt.timedelta(days=days)
    with _opened(settings) as storage:
        removed = storage.purge(cutoff)
    _report(removed, settings.mail_dir, f"received before {cutoff:%Y-%m-%d} ({days} days)")


@applications.command("erase")
@click.option("--email", required=True, help="The applicant's email address.")
@database_option
@mail_dir_option
def applications_erase(email, database, mail_dir) -> None:  # noqa: ANN001
    """Remove one person everywhere (UK GDPR erasure): applications, files, emails."""
    settings = _settings(database_url=database, mail_dir=mail_dir)
    with _opened(settings) as storage:
        removed = storage.erase(email)
    _report(removed, settings.mail_dir, f"from {email}")


@click.group("outbox")
def outbox() -> None:
    """The queue of notification emails."""


@outbox.command("send")
@database_option
@click.option("--smtp", metavar="HOST[:PORT]", help="SMTP server (default: $SMTP_HOST, else .eml files).")
@click.option("--mail-dir", type=click.Path(file_okay=False, path_type=Path), help="Where .eml files go.")
def outbox_send(database, smtp, mail_dir) -> None:  # noqa: ANN001
    """Send what is due in the outbox once (for a scheduled job); exit 1 if any could not go."""
    overrides: dict = {"database_url": database, "mail_dir": mail_dir}
    if smtp:
        name, _, number = smtp.partition(":")
        overrides.update(smtp_host=name, smtp_port=int(number or 25))
    settings = _settings(**overrides)
    with _opened(settings) as storage:
        total = drain(storage, settings)
        while total.sent and storage.due(settings.now(), 1):
            more = drain(storage, settings)
            total.sent, total.retried, total.failed = (
                total.sent + more.sent,
                total.retried + more.retried,
                total.failed + more.failed,
            )
            total.errors += more.errors
            if not more.sent:
                break
        counts = storage.outbox_counts()
    click.echo(f"Outbox: {total.summary()}; {counts['waiting']} waiting, {counts['failed']} failed in all.")
    if total.retried or total.failed:
        sys.exit(1)


@outbox.command("retry-failed")
@database_option
def outbox_retry_failed(database) -> None:  # noqa: ANN001
    """Queue the messages that failed for good (a refused address, say) to be sent again."""
    settings = _settings(database_url=database)
    with _opened(settings) as storage:
        count = storage.requeue_failed(settings.now())
        counts = storage.outbox_counts()
    click.echo(
        f"Queued {count} failed message{'s' * (count != 1)} to send again; "
        f"{counts['waiting']} waiting. `recruit outbox send` (or the running server) sends them."
    )


COMMANDS = [backend, tokens, applications, outbox, db, users, events, report, bank]
