"""Deploying the backend: the SAM template (cfn-lint, and what it wires), the Lambda package, the
Dockerfile, and the database URL read from a Secrets Manager secret or an SSM parameter."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import inspect
import json
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cfnlint import api as cfn_api
from cfnlint.decode import decode
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from psycopg.conninfo import conninfo_to_dict
from support import ROOT

from forms_backend import lambda_handler
from forms_backend.app import create_app
from forms_backend.secrets import SecretError, _region_of, database_url, url_from_secret
from forms_backend.settings import Settings

AWS = ROOT / "deploy" / "aws"
TEMPLATE = AWS / "template.yaml"
ARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:recruit-db-AbCdEf"


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_aws_build", AWS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE))
    assert not errors and decoded is not None
    return decoded


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {name: r["Properties"] for name, r in template["Resources"].items()
             if r["Type"] == "AWS::Serverless::Function"}  # fmt: skip
    assert set(found) == {"ApiFunction", "DrainFunction"}
    return found


# The template as CloudFormation and SAM read it


def lint_problems(matches: list) -> list[str]:
    return [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches if m.rule.id[0] in "EW"]


def test_cfn_lint_finds_no_errors_or_warnings() -> None:
    assert lint_problems(cfn_api.lint_file(TEMPLATE)) == []


def test_cfn_lint_reads_the_sam_resources() -> None:
    # The same template with a runtime Lambda no longer runs and a property SAM does not know.
    broken = TEMPLATE.read_text(encoding="utf-8").replace("Runtime: python3.12", "Runtime: python2.7")
    broken = broken.replace("Timeout: 29", "Timeout: 29\n      Colour: blue")
    problems = " ".join(lint_problems(cfn_api.lint(broken)))
    assert "python2.7" in problems and "Colour" in problems


def test_handlers_are_the_entry_points_of_lambda_handler(template: dict[str, Any]) -> None:
    handlers = {name: props["Handler"] for name, props in functions(template).items()}
    assert handlers == {
        "ApiFunction": "forms_backend.lambda_handler.handler",
        "DrainFunction": "forms_backend.lambda_handler.drain_outbox",
    }
    for dotted in handlers.values():
        module, _, name = dotted.rpartition(".")
        assert module == lambda_handler.__name__
        assert list(inspect.signature(getattr(lambda_handler, name)).parameters) == ["event", "context"]


def test_the_api_is_every_address_under_api_and_workspace(template: dict[str, Any]) -> None:
    api = functions(template)["ApiFunction"]
    events = api["Events"].values()
    assert {e["Type"] for e in events} == {"HttpApi"}
    assert {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events} == {
        ("ANY", "/api"),
        ("ANY", "/api/{proxy+}"),
        ("ANY", "/workspace"),
        ("ANY", "/workspace/{proxy+}"),
    }
    assert {e["Properties"]["ApiId"]["Ref"] for e in events} == {"HttpApi"}
    assert template["Resources"]["HttpApi"]["Type"] == "AWS::Serverless::HttpApi"
    assert "StageName" not in template["Resources"]["HttpApi"].get("Properties", {})  # $default: no prefix
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["RECRUIT_API_BASE_PATH"] == "/api"
    assert api["Timeout"] < 30  # API Gateway's HTTP API gives up at 30 seconds
    assert template["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"].endswith("/api")


def test_the_outbox_is_drained_every_minute(template: dict[str, Any]) -> None:
    drain = functions(template)["DrainFunction"]
    (event,) = drain["Events"].values()
    assert event == {"Type": "Schedule", "Properties": {**event["Properties"], "Schedule": "rate(1 minute)"}}
    assert drain["Timeout"] < 60  # done before the next one starts
    assert drain["ReservedConcurrentExecutions"] == 1


def test_functions_are_in_the_vpc_with_capped_concurrency(template: dict[str, Any]) -> None:
    glob = template["Globals"]["Function"]
    network = {"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": {"Ref": "SecurityGroupIds"}}
    assert glob["VpcConfig"] == network
    assert template["Parameters"]["SubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert glob["MemorySize"] == 512
    api = functions(template)["ApiFunction"]
    assert api["ReservedConcurrentExecutions"] == {"Ref": "ApiConcurrency"}


def statements(policy: Any) -> list[tuple[str, dict[str, Any]]]:
    """(the condition it is under, the statement) for each statement of a function's Policies."""
    if isinstance(policy, dict) and "Fn::If" in policy:
        condition, then, otherwise = policy["Fn::If"]
        assert otherwise == {"Ref": "AWS::NoValue"}
        return [(condition, statement) for _, statement in statements(then)]
    assert isinstance(policy, dict) and "Statement" in policy, f"not an inline policy: {policy!r}"
    return [("", statement) for statement in policy["Statement"]]


