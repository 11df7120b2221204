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


@pytest.mark.parametrize("pinned", ["2026-13-01", "31/03/2026", "20260331"])
def test_bad_recruit_today_is_a_clear_usage_error(tmp_path: Path, monkeypatch, pinned: str) -> None:
    root = write_project(tmp_path / "p", NO_THEME_COPY)
    monkeypatch.setenv("RECRUIT_TODAY", pinned)
    result = CliRunner().invoke(
        main, ["--project", str(root), "build", "--out", str(tmp_path / "dist")], obj={}
    )
    assert result.exit_code == 2, result.output
    assert f"RECRUIT_TODAY='{pinned}' is not a date written YYYY-MM-DD, e.g. 2026-03-31" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert not (tmp_path / "dist").exists()


def test_good_recruit_today_pins_the_date(monkeypatch) -> None:
    from generator.opening import default_today

    monkeypatch.setenv("RECRUIT_TODAY", "2026-03-31")
    assert default_today().isoformat() == "2026-03-31"


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
    # required unless the file extends a shared campaign, which fills in what it leaves out
    assert "title" in schemas["campaign"]["else"]["required"]
    assert schemas["campaign"]["if"]["required"] == ["extends"]
    assert "brand" in schemas["council"]["properties"]


def test_committed_schemas_are_current() -> None:
    """Editors read schemas/*.json; regenerate them with `make schemas` after a model change."""
    schemas = json_schemas()
    assert sorted(schemas) == sorted(SCHEMA_FILES) == ["campaign", "council", "questions", "routes", "site"]
    for kind, schema in schemas.items():
        committed = json.loads((ROOT / SCHEMA_FILES[kind]).read_text())
        assert committed == json.loads(json.dumps(schema)), f"{SCHEMA_FILES[kind]} is stale"


def _schema_for(file: Path) -> Path:
    """The schema a content file's first line points editors at."""
    first = file.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), f"{file} does not link its schema"
    return (file.parent / first.split("$schema=", 1)[1].strip()).resolve()


def _as_json(data: object) -> object:
    """YAML as an editor's schema check sees it: dates are strings there."""
    import datetime as dt

    if isinstance(data, dict):
        return {k: _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(v) for v in data]
    return data.isoformat() if isinstance(data, dt.date) else data


def _validator(schema: dict):  # noqa: ANN202 - a jsonschema validator
    """A validator for `schema`, itself checked first (a schema editors cannot use is a failure)."""
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator, data: object) -> list[str]:  # noqa: ANN001 - a jsonschema validator
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def _schema_errors(schema: dict, data: object) -> list[str]:
    return _errors(_validator(schema), data)


def test_every_example_file_validates_against_the_schema_its_first_line_links() -> None:
    """What an editor checks as you type: no red marks on the shipped files (shared, extending, own)."""
    import yaml

    files = [f for f in sorted((ROOT / "campaigns").rglob("*.yaml")) if "templates" not in f.parts]
    assert sum(f.name == "council.yaml" for f in files) == 14  # the example region's councils
    assert any(f.parent.name == "_shared" for f in files) and len(files) > 14 + 3
    validators = {}  # one a schema file: checking a schema is most of the work
    failures = {}
    for file in files:
        schema = _schema_for(file)
        if schema not in validators:
            validators[schema] = _validator(json.loads(schema.read_text(encoding="utf-8")))
        data = _as_json(yaml.safe_load(file.read_text(encoding="utf-8")))
        errors = _errors(validators[schema], data)
        if errors:
            failures[file.relative_to(ROOT).as_posix()] = errors
    assert not failures, json.dumps(failures, indent=2)


def test_campaign_schema_asks_for_all_only_without_extends() -> None:
    schema = json_schemas()["campaign"]
    schema = json.loads(json.dumps(schema))
    role = {"slug": "care-worker", "title": "Care Worker"}

    # extending: nothing the shared campaign can fill in is required, but a role (lists replace
    # whole) and an image (replaced whole) still need their own keys
    extending = {"extends": "come-back-to-care", "hero": {"intro": "Ours"}, "roles": [role]}
    assert [e.split(":")[0] for e in _schema_errors(schema, extending)] == ["roles/0"] * 5
    image = {"extends": "come-back-to-care", "hero": {"image": {"src": "assets/ours.jpg"}}}
    assert [e.split(":")[0] for e in _schema_errors(schema, image)] == ["hero/image"]
    assert not _schema_errors(schema, {**image, "hero": {"image": {"src": "a.jpg", "alt": "Our team"}}})
    # on its own: everything required is asked for, down into hero
    alone = {"title": "Care jobs", "hero": {"intro": "Ours"}}
    errors = _schema_errors(schema, alone)
    for key in ("audience", "opens", "closes", "body", "sharing"):
        assert f": '{key}' is a required property" in errors
    assert "hero: 'headline' is a required property" in errors
    assert _schema_errors(schema, {**extending, "roles": [], "titel": "x"}) == [
        ": Additional properties are not allowed ('titel' was unexpected)"
    ]


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
