"""The backend's side of the manifest contract (forms_backend/manifest.schema.json).

Its reader takes what the schema accepts and refuses, with a ManifestError that says what to
do, a manifest of another format or version; it checks postcodes by the manifest's one rule, as
the page's script does; and its open-or-closed rule says what the built page says."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import httpx
import jsonschema
import pytest
from backend_support import ROOT, LiveServer, good_answers, make_settings
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import JOBS, VALID_FILES, write_project

from forms_backend import manifest as backend_manifest
from forms_backend import pages
from forms_backend.app import create_app
from forms_backend.manifest import ManifestError, is_open, parse
from forms_backend.parsing import Submission
from forms_backend.validation import postcode, validate
from generator.build import build
from generator.formats import UK_POSTCODE
from generator.forms import NOT_SURE

SCHEMA_FILE = Path(backend_manifest.__file__).with_name("manifest.schema.json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


PROPERTY = settings(max_examples=500, derandomize=True, database=None, deadline=None)


def changed(manifest: dict, change) -> dict:  # noqa: ANN001
    data = copy.deepcopy(manifest)
    change(data)
    return data


def test_the_format_and_version_are_the_schemas() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert backend_manifest.FORMAT == schema["properties"]["format"]["const"] == "recruit-forms"
    assert schema["properties"]["version"]["const"] == backend_manifest.VERSION
    assert set(backend_manifest.TOP_LEVEL) == set(schema["required"])


@pytest.mark.parametrize(
    "change",
    [
        lambda m: None,
        lambda m: m.update(forms=[], councils={}, origins=[]),  # a region with no council built
        lambda m: m.update(version=1.0),  # JSON has one number type: 1.0 is 1
        lambda m: m["forms"].reverse(),
    ],
    ids=["example", "empty", "version-1.0", "reordered"],
)
def test_the_backend_reads_what_the_schema_accepts(manifest: dict, validator, change) -> None:  # noqa: ANN001
    data = changed(manifest, change)
    assert list(validator.iter_errors(data)) == []
    loaded = parse(json.dumps(data))
    assert loaded.forms == data["forms"] and loaded.councils == data["councils"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda m: m.update(format="recruit-pages"), "is not a recruit forms manifest"),
        (lambda m: m.pop("format"), "is not a recruit forms manifest"),
        (lambda m: m.update(version=2), "has format version 2; this backend reads version 1"),
        (lambda m: m.update(version=0), "has format version 0; this backend reads version 1"),
        (lambda m: m.update(version="1"), 'has format version "1"; this backend reads version 1'),
        (lambda m: m.update(version=True), "has format version true; this backend reads version 1"),
        (lambda m: m.pop("version"), "has format version null; this backend reads version 1"),
        (lambda m: m.pop("forms"), "has no 'forms'"),
        (lambda m: m.pop("region"), "has no 'region'"),
        (lambda m: m.pop("origins"), "has no 'origins'"),
        (lambda m: m.update(forms={}), "has 'forms' that is not a JSON array"),
        (lambda m: m.update(councils=[]), "has 'councils' that is not a JSON object"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_backend_refuses_another_format_or_version(manifest: dict, validator, change, said) -> None:  # noqa: ANN001
    data = changed(manifest, change)
    assert list(validator.iter_errors(data)), "the schema accepts it too"
    with pytest.raises(ManifestError, match="rebuild|Rebuild") as refused:
        parse(json.dumps(data), "dist/_forms/manifest.json")
    assert str(refused.value).startswith("dist/_forms/manifest.json ") and said in str(refused.value)


def test_a_manifest_that_is_not_json_or_not_an_object_is_refused() -> None:
    for text in ("", "{", "[]", '"recruit-forms"'):
        with pytest.raises(ManifestError, match="recruit build"):
            parse(text)


# --- the UK postcode rule, once: the manifest's pattern, which the page's script checks too ------


def browser_accepts(value: str) -> bool:
    """What the apply page's script decides: the answer without its spaces against the pattern."""
    return re.fullmatch(UK_POSTCODE, re.sub(r"\s+", "", value.strip())) is not None


def test_the_manifests_postcode_rule_is_the_generators(manifest: dict) -> None:
    patterns = {
        spec["pattern"] for form in manifest["forms"] for spec in form["fields"] if spec["type"] == "postcode"
    }
    assert patterns == {UK_POSTCODE}


@PROPERTY
@given(st.from_regex(UK_POSTCODE, fullmatch=True))
def test_every_postcode_the_rule_accepts_the_backend_keeps_normalised(typed: str) -> None:
    kept = postcode(typed, UK_POSTCODE)
    assert kept is not None and re.fullmatch(UK_POSTCODE, kept), typed
    assert kept == kept.upper() and kept.count(" ") == 1 and kept.index(" ") == len(kept) - 4
    assert postcode(kept, UK_POSTCODE) == kept and browser_accepts(kept)