def test_each_function_may_read_its_database_setting_and_nothing_else(template: dict[str, Any]) -> None:
    conditions = template["Conditions"]
    assert conditions["UseSecret"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "DatabaseSecretArn"}, ""]}]}
    parameter_given = {"Fn::Not": [{"Fn::Equals": [{"Ref": "DatabaseParameterName"}, ""]}]}
    assert parameter_given in conditions["UseParameter"]["Fn::And"]
    for name, props in functions(template).items():
        found = [pair for policy in props["Policies"] for pair in statements(policy)]
        by_action = {statement["Action"]: (condition, statement) for condition, statement in found}
        assert set(by_action) == {"secretsmanager:GetSecretValue", "ssm:GetParameter"}, name
        condition, secret = by_action["secretsmanager:GetSecretValue"]
        assert condition == "UseSecret" and secret["Resource"] == {"Ref": "DatabaseSecretArn"}
        condition, parameter = by_action["ssm:GetParameter"]
        assert condition == "UseParameter"
        assert parameter["Resource"]["Fn::Sub"].endswith(":parameter${DatabaseParameterName}")
        assert all(s["Effect"] == "Allow" and "*" not in json.dumps(s["Resource"]) for _, s in found)


def test_the_environment_names_variables_the_backend_reads(template: dict[str, Any]) -> None:
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "forms_backend").rglob("*.py"))
    for variable in env:
        assert f'"{variable}"' in sources, f"{variable} is read nowhere in forms_backend"
    assert "DATABASE_URL" not in env  # the password stays in the secret
    assert env["SMTP_HOST"] == {"Ref": "SmtpHost"}  # /var/task is read-only: no .eml files there
    assert float(env["RECRUIT_BUSY_TIMEOUT"]) < functions(template)["ApiFunction"]["Timeout"]


def test_the_package_is_what_build_py_writes(template: dict[str, Any]) -> None:
    glob = template["Globals"]["Function"]
    assert AWS / glob["CodeUri"] == build.OUT
    assert glob["Runtime"] == f"python{build.PYTHON}"
    assert set(template["Parameters"]["Architecture"]["AllowedValues"]) == set(build.PLATFORMS)
    assert glob["Architectures"] == [{"Ref": "Architecture"}]


def test_the_readme_walks_through_every_parameter(template: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploying the form backend", 1)[1].split("\n## ", 1)[0]
    for step in ("recruit build", "build.py", "recruit db migrate", "sam deploy", "docker build"):
        assert step in section
    for name in template["Parameters"]:
        assert f"`{name}`" in section, f"the README does not explain {name}"


# The Lambda package


def third_party_imports() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "forms_backend").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "__future__"}


LAMBDA = {"python_version": build.PYTHON, "python_full_version": f"{build.PYTHON}.0",
          "sys_platform": "linux", "platform_system": "Linux", "implementation_name": "cpython"}  # fmt: skip


def with_requirements(projects: set[str]) -> set[str]:
    """The projects and everything they require on Lambda's Python (no extras), as pip installs them."""
    seen: set[str] = set()
    todo = list(projects)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({**LAMBDA, "extra": ""}):
                todo.append(build.project_name(requirement.name))
    return seen


def test_the_package_holds_every_project_the_backend_imports() -> None:
    imported = third_party_imports()
    assert {"starlette", "psycopg", "mangum", "boto3"} <= imported  # the scan sees the imports
    by_module = importlib.metadata.packages_distributions()
    shipped = with_requirements(set(build.BACKEND_PACKAGES))
    elsewhere = {"boto3": "Lambda's runtime", "uvicorn": "only `recruit backend serve`"}
    for module in sorted(imported - set(elsewhere)):
        projects = {build.project_name(p) for p in by_module.get(module, [])}
        assert projects & shipped, f"forms_backend imports {module}, which build.py does not install"


def test_requirements_are_pinned_as_pyproject_pins_them() -> None:
    chosen = build.requirements()
    assert {build.project_name(line) for line in chosen} == set(build.BACKEND_PACKAGES)
    assert any(line.startswith("psycopg[binary]") for line in chosen)  # libpq comes in the wheel
    assert all(re.search(r"[<>=]", line) for line in chosen)


