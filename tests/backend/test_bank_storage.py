"""The talent bank's storage on both engines: one person, one entry across councils and campaigns;
the consent's calendar with a pinned clock (join, reminder, renew, expiry, deletion 30 days
later); leaving and erasing take everything; placed, a person leaves the search unless they
stay; the private links refuse a changed, an old or an erased person's link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from forms_backend.bank import links
from forms_backend.storage import NewApplication, Storage, open_storage
from forms_backend.storage.bank import BankJoin, digest_of

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
JOIN = BankJoin("Ada Owusu", "Add me to the talent bank", "v1", 12, {"councils": "all", "providers": []},
                {"profession": "social-worker", "registration_body": "SWE"})  # fmt: skip


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = open_storage(database_url)
    yield opened
    opened.close()


def apply(storage: Storage, n: int, council: str, email: str = "Ada@Example.com",
          bank: BankJoin | None = JOIN, at: dt.datetime = NOW) -> str:  # fmt: skip
    reference = f"{council[:3].upper()}-{n:05d}"
    app = NewApplication(council, "come-back-to-care", email, {"full_name": "Ada Owusu", "role": "sw"},
                         f"hash-{n}", at, bank=bank)  # fmt: skip
    storage.save(app, lambda: reference, lambda ref: [], at - dt.timedelta(days=1))
    return reference


def test_one_person_one_entry_across_three_councils(storage: Storage) -> None:
    for n, council in enumerate(("dudley", "walsall", "coventry")):
        apply(storage, n, council, email="ada@example.com" if n != 1 else " ADA@example.com")
    assert storage.bank_people_count() == 1
    person = storage.bank_person(digest_of("ada@example.com"))
    assert person is not None and person.email == "ada@example.com"
    assert [a[1] for a in person.applications] == ["dudley", "walsall", "coventry"]
    assert [c[1] for c in person.consents] == ["joined"] * 3 and person.consents[0][2] == JOIN.wording
    assert person.profile == JOIN.profile and person.scope == JOIN.scope
    apply(storage, 9, "sandwell", email="someone@example.com", bank=None)  # the box not ticked
    assert storage.bank_people_count() == 1


def test_the_consents_calendar(storage: Storage) -> None:
    apply(storage, 1, "dudley")
    person = storage.bank_person(digest_of("ada@example.com"))
    assert person is not None and person.expires_at.startswith("2027-11-2")  # 12 months on
    sent: list[tuple[str, str]] = []

    def compose(email: str, name: str, expires: str) -> bytes:
        sent.append((email, expires))
        return b"Subject: Stay in the talent bank?\r\n\r\nA link"

    assert storage.sweep_bank(NOW + dt.timedelta(days=300), compose) == (0, 0, 0)  # not yet
    month_before = dt.datetime.fromisoformat(person.expires_at) - dt.timedelta(days=29)
    assert storage.sweep_bank(month_before, compose) == (1, 0, 0) and sent[0][0] == "ada@example.com"
    assert storage.sweep_bank(month_before, compose) == (0, 0, 0)  # reminded once
    mail = storage.due(month_before, limit=10)
    assert [m.kind for m in mail] == ["bank-reminder"] and mail[0].recipient == "ada@example.com"

    until = storage.bank_stay(person.id, month_before, 12)  # the reminder's link: stay in
    assert until is not None and until > month_before + dt.timedelta(days=360)
    renewed = storage.bank_person(digest_of("ada@example.com"))
    assert renewed is not None and [c[1] for c in renewed.consents] == ["joined", "renewed"]

    expiry = dt.datetime.fromisoformat(renewed.expires_at)
    assert storage.sweep_bank(expiry + dt.timedelta(seconds=1), compose) == (
        0,
        1,
        0,
    )  # hidden (reminded before)
    hidden = storage.bank_person(digest_of("ada@example.com"))
    assert hidden is not None and hidden.hidden_at is not None
    assert storage.sweep_bank(expiry + dt.timedelta(days=29), compose) == (0, 0, 0)
    assert storage.sweep_bank(expiry + dt.timedelta(days=30, seconds=2), compose) == (0, 0, 1)  # deleted
    assert storage.bank_person(digest_of("ada@example.com")) is None
    assert storage.applications("dudley")  # the application stays, under its council's retention


def test_leaving_and_erasing_take_everything(storage: Storage) -> None:
    apply(storage, 1, "dudley")
    person = storage.bank_person(digest_of("ada@example.com"))
    assert person is not None and storage.bank_leave(person.id)
    assert storage.bank_person(digest_of("ada@example.com")) is None and storage.applications("dudley")
    apply(storage, 2, "walsall")
    storage.erase("ADA@example.com")
    assert storage.bank_people_count() == 0 and storage.applications(None) == []


def test_placed_anywhere_leaves_the_search_unless_staying(storage: Storage) -> None:
    first = apply(storage, 1, "dudley")
    storage.move(None, [first], "placed", "hr@dudley.gov.uk", NOW)
    person = storage.bank_person(digest_of("ada@example.com"))
    assert person is not None and person.placed_at is not None
    apply(storage, 2, "walsall", email="bola@example.com")
    bola = storage.bank_person(digest_of("bola@example.com"))
    assert bola is not None
    storage.bank_update(bola.id, NOW, ["walsall"], ["social-work"], "part-time", 10, "2027-01", True)
    storage.move(None, ["WAL-00002"], "placed", "hr@walsall.gov.uk", NOW)
    stays = storage.bank_person(digest_of("bola@example.com"))
    assert stays is not None and stays.placed_at is None and stays.councils == ["walsall"]


def test_private_links_refuse_a_changed_an_old_and_an_erased_persons_link(storage: Storage) -> None:
    secret = storage.bank_secret()
    assert storage.bank_secret() == secret  # made once, kept
    token = links.make(secret, digest_of("ada@example.com"), NOW)
    assert links.read(secret, token, NOW) == digest_of("ada@example.com")
    for changed in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace(".", "x", 1), "nonsense"):
        with pytest.raises(links.LinkRefused) as refused:
            links.read(secret, changed, NOW)
        assert refused.value.reason == "tampered"
    with pytest.raises(links.LinkRefused) as refused:
        links.read(secret, token, NOW + links.LIFETIME + dt.timedelta(seconds=1))
    assert refused.value.reason == "expired"
    apply(storage, 1, "dudley")
    storage.erase("ada@example.com")
    assert storage.bank_person(links.read(secret, token, NOW)) is None  # a good link, nobody behind it