@st.composite
def spaced(draw: st.DrawFn, text: st.SearchStrategy[str]) -> str:
    """A value with spaces or tabs, or none, before, between and after its characters."""
    value = draw(text)
    gaps = draw(
        st.lists(st.sampled_from(["", "", " ", "  ", "\t"]), min_size=len(value) + 1, max_size=len(value) + 1)
    )
    return "".join(gap + ch for gap, ch in zip(gaps, value, strict=False)) + gaps[-1]


@PROPERTY
@given(
    st.one_of(spaced(st.from_regex(UK_POSTCODE, fullmatch=True)), spaced(st.text("AEKWZaez0159", max_size=9)))
)
def test_the_backend_and_the_page_accept_the_same_postcodes(typed: str) -> None:
    """Whatever is typed, in any spacing or case: the backend keeps it when the page's script
    lets it be sent, and only then; what it keeps the rule accepts."""
    kept = postcode(typed, UK_POSTCODE)
    assert (kept is not None) == browser_accepts(typed), (typed, kept)
    assert kept is None or re.fullmatch(UK_POSTCODE, kept)


# --- open or closed, once: the backend's is_open says what the built page says -------------------

ROLE = """\
  - slug: {slug}
    title: {title}
    employment_type: part-time
    hours: 20 hours a week
    salary: {{min: 12, max: 13, period: hour}}
    location: {{name: "County Hall, Testford", postcode: TE1 1ST}}
    description: Help people live well at home.
    closes: {closes}
"""
# The campaign runs from 1 April to 30 September 2026 (tests/projects.py); care-worker closes
# with it, the others on their own dates.
ROLES = {"early-role": "2026-04-01", "summer-role": "2026-06-30"}
GRID = [
    dt.date(2026, 3, 31),  # the day before it opens
    dt.date(2026, 4, 1),  # the day it opens, and the early role's last day
    dt.date(2026, 4, 2),
    dt.date(2026, 6, 30),  # the summer role's last day
    dt.date(2026, 7, 1),
    dt.date(2026, 9, 30),  # the campaign's last day
    dt.date(2026, 10, 1),  # the day after it closes
]


@pytest.fixture(scope="module")
def roles_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("open-or-closed")
    extra = "".join(
        ROLE.format(slug=s, title=s.replace("-", " ").title(), closes=c) for s, c in ROLES.items()
    )
    jobs = VALID_FILES[JOBS].replace("sharing:", extra + "sharing:", 1)
    return write_project(root, {"themes/default/templates/base.html": None, JOBS: jobs})


def built_on(root: Path, today: dt.date) -> tuple[BeautifulSoup, dict, Path]:
    out = root / f"dist-{today.isoformat()}"
    if not out.exists():
        build(root, out, today=today)
    data = json.loads((out / "_forms" / "manifest.json").read_text(encoding="utf-8"))
    form = next(f for f in data["forms"] if f["campaign"] == "jobs")
    page = BeautifulSoup((out / "testshire/jobs/apply/index.html").read_text(encoding="utf-8"), "html.parser")
    return page, form, out


def page_says(page: BeautifulSoup) -> bool | None:
    """True: the page offers the form; False: it says the campaign has closed; None: not open yet."""
    if page.select_one("form[data-apply-form]") is not None:
        return True
    text = page.main.get_text(" ", strip=True)
    assert ("This campaign has closed" in text) != ("Applications open on" in text), text
    return False if "This campaign has closed" in text else None


@pytest.mark.parametrize("today", GRID, ids=str)
def test_the_backend_is_open_when_the_built_page_is(roles_project: Path, today: dt.date) -> None:
    page, form, _ = built_on(roles_project, today)
    assert is_open(form, today) is page_says(page)
    offered = {el["value"] for el in page.find_all("input", attrs={"name": "role"})} - {NOT_SURE}
    role = next((spec for spec in form["fields"] if spec["id"] == "role"), None)
    every = {r["slug"] for r in form["roles"]}
    assert every == {"care-worker", *ROLES}
    # The rule for a role, as the schema states it: offered until its own closes, inclusive.
    by_manifest = {r["slug"] for r in form["roles"] if today <= dt.date.fromisoformat(r["closes"])}
    if is_open(form, today):
        assert offered == by_manifest
        taken = {
            slug
            for slug in every
            if not validate([role], Submission({"role": [slug]})).errors  # type: ignore[list-item]
        }
        assert taken == offered, "the backend takes exactly the roles the page offers"
    else:
        assert not offered


SITE = "https://careers.testshire.example"


