"""The generator's side of the manifest contract: what it writes follows manifest.schema.json.

The schema ships inside the backend's package (forms_backend/manifest.schema.json), which reads
its format name and version from it; the generator never imports the backend, so these tests
read the file by its path.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from projects import COUNCIL, JOBS, VALID_FILES, write_project
from support import ROOT

from generator import contract
from generator.build import build
from generator.manifest import FORMAT, VERSION

SCHEMA_FILE = ROOT / "forms_backend" / "manifest.schema.json"

EVERY_TYPE = """\
form:
  cv: optional
  fields:
    - {id: nickname, type: text, label: What should we call you?, max_length: 40}
    - {id: about, type: textarea, label: Tell us about yourself, max_length: 500, hint: A few lines}
    - {id: work_email, type: email, label: Work email, required: false}
    - {id: mobile, type: tel, label: Mobile number, required: false}
    - {id: years, type: number, label: Years of experience, min: 0, max: 60}
    - {id: start, type: date, label: "When could you start?"}
    - {id: shift, type: select, label: Preferred shift, options: [Days, Nights]}
    - {id: licence, type: radios, label: "Do you drive?", options: [Yes, No]}
    - {id: days, type: checkboxes, label: "Which days?", options: [Weekdays, Weekends], required: false}
    - {id: dbs, type: file, label: Upload your DBS certificate, required: false}
    - {id: hcpc, type: text, label: HCPC number, pattern: "HCPC[0-9]{5}", pattern_message: Like HCPC12345}
talent_bank:
  wording: Add me to the regional talent bank
  hint: Other councils may contact you.
"""


def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def validator() -> jsonschema.Draft202012Validator:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema(), format_checker=checker)


def problems(data: object) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator().iter_errors(data)]


@pytest.fixture(scope="module")
def every_type(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A small project whose one council has its own domain and whose form asks every field type."""
    root = tmp_path_factory.mktemp("every-type")
    council = VALID_FILES[COUNCIL].replace("website:", "base_url: https://jobs.testshire.example\nwebsite:")
    own_theme = {"themes/default/templates/base.html": None}  # the generator's built-in default theme
    write_project(root, {**own_theme, COUNCIL: council, JOBS: VALID_FILES[JOBS] + EVERY_TYPE})
    out = root / "dist"
    build(root, out, today=dt.date(2026, 6, 1))
    return out, json.loads((out / "_forms" / "manifest.json").read_text(encoding="utf-8"))


def test_the_schema_is_a_json_schema_with_an_id() -> None:
    data = schema()
    jsonschema.Draft202012Validator.check_schema(data)
    assert data["$id"].endswith("/manifest.schema.json")
    # every key but routes, which a region without campaigns/_shared/routes.yaml does not have
    assert set(data["required"]) == set(data["properties"]) - {"routes"}
    assert data["additionalProperties"] is False


def test_the_generator_writes_the_schemas_format_and_version() -> None:
    properties = schema()["properties"]
    assert (properties["format"]["const"], properties["version"]["const"]) == (FORMAT, VERSION)


def test_the_example_manifest_follows_the_schema(manifest: dict) -> None:
    assert problems(manifest) == []


def test_a_manifest_with_every_field_type_follows_the_schema(every_type: tuple[Path, dict]) -> None:
    _, data = every_type
    assert problems(data) == []
    form = next(f for f in data["forms"] if f["campaign"] == "jobs")
    kinds = {spec["type"] for spec in form["fields"]}
    assert kinds == set(schema()["$defs"]["field"]["properties"]["type"]["enum"])
    assert "https://jobs.testshire.example" in data["origins"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda m: m.update(format="recruit-pages"), "$.format"),
        (lambda m: m.update(version=2), "$.version"),
        (lambda m: m.update(version=True), "$.version"),
        (lambda m: m.update(extra=1), "$"),
        (lambda m: m["region"].update(theme="default"), "$.region"),
        (lambda m: m["forms"][0]["fields"][0].update(colour="red"), "$.forms[0].fields[0]"),
        (lambda m: m["forms"][0]["fields"][0].pop("messages"), "$.forms[0].fields[0]"),
        (lambda m: m["forms"][0].update(opens="1 April 2026"), "$.forms[0].opens"),
        (lambda m: m["forms"][0]["fields"][3].update(pattern=None), "$.forms[0].fields[3].pattern"),
        (lambda m: m["forms"][0]["fields"][0].update(type="colour"), "$.forms[0].fields[0].type"),
    ],
)
def test_the_schema_refuses_what_the_generator_never_writes(every_type, change, where) -> None:  # noqa: ANN001
    data = json.loads(json.dumps(every_type[1]))
    change(data)
    assert any(p.startswith(f"{where}:") for p in problems(data)), problems(data)


def test_the_built_apply_page_has_every_hook_the_schema_lists(every_type: tuple[Path, dict]) -> None:
    """The backend fills the apply page through the hooks alone; the default theme has each."""
    from bs4 import BeautifulSoup

    out, data = every_type
    hooks = schema()["x-apply-page-hooks"]
    form = next(f for f in data["forms"] if f["campaign"] == "jobs")
    page = BeautifulSoup((out / form["form_path"].strip("/") / "index.html").read_text(), "html.parser")
    for hook in hooks:
        assert page.find(attrs={hook: True}) is not None, hook
    for spec in form["fields"]:
        group = page.find(attrs={"data-field": spec["id"]})
        assert group.has_attr("data-error-class"), spec["id"]
        for hook in ("data-error-message", "data-error-text", "data-control"):
            assert group.find(attrs={hook: True}) is not None, (spec["id"], hook)
        slot = group.find(attrs={"data-error-message": True})
        assert slot.get("id") and slot.has_attr("hidden"), spec["id"]


def test_the_template_contract_lists_the_schemas_page_hooks() -> None:
    assert list(contract.APPLY_HOOKS) == list(schema()["x-apply-page-hooks"])
    assert all(f"{hook}:" in contract.describe() for hook in contract.APPLY_HOOKS)


@pytest.mark.parametrize("offset", [-400, -2, -1, 0, 1, 2, 29, 30, 31, 32, 400])
def test_the_backend_and_the_build_agree_when_a_campaign_is_open(offset: int) -> None:
    """The open/closed rule is written once on each side of the manifest (the backend imports
    nothing from the generator): a day before, on and after each date, the two agree."""
    from forms_backend.manifest import is_open
    from generator.opening import campaign_status

    opens, closes = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    today = opens + dt.timedelta(days=offset)
    form = {"opens": opens.isoformat(), "closes": closes.isoformat()}
    expected = {"upcoming": None, "open": True, "closed": False}[campaign_status(opens, closes, today)]
    assert is_open(form, today) is expected
    if offset == 0 or offset == 30:  # the opening and closing days themselves take applications
        assert expected is True