def test_pip_installs_wheels_for_lambdas_linux() -> None:
    command = build.pip_command(Path("/out"), "arm64", ["mangum>=0.17"])
    text = shlex.join(command)
    assert "--target /out" in text and "--python-version 3.12" in text and "--only-binary=:all:" in text
    assert "--platform manylinux2014_aarch64" in text and "x86_64" not in text
    assert "x86_64" in shlex.join(build.pip_command(Path("/out"), "x86_64", []))


def test_the_package_holds_the_manifest_and_the_pages_the_backend_fills(
    dist: Path, manifest: dict, tmp_path: Path
) -> None:
    out = tmp_path / "function"
    build.copy_sources(ROOT, dist, out)
    shipped = Settings(dist=out / "dist")
    assert json.loads(shipped.manifest_path.read_text(encoding="utf-8")) == manifest
    from forms_backend.pages import page_file

    assert len(manifest["forms"]) == 33
    for form in manifest["forms"]:
        assert page_file(shipped.dist, form["form_path"]) is not None, form["form_path"]
    assert page_file(shipped.dist, "404.html") is not None
    assert (out / "forms_backend" / "lambda_handler.py").is_file()
    assert (out / "forms_backend" / "manifest.schema.json").is_file()
    assert not list(out.rglob("__pycache__"))


def test_packaging_without_a_build_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="run `recruit build` first"):
        build.copy_sources(ROOT, tmp_path / "dist", tmp_path / "out")


