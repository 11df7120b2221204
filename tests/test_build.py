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
from generator.render import relative
from generator.theme import BUILTIN_THEMES, ThemeChain

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


PAGE_TEMPLATES = {
    "hub.html": "hub",
    "council.html": "council",
    "landing.html": "landing",
    "roles.html": "roles",
    "role.html": "role",
    "apply.html": "apply",
    "thanks.html": "thanks",
    "privacy.html": "privacy",
    "accessibility.html": "accessibility",
    "404.html": "not_found",
}


@pytest.mark.parametrize("name", sorted(PAGE_TEMPLATES))
def test_templates_use_only_documented_variables(name: str) -> None:
    """A theme template that reads an undocumented variable fails here, not on a council's site."""
    folder = BUILTIN_THEMES / "default" / "templates"
    env = ThemeChain(BUILTIN_THEMES.parent, "default").env
    allowed = set(contract.documented(PAGE_TEMPLATES[name]))
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
