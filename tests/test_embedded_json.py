"""Hostile text in a council's content cannot end or hide a page's <script>, nor blank its body.

A role titled `<!--<script>` once blanked its page: the JSON-LD in the head escaped `</` but not
`<!--`, and Chromium's script parsing then took the rest of the document for script. Every JSON
the generator puts in a script goes through `generator.jsonld.script_json` now.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from itertools import count
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from projects import COMEBACK, COUNCIL, COUNCIL_YAML, JOBS, JOBS_YAML, SHARED, write_project
from support import TODAY, html_pages, parse

from generator.build import build
from generator.jsonld import script_json
from generator.theme import ThemeChain

# What the HTML parser reads inside a script (and what JavaScript before ES2019 read as a line end).
UNSAFE = set("<>&\u2028\u2029")

# Pieces of text that have broken pages somewhere. `<!--<script>` comes last: a `-->` after it
# would end the "double escaped" state again and hide the fault.
HOSTILE = [
    "-->",
    "]]>",
    "&lt;",
    "&amp;",
    "\u2028",
    "\u2029",
    "\"double\" 'single' `back`",
    "🧑‍⚕️ café",
    "{{ 7 * 7 }}",
    "\\",
    "</title></style></textarea>",
    "<![CDATA[",
    "<img src=x onerror=alert(1) id=injected>",
    "<script>alert(1)</script>",
    "</script><h1 id=injected>x</h1>",
    "<!--",
    "<!--<script>",
]

FRAGMENTS = [*HOSTILE, "<", ">", "&", "'", "</", "<\\/", "\\u003c", "/", "<SCRIPT", "<!-", "--!>"]


def texts(exclude: tuple[str, ...] = ("Cs",)) -> st.SearchStrategy[str]:
    """Text made of hostile fragments and any other characters (but those in `exclude` categories)."""
    pieces = st.sampled_from(FRAGMENTS) | st.text(st.characters(exclude_categories=exclude), max_size=4)
    return st.lists(pieces, max_size=8).map("".join)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
@settings(derandomize=True, max_examples=300)
def test_json_for_a_script_holds_nothing_the_html_parser_reads_and_reads_back_the_same(value: object) -> None:
    text = script_json(value)
    assert not UNSAFE & set(text), text
    assert json.loads(text) == value


@given(json_values)
@example({"title": "<!--<script>\u2028\u2029</script>"})
@settings(derandomize=True, max_examples=100)
def test_a_council_templates_tojson_is_as_safe_in_a_script(tmp_path_factory, value: object) -> None:  # noqa: ANN001
    """A council's own template using Jinja's `| tojson` is as safe: Jinja escapes < > & ' and,
    writing ASCII, U+2028 and U+2029."""
    chain = ThemeChain(tmp_path_factory.getbasetemp(), "default", None)
    text = chain.env.from_string("{{ value | tojson }}").render(value=value)
    assert not UNSAFE & set(text), text
    assert json.loads(text) == value


plain_texts = st.text(st.characters(exclude_characters="<>&'\u2028\u2029", exclude_categories=("Cs",)))
plain_values = st.recursive(
    st.none() | st.booleans() | st.integers() | plain_texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_texts, inner, max_size=4),
    max_leaves=20,
)


@given(plain_values)
@settings(derandomize=True, max_examples=200)
def test_json_without_those_characters_is_written_byte_for_byte_as_before(value: object) -> None:
    """Compact and not ASCII-escaped, as the JSON-LD always was (the C encoder: indent is slow)."""
    assert script_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Quoted(yaml.SafeDumper):
    """Every string double-quoted, with every line end and non-ASCII character escaped."""


_Quoted.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def yaml_file(data: dict) -> str:
    """`data` as YAML that reads back exactly, whatever its strings hold."""
    text = yaml.dump(data, Dumper=_Quoted, allow_unicode=False, width=math.inf, sort_keys=False)
    assert yaml.safe_load(text) == data
    return text


def toml_text(text: str) -> str:
    written = json.dumps(text, ensure_ascii=False)  # a TOML basic string has JSON's escapes
    assert tomllib.loads(f"x = {written}")["x"] == text
    return written


def open_jobs(title: str) -> str:
    """The small project's jobs campaign, taking applications on TODAY, its role titled `title`."""
    data = yaml.safe_load(JOBS_YAML)
    data["closes"] = dt.date(2027, 9, 30)
    data["roles"][0]["title"] = title
    return yaml_file(data)


