"""The talent bank's own form in a real Chromium, as a browser without any script of ours sends
it: sent empty, it comes back with the error summary focused and each message by its question;
filled in by its labels, it leads to the "joined" page and an email with the private link. axe
finds nothing on the form, the form with errors or the page after it, at 1280 and 375 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_site import free_port, serving
from support import ROOT, TODAY
from test_workspace_browser import no_axe_findings

from forms_backend.settings import Settings
from generator.verify.runner import axe_source

pytestmark = pytest.mark.browser
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
PAGE = "/wolverhampton/come-back-to-care/talent-bank/"


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("join")
    settings = Settings(dist=dist, database_url=f"sqlite:///{data / 'recruit.db'}", mail_dir=data / "mail",
                        outbox_interval=0.2, rollup_interval=0, rate_limit=None,
                        clock=lambda: NOW)  # fmt: skip
    with serving(settings, free_port()) as url:
        yield {"url": url, "mail": data / "mail"}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(axe_source(ROOT))
    yield context.new_page()
    context.close()


def test_joining_without_applying(site: dict[str, Any], manifest: dict, page: Any) -> None:
    page.goto(site["url"] + PAGE)
    assert page.get_by_role("heading", level=1).inner_text() == "Join the talent bank"
    no_axe_findings(page, "the join page")

    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_role("button", name="Join the talent bank").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.get_by_role("link").all_inner_texts()
    assert links == [
        "Enter your email address",
        "Select what you do, or what you trained as",
        "Select the hours you would like to work",
        "Confirm that you want to join the talent bank",
        "Confirm that you have read the privacy notice",
    ]
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Full name").input_value() == "Grace Hopper"  # kept
    no_axe_findings(page, "the join page with errors")

    summary.get_by_role("link", name="Enter your email address").click()
    assert page.evaluate("document.activeElement.id") == "email"
    page.get_by_label("Email address").fill("grace@example.com")
    page.get_by_label("Social worker").check()
    page.get_by_label("Either").check()
    form = next(
        f
        for f in manifest["forms"]
        if f["council"] == "wolverhampton" and f["campaign"] == "come-back-to-care"
    )
    wording = next(f["label"] for f in form["fields"] if f["id"] == "talent_bank_consent")
    page.get_by_label(wording).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Join the talent bank").click()
    page.wait_for_url("**/talent-bank/joined/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    no_axe_findings(page, "the joined page")
    deadline = dt.datetime.now() + dt.timedelta(seconds=15)
    while not list(site["mail"].glob("talent-bank-bank-joined-*.eml")) and dt.datetime.now() < deadline:
        page.wait_for_timeout(100)
    (mail,) = site["mail"].glob("talent-bank-bank-joined-*.eml")
    assert "/api/bank/" in mail.read_text(encoding="utf-8")
