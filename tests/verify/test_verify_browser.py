"""`recruit verify` in Chromium: the example passes; each deliberately broken site fails, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import write_project
from support import EXAMPLE_PAGES, EXAMPLE_SITES, TODAY

from generator.cli import main
from generator.verify import Outcome
from generator.verify.model import FAIL, NA, PASS, SiteResult

pytestmark = pytest.mark.browser


def by_id(outcome: Outcome) -> dict[str, SiteResult]:
    return {r.site.id: r for r in outcome.results}


def messages(result: SiteResult, check: str) -> list[str]:
    return [f.line() for f in result.checks[check].findings]


def shot_files(report: Path, result: SiteResult, page: str) -> list[Path]:
    """The page's full-page screenshots at desktop and mobile width (not those of failed form steps)."""
    return [report / s.file for s in result.shots if s.page == page and s.viewport in ("desktop", "mobile")]


# First the runs of `recruit verify` a test makes itself: they go while the shared runs (the root
# conftest's, in their own process) finish.


def open_project(root: Path, *, come_back: bool = True) -> Path:
    """The small test region, its jobs campaign open (the backend judges by the real clock);
    without come-back, one council and one campaign."""
    from projects import COMEBACK, JOBS, JOBS_YAML

    jobs = JOBS_YAML.replace("closes: 2026-09-30", "closes: 2027-09-30")
    files = {"themes/default/templates/base.html": None, JOBS: jobs}
    return write_project(root, files if come_back else {**files, COMEBACK: None})


