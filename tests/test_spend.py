"""A campaign's `spend:` and `applications_elsewhere:`: what it cost and the applications it got
other than through its form, for the evaluation's cost per application and digital take-up.

Valid maps reach the manifest with their channels named as the backend names sources; each kind
of mistake is one problem at its key's line, with a hint, reported as `recruit validate` prints
it and never as a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from projects import COMEBACK, COMEBACK_YAML, JOBS, JOBS_YAML, SHARED, SHARED_YAML, write_project
from support import ROOT

from forms_backend.evaluation.classify import KNOWN, classify
from forms_backend.manifest import parse
from generator.build import build
from generator.cli import main
from generator.evaluation_models import SOURCES, channel
from generator.problems import ProblemsFound
from generator.project import load_project

# Where what a test adds at the end of a file starts: the line after the file's last.
FIRST = {JOBS: len(JOBS_YAML.splitlines()) + 1, SHARED: len(SHARED_YAML.splitlines()) + 1}


def jobs(added: str) -> dict[str, str]:
    """The small project with `added` at the end of its jobs campaign (from line FIRST[JOBS])."""
    return {JOBS: JOBS_YAML + added}


# --- channels are named as the backend names an application's source ---------------------------

NAMES = [
    "facebook", "Facebook", "FACEBOOK ", "fb", "facebook.com", "www.facebook.com", "m.facebook.com",
    "Twitter", "X", "x.com", "t.co", "LinkedIn", "lnkd.in", "Instagram", "TikTok", "YouTube",
    "Google", "google.co.uk", "Bing", "Indeed", "indeed.co.uk", "jobs.nhs.uk", "NHS Jobs",
    "Nextdoor", "WhatsApp", "mail.google.com", "Gmail", "Outlook", "newsletter", "posters",
    "Community Radio", "bus_stops", "in-person", "In person", "paper", "phone", "Email",
    "Facebook Ads", "2024", "a" * 70, "---", "£££", "", "  ",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES + sorted(KNOWN) + sorted({host.split(".")[0] for host in KNOWN}))
def test_a_channel_is_named_as_the_backend_names_the_source_of_an_application(name: str) -> None:
    counted = classify({"utm_source": name}, None, frozenset())
    expected = counted.source if counted.source != "direct" else None  # no usable utm_source
    assert channel(name) == expected


def test_the_generators_copy_of_the_known_sites_is_the_backends() -> None:
    assert {host: source for host, (source, _medium) in KNOWN.items()} == SOURCES


# --- valid maps, in the manifest ----------------------------------------------------------------

SPENT = """\
spend:
  Facebook: 1200
  LinkedIn: 800.50
  Twitter: 0
  Community Radio: 150.5
applications_elsewhere:
  Paper: 4
  in person: 2
  phone: 0
"""


@pytest.fixture(scope="module")
def spent_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The manifest of the small project built with SPENT in its jobs campaign."""
    real_theme = {"themes/default/templates/base.html": None}  # the stub left out: the built-in theme
    root = write_project(tmp_path_factory.mktemp("spent"), {**real_theme, **jobs(SPENT)})
    build(root, root / "dist", today=dt.date(2026, 6, 1))
    return json.loads((root / "dist" / "_forms" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest_forms(spent_manifest: dict) -> dict[str, dict]:
    return {form["campaign"]: form for form in spent_manifest["forms"]}


def schema_problems(data: dict) -> list[str]:
    """Where `data` breaks forms_backend/manifest.schema.json."""
    schema = json.loads((ROOT / "forms_backend" / "manifest.schema.json").read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(data)]


def test_spend_reaches_the_manifest_by_channel_as_the_backend_names_it(manifest_forms) -> None:  # noqa: ANN001
    spend = manifest_forms["jobs"]["spend"]
    assert spend == {"facebook": 1200, "linkedin": 800.5, "x": 0, "community-radio": 150.5}
    assert list(spend) == ["facebook", "linkedin", "x", "community-radio"]  # in the file's order


def test_applications_elsewhere_reach_the_manifest_as_whole_numbers(manifest_forms) -> None:  # noqa: ANN001
    elsewhere = manifest_forms["jobs"]["applications_elsewhere"]
    assert elsewhere == {"paper": 4, "in-person": 2, "phone": 0}
    assert all(type(n) is int for n in elsewhere.values())


def test_a_campaign_without_them_has_empty_maps_in_the_manifest(manifest_forms) -> None:  # noqa: ANN001
    form = manifest_forms["come-back"]
    assert (form["spend"], form["applications_elsewhere"]) == ({}, {})


def test_the_manifest_follows_its_schema_and_the_backend_reads_them(spent_manifest: dict) -> None:
    assert schema_problems(spent_manifest) == []
    form = parse(json.dumps(spent_manifest)).form("testshire", "jobs")
    assert form is not None and form.get("spend", {})["linkedin"] == 800.5
    assert form.get("applications_elsewhere", {}) == {"paper": 4, "in-person": 2, "phone": 0}


def test_a_form_from_before_them_still_follows_the_schema(spent_manifest: dict) -> None:
    older = copy.deepcopy(spent_manifest)
    for form in older["forms"]:
        del form["spend"], form["applications_elsewhere"]
    assert schema_problems(older) == []
    assert parse(json.dumps(older)).form("testshire", "jobs").get("spend", {}) == {}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("spend", {"Facebook": 1200}),  # a channel not named as the backend names sources
        ("spend", {"facebook": -1}),
        ("spend", {"facebook": "£1,200"}),
        ("applications_elsewhere", {"paper": 2.5}),
        ("applications_elsewhere", {"paper": -1}),
        ("applications_elsewhere", ["paper"]),
    ],
)
def test_the_manifest_schema_refuses_what_the_generator_never_writes(
    spent_manifest: dict, key: str, value: object
) -> None:
    data = copy.deepcopy(spent_manifest)
    data["forms"][0][key] = value
    assert any(p.startswith(f"$.forms[0].{key}") for p in schema_problems(data)), schema_problems(data)


