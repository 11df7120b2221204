"""The `recruit` command: validate, build, serve, scaffold and describe the content."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_support import TODAY_HELP, Today, as_click, build_site, fail, root_of
from .problems import ProblemsFound

if TYPE_CHECKING:
    from .verify import Backend


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (the one with site.toml).",
)
@click.version_option(package_name="recruit")
@click.pass_context
def main(ctx: click.Context, root: Path) -> None:
    """Recruitment microsites for a region's councils, from one YAML file per campaign."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root.resolve()


@main.command()
@click.option("--only", metavar="COUNCIL[/CAMPAIGN]", help="Check one council or one campaign.")
@click.pass_context
def validate(ctx: click.Context, only: str | None) -> None:
    """Check site.toml, every council.yaml and campaign file; exit 1 on any problem."""
    from .project import load_project

    root = root_of(ctx)
    try:
        project = load_project(root, only)
    except ProblemsFound as exc:
        fail(exc, root)
    counts = (
        (len(project.councils), "council"),
        (len(project.campaigns), "campaign"),
        (sum(len(c.model.roles) for c in project.campaigns), "role"),
    )
    click.echo("OK: " + ", ".join(f"{n} {word}{'s' * (n != 1)}" for n, word in counts) + ".")


@main.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the sites to (default: output_dir in site.toml, 'dist').",
)
@click.option(
    "--only",
    metavar="COUNCIL[/CAMPAIGN]",
    help="Build one council's sites, or one campaign (e.g. dudley/step-up-now).",
)
@click.option(
    "--clean", is_flag=True, help="Remove files in the output folder that this build did not write."
)
@click.option("--today", type=Today(), help=TODAY_HELP)
@click.option("--base-url", help="Publish at this address instead of site.toml's base_url.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    help="Worker processes (default: one per CPU, or $RECRUIT_JOBS).",
)
@click.option(
    "--explain-templates",
    is_flag=True,
    help="Say which template file was used for each page, and list the variables every template receives.",
)
@click.pass_context
def build_command(
    ctx: click.Context,
    out: Path | None,
    only: str | None,
    clean: bool,
    today: dt.date | None,
    base_url: str | None,
    jobs: int | None,
    explain_templates: bool,
) -> None:
    """Validate, then write every site (all councils, or --only one); unchanged sites are not rebuilt."""
    import gc

    # When this process ends with the build (the `recruit` command, not a test calling it), a
    # garbage collection over everything the build loaded, alive until exit anyway, would cost
    # more than rebuilding one changed site: leave it to the exit.
    exits = ctx.obj.get("exits", False)
    if exits:
        gc.disable()
    root = root_of(ctx)
    result = build_site(root, out, only, clean, today, base_url, jobs=jobs, progress=True)
    if explain_templates:
        for item in result.explained:
            try:
                shown = Path(item.file).relative_to(root)
            except ValueError:
                shown = Path(item.file)
            click.echo(f"{item.page}  ←  {shown}   (looked for: {', '.join(item.candidates)})")
        from .contract import describe

        click.echo("\nVariables each template receives (generator/contract.py):")
        click.echo(describe())
    click.echo(result.summary())
    if exits:
        gc.freeze()  # and none at exit either


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to build into (default: output_dir in site.toml).",
)
@click.option("--today", type=Today(), help=TODAY_HELP)
@click.option(
    "--watch/--no-watch",
    default=True,
    show_default=True,
    help="Rebuild when site.toml, campaigns/ or themes/ change, and reload the pages open in browsers.",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, out: Path | None, today: dt.date | None, watch: bool
) -> None:
    """Build every site, then serve them and the form backend (/api/) at http://HOST:PORT/ until Ctrl-C."""
    from forms_backend.app import create_app
    from forms_backend.settings import Settings

    from .serve import combined_app, run

    root = root_of(ctx)
    address = f"http://{host}:{port}/"
    from .cache import BuildCache

    cache = BuildCache()  # what every build of this server remembers between them
    result = build_site(root, out, None, True, today, base_url=address, cache=cache)
    click.echo(result.summary())
    settings = Settings.from_env(root, dist=result.out, manifest_path=result.out / "_forms" / "manifest.json")
    preview = None
    if watch:
        from .build import build
        from .preview import WATCHED, Preview

        def rebuild():  # noqa: ANN202 - the same build as above, again; only changed files are written
            return build(root, result.out, clean=True, today=today, base_url=address, cache=cache)

        preview = Preview(root, rebuild, result.out, echo=click.echo)
    click.echo(f"Serving {result.councils} councils' sites at {address} (Ctrl-C to stop)")
    click.echo(f"Form backend at {address}api/ (database {settings.database_url}, mail {settings.mail_dir})")
    click.echo(
        f"Staff workspace at {address}workspace/: `recruit users add EMAIL --council SLUG --role editor`, "
        f"then sign in there; the link arrives as an .eml file in {settings.mail_dir}"
    )
    from forms_backend.guards import is_loopback

    if is_loopback(host):
        from forms_backend.users_cli import DEMO, demo_link

        link = demo_link(settings, root, f"{address}workspace/")
        if link:
            click.echo(f"For a first look, sign in as the demo coordinator ({DEMO}): {link}")
    if preview is not None:
        click.echo(f"Watching {WATCHED} for changes; open pages reload after each rebuild")
    app = combined_app(result.out, create_app(settings), preview)
    run(app, host, port, on_exit=preview.close_soon if preview is not None else None)