def test_verify_only_one_campaign_on_a_fresh_checkout(tmp_path: Path) -> None:
    """`recruit verify --only` with nothing built yet: the hub and council index its links need exist."""
    root = open_project(tmp_path / "project")
    args = ["--project", str(root), "verify", "--only", "testshire/jobs", "--jobs", "1"]
    result = CliRunner().invoke(main, [*args, "--today", TODAY.isoformat(), "--report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "[1/1] testshire/jobs: ok" in result.output and "OK: all 1 sites passed" in result.output
    assert (root / "dist" / "_headers").is_file() and (root / "dist" / "index.html").is_file()


def test_a_region_published_under_a_path_verifies(tmp_path: Path) -> None:
    """CI builds for https://OWNER.github.io/REPO/: the 404 page links from /REPO/ and still passes.
    One council with one open campaign proves it (the hub, the 404 page, an index, a form)."""
    root = open_project(tmp_path / "project", come_back=False)
    when = ["--today", TODAY.isoformat()]
    base = ["--project", str(root)]
    built = CliRunner().invoke(main, [*base, "build", *when, "--base-url", "https://owner.github.io/repo/"])
    assert built.exit_code == 0, built.output
    assert 'href="/repo/' in (root / "dist" / "404.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, [*base, "verify", "--no-build", *when, "--report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "region: ok" in result.output and "testshire/jobs: ok" in result.output
    assert "OK: all 3 sites passed" in result.output


def test_every_example_site_passes_every_check(example: Outcome, manifest: dict) -> None:
    failures = [f"{r.site.id} {f.check}: {f.line()}" for r in example.results for f in r.failures()]
    assert failures == []
    assert example.passed
    sites = by_id(example)
    campaigns = {f"{f['council']}/{f['campaign']}" for f in manifest["forms"]}
    assert set(sites) == campaigns | set(manifest["councils"]) | {"region"}
    assert len(sites) == EXAMPLE_SITES  # the hub and 404 page, 14 councils' indexes, 33 campaigns
    open_site = sites["shropshire/time-to-care"]
    assert {k: c.status for k, c in open_site.checks.items()} == dict.fromkeys(open_site.checks, PASS)
    for key in ("form-js", "form-nojs", "keyboard"):
        assert "reference SHR-" in open_site.checks[key].note
    closed = sites["shropshire/winter-support-2025"]
    assert closed.checks["form-state"].status == PASS and closed.checks["form-state"].note == "closed"
    assert closed.checks["form-js"].status == NA
    # The region's site takes in the staff workspace, signed out then as the demo coordinator.
    workspace = {shot.page for shot in sites["region"].shots if shot.page.startswith("/workspace/")}
    pages = ("sign-in", "applications", "applications/VER-DEMO01", "overview", "audit", "users")
    assert workspace == {f"/workspace/{page}" for page in pages}


def test_the_report_has_every_page_at_both_widths(example: Outcome) -> None:
    report = example.report_html.parent
    html = example.report_html.read_text(encoding="utf-8")
    assert len(example.results) == EXAMPLE_SITES
    assert sum(len(r.site.pages) for r in example.results) == EXAMPLE_PAGES
    for result in example.results:
        assert f'id="site-{result.site.id.replace("/", "--")}"' in html
        for page in result.site.pages:
            files = shot_files(report, result, page)
            assert [f.name.rsplit(".", 2)[1] for f in files] == ["desktop", "mobile"], page
            assert all(f.is_file() and f.read_bytes()[:2] == b"\xff\xd8" for f in files)  # JPEG
    assert "<testsuites" in example.junit.read_text(encoding="utf-8")


def test_a_correct_campaign_next_to_broken_ones_passes(broken: Outcome) -> None:
    """No false alarms: the right campaign passes, its form posting to a backend on another host."""
    sites = by_id(broken)
    assert [f.line() for f in sites["testshire/jobs"].failures()] == []
    assert sites["testshire/jobs"].checks["form-js"].note.startswith("reference TST-")
    assert sites["region"].passed and sites["testshire"].passed and sites["plainshire"].passed
    assert not broken.passed


@pytest.mark.parametrize(
    ("site", "check", "page", "expected"),
    [
        ("testshire/alt", "axe-desktop", "/testshire/alt/", "image-alt: Images must have alternative text"),
        ("testshire/alt", "axe-mobile", "/testshire/alt/", "image-alt: Images must have alternative text"),
        (
            "testshire/links",
            "links",
            "/testshire/links/",
            "points to a page that does not exist: ../training/",
        ),
        (
            "testshire/labels",
            "axe-desktop",
            "/testshire/labels/apply/",
            "label: Form elements must have labels",
        ),
        (
            "testshire/contrast",
            "axe-desktop",
            "/testshire/contrast/",
            "color-contrast: Elements must meet minimum color contrast",
        ),
        (
            "testshire/cut",
            "pages",
            "/testshire/cut/",
            "the page is cut short: no main and no footer in it once loaded",
        ),
        (
            "plainshire/jobs",
            "keyboard",
            "/plainshire/jobs/apply/",
            "no visible focus on input",
        ),
    ],
)
def test_each_fault_fails_its_site_with_the_right_message_and_a_screenshot(
    broken: Outcome, site: str, check: str, page: str, expected: str
) -> None:
    result = by_id(broken)[site]
    assert not result.passed
    assert result.checks[check].status == FAIL
    found = [f for f in result.checks[check].findings if f.page == page]
    assert any(expected in f.message for f in found), messages(result, check)
    if check.startswith("axe"):
        finding = next(f for f in found if expected in f.message)
        assert finding.help_url and finding.help_url.startswith("https://dequeuniversity.com/rules/axe/")
        assert finding.selectors
    html = broken.report_html.read_text(encoding="utf-8")
    assert expected.split(":")[0] in html
    assert all(f.is_file() for f in shot_files(broken.report_html.parent, result, page))
    assert len(shot_files(broken.report_html.parent, result, page)) == 2
    # only the fault fails: every other check of that site passes or does not apply
    others = {k: c.status for k, c in result.checks.items() if not k.startswith("axe") and k != check}
    assert FAIL not in others.values(), messages(result, next(k for k, v in others.items() if v == FAIL))


def test_a_page_that_reaches_off_the_machine_or_breaks_the_csp_fails(broken: Outcome) -> None:
    result = by_id(broken)["testshire/offhost"]
    found = messages(result, "pages")
    # the page's own Content-Security-Policy stops the banner first; the off-host guard is behind it
    assert "/testshire/offhost/: request failed: GET https://cdn.example.com/banner.png (csp)" in found
    assert any("console error: " in m and "inline style" in m for m in found), found
    assert result.checks["mobile-layout"].status == PASS


def test_without_a_csp_the_guard_still_refuses_requests_off_the_machine(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from generator.browser import launch
    from generator.serve import static_app
    from generator.verify.server import Server
    from generator.verify.sweep import guard

    page_html = '<img src="https://cdn.example.com/a.png" alt="a"><img src="/here.png" alt="b">'
    (tmp_path / "index.html").write_text(f"<!doctype html><title>t</title>{page_html}", encoding="utf-8")
    refused: list[str] = []
    with Server(static_app(tmp_path)) as server, sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context()
        guard(context, server.url, refused)
        page = context.new_page()
        page.goto(server.url + "/", wait_until="load")
        browser.close()
    assert refused == ["https://cdn.example.com/a.png"]


def test_a_page_wider_than_a_phone_fails_the_mobile_layout(broken: Outcome) -> None:
    result = by_id(broken)["testshire/wide"]
    [finding] = [f for f in result.checks["mobile-layout"].findings if f.page == "/testshire/wide/"]
    assert finding.viewport == "mobile" and "px wide in a 375 px screen (too wide: " in finding.message
    assert 'caption "Pay bands"' in finding.message
    assert result.checks["pages"].status == PASS


def test_a_backend_that_loses_applications_or_their_errors_fails_the_form_checks(forgetful: Outcome) -> None:
    outcome = forgetful
    (result,) = outcome.results
    for check in ("form-js", "form-nojs", "keyboard"):
        assert any(
            m.startswith("/testshire/jobs/apply/: reference TST-") and m.endswith("is not in the database")
            for m in messages(result, check)
        ), (check, messages(result, check))
    # the errors come back without a summary: only the page's script (JavaScript on) shows one
    found = messages(result, "form-errors")
    missing = "without JavaScript: the required question 'full_name' has no error in the summary"
    assert f"/testshire/jobs/apply/: {missing}" in found
    assert not [m for m in found if "with JavaScript:" in m], found
    assert result.checks["pages"].status == PASS and not outcome.passed


def test_a_backend_that_answers_500_fails_the_form_checks(failing: Outcome) -> None:
    outcome, report = failing, failing.report_html.parent
    (result,) = outcome.results
    assert not outcome.passed
    for check in ("form-js", "form-nojs", "keyboard"):
        assert any("the form backend answered 500 to POST" in m for m in messages(result, check)), check
    assert result.checks["pages"].status == PASS
    failed_shots = [s for s in result.shots if s.viewport.endswith("-failed")]
    assert {s.viewport for s in failed_shots} >= {"form-js-failed", "form-nojs-failed"}
    assert all((report / s.file).is_file() for s in failed_shots)
    assert "the form backend answered 500" in (report / "index.html").read_text(encoding="utf-8")
