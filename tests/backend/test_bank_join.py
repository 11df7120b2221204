"""Joining the talent bank on its own form, over real HTTP, on both engines: a join makes one entry
by email (the same as an earlier application's, now with this consent too), sends the email with
the private link through the outbox and sends the browser to the "joined" page; every mistake is
answered with its message (the built page again, or JSON) and nothing is kept; a campaign without
a talent bank has no such form; another site's post, a long body and a bot are refused; no
cookie; the built page asks what the backend checks."""

from __future__ import annotations

import email
import re
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest
from backend_support import JSON, LiveServer, form_of, good_answers, make_settings, site_client
from bs4 import BeautifulSoup
from openapi_check import OpenAPI

from forms_backend.app import create_app
from forms_backend.bank.join import FIELDS
from forms_backend.outbox import drain
from forms_backend.settings import Settings
from forms_backend.storage import Storage, StorageError, open_storage
from forms_backend.storage.bank import digest_of

COUNCIL, CAMPAIGN = "wolverhampton", "come-back-to-care"
JOIN = f"/bank/join/{COUNCIL}/{CAMPAIGN}"
JOINED = f"/{COUNCIL}/{CAMPAIGN}/talent-bank/joined/"
GOOD = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "profession": "registered-nurse",
    "hours": "part-time",
    "talent_bank_consent": "yes",
    "privacy_consent": "yes",
}
MISTAKES = [
    ({"full_name": ""}, "full_name", "Enter your full name"),
    ({"full_name": "A" * 201}, "full_name", "Full name must be 200 characters or fewer"),
    ({"full_name": "Ada\nBcc: someone@evil.example"}, "full_name", "Full name must be on one line"),
    ({"email": ""}, "email", "Enter your email address"),
    ({"email": "ada@"}, "email", "Enter an email address in the correct format, like name@example.com"),
    ({"email": "ada\r\nBcc: x@evil.example"}, "email", "Email address must be on one line"),
    ({"profession": ""}, "profession", "Select what you do, or what you trained as"),
    ({"profession": "paramedic"}, "profession", "Select what you do, or what you trained as"),
    ({"hours": ""}, "hours", "Select the hours you would like to work"),
    ({"hours": "weekends"}, "hours", "Select the hours you would like to work"),
    ({"talent_bank_consent": ""}, "talent_bank_consent", "Confirm that you want to join the talent bank"),
    ({"privacy_consent": ""}, "privacy_consent", "Confirm that you have read the privacy notice"),
]


@pytest.fixture
def storage(settings: Settings) -> Any:
    """The database the live server writes to, to read what it kept."""
    opened = open_storage(settings.database_url)
    yield opened
    opened.close()


def post(client: httpx.Client, openapi: OpenAPI, fields: dict[str, str], path: str = JOIN,
         **headers: str) -> httpx.Response:  # fmt: skip
    return openapi.check(client.post(path, data=fields, headers=headers))


def nothing_kept(storage: Storage) -> bool:
    return storage.bank_people_count() == 0 and sum(storage.outbox_counts().values()) == 0


def mail_to(settings: Settings, storage: Storage, who: str) -> str:
    """The body of the one confirmation of a join sent to `who`, from the drained outbox."""
    drain(storage, settings)
    bodies = []
    for file in Path(settings.mail_dir).glob("talent-bank-bank-joined-*.eml"):
        message = email.message_from_bytes(file.read_bytes(), policy=default)
        if who in str(message["To"]):
            bodies.append(message.get_body().get_content())  # type: ignore[union-attr]
    assert len(bodies) == 1, bodies
    return bodies[0]


