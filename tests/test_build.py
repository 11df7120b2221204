"""The build as a pipeline, on small projects written inline: output, themes, safety."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from textwrap import dedent

import jinja2
import jinja2.meta
import jinja2.nodes
import pytest
from bs4 import BeautifulSoup
from projects import COUNCIL, JOBS, write_project

from generator import contract
from generator.build import build
from generator.output import DuplicateOutput, Output
from generator.problems import ProblemsFound
from generator.theme import BUILTIN_THEMES, ThemeChain
from generator.urls import relative

TODAY = dt.date(2026, 6, 1)
NO_THEME_COPY = {"themes/default/templates/base.html": None}  # use the generator's own theme


def project(tmp_path: Path, files: dict[str, str | None] | None = None) -> Path:
    return write_project(tmp_path / "project", {**NO_THEME_COPY, **(files or {})})


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("src", "dst", "expected"),
    [
        ("/", "/dudley/", "dudley/"),
        ("/dudley/", "/", "../"),
        ("/dudley/jobs/roles/", "/dudley/_static/site.css", "../../_static/site.css"),
        ("/dudley/jobs/", "/dudley/jobs/", "./"),
        ("/dudley/jobs/", "/dudley/jobs/apply/?role=x", "apply/?role=x"),
        ("/404.html", "/_static/a.css", "_static/a.css"),
    ],
)
def test_relative_links(src: str, dst: str, expected: str) -> None:
    assert relative(src, dst) == expected


def test_build_writes_every_page_of_a_campaign(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = build(root, tmp_path / "dist", today=TODAY)
    base = tmp_path / "dist" / "testshire" / "jobs"
    for page in ("", "roles/", "roles/care-worker/", "apply/", "apply/thanks/", "privacy/", "accessibility/"):
        assert (base / page / "index.html").is_file(), page
    for name in (
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
        "_forms/manifest.json",
        "testshire/index.html",
    ):
        assert (tmp_path / "dist" / name).is_file(), name
    assert result.councils == 1 and result.campaigns == 2
    assert "Built 1 council, 2 campaigns" in result.summary()


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    root = project(tmp_path)
    build(root, tmp_path / "one", today=TODAY)
    build(root, tmp_path / "two", today=TODAY)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    page = out / "testshire" / "jobs" / "index.html"
    os.utime(page, (1, 1))
    again = build(root, out, today=TODAY)
    assert again.report.written == 0 and again.report.unchanged == again.files
    assert page.stat().st_mtime == 1


def test_a_failed_build_leaves_the_last_good_site(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    before = snapshot(out)
    (root / JOBS).write_text((root / JOBS).read_text().replace("title:", "titel:", 1))
    with pytest.raises(ProblemsFound):
        build(root, out, today=TODAY)
    assert snapshot(out) == before
    (root / JOBS).write_text((root / JOBS).read_text().replace("titel:", "title:", 1))
    broken = (
        "{% extends '!default/landing.html' %}{% block content %}{{ campaign.nope.deeper }}{% endblock %}"
    )
    (root / "campaigns/testshire/templates").mkdir()
    (root / "campaigns/testshire/templates/landing.html").write_text(broken)
    with pytest.raises(ProblemsFound) as caught:
        build(root, out, today=TODAY)
    problem = caught.value.problems[0]
    assert problem.file.name == "landing.html" and problem.line == 1
    assert "template error" in problem.message
    assert snapshot(out) == before


def test_a_first_build_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "campaigns/testshire/templates").mkdir()
    (root / "campaigns/testshire/templates/role.html").write_text("{{ role.nope.deeper }}")
    out = tmp_path / "site" / "dist"
    with pytest.raises(ProblemsFound):
        build(root, out, today=TODAY)
    assert not out.exists() and list((tmp_path / "site").iterdir()) == []
    (root / "campaigns/testshire/templates/role.html").unlink()
    result = build(root, out, today=TODAY)
    assert (out / "index.html").is_file() and result.report.written == len(snapshot(out))


def test_clean_removes_stale_files_and_only_keeps_others(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    (out / "stale.html").write_text("old")
    build(root, out, today=TODAY)
    assert (out / "stale.html").exists()
    result = build(root, out, today=TODAY, clean=True)
    assert not (out / "stale.html").exists() and result.report.removed == 1


def test_a_council_template_overrides_the_theme_and_can_extend_it(tmp_path: Path) -> None:
    override = dedent("""\
        {% extends "!default/landing.html" %}
        {% block content %}<p class="testshire-banner">Testshire cares</p>{{ super() }}{% endblock %}
        """)
    root = project(tmp_path, {"campaigns/testshire/templates/landing.html": override})
    result = build(root, tmp_path / "dist", today=TODAY)
    page = soup(tmp_path / "dist/testshire/jobs/index.html")
    assert page.find("p", class_="testshire-banner").get_text() == "Testshire cares"
    assert page.find("h1").get_text() == "Care is a career"  # the default's content is kept
    won = {e.page: Path(e.file) for e in result.explained}
    assert won["/testshire/jobs/"] == root / "campaigns/testshire/templates/landing.html"
    assert won["/testshire/jobs/roles/"] == BUILTIN_THEMES / "default/templates/roles.html"


def test_most_specific_template_wins(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "campaigns/testshire/templates/landing-jobs.html": '{% extends "!default/landing.html" %}'
            '{% block head %}<meta name="x" content="jobs">{% endblock %}',
        },
    )
    build(root, tmp_path / "dist", today=TODAY)
    assert soup(tmp_path / "dist/testshire/jobs/index.html").find("meta", attrs={"name": "x"})
    assert not soup(tmp_path / "dist/testshire/come-back/index.html").find("meta", attrs={"name": "x"})


def test_markdown_is_sanitised(tmp_path: Path) -> None:
    jobs = (
        (write_project(tmp_path / "p") / JOBS)
        .read_text()
        .replace(
            "body: We are hiring.",
            "body: |\n  We are <script>alert(1)</script> hiring [now](javascript:alert(1)).\n\n"
            '  <img src=x onerror="alert(2)"> **Apply** today.',
        )
    )
    root = project(tmp_path, {JOBS: jobs})
    build(root, tmp_path / "dist", today=TODAY)
    html = (tmp_path / "dist/testshire/jobs/index.html").read_text()
    assert "alert(" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>Apply</strong>" in html


def test_only_one_council_keeps_the_rest_of_the_manifest(tmp_path: Path) -> None:
    second = (write_project(tmp_path / "p") / COUNCIL).read_text().replace("code: TST", "code: OTH")
    root = project(
        tmp_path,
        {
            "campaigns/otherton/council.yaml": second,
            "campaigns/otherton/assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "campaigns/otherton/jobs.yaml": (tmp_path / "p" / JOBS).read_text(),
        },
    )
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    (root / JOBS).write_text((root / JOBS).read_text().replace("Care jobs in Testshire", "New title"))
    result = build(root, out, today=TODAY, only="testshire/jobs")
    assert result.councils == 1 and result.campaigns == 1
    manifest = json.loads((out / "_forms/manifest.json").read_text())
    keys = {(f["council"], f["campaign"]) for f in manifest["forms"]}
    assert keys == {("otherton", "jobs"), ("testshire", "jobs"), ("testshire", "come-back")}
    titles = {f["title"] for f in manifest["forms"]}
    assert "New title" in titles
    assert soup(out / "testshire/jobs/index.html").find("h2").get_text() == "New title"


def test_output_refuses_two_writes_to_one_path() -> None:
    out = Output()
    out.add("/a/index.html", "one", "first.html")
    with pytest.raises(DuplicateOutput, match="first.html"):
        out.add("a/index.html", "two", "second.html")


def test_every_page_variable_is_documented() -> None:
    with pytest.raises(contract.UndocumentedVariable, match="surprise"):
        contract.check_context("thanks", {**dict.fromkeys(contract.documented("thanks")), "surprise": 1})
    with pytest.raises(contract.UndocumentedVariable, match="campaign"):
        contract.check_context("thanks", dict.fromkeys(contract.COMMON))
    with pytest.raises(contract.UndocumentedVariable, match="page"):  # a part is reused on any page
        contract.check_part({**dict.fromkeys(contract.PART), "page": 1})


PAGE_TEMPLATES = {
    "hub.html": "hub",
    "council.html": "council",
    "landing.html": "landing",
    "roles.html": "roles",
    "role.html": "role",
    "apply.html": "apply",
    "thanks.html": "thanks",
    "feedback.html": "thanks",  # the page after the thank-you page's survey
    "join.html": "join",  # the talent bank's own form
    "join_done.html": "join",  # and the page after it
    "privacy.html": "privacy",
    "accessibility.html": "accessibility",
    "404.html": "not_found",
    "hub_cards.html": "part",  # the hub's part() for each council
    "hub_council.html": "part",
}


@pytest.mark.parametrize("name", sorted(PAGE_TEMPLATES))
def test_templates_use_only_documented_variables(name: str) -> None:
    """A theme template that reads an undocumented variable fails here, not on a council's site."""
    folder = BUILTIN_THEMES / "default" / "templates"
    env = ThemeChain(BUILTIN_THEMES.parent, "default").env
    kind = PAGE_TEMPLATES[name]
    allowed = set(contract.PART if kind == "part" else contract.documented(kind))
    seen = [name]
    for template in seen:  # the page and every template it extends
        source = (folder / template).read_text()
        ast = env.parse(source)
        imported = {
            n if isinstance(n, str) else n[1] or n[0]
            for node in ast.find_all(jinja2.nodes.FromImport)
            for n in node.names
        }
        imported |= {node.target for node in ast.find_all(jinja2.nodes.Import)}
        used = jinja2.meta.find_undeclared_variables(ast) - imported
        assert used <= allowed, f"{template} (for {name}) uses undocumented {sorted(used - allowed)}"
        for parent in jinja2.meta.find_referenced_templates(ast):
            if parent and parent not in seen and not parent.startswith("!"):
                if parent in ("macros.html", "form.html"):
                    continue  # macros receive what they use as arguments
                seen.append(parent)