@main.command()
@click.option("--only", metavar="COUNCIL[/CAMPAIGN]", help="Verify one council's sites, or one campaign.")
@click.option(
    "--report",
    "report",
    type=click.Path(file_okay=False, path_type=Path),
    default="reports",
    show_default=True,
    help="Folder for index.html (the report), junit.xml and the screenshots.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Sites checked at once, each in its own Chromium (default: the number of CPUs).",
)
@click.option("--no-build", is_flag=True, help="Verify the sites already built in the output folder.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built sites' folder (default: output_dir in site.toml, 'dist').",
)
@click.option("--today", type=Today(), help=TODAY_HELP)
@click.pass_context
def verify(
    ctx: click.Context,
    only: str | None,
    report: Path,
    jobs: int | None,
    no_build: bool,
    out: Path | None,
    today: dt.date | None,
) -> None:
    """Check every site in Chromium: pages, links, accessibility, the apply form; exit 1 on any failure."""
    from .opening import default_today
    from .verify import VerifyError, output_dir, run_verify

    root = root_of(ctx)
    with as_click():
        today = today or default_today()
    if no_build:
        out = out or output_dir(root)
    else:
        result = build_site(root, out, None, True, today)  # the whole region (--only picks what is checked)
        click.echo(result.summary())
        out = result.out
    report = report if report.is_absolute() else root / report
    try:
        outcome = run_verify(
            root, out, report, only=only, jobs=jobs, today=today, backend=verify_backend, echo=click.echo
        )
    except VerifyError as exc:
        raise click.ClickException(str(exc)) from None
    sites = len(outcome.results)
    failed = sum(not r.passed for r in outcome.results)
    click.echo(f"Report: {outcome.report_html} (JUnit: {outcome.junit})")
    if failed:
        click.echo(
            f"FAILED: {failed} of {sites} sites failed verification in {outcome.seconds:.0f}s.", err=True
        )
        sys.exit(1)
    click.echo(f"OK: all {sites} sites passed every check in {outcome.seconds:.0f}s.")


