"""The evaluation end to end in a real Chromium: a visitor from a Facebook post (tagged
utm_source=facebook, utm_campaign=launch) follows a link to a role and applies with JavaScript on;
another arrives from LinkedIn with JavaScript off and applies; a headless browser, a crawler and
a Sec-GPC visitor look too. Both applications carry their sources; the workspace's evaluation
and `recruit report`'s page show 2 visits, the views at each step and 2 applications; no public
page leaves a cookie or a storage entry; axe finds nothing on the report pages."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from live_site import free_port, serving
from support import ROOT, TODAY
from test_counting_browser import PERSON, apply_here, nothing_kept, source_of
from test_workspace_browser import no_axe_findings

from forms_backend.evaluation.rollup import catch_up
from forms_backend.settings import Settings
from forms_backend.storage import open_storage
from forms_backend.workspace import auth
from generator.cli import main
from generator.verify.runner import axe_source

pytestmark = pytest.mark.browser
LANDING = "/dudley/come-back-to-care/"
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
COORDINATOR = "lead@westmidlands.example"


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("evaluation")
    settings = Settings(dist=dist, database_url=f"sqlite:///{data / 'recruit.db'}", mail_dir=data / "mail",
                        outbox_interval=0, rollup_interval=0, rate_limit=None, clock=lambda: NOW)  # fmt: skip
    with serving(settings, free_port()) as url:
        yield {"url": url, "settings": settings, "data": data, "database": settings.database_url}


def counted(site: dict[str, Any], wanted: int) -> int:
    """The page views stored, once there are `wanted` (beacons are sent as a page is left)."""
    deadline = time.monotonic() + 10
    while True:
        storage = open_storage(site["settings"].database_url)
        try:
            found = len(storage.page_events())
        finally:
            storage.close()
        if found >= wanted or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def figures(page: Any) -> dict[str, list[str]]:
    """The rows of the funnel's table by source: {source: [visits, landing, role, apply, applied, ...]}."""
    table = page.locator("#funnel-by-source ~ table")
    rows = {}
    for row in table.locator("tbody tr, tfoot tr").all():
        cells = [c.inner_text() for c in row.locator("th, td").all()]
        rows[cells[0]] = cells[1:]
    return rows


def test_from_a_post_to_the_report(site: dict[str, Any], browser: Any, manifest: dict) -> None:
    context = browser.new_context(user_agent=PERSON)
    page = context.new_page()
    page.goto(site["url"] + LANDING + "?utm_source=facebook&utm_campaign=launch")
    page.locator("a[href*='roles/']").first.click()
    page.wait_for_load_state("load")
    page.locator("a[href*='apply/']").first.click()
    page.wait_for_url("**/apply/**")
    first = apply_here(page, manifest, "from-facebook")
    nothing_kept(context, page)
    context.close()

    quiet = browser.new_context(user_agent=PERSON.replace("Pixel 8", "Pixel 7"), java_script_enabled=False)
    page = quiet.new_page()
    page.goto(site["url"] + LANDING + "?utm_source=linkedin", referer="https://www.linkedin.com/feed/")
    page.locator("a[href*='apply/']").first.click()
    page.wait_for_url("**/apply/**")
    second = apply_here(page, manifest, "from-linkedin")
    assert quiet.cookies() == []
    quiet.close()
    assert source_of(site, first) == ("facebook", "social") and source_of(site, second) == (
        "linkedin",
        "social",
    )
    views = counted(site, 7)  # landing, roles or role, role, apply, thanks; landing, apply, thanks

    for options in ({}, {"user_agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
                    {"user_agent": PERSON, "extra_http_headers": {"Sec-GPC": "1"}}):  # fmt: skip
        other = browser.new_context(**options)  # the first: Chromium's own headless User-Agent
        page = other.new_page()
        page.goto(site["url"] + LANDING)
        nothing_kept(other, page)
        other.close()
    time.sleep(1)
    assert counted(site, views) == views  # none of them was counted

    storage = open_storage(site["settings"].database_url)
    try:
        catch_up(storage, site["settings"])
        coordinator, _ = storage.add_user(COORDINATOR, None, "coordinator", NOW)
        token = auth.open_session(storage, coordinator, NOW)
    finally:
        storage.close()
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    staff.add_init_script(axe_source(ROOT))
    staff.add_cookies([{"name": auth.COOKIE, "value": token, "url": site["url"] + "/workspace"}])
    page = staff.new_page()
    page.goto(site["url"] + "/workspace/evaluation?council=dudley")
    by_source = figures(page)
    # visits, landing, role, apply form, applications
    assert by_source["Facebook"][:5] == ["1", "1", "1", "1", "1"]
    assert by_source["LinkedIn"][:5] == ["1", "1", "0", "1", "1"]  # its apply view: LinkedIn's visit's
    assert by_source["All"][:5] == ["2", "2", "1", "2", "2"]
    no_axe_findings(page, "the council's evaluation")
    page.goto(site["url"] + "/workspace/evaluation")
    assert "Dudley" in page.locator("table").first.inner_text()  # every council side by side
    no_axe_findings(page, "the region's evaluation")
    page.goto(site["url"] + "/workspace/evaluation?since=yesterday")
    assert page.get_by_role("heading", level=1).inner_text() == "These filters cannot be used"
    no_axe_findings(page, "the evaluation with a mistake")

    out = site["data"] / "report"
    env = {"RECRUIT_NOW": NOW.isoformat(), "DATABASE_URL": site["settings"].database_url,
           "RECRUIT_DIST": str(site["settings"].dist)}  # fmt: skip
    result = CliRunner(env=env).invoke(main, ["report", "--council", "dudley", "--out", str(out)], obj={})
    assert result.exit_code == 0 and "2 visits, 2 applications" in result.output, result.output
    page.goto((out / "report.html").as_uri())
    assert figures(page)["All"][:5] == ["2", "2", "1", "2", "2"]
    no_axe_findings(page, "recruit report's page")
    staff.close()