def test_a_key_with_every_line_under_it_commented_out_is_no_spend(tmp_path: Path) -> None:
    root = write_project(tmp_path, jobs("spend:\n  # facebook: 1200\n"))
    council = load_project(root).councils[0]
    assert next(c for c in council.campaigns if c.slug == "jobs").model.spend == {}


def test_the_example_region_reports_its_spend(manifest: dict) -> None:
    forms = {(f["council"], f["campaign"]): f for f in manifest["forms"]}
    assert forms["dudley", "come-back-to-care"]["spend"]["linkedin"] == 800.5
    assert forms["birmingham", "overseas-qualified-nurses"]["applications_elsewhere"]["paper"] > 0
    assert all(f["spend"] == {} for key, f in forms.items() if key[1] == "step-up-now")


# --- mistakes: where they are and what to do ----------------------------------------------------

# Each case: the files, then where its one problem is (the line counted from the first line
# added, 0), its path, message and hint.
# fmt: off
MISTAKES = [
    pytest.param(jobs('spend:\n  facebook: "£1,200"\n'), JOBS, 1, 13, "spend.facebook",
                 "expected an amount in pounds, got '£1,200'", "write 1200, without £ or commas",
                 id="an amount with a pound sign and a comma"),
    pytest.param(jobs("spend:\n  facebook: 1,200\n"), JOBS, 1, 13, "spend.facebook",
                 "expected an amount in pounds, got '1,200'", "write 1200, without £ or commas",
                 id="an amount with a comma"),
    pytest.param(jobs('spend:\n  facebook: "1200"\n'), JOBS, 1, 13, "spend.facebook",
                 "expected an amount in pounds, got '1200'", "write 1200, without quotes",
                 id="an amount in quotes"),
    pytest.param(jobs("spend:\n  google: -50\n"), JOBS, 1, 11, "spend.google",
                 "an amount spent cannot be negative, got -50", "write what was spent, 0 or more",
                 id="a negative amount"),
    pytest.param(jobs("spend:\n  google: 12.345\n"), JOBS, 1, 11, "spend.google",
                 "amounts are pounds and pence, at most 2 decimal places; got 12.345",
                 "round it to the penny, e.g. 12.35", id="an amount with 3 decimal places"),
    pytest.param(jobs("spend:\n  posters:\n"), JOBS, 1, 11, "spend.posters", "is empty",
                 "write the amount, e.g. 1200, or remove the line", id="an amount left out"),
    pytest.param(jobs("spend:\n  posters: true\n"), JOBS, 1, 12, "spend.posters",
                 "expected an amount in pounds, got True",
                 "write the amount in pounds as a number, e.g. 1200 or 800.50", id="an amount that is true"),
    pytest.param(jobs("applications_elsewhere:\n  paper: 2.5\n"), JOBS, 1, 10,
                 "applications_elsewhere.paper", "expected a whole number of applications, got 2.5",
                 "write how many applications came this way, a whole number, e.g. 4",
                 id="a count that is not a whole number"),
    pytest.param(jobs('applications_elsewhere:\n  phone: "4"\n'), JOBS, 1, 10,
                 "applications_elsewhere.phone", "expected a whole number, got '4'",
                 "write 4, without quotes", id="a count in quotes"),
    pytest.param(jobs("applications_elsewhere:\n  phone: -1\n"), JOBS, 1, 10,
                 "applications_elsewhere.phone", "a number of applications cannot be negative, got -1",
                 "write how many applications came this way, a whole number, e.g. 4", id="a negative count"),
    pytest.param(jobs("spend:\n  Twitter: 100\n  X: 50\n"), JOBS, 2, 6, "spend.X",
                 "'Twitter' and 'X' are the same channel, 'x'",
                 "keep one of them, with the amounts added together", id="two names for one channel"),
    pytest.param(jobs("spend:\n  facebook: 100\n  www.facebook.com: 50\n"), JOBS, 2, 21,
                 "spend.www.facebook.com",
                 "'facebook' and 'www.facebook.com' are the same channel, 'facebook'",
                 "keep one of them, with the amounts added together", id="a site and its address"),
    pytest.param(jobs("applications_elsewhere:\n  In person: 1\n  in-person: 2\n"), JOBS, 2, 14,
                 "applications_elsewhere.in-person", "'In person' and 'in-person' are the same channel, "
                 "'in-person'", "keep one of them, with the counts added together",
                 id="two spellings of one channel of applications"),
    pytest.param(jobs('spend:\n  "£££": 100\n'), JOBS, 1, 10, "spend.£££", "'£££' is not a channel name",
                 "name the channel in letters and digits, e.g. facebook", id="a channel without a name"),
    pytest.param(jobs("spend:\n  - facebook: 1200\n  - google: 300\n"), JOBS, 1, 3, "spend",
                 "expected each channel with its amount, got [{'facebook': 1200}, {'google': 300}]",
                 "write one channel a line, indented under the key, e.g. `  facebook: 1200`",
                 id="a map written as a list"),
    pytest.param(jobs("applications_elsewhere: [paper, phone]\n"), JOBS, 0, 25,
                 "applications_elsewhere", "expected each channel with its count, got ['paper', 'phone']",
                 "write one channel a line, indented under the key, e.g. `  paper: 4`",
                 id="a map of counts written as a list"),
    pytest.param({SHARED: SHARED_YAML + "spend:\n  facebook: 1200\n"}, SHARED, 0, 1, "spend",
                  "spend belongs in a council's own campaign file, not in a shared campaign",
                 "move it to the file of each council that extends this one: here it would count for every "
                 "one of them", id="spend in a shared campaign"),
]
# fmt: on