@pytest.fixture(scope="module")
def titled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, count]:
    """A project whose jobs campaign each example rewrites, and numbers for fresh output folders."""
    root = write_project(tmp_path_factory.mktemp("titled"), {"themes/default/templates/base.html": None})
    return root, count()


# A title is stripped of white space as it loads; Python's str.strip also strips some control characters.
@given(title=texts(exclude=("Cs", "Cc")).filter(str.strip))
@settings(derandomize=True, max_examples=40, deadline=None)
def test_any_role_title_leaves_one_json_ld_script_and_the_rest_of_the_page(
    titled: tuple[Path, count], title: str
) -> None:
    root, numbers = titled
    (root / JOBS).write_text(open_jobs(title), encoding="utf-8")
    out = root / f"dist-{next(numbers)}"
    build(root, out, only="testshire/jobs", today=TODAY)
    page = parse(out / "testshire" / "jobs" / "roles" / "care-worker" / "index.html")
    (script,) = page.find_all("script", type="application/ld+json")
    assert not UNSAFE & set(script.string), script.string
    assert json.loads(script.string)["title"] == title.strip()
    assert page.h1.get_text() == title.strip()
    assert script.find_next("main") is not None and script.find_next("footer") is not None


# --- every free-text place of a small project, hostile, in Chromium ------------------------------


def hostile(label: str) -> str:
    return f"{label} " + " ".join(HOSTILE)


MARKDOWN = "**Markdown** " + " ".join(HOSTILE) + "\n\n- a list item " + " ".join(HOSTILE)
REGION_NAME, ORGANISATION = hostile("Region"), hostile("Employers")
COUNCIL_NAME, SHORT_NAME = hostile("Council"), hostile("Short")
JOBS_TITLE, JOBS_HEADLINE = hostile("Jobs"), hostile("Headline")
COMEBACK_TITLE, SHARED_HEADLINE = hostile("Come back"), hostile("Shared headline")
ROLES = {"care-worker": hostile("Care worker"), "nurse": hostile("Nurse")}
EMPLOYER = hostile("Care provider")


def role(slug: str, title: str) -> dict:
    return {
        "slug": slug,
        "title": title,
        "employment_type": "part-time",
        "hours": hostile("Hours"),
        "salary": {"min": 24000, "max": 26000, "note": hostile("pro rata")},
        "location": {
            "name": hostile("Place") + ", Testford",
            "postcode": "TE1 1ST",
            "town": hostile("Town"),
            "region": hostile("Area"),
        },
        "description": MARKDOWN,
        "essential": [hostile("Essential")],
        "desirable": [hostile("Desirable")],
        "reference": hostile("Reference"),
    }


def hostile_files() -> dict[str, str | None]:
    """The small project with hostile text in every free-text place that reaches a page."""
    council = yaml.safe_load(COUNCIL_YAML)
    council.update(name=COUNCIL_NAME, short_name=SHORT_NAME)
    council["brand"]["logo_alt"] = hostile("Logo")
    council["contact"]["phone"] = hostile("Phone")
    council["data_controller"].update(name=hostile("Controller"), address=hostile("Address"))
    roles = [role(slug, title) for slug, title in ROLES.items()]
    roles[1]["employer"] = EMPLOYER
    jobs = {
        "title": JOBS_TITLE,
        "audience": hostile("Audience"),
        "opens": dt.date(2026, 4, 1),
        "closes": dt.date(2027, 9, 30),
        "hero": {
            "headline": JOBS_HEADLINE,
            "intro": hostile("Intro"),
            "image": {"src": "assets/logo.svg", "alt": hostile("Hero alt")},
        },
        "body": MARKDOWN,
        "roles": roles,
        "faq": [{"question": hostile("Question"), "answer": MARKDOWN}],
        "stories": [{"name": hostile("Name"), "quote": hostile("Quote"), "role": hostile("Story role")}],
        "form": {
            "fields": [
                {
                    "id": "registration",
                    "type": "radios",
                    "label": hostile("Label"),
                    "hint": hostile("Hint"),
                    "options": [hostile("Yes"), hostile("No")],
                    "error_name": hostile("your answer"),
                }
            ]
        },
        "sharing": {"text": hostile("Sharing")},
        "talent_bank": {"wording": hostile("Wording"), "hint": hostile("Talent hint")},
    }
    shared = {
        "title": hostile("Shared"),
        "audience": hostile("Shared audience"),
        "opens": dt.date(2026, 4, 1),
        "closes": dt.date(2027, 3, 31),
        "hero": {"headline": SHARED_HEADLINE, "intro": hostile("Shared intro")},
        "body": MARKDOWN,
        "sharing": {"text": hostile("Shared sharing")},
    }
    site = f"""name = {toml_text(REGION_NAME)}
organisation = {toml_text(ORGANISATION)}
base_url = "https://careers.testshire.example/"
theme = "default"
contact_email = "careers@testshire.example"
"""
    return {
        "themes/default/templates/base.html": None,
        "site.toml": site,
        COUNCIL: yaml_file(council),
        JOBS: yaml_file(jobs),
        SHARED: yaml_file(shared),
        COMEBACK: yaml_file({"extends": "come-back-to-care", "title": COMEBACK_TITLE}),
    }


