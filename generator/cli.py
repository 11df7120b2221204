"""The `recruit` command: validate, build, serve, scaffold and describe the content."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import click

from .problems import ProblemsFound


def _root(ctx: click.Context) -> Path:
    return ctx.obj["root"]


def _fail(exc: ProblemsFound, root: Path) -> None:
    click.echo(exc.format(root), err=True)
    sys.exit(1)


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

    root = _root(ctx)
    try:
        project = load_project(root, only)
    except ProblemsFound as exc:
        _fail(exc, root)
    n_campaigns = len(project.campaigns)
    click.echo(
        f"OK: {len(project.councils)} councils, {n_campaigns} campaigns, "
        f"{sum(len(c.model.roles) for c in project.campaigns)} roles."
    )


@main.command()
@click.pass_context
def schema(ctx: click.Context) -> None:
    """Print the JSON Schema of council and campaign files (for editor autocompletion)."""
    from .schema import json_schemas

    click.echo(json.dumps(json_schemas(), indent=2, sort_keys=True))


def run() -> None:
    main(obj={})


if __name__ == "__main__":
    run()