def test_a_council_on_its_own_domain(tmp_path: Path) -> None:
    council = (write_project(tmp_path / "p") / COUNCIL).read_text()
    council = council.replace("website:", "base_url: https://jobs.testshire.example\nwebsite:")
    root = project(tmp_path, {COUNCIL: council})
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    page = soup(out / "testshire/jobs/roles/care-worker/index.html")
    assert (
        page.find("link", rel="canonical")["href"] == "https://jobs.testshire.example/jobs/roles/care-worker/"
    )
    posting = json.loads(page.find("script", type="application/ld+json").string)
    assert posting["url"] == "https://jobs.testshire.example/jobs/roles/care-worker/"
    own = (out / "testshire/sitemap.xml").read_text()
    assert "<loc>https://jobs.testshire.example/jobs/</loc>" in own
    assert "careers.testshire.example" not in own
    assert "Sitemap: https://jobs.testshire.example/sitemap.xml" in (out / "testshire/robots.txt").read_text()
    region = (out / "sitemap.xml").read_text()
    assert (
        "jobs.testshire.example" not in region and "<loc>https://careers.testshire.example/</loc>" in region
    )
    manifest = json.loads((out / "_forms/manifest.json").read_text())
    assert "https://jobs.testshire.example" in manifest["origins"]
    form = next(f for f in manifest["forms"] if f["campaign"] == "jobs")
    assert form["thanks_url"] == "https://jobs.testshire.example/jobs/apply/thanks/"