def expected_h1(path: str) -> str:
    """The one heading each page of the hostile project shows, by its site path."""
    titles = {"jobs": JOBS_TITLE, "come-back": COMEBACK_TITLE}
    parts = path.strip("/").split("/")
    if path == "/":
        return REGION_NAME
    if path == "/404.html":
        return "Page not found"
    if parts == ["testshire"]:
        return f"Jobs in adult social care with {SHORT_NAME}"
    title = titles[parts[1]]
    match parts[2:]:
        case []:
            return {"jobs": JOBS_HEADLINE, "come-back": SHARED_HEADLINE}[parts[1]]
        case ["roles"]:
            return f"Roles in {title}"
        case ["roles", slug]:
            return ROLES[slug]
        case ["apply"]:
            return "Apply"
        case ["apply", "thanks"]:
            return "Application received"
        case ["apply", "thanks", "feedback"]:
            return "Thank you for your feedback"
        case ["talent-bank"]:
            return "Join the talent bank"
        case ["talent-bank", "joined"]:
            return "Check your email"
        case ["privacy"]:
            return "Privacy notice"
        case ["accessibility"]:
            return f"Accessibility statement for {title}"
    raise AssertionError(f"no heading expected for {path}")


@pytest.fixture(scope="module")
def hostile_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_project(tmp_path_factory.mktemp("hostile"), hostile_files())
    return build(root, today=TODAY).out


# What Chromium made of a page: its landmarks, its headings, its scripts' JSON, what was injected.
FACTS = """() => {
  const main = document.querySelector('main');
  const footer = document.querySelector('footer');
  const injected = '#injected, [onerror], img[src="x"], script:not([src]):not([type="application/ld+json"])';
  const h1 = document.querySelector('h1');
  return {
    main: main !== null && main.id === 'main-content',
    footer: main !== null && footer !== null &&
      (main.compareDocumentPosition(footer) & Node.DOCUMENT_POSITION_FOLLOWING) > 0,
    h1: [...document.querySelectorAll('h1')].map(h => h.textContent),
    h1Shown: h1 !== null && h1.checkVisibility(),
    injected: [...document.querySelectorAll(injected)].map(el => el.outerHTML.slice(0, 100)),
    jsonld: [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => {
      try { return JSON.parse(s.text); } catch (error) { return {unparsed: String(error)}; }
    }),
  };
}"""


@pytest.mark.browser
def test_every_page_of_a_hostile_project_keeps_its_body_in_chromium(hostile_dist: Path) -> None:
    """Served without the Content-Security-Policy, so that an injected script would run and be seen."""
    from playwright.sync_api import sync_playwright

    from generator.browser import launch
    from generator.serve import static_app
    from generator.verify.server import CountsNothing, Server
    from generator.verify.sites import site_path

    paths = [site_path(file, hostile_dist) for file in html_pages(hostile_dist)]
    role_pages = {f"/testshire/jobs/roles/{slug}/": title for slug, title in ROLES.items()}
    assert set(role_pages) < set(paths) and len(paths) >= 17, paths
    dialogs: list[str] = []
    errors: list[str] = []
    with Server(CountsNothing(static_app(hostile_dist))) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            for path in paths:
                response = page.goto(server.url + path, wait_until="load")
                assert response is not None and response.status == 200, path
                facts = page.evaluate(FACTS)
                assert facts["main"] and facts["footer"], (path, facts)
                assert facts["h1"] == [expected_h1(path)] and facts["h1Shown"], (path, facts["h1"])
                assert facts["injected"] == [], (path, facts["injected"])
                if path in role_pages:
                    (posting,) = facts["jsonld"]
                    assert posting["title"] == role_pages[path], path
                    employer = EMPLOYER if path.endswith("/nurse/") else COUNCIL_NAME
                    assert posting["hiringOrganization"]["name"] == employer, path
                else:
                    assert facts["jsonld"] == [], path
        finally:
            browser.close()
    assert dialogs == [] and errors == []
