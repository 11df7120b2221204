"""Searching the talent bank and contacting its people through the workspace, on both engines:
a council finds a person by profession without seeing their name or address; its interest goes
to the person through the outbox (an .eml naming the council and the role); the council sees the
person's details only once they accept; a person gets at most N councils' messages in 30 days;
viewers cannot contact; searches, entries opened and contacts are in the audit trail."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest
from backend_support import NOW, LiveServer, make_settings

from forms_backend.app import create_app
from forms_backend.outbox import drain
from forms_backend.storage import NewApplication, Storage, open_storage
from forms_backend.storage.bank import BankJoin
from forms_backend.storage.bank_search import BankFilters
from forms_backend.workspace import auth

SCOPE = {"councils": "all", "providers": []}


def join(storage: Storage, n: int, email_address: str, profile: dict, council: str = "dudley",
         campaign: str = "come-back-to-care") -> str:  # fmt: skip
    reference = f"{council[:3].upper()}-B{n:04d}"
    bank = BankJoin(f"Person {n}", "Add me to the talent bank", "v1", 12, SCOPE, profile)
    app = NewApplication(council, campaign, email_address, {"full_name": f"Person {n}", "role": "x"},
                         f"bank-{n}", NOW, bank=bank)  # fmt: skip
    storage.save(app, lambda: reference, lambda ref: [], NOW - dt.timedelta(days=1))
    return reference


def session(storage: Storage, address: str, council: str | None, role: str) -> str:
    user, _ = storage.add_user(address, council, role, NOW)
    return auth.open_session(storage, user, NOW)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_search_narrows_and_shows_no_name_or_address(database_url: str) -> None:
    storage = open_storage(database_url)
    try:
        join(storage, 1, "nurse@example.com", {"profession": "registered-nurse", "registration_body": "NMC",
                                               "country": "Nigeria", "hours": "full-time"})  # fmt: skip
        join(storage, 2, "sw@example.com", {"profession": "social-worker", "registration_body": "SWE",
                                            "registration_state": "lapsed"})  # fmt: skip
        rows, total = storage.bank_search(BankFilters(profession="registered-nurse"))
        assert total == 1 and rows[0].profession == "registered-nurse"
        assert rows[0].name is None and rows[0].email is None
        assert storage.bank_search(BankFilters(text="NIGERIA"))[1] == 1
        assert storage.bank_search(BankFilters(registration_state="lapsed"))[1] == 1
        assert storage.bank_search(BankFilters(hours="part-time"))[1] == 1  # the nurse wants full time
        assert storage.bank_search(BankFilters(text="100%_"))[1] == 0  # LIKE's wildcards are plain text
        assert storage.bank_search(BankFilters(), limit=1)[1] == 2
    finally:
        storage.close()


@pytest.fixture
def region(dist: Path, tmp_path: Path, database_url: str) -> Any:
    settings = make_settings(dist, tmp_path, database_url=database_url)
    storage = open_storage(database_url)
    join(storage, 1, "grace@example.com", {"profession": "registered-nurse", "registration_body": "NMC"})
    cookies = {who: session(storage, f"hr@{who}.gov.uk", who, "editor")
               for who in ("dudley", "walsall", "coventry", "sandwell")}  # fmt: skip
    cookies["viewer"] = session(storage, "viewer@dudley.gov.uk", "dudley", "viewer")
    cookies["region"] = session(storage, "lead@westmidlands.example", None, "coordinator")
    storage.close()
    with LiveServer(create_app(settings)) as live:
        yield live.url, cookies, settings


def client(url: str, cookie: str) -> httpx.Client:
    return httpx.Client(base_url=url, cookies={auth.COOKIE: cookie}, timeout=10, follow_redirects=False)


def express(url: str, cookie: str, path: str) -> httpx.Response:
    with client(url, cookie) as c:
        page = c.get(path)
        role = re.search(r'<option value="([^"]+/[^"]+/[^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return c.post(path + "/interest", data={"csrf": csrf_of(page.text), "role": role})


def test_interest_through_the_outbox_and_details_only_once_accepted(region: Any) -> None:
    url, cookies, settings = region
    with client(url, cookies["dudley"]) as dudley:
        found = dudley.get("/workspace/bank", params={"profession": "registered-nurse"})
        assert found.status_code == 200 and "TB-" in found.text and "grace@" not in found.text
        path = re.search(r'href="(/workspace/bank/\d+)"', found.text).group(1)  # type: ignore[union-attr]
        entry = dudley.get(path)
        assert entry.status_code == 200 and "grace@" not in entry.text and "Person 1" not in entry.text
    with client(url, cookies["viewer"]) as viewer:
        page = viewer.get(path)
        assert "Express interest" not in page.text
        tried = viewer.post(path + "/interest", data={"csrf": csrf_of(page.text), "role": "dudley/a/b"})
        assert tried.status_code == 404  # the sign-out form's token: still not an editor
    sent = express(url, cookies["dudley"], path)
    assert sent.status_code == 303 and "done=sent" in sent.headers["location"]
    again = express(url, cookies["dudley"], path)  # unanswered: not sent twice
    assert again.status_code == 400 and "not answered yet" in again.text

    storage = open_storage(settings.database_url)
    try:
        drain(storage, settings)
    finally:
        storage.close()
    mail = next(Path(settings.mail_dir).glob("talent-bank-*.eml"))
    message = email.message_from_bytes(mail.read_bytes(), policy=default)
    body = message.get_body().get_content()  # type: ignore[union-attr]
    assert message["To"].addresses[0].addr_spec == "grace@example.com" and "Dudley" in message["Subject"]
    link = re.search(r"https?://\S+/api(/bank/\S+/contacts/\d+)", body).group(1)  # type: ignore[union-attr]
    with httpx.Client(base_url=url, timeout=10) as person:
        page = person.get(link)
        assert page.status_code == 200 and "would like to talk to you" in page.text
        assert person.post(link, data={}).status_code == 400  # no answer chosen: an error, nothing sent
        answered = person.post(link, data={"answer": "accepted"})
        assert answered.status_code == 200 and "You said yes" in answered.text
    with client(url, cookies["dudley"]) as dudley:
        entry = dudley.get(path)
        assert "grace@example.com" in entry.text and "DUD-B0001" in entry.text  # name, address, application
    with client(url, cookies["walsall"]) as walsall:
        assert "grace@example.com" not in walsall.get(path).text  # accepted Dudley's, not Walsall's

    for council in ("walsall", "coventry"):  # three councils' messages in 30 days: the cap (3)
        assert express(url, cookies[council], path).status_code == 303
    capped = express(url, cookies["sandwell"], path)
    assert capped.status_code == 400 and "in the last 30 days" in capped.text
    with client(url, cookies["region"]) as lead:
        page = lead.get(path)
        assert page.status_code == 200 and "grace@example.com" in page.text  # the region: any acceptance
        trail = lead.get("/workspace/audit.csv").text
    assert all(action in trail for action in ("bank-search", "bank-view", "bank-contact"))
    storage = open_storage(settings.database_url)
    try:  # the evaluation counts them
        assert storage.bank_outcomes(NOW.date(), None) == {
            "in_bank": 1,
            "contacted": 3,
            "accepted": 1,
            "placed": 0,
        }
        storage.move(None, ["DUD-B0001"], "placed", "hr@dudley.gov.uk", NOW)
        assert storage.bank_outcomes(NOW.date(), ["dudley"])["placed"] == 1
        assert storage.bank_outcomes(NOW.date(), None)["in_bank"] == 0  # placed: out of the search
    finally:
        storage.close()


def test_nobody_finds_a_person_by_their_name(database_url: str) -> None:
    """Searching by name would tell a council whether someone is in the bank: names are not searched."""
    storage = open_storage(database_url)
    try:
        join(storage, 7, "zainab@example.com", {"profession": "midwife"})
        assert storage.bank_search(BankFilters(text="Person 7"))[1] == 0
        assert storage.bank_search(BankFilters(text="midwife"))[1] == 1
    finally:
        storage.close()