def verify_backend(dist: Path, workdir: Path, manifest: dict[str, Any]) -> Backend:
    """What `recruit verify` serves (its BackendFactory): dist/ and forms_backend under /api/, as
    `recruit serve` runs them, on a SQLite database in `workdir` (thrown away); an application
    is looked up through the backend's own storage, by council, campaign and reference."""
    from .verify import Backend, static_only

    try:
        from forms_backend.app import create_app
        from forms_backend.settings import Settings
        from forms_backend.storage import open_storage
    except ImportError as exc:
        return static_only(dist, f"there is no form backend to post to ({exc})")
    from .serve import combined_app

    manifest_path = workdir / "manifest.json"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    database = workdir / "verify.db"
    settings = Settings(
        dist=dist,
        manifest_path=manifest_path,
        database_url=f"sqlite:///{database}",
        mail_dir=workdir / "mail",
        outbox_interval=0,
    )

    def stored(council: str, campaign: str, reference: str) -> bool:
        storage = open_storage(settings.database_url, settings.busy_timeout)
        try:
            return any(a.reference == reference for a in storage.applications(council, campaign))
        finally:
            storage.close()

    def workspace() -> tuple[str, list[str]]:
        """A demo coordinator signed in, and an application of the first form to look at."""
        import datetime as dt

        from forms_backend.storage import NewApplication
        from forms_backend.users_cli import DEMO
        from forms_backend.workspace import auth

        now = dt.datetime.now(dt.UTC)
        form = manifest["forms"][0]
        answers = {"full_name": "Verify Demo", "email": "verify.demo@example.com"}
        storage = open_storage(settings.database_url, settings.busy_timeout)
        try:
            app = NewApplication(
                form["council"], form["campaign"], answers["email"], answers, "verify-demo", now
            )
            reference = storage.save(
                app, lambda: "VER-DEMO01", lambda ref: [], now - dt.timedelta(days=1)
            ).reference
            user = storage.user(DEMO) or storage.add_user(DEMO, None, "coordinator", now)[0]
            cookie = auth.open_session(storage, user, now)
        finally:
            storage.close()
        pages = ["/workspace/applications", f"/workspace/applications/{reference}", "/workspace/overview",
                 "/workspace/audit", "/workspace/users"]  # fmt: skip
        return cookie, pages

    return Backend(
        combined_app(dist, create_app(settings)),
        f"forms_backend, SQLite at {database.name} (thrown away)",
        stored,
        workspace=workspace,
    )


@main.group()
def new() -> None:
    """Start a new council or campaign from a commented, valid file."""


@new.command("council")
@click.argument("slug")
@click.option("--name", required=True, help='The council\'s full name, e.g. "Dudley Council".')
@click.pass_context
def new_council_command(ctx: click.Context, slug: str, name: str) -> None:
    """Create campaigns/SLUG/council.yaml and a placeholder logo."""
    from .scaffold import new_council

    root = root_of(ctx)
    with as_click():
        created = new_council(root, slug, name)
    for path in created:
        click.echo(f"created {path.relative_to(root)}")
    click.echo(f"Next: edit campaigns/{slug}/council.yaml, then `recruit new campaign {slug} NAME`.")


@new.command("campaign")
@click.argument("council")
@click.argument("slug")
@click.option(
    "--extends",
    "extends",
    metavar="SHARED",
    help="Build on a shared campaign in campaigns/_shared/ (e.g. come-back-to-care).",
)
@click.option("--today", type=Today(), help="Start date for the scaffolded campaign.")
@click.pass_context
def new_campaign_command(
    ctx: click.Context, council: str, slug: str, extends: str | None, today: dt.date | None
) -> None:
    """Create campaigns/COUNCIL/SLUG.yaml, ready to edit."""
    from .opening import default_today
    from .scaffold import new_campaign

    root = root_of(ctx)
    with as_click():
        path = new_campaign(root, council, slug, extends, today or default_today())
    click.echo(f"created {path.relative_to(root)}")
    click.echo(f"Next: edit it, then `recruit validate` and `recruit build --only {council}/{slug}`.")


@main.command()
@click.option("--write", is_flag=True, help="Write schemas/*.schema.json instead of printing.")
@click.pass_context
def schema(ctx: click.Context, write: bool) -> None:
    """Print the JSON Schema of council and campaign files (for editor autocompletion)."""
    from .schema import SCHEMA_FILES, json_schemas

    schemas = json_schemas()
    if write:
        root = root_of(ctx)
        for kind, schema_ in schemas.items():
            target = root / SCHEMA_FILES[kind]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(schema_, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            click.echo(f"wrote {SCHEMA_FILES[kind]}")
        return
    click.echo(json.dumps(schemas, indent=2, sort_keys=True))


def _add_backend_commands() -> None:
    """The form backend's admin commands (backend, tokens, applications, outbox)."""
    from forms_backend.cli import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_backend_commands()


def run() -> None:
    """The `recruit` command: one command per process."""
    main(obj={"exits": True})


if __name__ == "__main__":
    run()