@pytest.mark.parametrize(
    ("utc", "status"),
    [
        (dt.datetime(2026, 3, 31, 22, 59, tzinfo=dt.UTC), 410),  # 23:59 on 31 March in London
        (dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC), 303),  # midnight, 1 April, BST
        (dt.datetime(2026, 9, 30, 22, 59, tzinfo=dt.UTC), 303),  # 23:59 on 30 September
        (dt.datetime(2026, 9, 30, 23, 0, tzinfo=dt.UTC), 410),  # 1 October in London, still 30th in UTC
    ],
    ids=str,
)
def test_the_backends_day_is_londons(
    roles_project: Path, tmp_path: Path, utc: dt.datetime, status: int
) -> None:
    _, form, out = built_on(roles_project, dt.date(2026, 6, 1))
    answers = {**good_answers(form), "role": "care-worker"}
    app = create_app(make_settings(out, tmp_path, clock=lambda: utc))
    with LiveServer(app) as live, httpx.Client(base_url=live.url, headers={"Origin": SITE}) as client:
        r = client.post(form["action"].removeprefix("/api"), data=answers)
    assert r.status_code == status, r.text[:300]


# --- the apply page's hooks: the backend fills the built page through data-* alone ---------------

THEME = ROOT / "themes" / "default" / "templates"
EVERY_TYPE = """\
form:
  cv: optional
  fields:
    - {id: about, type: textarea, label: Tell us about yourself, max_length: 500}
    - {id: years, type: number, label: Years of experience, min: 0, max: 60}
    - {id: start, type: date, label: "When could you start?"}
    - {id: shift, type: select, label: Preferred shift, options: [Days, Nights]}
    - {id: days, type: checkboxes, label: "Which days?", options: [Weekdays, Weekends]}
talent_bank:
  wording: Add me to the regional talent bank
"""


def renamed(html: str) -> str:
    """Every class of the default theme's form renamed: rc-form-group -> zz-form-group, ..."""
    return html.replace("rc-", "zz-")


def error_page_of(root: Path, overrides: dict[str, str]) -> tuple[BeautifulSoup, dict[str, str]]:
    """The small project's apply page as the backend shows it with an error for every question."""
    jobs = VALID_FILES[JOBS] + EVERY_TYPE
    write_project(root, {"themes/default/templates/base.html": None, JOBS: jobs, **overrides})
    out = root / "dist"
    build(root, out, today=dt.date(2026, 6, 1))
    data = json.loads((out / "_forms" / "manifest.json").read_text(encoding="utf-8"))
    form = next(f for f in data["forms"] if f["campaign"] == "jobs")
    errors = {spec["id"]: spec["messages"].get("required", "Check this answer") for spec in form["fields"]}
    raw = {k: [v] if isinstance(v, str) else v for k, v in good_answers(form).items()}
    raw["email"] = ["zoe@"]
    return BeautifulSoup(pages.error_page(out, form, form["form_url"], errors, raw), "html.parser"), errors


def test_a_council_that_renames_every_class_still_gets_a_whole_error_page(tmp_path: Path) -> None:
    council = "campaigns/testshire/templates/"
    overrides = {council + name: renamed((THEME / name).read_text()) for name in ("apply.html", "form.html")}
    own, errors = error_page_of(tmp_path / "renamed", overrides)
    default, _ = error_page_of(tmp_path / "default", {})
    classes = {c for el in own.select_one("form[data-apply-form]").find_all(class_=True) for c in el["class"]}
    assert classes and not [c for c in classes if c.startswith("rc-")]
    # The same error page, but for the names of the classes: every message, link, class, answer.
    assert renamed(default.main.decode_contents()) == own.main.decode_contents()
    summary = own.select_one("[data-error-summary]")
    assert not summary.has_attr("hidden")
    assert [a.get_text() for a in summary.select("[data-error-list] a")] == list(errors.values())
    for field_id, message in errors.items():
        group = own.find(attrs={"data-field": field_id})
        assert "zz-form-group--error" in group["class"], field_id
        error = group.select_one("[data-error-message]")
        assert not error.has_attr("hidden") and error.get_text(" ", strip=True).endswith(message)
        assert error["id"] in group.select_one("[data-control]")["aria-describedby"].split(), field_id
    email = own.find(id="email")
    assert "zz-input--error" in email["class"] and email["value"] == "zoe@"


def test_the_backend_looks_for_the_schemas_hooks_alone() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    looked_for = [pages.FORM, pages.SUMMARY, pages.SUMMARY_LIST, pages.FIELD, pages.ERROR, pages.ERROR_TEXT]
    looked_for += [pages.CONTROL, pages.ERROR_CLASS]
    assert [value.strip("[]") for value in looked_for] == list(schema["x-apply-page-hooks"])
