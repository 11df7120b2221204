"""Roles' structured requirements, the matching questions and the routes to registration, as a
comms officer writes them: the good files build, and each kind of mistake is reported at its
file:line:column with a hint, all at once, never as a traceback.

Each case is the small valid project (tests/projects.py) with the example region's own
campaigns/_shared/questions.yaml and routes.yaml, and one mistake written into it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from projects import JOBS, JOBS_YAML, after, edit, write_project
from support import ROOT

from generator.build import build
from generator.cli import main
from generator.problems import ProblemsFound
from generator.project import load_project

QUESTIONS = "campaigns/_shared/questions.yaml"
ROUTES = "campaigns/_shared/routes.yaml"
QUESTIONS_YAML = (ROOT / QUESTIONS).read_text(encoding="utf-8")
ROUTES_YAML = (ROOT / ROUTES).read_text(encoding="utf-8")
REQUIREMENTS = """\
    requirements:
      profession: registered-nurse
      registration:
        body: NMC
        state: registered
        essential: true
      driving_licence: {essential: false}
      english_test: {essential: true}
      hours: full-time
      soc_2020: "2231"
"""
GOOD_JOBS = edit(
    JOBS_YAML,
    after("    description: Help people live well at home.", REQUIREMENTS),
    after("  text: Care jobs in Testshire", "form:\n  matching_questions: true"),
)
GOOD = {JOBS: GOOD_JOBS, QUESTIONS: QUESTIONS_YAML, ROUTES: ROUTES_YAML}
TODAY = dt.date(2026, 6, 1)


def jobs(*changes: tuple[str, str]) -> dict[str, str | None]:
    return {JOBS: edit(GOOD_JOBS, *changes)}


@dataclass(frozen=True)
class Told:
    """One problem: its file, the line holding `at` (the `nth` such line; and the column it
    starts at, if given), its field path, and words its message and hint hold."""

    file: str
    at: str
    path: str
    message: str
    hint: str = ""
    column: int | None = None
    nth: int | None = None  # None: the only line holding `at`


def problems(tmp_path: Path, files: dict[str, str | None]) -> tuple[Path, list]:
    root = write_project(tmp_path, {**GOOD, **files}).resolve()
    with pytest.raises(ProblemsFound) as info:
        load_project(root)
    return root, info.value.problems


def line_of(root: Path, told: Told) -> int:
    lines = (root / told.file).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, 1) if told.at in line]
    assert found if told.nth is not None else len(found) == 1, f"{told.at!r} is on lines {found}"
    return found[told.nth or 0]


R = "roles[0].requirements"
NURSE_ROUTE = "source: https://www.nmc.org.uk/registration/joining-the-register/trained-outside-the-uk/"
NMC_OET = "parts: {listening: B, reading: B, writing: C+, speaking: B}"
HOURS_QUESTION = "hours:\n  label: What hours would you like to work?"
NO_REGISTRATION = (
    "      registration:\n        body: NMC\n        state: registered\n        essential: true\n",
    "",
)


def questions(*changes: tuple[str, str]) -> dict[str, str | None]:
    return {QUESTIONS: edit(QUESTIONS_YAML, *changes)}


def routes(*changes: tuple[str, str]) -> dict[str, str | None]:
    return {ROUTES: edit(ROUTES_YAML, *changes)}


# fmt: off
CASES = [
    # --- requirements on a role ---
    ("unknown body", jobs(("body: NMC", "body: NCM")),
     Told(JOBS, "body: NCM", f"{R}.registration.body", "got 'NCM'", "did you mean 'NMC'?", 15)),
    ("body by its full name", jobs(("body: NMC", "body: Social Work England")),
     Told(JOBS, "body: Social", f"{R}.registration.body", "short name, SWE", "body: SWE")),
    ("a state that does not fit the body", jobs(("body: NMC", "body: none")),
     Told(JOBS, "registration:", f"{R}.registration", "needs a register", "name the body")),
    ("within_years without eligible-to-restore",
     jobs(after("        state: registered", "        within_years: 5")),
     Told(JOBS, "registration:", f"{R}.registration", "within_years only applies", "eligible-to-restore")),
    ("eligible-to-restore without within_years", jobs(("state: registered", "state: eligible-to-restore")),
     Told(JOBS, "registration:", f"{R}.registration", "needs within_years", "within_years: 5")),
    ("a SOC code that is not 4 digits", jobs(('soc_2020: "2231"', 'soc_2020: "223"')),
     Told(JOBS, "soc_2020:", f"{R}.soc_2020", "four digits, got '223'", 'soc_2020: "2231"', 17)),
    ("a SOC code the region does not use", jobs(('soc_2020: "2231"', "soc_2020: 2239")),
     Told(JOBS, "soc_2020:", f"{R}.soc_2020", "2239 is not one of", "did you mean '2232'")),
    ("a misspelt profession", jobs(("profession: registered-nurse", "profession: registerd-nurse")),
     Told(JOBS, "profession:", f"{R}.profession[0]", "got 'registerd-nurse'", "'registered-nurse'?")),
    ("another body's profession", jobs(("profession: registered-nurse", "profession: social-worker")),
     Told(JOBS, "requirements:", R, "social worker registers with SWE, not NMC", "body: SWE")),
    ("hours that are not a choice", jobs(("hours: full-time", "hours: fulltime")),
     Told(JOBS, "hours: fulltime", f"{R}.hours", "got 'fulltime'", "did you mean 'full-time'?")),
    ("a misspelt requirement", jobs(("driving_licence:", "driving_license:")),
     Told(JOBS, "driving_license:", f"{R}.driving_license", "did you mean 'driving_licence'?")),
    ("an English test with no body to take the standard from", jobs(NO_REGISTRATION),
     Told(JOBS, "requirements:", R, "no body", "add registration")),
    ("an English test and no routes.yaml", {ROUTES: None},
     Told(JOBS, "english_test:", f"{R}.english_test", "no campaigns/_shared/routes.yaml", "restore it")),
    # --- the matching questions ---
    ("a misspelt group", jobs(("matching_questions: true", "matching_questions: [profesion, hours]")),
     Told(JOBS, "matching_questions:", "form.matching_questions[0]", "got 'profesion'", "'profession'?")),
    ("a group twice", jobs(("matching_questions: true", "matching_questions: [hours, hours]")),
     Told(JOBS, "matching_questions:", "form.matching_questions", "hours is listed twice", "once")),
    ("matching questions and no questions.yaml", {QUESTIONS: None},
     Told(JOBS, "matching_questions:", "form.matching_questions", "no campaigns/_shared/questions.yaml",
          "git checkout")),
    ("a campaign question in the matching questions' ids",
     jobs(("  matching_questions: true", "  fields:\n    - {id: match_year, type: text, label: Year}")),
     Told(JOBS, "match_year", "form.fields[0].id", "matching questions'", "choose another id")),
    ("an option value changed", questions(("    registered-nurse: Nurse", "    nurse: Nurse")),
     Told(QUESTIONS, "    nurse: Nurse", "profession.options.nurse", "not one of profession's values",
          "did you mean 'registered-nurse'?")),
    ("an option left out", questions(("    either: Either\n", "")),
     Told(QUESTIONS, "  options:", "hours.options", "either missing", "give every value its words", nth=-1)),
    ("a question misspelt", questions((HOURS_QUESTION, HOURS_QUESTION.replace("hours:", "hour:"))),
     Told(QUESTIONS, "hour:", "hour", "unknown key 'hour'; did you mean 'hours'?", "rename it to 'hours'")),
    # --- the routes ---
    ("a source off the regulator's site", routes((NURSE_ROUTE, "source: https://www.nursingintheuk.com/nmc/")),
     Told(ROUTES, "nursingintheuk", "routes[0].source", "cite a page on nmc.org.uk", "NMC's own page", 13)),
    ("a standard's source off the regulator's site",
     routes(("source: https://www.gmc-uk.org/registration-and-licensing/join-the-register/before",
             "source: https://gmc.example/before")),
     Told(ROUTES, "source: https://gmc.example", "english.GMC.source", "cite a page on gmc-uk.org")),
    ("a step another body has", routes(("      - check: cbt\n", "      - check: plab1\n")),
     Told(ROUTES, "- id: nmc-international", "routes[0]", "no plab1 step", "cbt, osce")),
    ("an unknown step", routes(("      - check: osce\n", "      - check: osse\n")),
     Told(ROUTES, "check: osse", "routes[0].steps[2].check", "got 'osse'", "did you mean 'osce'?")),
    ("two routes with one id", routes(("  - id: hcpc-international", "  - id: nmc-international")),
     Told(ROUTES, "- id: nmc-international", "routes[1].id", "two routes are called nmc-international",
          "rename one", nth=1)),
    ("a band that is not a half", routes(("        overall: 7.5\n", "        overall: 7.3\n")),
     Told(ROUTES, "overall: 7.3", "english.GMC.tests[0].overall", "whole or half", "6.5")),
    ("an OET grade that does not exist", routes((NMC_OET, NMC_OET.replace("C+", "C-"))),
     Told(ROUTES, "- test: oet", "english.NMC.tests[1]", "got writing 'C-'", "writing: C+", nth=0)),
    ("a return route without its years", routes(("    restore_within_years: 3\n", "")),
     Told(ROUTES, "- id: nmc-return", "routes[4]", "needs restore_within_years")),
    ("a misspelt key", routes(("    valid_years: 5\n", "    valid_year: 5\n")),
     Told(ROUTES, "valid_year:", "english.SWE.valid_year", "did you mean 'valid_years'?")),
]
# fmt: on


@pytest.mark.parametrize(("files", "expected"), [pytest.param(f, e, id=n) for n, f, e in CASES])
def test_each_mistake_is_reported_where_it_is(tmp_path: Path, files: dict, expected: Told) -> None:
    root, found = problems(tmp_path, files)
    listing = "\n".join(p.format(root) for p in found)
    line = line_of(root, expected)
    assert len(found) == 1, listing
    problem = found[0]
    assert (problem.file.relative_to(root).as_posix(), problem.line, problem.path) == (
        expected.file,
        line,
        expected.path,
    ), listing
    assert expected.message in problem.message and expected.hint in (problem.hint or ""), listing
    if expected.column is not None:
        assert problem.column == expected.column, listing


def test_mistakes_in_three_files_are_reported_together_without_a_traceback(tmp_path: Path) -> None:
    files = {
        **jobs(("body: NMC", "body: NCM")),
        QUESTIONS: edit(QUESTIONS_YAML, ("    registered-nurse: Nurse", "    nurse: Nurse")),
        ROUTES: edit(ROUTES_YAML, ("      - check: osce\n", "      - check: osse\n")),
    }
    root = write_project(tmp_path, {**GOOD, **files})
    result = CliRunner().invoke(main, ["--project", str(root), "validate"], catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{JOBS}:" in result.output and f"{QUESTIONS}:" in result.output and f"{ROUTES}:" in result.output
    assert "3 problems in 3 files" in result.output
    assert "hint: did you mean 'NMC'?" in result.output


def test_the_shared_data_files_are_not_campaigns(tmp_path: Path) -> None:
    root = write_project(
        tmp_path, {**GOOD, "campaigns/testshire/come-back.yaml": "extends: routes\ntitle: x\n"}
    )
    with pytest.raises(ProblemsFound) as info:
        load_project(root)
    (problem,) = info.value.problems
    assert problem.message == "there is no shared campaign 'routes'" and "come-back-to-care" in problem.hint
    good = load_project(write_project(tmp_path / "good", GOOD))
    assert [c.slug for c in good.campaigns] == ["come-back", "jobs"]


def test_requirements_routes_and_matching_questions_reach_the_manifest_and_the_form(tmp_path: Path) -> None:
    root = write_project(tmp_path, {**GOOD, "themes/default/templates/base.html": None})
    out = build(root, tmp_path / "dist", today=TODAY).out
    manifest = json.loads((out / "_forms" / "manifest.json").read_text(encoding="utf-8"))
    forms = {f["campaign"]: f for f in manifest["forms"]}
    (role,) = forms["jobs"]["roles"]
    assert role["requirements"] == {
        "profession": ["registered-nurse"],
        "registration": {"body": "NMC", "state": "registered", "within_years": None, "essential": True},
        "driving_licence": {"essential": False},
        "english_test": {"essential": True},
        "hours": "full-time",
        "soc_2020": "2231",
    }
    assert forms["come-back"]["roles"] == [] or all(
        r["requirements"] is None for r in forms["come-back"]["roles"]
    )
    assert manifest["routes"]["english"]["NMC"]["tests"][0]["parts"]["writing"] == 6.5
    assert {r["id"] for r in manifest["routes"]["routes"]} >= {"nmc-international", "swe-return"}
    ids = [f["id"] for f in forms["jobs"]["fields"]]
    matching = [i for i in ids if i.startswith("match_")]
    assert len(matching) == 23 and ids.index("match_profession") < ids.index("privacy_consent")
    assert not any(f["id"].startswith("match_") for f in forms["come-back"]["fields"])
    page = BeautifulSoup((out / "testshire/jobs/apply/index.html").read_text(encoding="utf-8"), "html.parser")
    body = page.select('[data-field="match_registration_body"] input[type=radio]')
    assert [i["value"] for i in body] == ["NMC", "HCPC", "SWE", "GMC", "none", "not-sure"]
    assert page.select_one('label[for="match_registration_body-0"]').get_text() == (
        "Nursing and Midwifery Council (NMC)"
    )
    writing = page.select_one('[data-field="match_ielts_writing"]')
    assert writing["data-pattern"] and writing["data-min"] == "0" and writing["data-max"] == "9"
    assert "(optional)" in writing.label.get_text()
    lapsed = page.select_one('[data-field="match_lapsed_year"]')
    assert lapsed["data-max"] == "2026"  # the build's year


def test_an_edit_to_questions_yaml_rebuilds_the_forms_that_ask_them(tmp_path: Path) -> None:
    from generator.cache import BuildCache

    root = write_project(tmp_path, {**GOOD, "themes/default/templates/base.html": None})
    cache = BuildCache()
    build(root, tmp_path / "dist", today=TODAY, cache=cache)
    (root / QUESTIONS).write_text(
        edit(QUESTIONS_YAML, ("label: What is your profession?", "label: What do you do?")), encoding="utf-8"
    )
    result = build(root, tmp_path / "dist", today=TODAY, cache=cache)
    written = {str(p) for p in result.report.paths}
    assert any("testshire/jobs/apply" in p for p in written), written
    assert not any("testshire/come-back/apply" in p for p in written), written
    page = (tmp_path / "dist/testshire/jobs/apply/index.html").read_text(encoding="utf-8")
    assert "What do you do?" in page
