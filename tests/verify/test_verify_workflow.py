"""The CI workflow parses, and every command it runs exists in the Makefile or in the `recruit` CLI."""

from __future__ import annotations

import re
import shlex
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from support import ROOT

from generator.cli import main

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def commands(workflow: dict[str, Any]) -> list[str]:
    found = []
    for step in steps(workflow):
        for line in step.get("run", "").splitlines():
            found += [part.strip() for part in re.split(r"&&|\|\||;", line) if part.strip()]
    return found


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*):", text, re.M))


def test_it_runs_on_pull_requests_and_pushes_to_main(workflow: dict[str, Any]) -> None:
    assert "pull_request" in workflow["on"]
    assert workflow["on"]["push"]["branches"] == ["main"]


def test_every_make_target_and_recruit_command_it_calls_exists(workflow: dict[str, Any]) -> None:
    targets = make_targets()
    seen = set()
    for command in commands(workflow):
        words = shlex.split(re.sub(r"\$\{[^}]*\}", "", command))
        if words[0] == "make":
            missing = [t for t in words[1:] if not t.startswith("-") and t not in targets]
            assert missing == [], command
            seen.add("make")
        elif words[0].endswith("recruit"):
            sub = main.commands.get(words[1])
            assert isinstance(sub, click.Command), f"`recruit {words[1]}` is not a command: {command}"
            known = {o for p in sub.params + main.params for o in getattr(p, "opts", [])}
            options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", command))
            assert options <= known, f"{command}: unknown {sorted(options - known)}"
            seen.add(words[1])
        else:
            pytest.fail(f"a step runs something other than make or recruit: {command}")
    assert {"make", "validate", "build", "verify"} <= seen


def test_the_report_is_uploaded_even_when_verify_fails(workflow: dict[str, Any]) -> None:
    names = [s.get("uses", "") or s.get("run", "") for s in steps(workflow)]
    verify = next(i for i, n in enumerate(names) if "recruit verify" in n)
    build = next(i for i, n in enumerate(names) if "recruit build" in n)
    upload = next(i for i, n in enumerate(names) if n.startswith("actions/upload-artifact"))
    assert build < verify < upload
    report = re.search(r"--report (\S+)", names[verify]).group(1)
    upload_step = steps(workflow)[upload]
    assert upload_step["with"]["path"].rstrip("/") == report.rstrip("/")
    assert "cancelled()" in upload_step["if"] or "always()" in upload_step["if"]


def test_a_push_to_main_publishes_dist_to_pages_after_verify(workflow: dict[str, Any]) -> None:
    pages = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert pages["with"]["path"].rstrip("/") == "dist"
    assert "refs/heads/main" in pages["if"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "verify" and "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy["steps"])


def test_verify_is_a_command_with_the_documented_options() -> None:
    result = CliRunner().invoke(main, ["verify", "--help"])
    assert result.exit_code == 0
    for option in ("--only", "--report", "--jobs", "--no-build", "--today"):
        assert option in result.output


def test_verify_without_a_build_says_how_to_make_one(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "site.toml").write_text('output_dir = "public"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "verify", "--no-build"])
    assert result.exit_code == 1
    assert "public/_forms/manifest.json is missing: build the sites first (`recruit build`)" in result.output
    assert "Traceback" not in result.output
