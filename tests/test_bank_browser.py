"""The talent bank in a real Chromium: an applicant ticks the box on the real form; their
confirmation email's private link opens their page (axe finds nothing; the keyboard alone saves
their choices); a council's editor finds them in the workspace by profession without seeing who
they are, and expresses interest; the person says yes from the message's link, and the council
then sees their name and address. axe finds nothing on any of these pages, at 1280 and 375 px."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from collections.abc import Iterator
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from live_site import free_port, serving
from support import ROOT, TODAY
from test_workspace_browser import apply, no_axe_findings

from forms_backend.settings import Settings
from forms_backend.storage import open_storage
from forms_backend.workspace import auth
from generator.verify.runner import axe_source

pytestmark = pytest.mark.browser
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
EDITOR = "hr@dudley.gov.uk"


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("bank")
    settings = Settings(dist=dist, database_url=f"sqlite:///{data / 'recruit.db'}", mail_dir=data / "mail",
                        outbox_interval=0.2, rollup_interval=0, rate_limit=None,
                        clock=lambda: NOW)  # fmt: skip
    with serving(settings, free_port()) as url:
        yield {"url": url, "mail": data / "mail", "database": settings.database_url}


def link_in(folder: Path, pattern: str, to: str) -> str:
    """The path (under /api) of the link matching `pattern` in the newest .eml to `to`."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            body = message.get_body().get_content()  # type: ignore[union-attr]
            found = re.search(pattern, body)
            if message["To"].addresses[0].addr_spec == to and found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} with {pattern}")


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(axe_source(ROOT))
    yield context
    context.close()


def test_joining_finding_and_saying_yes(
    site: dict[str, Any], manifest: dict, context: Any, browser: Any
) -> None:
    page = context.new_page()
    apply(page, site, manifest, 41)  # wolverhampton's form, every box ticked: the talent bank's too
    address = "applicant41@example.com"
    mine = link_in(site["mail"], r"https?://\S+?/api(/bank/[^\s/]+)\s", address)
    page.goto(site["url"] + "/api" + mine)
    assert page.get_by_role("heading", level=1).inner_text() == "Your talent bank page"
    assert address in page.locator("main").inner_text()
    no_axe_findings(page, "the person's page")
    page.get_by_label("How far you will travel, in miles (optional)").fill("many")
    page.get_by_role("button", name="Save my choices").click()
    assert page.get_by_role("alert").get_by_role("link").inner_text().startswith("Enter how far")
    no_axe_findings(page, "the person's page with an error")
    page.get_by_label("How far you will travel, in miles (optional)").fill("15")
    page.get_by_label("Dudley", exact=False).first.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save my choices").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**done=saved**")
    assert page.get_by_role("status").inner_text().endswith("Your choices are saved.")

    storage = open_storage(site["database"])
    try:
        user, _ = storage.add_user(EDITOR, "dudley", "editor", NOW)
        token = auth.open_session(storage, user, NOW)
    finally:
        storage.close()
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    staff.add_init_script(axe_source(ROOT))
    staff.add_cookies([{"name": auth.COOKIE, "value": token, "url": site["url"] + "/workspace"}])
    hr = staff.new_page()
    hr.goto(site["url"] + "/workspace/bank")
    no_axe_findings(hr, "the talent bank's search")
    hr.get_by_label("Would work for").select_option("dudley")
    hr.get_by_role("button", name="Search").click()
    entry = hr.get_by_role("link", name=re.compile(r"^TB-\d{6}$")).first
    entry.click()
    assert address not in hr.locator("main").inner_text()
    no_axe_findings(hr, "an entry before its person accepts")
    hr.get_by_role("button", name="Send our interest").click()  # no role chosen: the error
    assert hr.get_by_role("alert").get_by_role("link").inner_text().startswith("Select the role")
    no_axe_findings(hr, "an entry with an error")
    hr.get_by_label("The role").select_option(index=1)
    hr.get_by_role("button", name="Send our interest").click()
    assert "Your interest was sent" in hr.get_by_role("alert").inner_text()

    answer = link_in(site["mail"], r"https?://\S+?/api(/bank/\S+/contacts/\d+)", address)
    page.goto(site["url"] + "/api" + answer)
    no_axe_findings(page, "a council's interest")
    page.get_by_label("Yes, share my details").check()
    page.get_by_role("button", name="Send my answer").click()
    assert "You said yes" in page.locator("main").inner_text()
    hr.reload()
    assert address in hr.locator("main").inner_text()
    no_axe_findings(hr, "an entry once its person accepted")
    assert context.cookies() == []  # the person's pages set nothing
    staff.close()


def test_matching_and_the_route_in_the_workspace(site: dict[str, Any], manifest: dict, context: Any,
                                                 browser: Any) -> None:  # fmt: skip
    from generator.verify.answers import valid_answers
    from generator.verify.formflow import fill

    form = next(f for f in manifest["forms"] if f["council"] == "birmingham"
                and f["campaign"] == "overseas-qualified-nurses")  # fmt: skip
    page = context.new_page()
    page.goto(site["url"] + form["form_path"])
    answers = {**valid_answers(form["fields"], "matching", TODAY), "email": "amara@example.com",
               "match_registration_state": "qualified-abroad", "match_nmc_cbt": "passed",
               "match_nmc_osce": "not-yet"}  # fmt: skip
    fill(page, form["fields"], answers)
    page.click("button[type=submit]")
    page.wait_for_url("**/next/**")  # the thank-you page with the route's steps
    assert "The steps left on your route to UK registration" in page.locator("main").inner_text()
    no_axe_findings(page, "the thank-you page with the route's steps")
    storage = open_storage(site["database"])
    try:
        user, _ = storage.add_user("hr@birmingham.gov.uk", "birmingham", "editor", NOW)
        token = auth.open_session(storage, user, NOW)
    finally:
        storage.close()
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    staff.add_init_script(axe_source(ROOT))
    staff.add_cookies([{"name": auth.COOKIE, "value": token, "url": site["url"] + "/workspace"}])
    hr = staff.new_page()
    hr.goto(site["url"] + "/workspace/match")
    no_axe_findings(hr, "matching, no role chosen")
    hr.get_by_label("Role", exact=True).select_option(
        "overseas-qualified-nurses/healthcare-support-worker-nurse-pathway"
    )
    hr.get_by_role("button", name="Rank").click()
    assert "OSCE not yet booked" in hr.locator("table").inner_text()  # the route, in plain words
    no_axe_findings(hr, "a role's ranking")
    hr.locator("table a").first.click()
    assert "Route to UK registration" in hr.locator("main").inner_text()
    no_axe_findings(hr, "an application with its route")
    staff.close()