def test_a_campaign_not_yet_open_shows_when_it_opens_and_no_form(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "dist"
    build(root, out, today=dt.date(2026, 3, 1))  # jobs opens on 2026-04-01
    landing = soup(out / "testshire/jobs/index.html")
    assert "Opens 1 April 2026" in landing.get_text()
    assert landing.find("a", string="Apply now") is None
    apply = soup(out / "testshire/jobs/apply/index.html")
    assert apply.find("form") is None
    assert "Applications open on 1 April 2026" in apply.get_text()
    hub = soup(out / "index.html")
    assert hub.find("a", string="Care jobs in Testshire") is None  # not taking applications yet


EVERY_TYPE = """\
form:
  cv: required
  fields:
    - {id: about, type: textarea, label: Tell us about yourself, max_length: 500}
    - {id: work_email, type: email, label: Work email, required: false}
    - {id: mobile, type: tel, label: Mobile number, required: false}
    - {id: years, type: number, label: Years of experience, min: 0, max: 60}
    - {id: start, type: date, label: "When could you start?", hint: "For example, 27 3 2027"}
    - {id: shift, type: select, label: Preferred shift, options: [Days, Nights]}
    - {id: licence, type: radios, label: "Do you drive?", options: [Yes, No]}
    - {id: days, type: checkboxes, label: "Which days?", options: [Weekdays, Weekends], required: false}
    - {id: dbs, type: file, label: Upload your DBS certificate, required: false}
    - id: hcpc
      type: text
      label: HCPC number
      pattern: "HCPC[0-9]{5}"
      pattern_message: Enter an HCPC number like HCPC12345
"""


def test_every_field_type_renders_with_a_label_and_its_rules(tmp_path: Path) -> None:
    jobs = (write_project(tmp_path / "p") / JOBS).read_text() + EVERY_TYPE
    root = project(tmp_path, {JOBS: jobs})
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    page = soup(out / "testshire/jobs/apply/index.html")
    form = page.find("form")
    assert form["enctype"] == "multipart/form-data"
    assert page.find("label", attrs={"for": "about"}).get_text(strip=True) == "Tell us about yourself"
    assert page.find("textarea", id="about")
    assert page.find("input", id="work_email")["type"] == "email"
    assert page.find("label", attrs={"for": "work_email"}).get_text(strip=True) == "Work email (optional)"
    assert page.find("input", id="mobile")["type"] == "tel"
    assert page.find("input", id="years")["inputmode"] == "decimal"
    date_group = page.find(attrs={"data-field": "start"})
    assert date_group.find("legend").get_text(strip=True) == "When could you start?"
    assert [i["name"] for i in date_group.find_all("input")] == ["start-day", "start-month", "start-year"]
    assert [o.get_text() for o in page.find("select", id="shift").find_all("option")] == [
        "Choose an option",
        "Days",
        "Nights",
    ]
    radios = page.find(attrs={"data-field": "licence"})
    assert [i["value"] for i in radios.find_all("input")] == ["Yes", "No"]
    assert radios.find("legend").get_text(strip=True) == "Do you drive?"
    assert [i["type"] for i in page.find(attrs={"data-field": "days"}).find_all("input")] == ["checkbox"] * 2
    assert page.find("input", id="dbs")["type"] == "file"
    assert page.find("input", id="cv")["accept"].startswith(".pdf,.doc,.docx,.odt")
    hcpc = page.find(attrs={"data-field": "hcpc"})
    assert hcpc["data-pattern"] == "HCPC[0-9]{5}"
    assert hcpc["data-msg-pattern"] == "Enter an HCPC number like HCPC12345"
    manifest = json.loads((out / "_forms/manifest.json").read_text())
    fields = {f["id"]: f for f in next(f for f in manifest["forms"] if f["campaign"] == "jobs")["fields"]}
    assert fields["about"]["messages"]["too_long"] == "Tell us about yourself must be 500 characters or fewer"
    assert fields["years"]["messages"] == {
        "required": "Enter years of experience",
        "format": "Years of experience must be a number",
        "min": "Years of experience must be 0 or more",
        "max": "Years of experience must be 60 or less",
    }
    assert fields["start"]["messages"]["format"] == "When could you start must be a real date"
    assert fields["shift"]["messages"]["required"] == "Select preferred shift"
    assert fields["cv"]["required"] is True and fields["cv"]["max_bytes"] == 5 * 1024 * 1024
    assert fields["licence"]["options"] == [{"value": "Yes", "label": "Yes"}, {"value": "No", "label": "No"}]


# --- a role past its own closing date ----------------------------------------------------------

CLOSED_ROLE = """\
  - slug: senior-carer
    title: Senior Carer
    employment_type: part-time
    hours: 20 hours a week
    salary:
      min: 13.5
      period: hour
    location:
      name: Testford Library
      postcode: TE1 2AB
    description: Lead a small team.
    closes: 2026-05-15
"""


def jobs_with_closed_role(tmp_path: Path, only_closed: bool = False) -> str:
    """JOBS_YAML with Senior Carer closing on 15 May 2026 (the campaign runs to 30 September);
    with `only_closed`, it is the campaign's only role."""
    jobs = (write_project(tmp_path / "p") / JOBS).read_text()
    head, rest = jobs.split("roles:\n", 1)
    _, sharing = rest.split("sharing:\n", 1)
    roles = CLOSED_ROLE if only_closed else rest.split("sharing:\n", 1)[0] + CLOSED_ROLE
    return f"{head}roles:\n{roles}sharing:\n{sharing}"


def role_options(page: BeautifulSoup) -> list[str]:
    group = page.find(attrs={"data-field": "role"})
    return [] if group is None else [el["value"] for el in group.find_all("input", attrs={"name": "role"})]


def test_a_role_past_its_closing_date_cannot_be_applied_for(tmp_path: Path) -> None:
    root = project(tmp_path, {JOBS: jobs_with_closed_role(tmp_path)})
    out = tmp_path / "dist"
    build(root, out, today=TODAY)  # 1 June 2026: the campaign is open, Senior Carer closed on 15 May
    base = out / "testshire/jobs"

    closed = soup(base / "roles/senior-carer/index.html")
    assert closed.h1.get_text() == "Senior Carer"  # the page stays, readable
    assert "This role closed on 15 May 2026" in closed.main.get_text(" ", strip=True)
    assert closed.find("script", type="application/ld+json") is None  # no longer a job posting
    assert closed.find("a", string="Apply for this role") is None
    assert closed.find(href=lambda h: h and "role=senior-carer" in h) is None
    still_open = soup(base / "roles/care-worker/index.html")
    assert json.loads(still_open.find("script", type="application/ld+json").string)["title"] == "Care Worker"
    assert still_open.find("a", string="Apply for this role")

    apply = soup(base / "apply/index.html")
    assert role_options(apply) == ["care-worker", "not-sure"]
    assert "Senior Carer" not in apply.find("form").get_text()
    manifest = json.loads((out / "_forms/manifest.json").read_text())
    form = next(f for f in manifest["forms"] if f["campaign"] == "jobs")
    role_field = next(f for f in form["fields"] if f["id"] == "role")
    assert [o["value"] for o in role_field["options"]] == [
        "care-worker",
        "not-sure",
    ]  # the backend refuses it

    for listing in (base / "roles/index.html", base / "index.html"):  # roles list and landing
        page = soup(listing)
        cards = {
            card.find(["h2", "h3"]).get_text(strip=True): card
            for card in page.find_all(class_="rc-card")
            if card.find(["h2", "h3"])
        }
        assert set(cards) == {"Care Worker", "Senior Carer"}, listing
        assert cards["Senior Carer"].find(class_="rc-tag--closed").get_text() == "Closed", listing
        assert cards["Care Worker"].find(class_="rc-tag--closed") is None, listing
        assert list(cards) == ["Care Worker", "Senior Carer"]  # open roles first
    index = soup(out / "testshire/index.html").get_text(" ", strip=True)
    assert "1 open role" in index


def test_an_open_campaign_whose_roles_have_all_closed_says_so_on_its_apply_page(tmp_path: Path) -> None:
    root = project(tmp_path, {JOBS: jobs_with_closed_role(tmp_path, only_closed=True)})
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    apply = soup(out / "testshire/jobs/apply/index.html")
    notice = apply.find("h2", string="The advertised roles have closed")
    assert notice is not None
    assert "open until 30 September 2026" in notice.parent.get_text(" ", strip=True)
    form = apply.find("form", attrs={"data-apply-form": True})
    assert form is not None and form.find(attrs={"data-field": "role"}) is None  # no question of one choice
    manifest = json.loads((out / "_forms/manifest.json").read_text())
    form = next(f for f in manifest["forms"] if f["campaign"] == "jobs")
    assert "role" not in {f["id"] for f in form["fields"]}
    role = soup(out / "testshire/jobs/roles/senior-carer/index.html")
    assert role.find("a", string="apply to Care jobs in Testshire")


def test_a_role_closing_overnight_rebuilds_as_a_clean_build_would(tmp_path: Path) -> None:
    root = project(tmp_path, {JOBS: jobs_with_closed_role(tmp_path)})
    out = tmp_path / "dist"
    build(root, out, today=dt.date(2026, 5, 15))  # its last day
    assert role_options(soup(out / "testshire/jobs/apply/index.html")) == [
        "care-worker",
        "senior-carer",
        "not-sure",
    ]
    build(root, out, today=dt.date(2026, 5, 16))
    build(root, tmp_path / "clean", today=dt.date(2026, 5, 16))
    assert snapshot(out) == snapshot(tmp_path / "clean")
    assert role_options(soup(out / "testshire/jobs/apply/index.html")) == ["care-worker", "not-sure"]


# --- the 404 page, served at any address ------------------------------------------------------


def links_of(page: BeautifulSoup) -> list[str]:
    tags = page.find_all(["a", "link", "img", "script"])
    return [el.get("href") or el.get("src") for el in tags if el.get("rel") != ["canonical"]]


@pytest.mark.parametrize(
    ("base_url", "root"),
    [("https://owner.github.io/repo/", "/repo/"), ("https://careers.testshire.example/", "/")],
)
def test_the_404_page_links_from_where_the_site_is_published(
    tmp_path: Path, base_url: str, root: str
) -> None:
    project_root = project(tmp_path)
    out = tmp_path / "dist"
    build(project_root, out, today=TODAY, base_url=base_url)
    page = soup(out / "404.html")
    internal = [link for link in links_of(page) if link and not link.startswith(("mailto:", "#"))]
    assert internal and all(link.startswith(root) for link in internal), internal
    for link in internal:  # each names a built file once the base URL's path is taken off
        target = out / link.removeprefix(root)
        assert (target / "index.html" if link.endswith("/") else target).is_file(), link
    stylesheet = page.find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith(f"{root}_static/site.")
    assert page.find("a", string="see every council's jobs")["href"] == root
    assert page.find("a", class_="rc-header__home")["href"] == root


@pytest.mark.parametrize(
    ("own", "root"), [("https://jobs.testshire.example/", "/"), ("https://testshire.example/jobs/", "/jobs/")]
)
def test_a_council_on_its_own_domain_has_its_own_404_page(tmp_path: Path, own: str, root: str) -> None:
    council = (write_project(tmp_path / "p") / COUNCIL).read_text()
    council = council.replace("website:", f"base_url: {own}\nwebsite:")
    project_root = project(tmp_path, {COUNCIL: council})
    out = tmp_path / "dist"
    build(project_root, out, today=TODAY)
    folder = out / "testshire"  # published alone: its folder is the domain's root
    page = soup(folder / "404.html")
    assert page.h1.get_text() == "Page not found"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("link", rel="canonical")["href"] == f"{own}404.html"
    stylesheet = page.find("link", rel="stylesheet")["href"]
    assert (
        stylesheet == root + soup(folder / "index.html").find("link", rel="stylesheet")["href"]
    )  # its brand
    internal = [link for link in links_of(page) if link and not link.startswith(("mailto:", "#"))]
    for link in internal:
        assert link.startswith(root), link
        target = folder / link.removeprefix(root)
        assert (target / "index.html" if link.endswith("/") else target).is_file(), link
    assert page.find("a", string="see Testshire's jobs")["href"] == root
    assert page.find("a", href="mailto:jobs@testshire.example")
    sitemap = (folder / "sitemap.xml").read_text()
    assert "404.html" not in sitemap


# --- hints and errors described to assistive technology -----------------------------------------

HINTED = """\
form:
  cv: optional
  fields:
    - {id: about, type: textarea, label: Tell us about yourself, hint: A few lines is enough}
    - {id: nickname, type: text, label: What should we call you?, hint: For example Sam}
    - {id: start, type: date, label: "When could you start?", hint: "For example, 27 3 2027"}
    - {id: shift, type: select, label: Preferred shift, options: [Days, Nights], hint: Pick one}
    - {id: licence, type: radios, label: "Do you drive?", options: [Yes, No], hint: A full UK licence}
    - {id: days, type: checkboxes, label: "Which days?", options: [Weekdays, Weekends], hint: Tick all}
    - {id: dbs, type: file, label: Upload your DBS certificate, required: false, hint: A scan is fine}
talent_bank:
  wording: Add me to the regional talent bank
  hint: Other councils may contact you.
"""
GROUPED = ("radios", "checkboxes", "date", "consent")


def described(page: BeautifulSoup, group) -> tuple[object, list[str]]:  # noqa: ANN001
    """The element a question's hint and error describe (its fieldset, or its one control), and
    the ids it names."""
    kind = group["data-type"]
    element = group.find("fieldset") if kind in GROUPED else page.find(id=group["data-field"])
    return element, str(element.get("aria-describedby") or "").split()


def test_every_hint_is_announced_with_its_question(tmp_path: Path) -> None:
    jobs = (write_project(tmp_path / "p") / JOBS).read_text() + HINTED
    root = project(tmp_path, {JOBS: jobs})
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    page = soup(out / "testshire/jobs/apply/index.html")
    groups = page.find("form").find_all(attrs={"data-field": True})
    kinds = set()
    for group in groups:
        hint = group.find(class_="rc-hint")
        if hint is None:
            continue
        kinds.add(group["data-type"])
        element, ids = described(page, group)
        assert hint["id"] in ids, (group["data-field"], element)
        if group["data-type"] in GROUPED:  # GOV.UK: a group's fieldset carries it, not each input
            assert not any(i.get("aria-describedby") for i in group.find_all("input")), group["data-field"]
    assert kinds >= {
        "text",
        "textarea",
        "email",
        "tel",
        "radios",
        "checkboxes",
        "date",
        "file",
        "select",
        "consent",
    }
    privacy = page.find(attrs={"data-field": "privacy_consent"})
    assert "privacy notice" in privacy.find(class_="rc-hint").get_text()
    assert described(page, privacy)[1] == ["privacy_consent-hint"]


def test_the_backends_error_page_describes_each_error_and_links_to_its_question(tmp_path: Path) -> None:
    from forms_backend.pages import error_page

    jobs = (write_project(tmp_path / "p") / JOBS).read_text() + HINTED
    root = project(tmp_path, {JOBS: jobs})
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    manifest = json.loads((out / "_forms/manifest.json").read_text())
    form = next(f for f in manifest["forms"] if f["campaign"] == "jobs")
    errors = {f["id"]: f["messages"]["required"] for f in form["fields"] if f["required"]}
    assert {"privacy_consent", "start", "licence", "shift", "about"} <= set(errors)
    page = BeautifulSoup(error_page(out, form, form["form_url"], errors, {}), "html.parser")
    summary = page.find(attrs={"data-error-summary": True})
    assert not summary.has_attr("hidden") and summary.find(attrs={"role": "alert"})
    links = {a.get_text(): a["href"] for a in summary.find_all("a")}
    assert list(links) == list(errors.values())  # in the order of the questions
    for field_id, message in errors.items():
        group = page.find(attrs={"data-field": field_id})
        target = page.find(id=links[message].removeprefix("#"))
        assert target is not None and group in target.parents, field_id  # the link lands in the question
        error = page.find(id=f"{field_id}-error")
        assert error.get_text(" ", strip=True) == f"Error: {message}" and not error.has_attr("hidden")
        _, ids = described(page, group)
        hint = group.find(class_="rc-hint")
        assert ids == ([hint["id"]] if hint else []) + [f"{field_id}-error"], (field_id, ids)
