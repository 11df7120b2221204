"""`recruit users add | list | remove | link`: the people who sign in to the workspace.

    recruit users add hr@dudley.gov.uk --council dudley --role editor
    recruit users add lead@westmidlands.example --region --role coordinator
    recruit users list
    recruit users remove hr@dudley.gov.uk      # their sessions end at once

An editor moves a council's applications on, a viewer reads them, the coordinator reads every
council's. Nobody gets a password: each signs in at the workspace with a link sent to their
address (`users link` sends one now). Added to `recruit` with the backend's other commands.
"""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email

from .storage.staff import ROLES


def _address(text: str) -> str:
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(f"{text!r} is not an email address: {exc}", param_hint="EMAIL") from None


DEMO = "demo.coordinator@example.org"


def demo_link(settings, root, workspace_url: str) -> str | None:  # noqa: ANN001
    """For `make run`'s first look: a demo coordinator and a sign-in link for the terminal. Only
    with the local defaults (the SQLite file under data/, mail to .eml files, no workspace URL
    of its own); None otherwise, so a real deployment never prints one."""
    from pathlib import Path

    from .storage import StorageError, open_storage
    from .workspace import auth

    local = f"sqlite:///{Path(root) / 'data' / 'recruit.db'}"
    if settings.database_url != local or settings.smtp_host or settings.workspace_url:
        return None
    try:
        storage = open_storage(settings.database_url, settings.busy_timeout)
    except StorageError:
        return None
    try:
        now = settings.now()
        user = storage.user(DEMO) or storage.add_user(DEMO, None, "coordinator", now)[0]
        return auth.new_link(storage, user, now, workspace_url)
    except StorageError:
        return None
    finally:
        storage.close()


@click.group("users")
def users() -> None:
    """The people who sign in to the workspace (council HR teams, the region's coordinator)."""


@users.command("add")
@click.argument("email")
@click.option("--council", metavar="SLUG", help="The council whose applications they work.")
@click.option("--region", is_flag=True, help="The region's coordinator: reads every council.")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="viewer or editor; coordinator with --region."
)
@click.option(
    "--manifest",
    "manifest_path",
    metavar="FILE",
    help="The forms manifest (default: dist/_forms/manifest.json).",
)
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def users_add(email, council, region, role, manifest_path, database) -> None:  # noqa: ANN001
    """Let someone sign in to the workspace."""
    from .cli import _manifest, _opened, _settings

    if bool(council) == region:
        raise click.UsageError("give either --council SLUG or --region")
    if region and role != "coordinator":
        raise click.BadParameter(
            "the region's people are coordinators: use --role coordinator", param_hint="--role"
        )
    if council and role == "coordinator":
        raise click.BadParameter("a council's people are viewers or editors", param_hint="--role")
    address = _address(email)
    settings = _settings(manifest_path=manifest_path, database_url=database)
    manifest = _manifest(settings)
    if council and council not in manifest.councils:
        raise click.BadParameter(
            f"no council {council!r} in the manifest; known: {', '.join(sorted(manifest.councils))}",
            param_hint="--council",
        )
    with _opened(settings) as storage:
        user, added = storage.add_user(address, council, role, settings.now())
    where = manifest.councils[council].get("name", council) if council else "the region"
    if not added:
        raise click.ClickException(
            f"{address} can sign in already ({user.role}, {user.council or 'the region'}); "
            "`recruit users remove` them first to change that"
        )
    click.echo(f"Added {address}: {role} for {where}.")
    click.echo(
        f"They sign in at {settings.workspace_address(manifest.region)} with their address; "
        "the link comes by email."
    )


@users.command("list")
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def users_list(database) -> None:  # noqa: ANN001
    """Everyone who can sign in."""
    from .cli import _opened, _settings

    settings = _settings(database_url=database)
    with _opened(settings) as storage:
        people = storage.users()
    if not people:
        click.echo("Nobody can sign in yet: `recruit users add EMAIL --council SLUG --role editor`.")
    for user in people:
        click.echo(f"{user.email}\t{user.role}\t{user.council or 'region'}\tadded {user.created_at[:10]}")


@users.command("remove")
@click.argument("email")
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def users_remove(email, database) -> None:  # noqa: ANN001
    """Stop someone signing in: their sessions end and their unused links stop working, now."""
    from .cli import _opened, _settings

    address = _address(email)
    settings = _settings(database_url=database)
    with _opened(settings) as storage:
        done = storage.remove_user(address, settings.now())
        if done:
            storage.audit(
                settings.now(), None, None, "user-removed", None, {"email": address}, "recruit users"
            )
    if not done:
        raise click.ClickException(f"{address} cannot sign in; `recruit users list` shows who can")
    click.echo(f"Removed {address}: their sessions have ended.")


@users.command("link")
@click.argument("email")
@click.option("--print", "show", is_flag=True, help="Print the link here instead of emailing it (local use).")
@click.option(
    "--manifest",
    "manifest_path",
    metavar="FILE",
    help="The forms manifest (default: dist/_forms/manifest.json).",
)
@click.option(
    "--database", metavar="URL", help="Database URL (default: $DATABASE_URL or sqlite:///data/recruit.db)."
)
def users_link(email, show, manifest_path, database) -> None:  # noqa: ANN001
    """Send someone a sign-in link now (valid 15 minutes, once)."""
    from .cli import _manifest, _opened, _settings
    from .workspace import auth

    address = _address(email)
    settings = _settings(manifest_path=manifest_path, database_url=database)
    manifest = _manifest(settings)
    now = settings.now()
    with _opened(settings) as storage:
        user = storage.user(address)
        if user is None:
            raise click.ClickException(f"{address} cannot sign in; `recruit users add` them first")
        link = auth.new_link(storage, user, now, settings.workspace_address(manifest.region))
        if link is None:
            raise click.ClickException(
                f"{address} has had {auth.LINKS_PER_ADDRESS} links in 15 minutes; wait"
            )
        if not show:
            auth.email_link(storage, manifest, address, link, now, settings.mail_from)
    if show:
        click.echo(link)
    else:
        click.echo(
            f"A sign-in link is in the outbox for {address}: `recruit outbox send` or the server sends it."
        )
