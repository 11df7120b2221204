"""The workspace in a real Chromium, as an HR team uses it: apply on the real form, sign in with
the link from the .eml file, move the application to interview then placed, see the history and
the overview change, sign out, and find the old session refused. axe-core finds nothing on any
workspace page at 1280 px or 375 px, and the keyboard alone can move an application."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from live_site import free_port, serving
from support import ROOT, TODAY

from forms_backend.settings import Settings
from forms_backend.storage import open_storage
from generator.verify.answers import valid_answers
from generator.verify.formflow import fill
from generator.verify.runner import axe_source
from generator.verify.sweep import AXE_TAGS, DESKTOP, MOBILE, OVERFLOW, RUN_AXE

pytestmark = pytest.mark.browser
COUNCIL, CAMPAIGN = "wolverhampton", "come-back-to-care"
EDITOR = "hr@wolverhampton.gov.uk"
COORDINATOR = "lead@westmidlands.example"
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The sites, the form backend and the workspace on a real HTTP server, sending mail to .eml files."""
    data = tmp_path_factory.mktemp("workspace")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        dist=dist,
        database_url=f"sqlite:///{data / 'recruit.db'}",
        mail_dir=data / "mail",
        outbox_interval=0.2,
        rate_limit=None,
        workspace_url=f"{url}/workspace/",
        clock=lambda: NOW,
    )
    storage = open_storage(settings.database_url)
    storage.add_user(EDITOR, COUNCIL, "editor", NOW)
    storage.add_user(COORDINATOR, None, "coordinator", NOW)
    storage.close()
    with serving(settings, port):
        yield {"url": url, "mail": data / "mail", "database": settings.database_url}


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(axe_source(ROOT))
    yield context
    context.close()


def link_from_mail(folder: Path, address: str, seen: set[str]) -> str:
    """The sign-in link in the newest .eml to `address` not read before (waits for the outbox)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("sign-in-staff-*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = message_from_bytes(path.read_bytes(), policy=default_policy)
            if path.name not in seen and message["To"] == address:
                seen.add(path.name)
                body = message.get_body().get_content()  # type: ignore[union-attr]
                return re.search(r"http://\S+/workspace/sign-in/\S+", body).group(0)  # type: ignore[union-attr]
        time.sleep(0.1)
    raise AssertionError(f"no sign-in email to {address} in {folder}")


def sign_in(page: Any, site: dict[str, Any], address: str, seen: set[str]) -> None:
    page.goto(site["url"] + "/workspace/")
    assert page.url.endswith("/workspace/sign-in")
    page.get_by_label("Your work email address").fill(address)
    page.get_by_role("button", name="Email me a link").click()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    page.goto(link_from_mail(site["mail"], address, seen))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/workspace/applications")


def no_axe_findings(page: Any, where: str) -> None:
    """axe finds nothing at 1280 and 375 px, and nothing is wider than a phone's screen."""
    for viewport in (DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        violations = page.evaluate(RUN_AXE, AXE_TAGS)
        assert violations == [], (where, viewport["width"], [(v["id"], v["nodes"][:2]) for v in violations])
        assert page.evaluate(OVERFLOW) is None, (where, viewport["width"], "wider than the screen")
    page.set_viewport_size(DESKTOP)


def apply(page: Any, site: dict[str, Any], manifest: dict, n: int) -> str:
    form = next(f for f in manifest["forms"] if f["council"] == COUNCIL and f["campaign"] == CAMPAIGN)
    page.goto(site["url"] + form["form_path"])
    answers = valid_answers(form["fields"], f"workspace{n}", TODAY)
    fill(page, form["fields"], {**answers, "email": f"applicant{n}@example.com"})
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/**")
    return parse_qs(urlsplit(page.url).query)["ref"][0]


def test_an_application_from_received_to_placed(site: dict[str, Any], manifest: dict, context: Any) -> None:
    page = context.new_page()
    reference = apply(page, site, manifest, 1)
    seen: set[str] = set()
    sign_in(page, site, EDITOR, seen)
    no_axe_findings(page, "applications")
    page.get_by_label("Name, email or reference").fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=reference).click()
    assert page.get_by_role("heading", level=1).inner_text() != reference  # the applicant's name
    no_axe_findings(page, "application")

    page.get_by_label("Interview").check()
    page.get_by_label("Note (optional)").fill("Strong on safeguarding")
    page.get_by_role("button", name="Move").click()
    assert page.get_by_role("alert").inner_text().endswith("Moved to Interview.")
    no_axe_findings(page, "application after a move")

    page.get_by_label("Placed").check()
    page.get_by_role("button", name="Move").click()  # no start date: an error, nothing moved
    assert (
        page.get_by_role("alert").get_by_role("link").inner_text() == "Enter the start date, like 2027-01-04"
    )
    assert page.title().startswith("Error: ")
    no_axe_findings(page, "application with an error")
    page.get_by_label("Placed").check()
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_role("button", name="Move").click()
    assert page.get_by_role("alert").inner_text().endswith("Moved to Placed.")
    history = page.locator("table").last.inner_text()
    assert "Interview" in history and "Strong on safeguarding" in history and "Starts 2027-01-04" in history
    assert EDITOR in history

    page.get_by_role("link", name="Overview").click()
    no_axe_findings(page, "overview")
    placed_column = [h.inner_text() for h in page.locator("table").first.locator("thead th").all()].index(
        "Placed"
    )
    assert (
        page.locator("table")
        .first.locator("tbody tr")
        .first.locator("th, td")
        .nth(placed_column)
        .inner_text()
        == "1"
    )

    cookie = next(c for c in context.cookies() if c["name"] == "recruit_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/workspace"
    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/workspace/sign-in?signed-out=1")
    no_axe_findings(page, "sign-in")
    context.add_cookies([cookie])  # the old session, presented again
    page.goto(site["url"] + "/workspace/applications")
    assert page.url.endswith("/workspace/sign-in")


def test_the_keyboard_alone_moves_applications_from_the_list(site: dict[str, Any], manifest: dict,
                                                             context: Any) -> None:  # fmt: skip
    page = context.new_page()
    references = [apply(page, site, manifest, n) for n in (2, 3)]
    sign_in(page, site, COORDINATOR, set())
    page.goto(site["url"] + f"/workspace/applications?council={COUNCIL}&stage=received")
    no_axe_findings(page, "the region's list")
    for reference in references:
        box = page.get_by_label(re.compile(rf"\({reference}\)"))
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
    page.get_by_label("New stage").focus()
    page.get_by_label("New stage").select_option("screening")
    page.get_by_role("button", name="Move selected").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**moved=2**")
    assert page.get_by_role("alert").inner_text().endswith("2 applications moved to Screening.")
    for path in ("/workspace/audit", "/workspace/users"):
        page.goto(site["url"] + path)
        no_axe_findings(page, path)
    page.goto(site["url"] + "/workspace/audit")
    trail = page.locator("table").inner_text()
    assert all(reference in trail for reference in references) and "move" in trail


def test_the_sign_in_pages_pass_axe(site: dict[str, Any], context: Any) -> None:
    page = context.new_page()
    page.goto(site["url"] + "/workspace/sign-in")
    page.get_by_role("button", name="Email me a link").click()  # nothing typed: the error
    assert page.get_by_role("alert").is_visible()
    no_axe_findings(page, "sign-in with an error")
    page.goto(site["url"] + "/workspace/sign-in/not-a-real-token")
    no_axe_findings(page, "the link's page")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="This sign-in link cannot be used").is_visible()
    no_axe_findings(page, "a spent link")
