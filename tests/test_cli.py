"""The `recruit` command as a comms officer uses it, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import write_project
from support import ROOT

from generator.cli import main
from generator.schema import SCHEMA_FILES, json_schemas

NO_THEME_COPY = {"themes/default/templates/base.html": None}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), obj={}, catch_exceptions=False)
    return result.exit_code, result.output


def test_every_command_has_help() -> None:
    commands = [
        [],
        ["validate"],
        ["build"],
        ["serve"],
        ["schema"],
        ["new"],
        ["new", "council"],
        ["new", "campaign"],
    ]
    for command in commands:
        code, out = run(*command, "--help")
        assert code == 0 and "Usage:" in out, command
    code, out = run("--help")
    for name in ("validate", "build", "serve", "new", "schema"):
        assert name in out


def test_build_prints_what_it_built(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    code, out = run("--project", str(root), "build", "--out", str(tmp_path / "dist"), "--today", "2026-06-01")
    assert code == 0, out
    assert "Built 1 council, 2 campaigns," in out and "pages" in out
    assert (tmp_path / "dist/testshire/jobs/apply/index.html").is_file()


def test_build_explains_which_template_won(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    code, out = run(
        "--project",
        str(root),
        "build",
        "--out",
        str(tmp_path / "dist"),
        "--explain-templates",
        "--today",
        "2026-06-01",
    )
    assert code == 0
    assert "/testshire/jobs/apply/  ←  " in out and "apply.html" in out
    assert "looked for: apply-jobs.html, apply.html" in out
    assert "campaign: The campaign" in out  # the variable contract is listed


def test_build_refuses_bad_content_and_writes_nothing(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    jobs = root / "campaigns/testshire/jobs.yaml"
    jobs.write_text(jobs.read_text().replace("title:", "titel:", 1))
    code, out = run("--project", str(root), "build", "--out", str(tmp_path / "dist"))
    assert code == 1
    assert "campaigns/testshire/jobs.yaml:1:1: titel: unknown key 'titel'; did you mean 'title'?" in out
    assert "Traceback" not in out
    assert not (tmp_path / "dist").exists()


def test_bad_today_is_a_clear_usage_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    code, out = run("--project", str(root), "build", "--today", "31/03/2026")
    assert code == 2 and "is not a date written YYYY-MM-DD" in out


def test_new_council_and_campaigns_scaffold_valid_files(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    code, out = run(
        "--project", str(root), "new", "council", "dudley", "--name", "Dudley Metropolitan Borough Council"
    )
    assert code == 0, out
    council = (root / "campaigns/dudley/council.yaml").read_text()
    assert council.startswith("# yaml-language-server: $schema=../../schemas/council.schema.json")
    assert "short_name: Dudley" in council
    code, out = run("--project", str(root), "new", "campaign", "dudley", "care-jobs", "--today", "2026-06-01")
    assert code == 0, out
    code, out = run(
        "--project", str(root), "new", "campaign", "dudley", "come-back", "--extends", "come-back-to-care"
    )
    assert code == 0, out
    assert "extends: come-back-to-care" in (root / "campaigns/dudley/come-back.yaml").read_text()
    code, out = run("--project", str(root), "validate")
    assert code == 0, out
    code, out = run("--project", str(root), "build", "--out", str(tmp_path / "dist"), "--today", "2026-06-01")
    assert code == 0, out
    assert (tmp_path / "dist/dudley/care-jobs/apply/index.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "campaign", "dudly", "x"], "there is no council 'dudly'"),
        (
            ["new", "campaign", "testshire", "x", "--extends", "come-back-to-car"],
            "did you mean 'come-back-to-care'?",
        ),
        (["new", "campaign", "testshire", "jobs"], "already exists"),
        (["new", "council", "Bad Name", "--name", "X"], "not a valid council name"),
    ],
)
def test_new_refuses_mistakes_clearly(tmp_path: Path, args: list[str], message: str) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    code, out = run("--project", str(root), *args)
    assert code != 0 and message in out
    assert "Traceback" not in out


def test_schema_prints_council_and_campaign_schemas() -> None:
    code, out = run("schema")
    assert code == 0
    schemas = json.loads(out)
    assert schemas["campaign"]["additionalProperties"] is False
    assert "title" in schemas["campaign"]["required"]
    assert "brand" in schemas["council"]["properties"]


def test_committed_schemas_are_current() -> None:
    """Editors read schemas/*.json; regenerate them with `make schemas` after a model change."""
    for kind, schema in json_schemas().items():
        committed = json.loads((ROOT / SCHEMA_FILES[kind]).read_text())
        assert committed == json.loads(json.dumps(schema)), f"{SCHEMA_FILES[kind]} is stale"


def test_example_region_validates() -> None:
    code, out = run("--project", str(ROOT), "validate")
    assert code == 0, out
    assert out.startswith("OK: 14 councils")


def _build_in(root: Path, env: dict[str, str], tty: bool) -> str:
    """`recruit build` as a person at a terminal (tty) or a CI job sees it: everything it printed."""
    import os
    import pty
    import subprocess
    import sys

    command = [sys.executable, "-m", "generator", "--project", str(root), "build", "--today", "2026-11-23"]
    env = {**os.environ, **env}
    if not tty:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return done.stdout + done.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait() == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_build_shows_progress_at_a_terminal_and_one_line_in_ci(tmp_path: Path) -> None:
    root = write_project(tmp_path, NO_THEME_COPY)
    shown = _build_in(root, {"CI": ""}, tty=True)
    assert "Building: 2/2 sites" in shown and "pages/s)" in shown
    assert shown.rstrip().splitlines()[-1].lstrip("\r\x1b[K").startswith("Built 1 council, 2 campaigns")
    (root / "campaigns/testshire/jobs.yaml").write_text(
        (root / "campaigns/testshire/jobs.yaml").read_text().replace("Care jobs in", "Carers wanted in")
    )
    logged = _build_in(root, {"CI": "true"}, tty=False)
    assert "Building:" not in logged and "\r" not in logged
    assert logged.splitlines() == [logged.strip()] and logged.startswith("Built 1 council, 2 campaigns")
    assert "files written" in logged