def test_a_join_is_one_entry_with_its_consent_and_an_email_with_the_private_link(
    client: httpx.Client, storage: Storage, settings: Settings, manifest: dict, dist: Path, openapi: OpenAPI
) -> None:
    form = form_of(manifest, COUNCIL, CAMPAIGN)
    applied = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data=good_answers(form), headers=JSON)
    assert applied.status_code == 201, applied.text  # its talent bank box ticked: in the bank already
    answer = post(client, openapi, {**GOOD, "email": " ADA@Example.com "})
    assert answer.status_code == 303 and answer.headers["location"] == JOINED
    assert "set-cookie" not in answer.headers and answer.headers["cache-control"] == "no-store"
    joined = BeautifulSoup(
        (dist / JOINED.lstrip("/") / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert joined.h1.get_text() == "Check your email" and "private page" in joined.main.get_text()

    assert storage.bank_people_count() == 1  # the application's entry, found by its address
    person = storage.bank_person(digest_of("ada@example.com"))
    assert person is not None and person.email == "ada@example.com" and person.name == "Ada Lovelace"
    assert len(person.applications) == 1 and person.profile["profession"] == "registered-nurse"
    assert person.profile["hours"] == "part-time"
    wording = next(f["label"] for f in form["fields"] if f["id"] == "talent_bank_consent")
    assert [(action, text) for _, action, text in person.consents] == [("joined", wording)] * 2

    body = mail_to(settings, storage, "ada@example.com")
    assert wording in body and "talent bank until" in body and "Registered nurse" in body
    link = re.search(r"https?://\S+/api/bank/\S+", body).group(0)  # type: ignore[union-attr]
    page = client.get("/" + link.split("/api/", 1)[1])
    assert page.status_code == 200 and "ada@example.com" in page.text


def test_joining_again_renews_the_consent_of_the_one_entry(
    client: httpx.Client, storage: Storage, openapi: OpenAPI
) -> None:
    assert post(client, openapi, GOOD, **JSON).status_code == 204
    again = post(client, openapi, {**GOOD, "hours": "either"}, **JSON)
    assert again.status_code == 204 and "set-cookie" not in again.headers
    person = storage.bank_person(digest_of(GOOD["email"]))
    assert storage.bank_people_count() == 1 and person is not None and person.applications == []
    assert [action for _, action, _ in person.consents] == ["joined", "joined"]
    assert person.profile == {"profession": "registered-nurse", "hours": "either"}


def test_every_mistake_is_answered_with_its_message_and_nothing_is_kept(
    client: httpx.Client, storage: Storage, openapi: OpenAPI
) -> None:
    for change, field, message in MISTAKES:
        scripted = post(client, openapi, {**GOOD, **change}, **JSON)
        assert scripted.status_code == 422 and scripted.json() == {"errors": {field: message}}, change
        shown = post(client, openapi, {**GOOD, **change})
        assert shown.status_code == 422 and message in shown.text, change
    missing = post(client, openapi, {"full_name": "Ada Lovelace"}, **JSON)
    assert set(missing.json()["errors"]) == {spec["id"] for spec in FIELDS} - {"full_name"}
    assert nothing_kept(storage)


def test_a_browser_gets_the_join_page_again_with_the_error_summary_and_its_answers(
    client: httpx.Client, storage: Storage, openapi: OpenAPI
) -> None:
    answer = post(client, openapi, {**GOOD, "email": "ada@", "hours": "", "privacy_consent": ""})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.title.get_text().startswith("Error: Join the talent bank")
    summary = page.select_one("[data-error-summary]")
    assert not summary.has_attr("hidden")
    assert [(a["href"], a.get_text()) for a in summary.select("a")] == [
        ("#email", "Enter an email address in the correct format, like name@example.com"),
        ("#hours-0", "Select the hours you would like to work"),
        ("#privacy_consent", "Confirm that you have read the privacy notice"),
    ]
    for field in ("email", "hours", "privacy_consent"):
        error = page.find(id=f"{field}-error")
        assert not error.has_attr("hidden") and error.get_text(strip=True).startswith("Error:")
    assert page.find("input", attrs={"name": "email"})["value"] == "ada@"
    assert page.find("input", attrs={"name": "full_name"})["value"] == "Ada Lovelace"
    assert page.find("input", attrs={"value": "registered-nurse"}).has_attr("checked")
    assert page.find("form", attrs={"data-apply-form": True})["action"].endswith(JOIN)
    assert nothing_kept(storage)


def test_a_campaign_without_a_talent_bank_has_no_join_form(
    client: httpx.Client, storage: Storage, manifest: dict, openapi: OpenAPI
) -> None:
    assert not form_of(manifest, "shropshire", "winter-support-2025")["talent_bank"]
    for path in ("/bank/join/shropshire/winter-support-2025", "/bank/join/nowhere/come-back-to-care"):
        assert post(client, openapi, GOOD, path, **JSON).status_code == 404
        page = post(client, openapi, GOOD, path)
        assert page.status_code == 404 and "no talent bank form at this address" in page.text
    assert nothing_kept(storage)


def test_another_sites_post_a_long_one_one_not_a_form_and_a_bot_are_refused_and_not_kept(
    client: httpx.Client, storage: Storage, openapi: OpenAPI
) -> None:
    foreign = post(client, openapi, GOOD, Origin="https://copy.example")
    assert foreign.status_code == 403 and "only be sent from its own page" in foreign.text
    back = BeautifulSoup(foreign.text, "html.parser").main.find("a", string="Back to the talent bank form")
    assert back["href"].endswith(f"/{COUNCIL}/{CAMPAIGN}/talent-bank/")
    with httpx.Client(base_url=str(client.base_url)) as bare:  # no Origin, no Sec-Fetch-Site
        assert openapi.check(bare.post(JOIN, data=GOOD, headers=JSON)).status_code == 403
    long = post(client, openapi, {**GOOD, "padding": "x" * 4096}, **JSON)
    assert long.status_code == 413 and "4 KB" in long.json()["error"]
    assert openapi.check(client.post(JOIN, json=GOOD, headers=JSON)).status_code == 415
    bot = post(client, openapi, {**GOOD, "website": "https://spam.example"})
    assert bot.status_code == 303 and bot.headers["location"] == JOINED  # told it joined
    assert nothing_kept(storage)


def test_the_rate_limit_counts_joins_apart_from_applications(
    dist: Path, tmp_path: Path, manifest: dict, openapi: OpenAPI
) -> None:
    settings = make_settings(dist, tmp_path, rate_limit=(1, 600.0), rate_limit_loopback=True)
    with LiveServer(create_app(settings)) as live, site_client(live.url) as client:
        assert post(client, openapi, GOOD).status_code == 303
        limited = post(client, openapi, GOOD)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert "Your details have not been kept" in limited.text
        answers = good_answers(form_of(manifest, COUNCIL, CAMPAIGN))
        applied = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data=answers, headers=JSON)
        assert applied.status_code == 201, applied.text


class Unwritable:
    """A storage whose disk is full."""

    def bank_secret(self) -> str:
        return "0" * 64

    def join_bank_alone(self, *args: Any) -> int:
        raise StorageError("disk I/O error")

    def close(self) -> None:
        pass


def test_a_join_that_cannot_be_stored_says_nothing_was_kept(
    dist: Path, tmp_path: Path, openapi: OpenAPI
) -> None:
    app = create_app(make_settings(dist, tmp_path), Unwritable())  # type: ignore[arg-type]
    with LiveServer(app) as live, site_client(live.url) as client:
        answer = post(client, openapi, GOOD, **JSON)
        assert answer.status_code == 503 and "nothing was kept" in answer.json()["error"]
        page = post(client, openapi, GOOD)
        assert page.status_code == 503 and "nothing was kept" in page.text


def test_the_built_page_asks_what_the_backend_checks(dist: Path, manifest: dict) -> None:
    """The generator's questions (generator/bank_form.py) and the backend's (FIELDS): the same
    ids, types and option values; the campaign's own consent wording; posting here."""
    page = BeautifulSoup(
        (dist / COUNCIL / CAMPAIGN / "talent-bank" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    form = page.find("form", attrs={"data-apply-form": True})
    assert form["action"] == f"/api{JOIN}" and form["method"] == "post"
    built = [(g["data-field"], g["data-type"]) for g in form.select("[data-field]")]
    assert built == [(spec["id"], spec["type"]) for spec in FIELDS]
    for spec in FIELDS:
        offered = [i["value"] for i in form.find_all("input", attrs={"name": spec["id"]})]
        assert offered == ([o["value"] for o in spec["options"]] if "options" in spec else [offered[0]])
    wording = next(
        f["label"] for f in form_of(manifest, COUNCIL, CAMPAIGN)["fields"] if f["id"] == "talent_bank_consent"
    )
    assert form.find("label", attrs={"for": "talent_bank_consent"}).get_text() == wording


def test_a_new_person_is_found_only_once_they_confirm_from_the_email(
    client: httpx.Client, storage: Storage, settings: Settings, openapi: OpenAPI
) -> None:
    """Anyone can type an address into the form: a new entry waits, hidden, for its person."""
    from forms_backend.storage.bank_search import BankFilters

    assert post(client, openapi, GOOD, **JSON).status_code == 204
    person = storage.bank_person(digest_of(GOOD["email"]))
    assert person is not None and person.pending and person.hidden_at is not None
    assert storage.bank_search(BankFilters(profession="registered-nurse"))[1] == 0  # not found yet
    body = mail_to(settings, storage, GOOD["email"])
    assert "To finish joining" in body
    link = "/" + re.search(r"https?://\S+/api/(bank/\S+)", body).group(1)  # type: ignore[union-attr]
    page = client.get(link)
    assert page.status_code == 200 and "Confirm that you want to join" in page.text
    confirmed = client.post(link + "/stay")
    assert confirmed.status_code == 303 and "done=confirmed" in confirmed.headers["location"]
    person = storage.bank_person(digest_of(GOOD["email"]))
    assert person is not None and not person.pending and person.hidden_at is None
    assert [action for _, action, _ in person.consents] == ["joined", "confirmed"]
    assert storage.bank_search(BankFilters(profession="registered-nurse"))[1] == 1