# The Dockerfile


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) for each instruction, continuation lines joined."""
    found: list[tuple[str, str]] = []
    pending: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue  # comments may sit between continued lines too
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1].strip())
            continue
        keyword, _, rest = " ".join([*pending, line.strip()]).partition(" ")
        found.append((keyword.upper(), rest.strip()))
        pending = []
    return found


DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
STEPS = instructions(DOCKERFILE)


def last(keyword: str) -> str:
    return [rest for key, rest in STEPS if key == keyword][-1]


def test_the_instruction_parser_joins_continued_lines() -> None:
    assert instructions("FROM a\n# note\nRUN x \\\n    && y\nCMD [\"z\"]\n") == [
        ("FROM", "a"), ("RUN", "x && y"), ("CMD", '["z"]'),
    ]  # fmt: skip


def test_the_container_runs_as_a_named_user_with_a_fixed_uid() -> None:
    assert last("FROM").startswith("python:3.12-slim")
    user = last("USER").split(":")[0]
    assert user not in ("root", "0")
    created = re.search(r"useradd [^&]*--uid (\d+)[^&]* (\w+)\s*(&&|$)", last("RUN"))
    assert created is not None and user in (created.group(1), created.group(2))
    assert [key for key, _ in STEPS].index("USER") > max(i for i, (k, _) in enumerate(STEPS) if k == "COPY")


def test_the_container_serves_the_backend_and_checks_its_health() -> None:
    command = json.loads(last("CMD"))
    assert command[:3] == ["recruit", "backend", "serve"]
    port = command[command.index("--port") + 1]
    assert command[command.index("--host") + 1] == "0.0.0.0" and last("EXPOSE") == port
    check = last("HEALTHCHECK")
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]*)", check)
    assert url is not None and "urllib.request" in check and url.group(1) == port
    # The address is one the app `recruit backend serve` runs really answers with GET.
    app = create_app(Settings())
    assert any(route.path == url.group(2) and "GET" in route.methods for route in app.routes)


def test_nothing_secret_is_baked_in() -> None:
    settings = [rest for key, rest in STEPS if key in ("ENV", "ARG")]
    assert settings and not any("DATABASE_URL" in rest for rest in settings)
    assert not re.search(r"postgres(ql)?://[^\s/@]*:[^\s/@]*@", DOCKERFILE)


def test_what_is_copied_exists_or_is_built_and_is_not_ignored() -> None:
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]  # fmt: skip
    wanted = {".venv", "node_modules", "data", "reports", ".git", ".recruit-cache", "bench/node_modules"}
    assert wanted <= set(ignored)
    sources = [s for key, rest in STEPS if key == "COPY" and "--from" not in rest for s in rest.split()[:-1]]
    assert "dist/" in sources and "recruit build" in DOCKERFILE  # dist/ is what `recruit build` writes
    for source in sources:
        top = source.rstrip("/").split("/")[0]
        assert top not in ignored, f"{source} is copied but .dockerignore leaves it out"
        assert source == "dist/" or (ROOT / source).exists(), source


# The database URL from a secret or a parameter


def test_a_url_in_a_secret_is_used_as_it_is() -> None:
    url = "postgresql://recruit:s3cret@db.internal:5432/recruit?sslmode=verify-full"
    assert url_from_secret(f"  {url}\n", ARN) == url


@given(password=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1))
def test_rds_json_becomes_a_url_whatever_the_password(password: str) -> None:
    secret = {"engine": "postgres", "username": "recruit@council", "password": password,
              "host": "db.abc.eu-west-2.rds.amazonaws.com", "port": 5432, "dbname": "recruit"}  # fmt: skip
    info = conninfo_to_dict(url_from_secret(json.dumps(secret), ARN))
    assert info == {"user": "recruit@council", "password": password, "host": secret["host"],
                    "port": "5432", "dbname": "recruit", "sslmode": "require"}  # fmt: skip


def test_the_host_and_options_can_be_given_beside_the_secret() -> None:
    secret = json.dumps({"username": "recruit", "password": "pw"})  # as RDS manages it: no host
    url = url_from_secret(secret, ARN, "proxy.eu-west-2.rds.amazonaws.com", "prepare_threshold=none")
    assert url == "postgresql://recruit:pw@proxy.eu-west-2.rds.amazonaws.com:5432/?prepare_threshold=none"


@pytest.mark.parametrize(
    ("secret", "words"),
    [
        ({"password": "Hunter2-Secret", "host": "db"}, ["no username"]),
        ({"username": "recruit", "password": "Hunter2-Secret"}, ["no host", "RECRUIT_DATABASE_HOST"]),
        ({"username": "recruit", "password": "Hunter2-Secret", "host": "db", "port": "x"}, ["port"]),
        ({"engine": "mysql", "username": "u", "password": "Hunter2-Secret", "host": "db"}, ["mysql"]),
        ("Hunter2-Secret", ["neither a postgresql:// URL nor"]),
    ],
)
def test_an_unusable_secret_is_named_and_never_shown(secret: Any, words: list[str]) -> None:
    text = secret if isinstance(secret, str) else json.dumps(secret)
    with pytest.raises(SecretError) as caught:
        url_from_secret(text, ARN)
    message = str(caught.value)
    assert ARN in message and all(word in message for word in words)
    assert "Hunter2" not in message


def refuse(name: str) -> str:
    raise AssertionError(f"{name} should not have been read")


def test_the_first_setting_given_wins() -> None:
    url = "postgresql://u:p@h/db"
    both = {"RECRUIT_DATABASE_SECRET": ARN, "RECRUIT_DATABASE_PARAMETER": "/recruit/db"}
    assert database_url({"DATABASE_URL": url, **both}, refuse, refuse) == url
    assert database_url(both, lambda name: url, refuse) == url
    assert database_url({**both, "RECRUIT_DATABASE_SECRET": ""}, refuse, lambda name: f" {url}\n") == url
    blank = {"RECRUIT_DATABASE_SECRET": "", "RECRUIT_DATABASE_PARAMETER": ""}
    assert database_url(blank, refuse, refuse) is None
    with pytest.raises(SecretError, match="/recruit/db does not hold a postgresql:// URL"):
        database_url({"RECRUIT_DATABASE_PARAMETER": "/recruit/db"}, refuse, lambda name: "hunter2")
    secret = json.dumps({"username": "u", "password": "p", "host": "h"})
    env = {"RECRUIT_DATABASE_SECRET": ARN, "RECRUIT_DATABASE_OPTIONS": "sslmode=verify-full"}
    assert database_url(env, lambda name: secret, refuse) == "postgresql://u:p@h:5432/?sslmode=verify-full"


def test_without_boto3_the_error_says_what_to_do() -> None:
    if importlib.util.find_spec("boto3") is not None:
        pytest.skip("boto3 is installed here: this is about a machine without it")
    for env in ({"RECRUIT_DATABASE_SECRET": ARN}, {"RECRUIT_DATABASE_PARAMETER": "/recruit/db"}):
        with pytest.raises(SecretError, match="boto3 is needed .* set DATABASE_URL instead"):
            database_url(env)


def test_the_region_comes_from_an_arn() -> None:
    assert _region_of(ARN) == "eu-west-2"
    assert _region_of("recruit-db") is None and _region_of("/recruit/db") is None


def test_the_lambda_reads_its_settings_once_per_container(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("RECRUIT_DATABASE_SECRET", ARN)
    monkeypatch.setattr(lambda_handler, "_handlers", {})
    if importlib.util.find_spec("boto3") is None:
        with pytest.raises(SecretError, match="boto3"):
            lambda_handler._settings()
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.internal/recruit")
    first = lambda_handler._settings()
    assert first.database_url == "postgresql://u:p@db.internal/recruit"
    assert first.dist == tmp_path / "dist" and first.outbox_interval == 0
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@elsewhere/recruit")
    assert lambda_handler._settings() is first
