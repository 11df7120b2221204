"""Page views counted in a real Chromium: a visitor from a Facebook post follows a link to a role
(the post's tags travel in the link, not in storage), a visitor without JavaScript is counted by
the image, and a headless browser and a Sec-GPC visitor are not counted; no public page leaves a
cookie or anything in the browser's storage."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_site import free_port, serving
from support import TODAY

from forms_backend.settings import Settings
from forms_backend.storage import open_storage

pytestmark = pytest.mark.browser
PERSON = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
LANDING = "/dudley/come-back-to-care/"
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("counting")
    settings = Settings(dist=dist, database_url=f"sqlite:///{data / 'recruit.db'}", mail_dir=data / "mail",
                        outbox_interval=0, rate_limit=None, clock=lambda: NOW)  # fmt: skip
    with serving(settings, free_port()) as url:
        yield {"url": url, "database": settings.database_url}


def events(site: dict[str, Any], wanted: int) -> list[Any]:
    """The page events stored, once there are `wanted` (beacons are sent as a page is left)."""
    deadline = time.monotonic() + 10
    while True:
        storage = open_storage(site["database"])
        try:
            found = storage.page_events()
        finally:
            storage.close()
        if len(found) >= wanted or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def nothing_kept(context: Any, page: Any) -> None:
    assert context.cookies() == []
    kept = page.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert kept == [0, 0]


def test_views_are_counted_with_their_source_and_nothing_is_kept(site: dict[str, Any], browser: Any) -> None:
    context = browser.new_context(user_agent=PERSON)
    page = context.new_page()
    page.goto(
        site["url"] + LANDING + "?utm_source=facebook&utm_campaign=launch", referer="https://m.facebook.com/"
    )
    role = page.locator("a[href*='roles/']").first
    role.wait_for()
    assert "utm_source=facebook" in role.get_attribute("href")  # type: ignore[operator]
    role.click()
    page.wait_for_load_state("load")
    assert "utm_campaign=launch" in page.url
    nothing_kept(context, page)
    landing, seen = events(site, 2)[:2]
    assert (landing.page, landing.council, landing.campaign) == ("landing", "dudley", "come-back-to-care")
    assert (landing.source, landing.medium, landing.tag, landing.device) == (
        "facebook",
        "social",
        "launch",
        "phone",
    )
    assert seen.page in ("roles", "role") and seen.source == "facebook" and seen.visitor == landing.visitor
    context.close()

    quiet = browser.new_context(user_agent=PERSON, java_script_enabled=False)
    page = quiet.new_page()
    page.goto(site["url"] + LANDING + "apply/")
    assert quiet.cookies() == []  # no script runs here, so storage cannot be read (nor written)
    counted = events(site, 3)
    assert counted[-1].page == "apply" and counted[-1].source == "direct"
    quiet.close()

    before = len(counted)
    for options in ({}, {"user_agent": PERSON, "extra_http_headers": {"Sec-GPC": "1"}}):
        other = browser.new_context(**options)  # the first: Chromium's own headless User-Agent
        page = other.new_page()
        page.goto(site["url"] + LANDING)
        page.goto(site["url"] + "/")
        nothing_kept(other, page)
        other.close()
    time.sleep(1)
    assert len(events(site, before)) == before  # neither was counted


def apply_here(page: Any, manifest: dict, unique: str) -> str:
    """Fill the apply form the page is on, send it, and the reference it gets."""
    from urllib.parse import parse_qs, urlsplit

    from generator.verify.answers import valid_answers
    from generator.verify.formflow import fill

    form = next(
        f for f in manifest["forms"] if f["council"] == "dudley" and f["campaign"] == "come-back-to-care"
    )
    fill(
        page,
        form["fields"],
        {**valid_answers(form["fields"], unique, TODAY), "email": f"{unique}@example.com"},
    )
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/**")
    return parse_qs(urlsplit(page.url).query)["ref"][0]


def source_of(site: dict[str, Any], reference: str) -> tuple[str, str]:
    storage = open_storage(site["database"])
    try:
        found = storage.application(None, reference)
    finally:
        storage.close()
    assert found is not None
    return found.source, found.medium


def test_applications_carry_where_their_applicants_came_from(
    site: dict[str, Any], browser: Any, manifest: dict
) -> None:
    context = browser.new_context(user_agent=PERSON)
    page = context.new_page()
    page.goto(site["url"] + LANDING, referer="https://www.linkedin.com/feed/")  # no tags: the referrer
    page.locator("a[href*='apply/']").first.click()
    page.wait_for_url("**/apply/**")
    assert "rc_ref=" in page.url  # the site it came from, carried in the link
    reference = apply_here(page, manifest, "with-js")
    assert source_of(site, reference) == ("linkedin", "social")
    nothing_kept(context, page)
    context.close()

    quiet = browser.new_context(user_agent=PERSON.replace("Pixel 8", "Pixel 7"), java_script_enabled=False)
    page = quiet.new_page()
    page.goto(site["url"] + LANDING + "apply/?utm_source=facebook&utm_medium=social")  # the image counts it
    reference = apply_here(page, manifest, "without-js")
    assert source_of(site, reference) == ("facebook", "social")  # matched by the day's visitor key
    assert quiet.cookies() == []
    quiet.close()