@pytest.mark.parametrize(("files", "file", "line", "column", "path", "message", "hint"), MISTAKES)
def test_a_mistake_is_one_problem_at_its_key_with_a_hint(
    tmp_path: Path,
    files: dict[str, str],
    file: str,
    line: int,
    column: int,
    path: str,
    message: str,
    hint: str,
) -> None:
    root = write_project(tmp_path, files).resolve()
    with pytest.raises(ProblemsFound) as info:
        load_project(root)
    found = [(p.file.relative_to(root).as_posix(), p.line, p.column, p.path, p.message, p.hint)
             for p in info.value.problems]  # fmt: skip
    assert found == [(file, FIRST[file] + line, column, path, message, hint)]


EVERY_MISTAKE = """\
spend:
  Facebook: "£1,200"
  google: 12.345
  fb: 10
  linkedin: -5
applications_elsewhere:
  paper: 2.5
  Paper: 1
"""


def added(line: int, column: int) -> str:
    """Where a problem in what jobs() added is printed: file:line:column."""
    return f"{JOBS}:{FIRST[JOBS] + line}:{column}"


def test_every_mistake_is_reported_in_one_run_and_printed_without_a_traceback(tmp_path: Path) -> None:
    files = {**jobs(EVERY_MISTAKE), COMEBACK: COMEBACK_YAML + "applications_elsewhere: 3\n"}
    root = write_project(tmp_path, files)
    result = CliRunner().invoke(main, ["--project", str(root), "validate"], catch_exceptions=True)

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    printed = [line for line in result.stderr.splitlines() if not line.startswith("    hint: ")]
    assert printed == [
        f"{COMEBACK}:3:25: applications_elsewhere: expected each channel with its count, got 3",
        f"{added(1, 13)}: spend.Facebook: expected an amount in pounds, got '£1,200'",
        f"{added(2, 11)}: spend.google: amounts are pounds and pence, at most 2 decimal places; got 12.345",
        f"{added(3, 7)}: spend.fb: 'Facebook' and 'fb' are the same channel, 'facebook'",
        f"{added(4, 13)}: spend.linkedin: an amount spent cannot be negative, got -5",
        f"{added(6, 10)}: applications_elsewhere.paper: expected a whole number of applications, got 2.5",
        f"{added(7, 10)}: applications_elsewhere.Paper: 'paper' and 'Paper' are the same channel, 'paper'",
        "7 problems in 2 files; nothing was written.",
    ]
    assert result.stderr.count("    hint: ") == 7
