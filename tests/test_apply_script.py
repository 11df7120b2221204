"""The apply form's optional script in a real Chromium: same rules, same messages, same summary."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_site import free_port, serving
from support import TODAY

from forms_backend.settings import Settings

pytestmark = pytest.mark.browser
FORM = "/wolverhampton/come-back-to-care/apply/"


@pytest.fixture(scope="module")
def site(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example sites and the form backend on a real HTTP server on loopback."""
    data = tmp_path_factory.mktemp("backend")
    settings = Settings(
        dist=dist,
        database_url=f"sqlite:///{data / 'recruit.db'}",
        mail_dir=data / "mail",
        outbox_interval=0,
        clock=lambda: dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC),
    )
    with serving(settings, free_port()) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def entry(manifest: dict, council: str, campaign: str) -> dict:
    return next(f for f in manifest["forms"] if (f["council"], f["campaign"]) == (council, campaign))


def test_empty_form_shows_every_required_message_in_the_summary(page, site: str, manifest: dict) -> None:
    page.goto(site + FORM)
    title = page.title()
    page.click("button[type=submit]")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    fields = entry(manifest, "wolverhampton", "come-back-to-care")["fields"]
    expected = [f["messages"]["required"] for f in fields if f["required"]]
    assert summary.locator("li a").all_inner_texts() == expected
    assert page.title() == "Error: " + title
    for link in summary.locator("li a").all():
        target = link.get_attribute("href")[1:]
        assert page.locator(f"#{target}").count() == 1
    # each question shows its own message next to it
    error = page.locator("#full_name-error")
    assert error.is_visible() and "Enter your full name" in error.inner_text()
    assert "full_name-error" in page.get_attribute("#full_name", "aria-describedby")
    # the summary's link takes keyboard focus to the question
    summary.locator("li a").first.click()
    assert page.evaluate("document.activeElement.id") == "full_name"


def test_answers_are_checked_with_the_manifests_messages(page, site: str, manifest: dict) -> None:
    fields = {f["id"]: f for f in entry(manifest, "wolverhampton", "come-back-to-care")["fields"]}
    page.goto(site + FORM + "?role=occupational-therapist")
    assert page.is_checked("input[name=role][value=occupational-therapist]")
    page.fill("#full_name", "Aisha Khan")
    page.fill("#email", "aisha.example")
    page.fill("#phone", "12")
    page.fill("#postcode", "WV1")
    page.check("#right_to_work-0")
    page.check("#registration_status-0")
    page.fill("#years_since_practice", "99")
    page.check("#privacy_consent")
    page.click("button[type=submit]")
    shown = page.locator("[data-error-summary] li a").all_inner_texts()
    assert shown == [
        fields["email"]["messages"]["format"],
        fields["phone"]["messages"]["format"],
        fields["postcode"]["messages"]["format"],
        fields["years_since_practice"]["messages"]["max"],
    ]
    # put them right: the errors go, the summary hides, and the form is sent
    page.fill("#email", "aisha@example.com")
    page.fill("#phone", "07700 900 982")
    page.fill("#postcode", "wv1 1sh")
    page.fill("#years_since_practice", "3")
    with page.expect_request(lambda r: r.method == "POST") as sent:
        page.click("button[type=submit]")
    request = sent.value
    assert request.url.endswith("/api/apply/wolverhampton/come-back-to-care")
    assert request.headers["accept"] == "application/json"
    assert request.headers["idempotency-key"]
    body = request.post_data_buffer.decode("utf-8", "replace")
    for answer in ("Aisha Khan", "aisha@example.com", "occupational-therapist", "idempotency_key"):
        assert answer in body
    # the backend answers 201 with a reference and the script goes to the thank-you page
    page.wait_for_url("**/apply/thanks/?ref=*")
    reference = page.inner_text("[data-reference]")
    assert re.fullmatch(r"WOL-[2-9A-HJKMNP-Z]{8}", reference), reference


@pytest.mark.parametrize("postcode", ["wv1  1sh", " W V 1 1 S H ", "wv11sh"])
def test_a_postcode_in_any_spacing_is_taken_as_the_server_takes_it(page, site: str, postcode: str) -> None:
    """The server reads a postcode without its spaces, in any case and at any length of spacing;
    the script must not stop one the server would take."""
    page.goto(site + FORM)
    page.fill("#full_name", f"Postcode {postcode.strip()}")
    page.fill("#email", "postcode@example.com")
    page.fill("#phone", "07700 900 982")
    page.fill("#postcode", postcode)
    page.check("#right_to_work-0")
    page.check("#role-0")
    page.check("#registration_status-0")
    page.check("#privacy_consent")
    with page.expect_request(lambda r: r.method == "POST", timeout=10_000):
        page.click("button[type=submit]")
    page.wait_for_url("**/apply/thanks/?ref=*")
    assert page.locator("#postcode-error").count() == 0 or page.locator("#postcode-error").is_hidden()


def test_a_postcode_that_is_not_whole_is_still_refused(page, site: str, manifest: dict) -> None:
    fields = {f["id"]: f for f in entry(manifest, "wolverhampton", "come-back-to-care")["fields"]}
    page.goto(site + FORM)
    for postcode in ("wv1  1s", "W V 1", "WV1 1SHX"):
        page.fill("#postcode", postcode)
        page.click("button[type=submit]")
        shown = page.inner_text("#postcode-error").strip()
        assert shown.endswith(fields["postcode"]["messages"]["format"]), postcode


def test_thank_you_page_shows_the_reference(page, site: str) -> None:
    page.goto(site + FORM + "thanks/?ref=WOL-7K3Q9X")
    assert page.inner_text("[data-reference]") == "WOL-7K3Q9X"
    page.goto(site + FORM + "thanks/?ref=<script>")
    assert page.inner_text("[data-reference]") == "is in your confirmation email"


def test_the_form_is_usable_without_javascript(browser, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + FORM)
    assert page.locator("[data-error-summary]").is_hidden()
    form = page.locator("form[data-apply-form]")
    assert form.get_attribute("action") == "/api/apply/wolverhampton/come-back-to-care"
    assert form.get_attribute("method") == "post"
    assert page.locator("button[type=submit]").is_enabled()
    # an empty form comes back from the server with the same error summary, themed
    page.click("button[type=submit]")
    assert page.title().startswith("Error: ")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert summary.locator("li a").first.inner_text() == "Enter your full name"
    page.fill("#full_name", "Zoë Ó Dónaill")
    page.fill("#email", "zoe@example.com")
    page.fill("#phone", "01632 960 001")
    page.fill("#postcode", "WV1 1SH")
    page.check("#right_to_work-0")
    page.check("#role-0")
    page.check("#registration_status-1")
    page.check("#privacy_consent")
    page.click("button[type=submit]")
    assert "/apply/thanks/" in page.url
    assert re.fullmatch(r"WOL-[2-9A-HJKMNP-Z]{8}", page.inner_text("[data-reference]"))
    context.close()
