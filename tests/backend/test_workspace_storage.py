"""The workspace's storage on both engines: staff, one-time links, sessions, stages, lists that
never read another council's rows, the audit trail, and erase taking the history with it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest

from forms_backend.storage import NewApplication, Storage, StoredFile, open_storage
from forms_backend.storage.workspace import STAGES, Filters

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
COUNCILS = ("dudley", "coventry", "walsall")


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = open_storage(database_url)
    yield opened
    opened.close()


def add(storage: Storage, n: int, council: str = "dudley", **answers: str) -> str:
    reference = f"{council[:3].upper()}-{n:05d}"
    app = NewApplication(
        council=council,
        campaign=answers.pop("campaign", "come-back-to-care"),
        email=answers.pop("email", f"person{n}@example.com"),
        answers={"full_name": f"Person {n}", "role": "social-worker", **answers},
        content_hash=f"{council}-{n}",
        created_at=NOW + dt.timedelta(minutes=n),
        files={"cv": StoredFile("cv.pdf", "application/pdf", b"%PDF-1.7 cv")} if n % 2 else {},
    )
    storage.save(app, lambda: reference, lambda ref: [], NOW - dt.timedelta(days=1))
    return reference


def test_people_are_added_once_and_removal_ends_their_sessions_and_links(storage: Storage) -> None:
    user, added = storage.add_user(" HR@Dudley.gov.uk ", "dudley", "editor", NOW)
    assert added and user.email == "hr@dudley.gov.uk" and user.councils == ["dudley"] and user.may_move
    again, added = storage.add_user("hr@dudley.gov.uk", "coventry", "viewer", NOW)
    assert not added and again.council == "dudley"  # left as they were
    storage.add_sign_in_link(user.id, "link-digest", NOW, NOW + dt.timedelta(minutes=15))
    storage.add_session(user.id, "session-digest", "csrf", NOW)
    assert storage.remove_user("hr@dudley.gov.uk", NOW) is True
    assert storage.session("session-digest", NOW, dt.timedelta(hours=8)) is None
    assert storage.use_sign_in_link("link-digest", NOW) is None
    assert storage.users() == [] and storage.remove_user("hr@dudley.gov.uk", NOW) is False
    back, added = storage.add_user("hr@dudley.gov.uk", "coventry", "viewer", NOW)
    assert added and back.council == "coventry" and not back.may_move


def test_a_link_signs_in_once_and_only_before_it_expires(storage: Storage) -> None:
    user, _ = storage.add_user("hr@walsall.gov.uk", "walsall", "viewer", NOW)
    storage.add_sign_in_link(user.id, "a", NOW, NOW + dt.timedelta(minutes=15))
    storage.add_sign_in_link(user.id, "b", NOW, NOW + dt.timedelta(minutes=15))
    assert storage.use_sign_in_link("a", NOW + dt.timedelta(minutes=16)) is None  # expired
    assert storage.use_sign_in_link("b", NOW + dt.timedelta(minutes=14)) == user
    assert storage.use_sign_in_link("b", NOW + dt.timedelta(minutes=14)) is None  # used
    assert storage.use_sign_in_link("unknown", NOW) is None
    assert storage.links_since(user.id, NOW) == 2
    assert storage.links_since(user.id, NOW + dt.timedelta(seconds=1)) == 0


def test_a_session_lasts_while_it_is_used_and_ends_on_sign_out(storage: Storage) -> None:
    user, _ = storage.add_user("coordinator@region.example", None, "coordinator", NOW)
    storage.add_session(user.id, "s", "token", NOW)
    idle = dt.timedelta(hours=8)
    for hours in (7, 14, 21):  # each use moves the idle clock on
        found = storage.session("s", NOW + dt.timedelta(hours=hours), idle)
        assert found is not None and found.user == user and found.csrf == "token"
    assert storage.session("s", NOW + dt.timedelta(hours=30), idle) is None  # idle for 9 hours
    storage.add_session(user.id, "t", "token2", NOW)
    storage.end_session("t", NOW)
    assert storage.session("t", NOW, idle) is None


def test_lists_read_only_the_councils_given(storage: Storage) -> None:
    refs = {council: [add(storage, n, council) for n in range(4)] for council in COUNCILS}
    rows, total = storage.listing(["dudley"], Filters())
    assert total == 4 and {r.reference for r in rows} == set(refs["dudley"])
    assert storage.listing([], Filters()) == ([], 0)
    assert storage.listing(None, Filters())[1] == 12
    assert storage.application(["coventry"], refs["dudley"][0]) is None
    assert storage.application(None, refs["dudley"][1]).files == [("cv", "cv.pdf", 11)]  # type: ignore[union-attr]
    assert storage.move(["coventry"], refs["dudley"], "screening", "hr@coventry.gov.uk", NOW) == []
    assert storage.stage_counts(["dudley"], Filters())["received"] == 4


def test_filters_search_sorting_and_pages(storage: Storage) -> None:
    for n in range(120):
        campaign = "time-to-care" if n % 3 else "come-back-to-care"
        add(storage, n, campaign=campaign, role="ot" if n % 2 else "sw")
    add(storage, 500, full_name="Zoë O'Brien_%", email="zoe@example.org")
    rows, total = storage.listing(["dudley"], Filters(campaign="come-back-to-care", role="sw"))
    assert total == len([n for n in range(120) if n % 3 == 0 and n % 2 == 0]) == 20
    assert storage.listing(["dudley"], Filters(search="o'brien_%"))[1] == 1
    assert storage.listing(["dudley"], Filters(search="_"))[1] == 1  # LIKE's wildcards are literal
    assert storage.listing(["dudley"], Filters(search="ZOE@EXAMPLE"))[1] == 1
    assert storage.listing(["dudley"], Filters(search="dud-00007"))[1] == 1
    day = (NOW + dt.timedelta(minutes=500)).date()
    assert storage.listing(["dudley"], Filters(received_from=day, received_to=day))[1] == 121
    assert storage.listing(["dudley"], Filters(received_to=day - dt.timedelta(days=1)))[1] == 0
    pages = [storage.listing(["dudley"], Filters(), "oldest", page, 50)[0] for page in (1, 2, 3)]
    assert [len(p) for p in pages] == [50, 50, 21]
    ordered = [r.reference for p in pages for r in p]
    assert ordered == sorted(ordered, key=lambda ref: int(ref.split("-")[1]))
    assert storage.listing(["dudley"], Filters(), "newest")[0][0].reference == "DUD-00500"


def test_moves_are_recorded_with_who_and_when_and_counted(storage: Storage) -> None:
    refs = [add(storage, n) for n in range(3)]
    moved = storage.move(["dudley"], refs[:2], "interview", "hr@dudley.gov.uk", NOW, note="Strong")
    assert moved == [(refs[0], "dudley"), (refs[1], "dudley")]
    assert storage.move(["dudley"], refs[:1], "interview", "hr@dudley.gov.uk", NOW) == []  # already there
    later = NOW + dt.timedelta(days=3)
    lead = "lead@region.example"
    storage.move(None, refs[:1], "placed", lead, later, start_date="2027-01-04", placed_role="sw")
    found = storage.application(["dudley"], refs[0])
    assert found is not None and found.stage == "placed"
    history = storage.moves(found.id)
    assert [(m.stage, m.by_email, m.note) for m in history] == [
        ("interview", "hr@dudley.gov.uk", "Strong"),
        ("placed", "lead@region.example", None),
    ]
    assert history[1].start_date == "2027-01-04" and history[1].placed_role == "sw"
    counts = storage.stage_counts(["dudley"], Filters())
    assert counts == {**dict.fromkeys(STAGES, 0), "received": 1, "interview": 1, "placed": 1}
    assert storage.listing(["dudley"], Filters(stage="interview"))[1] == 1
    with pytest.raises(ValueError, match="unknown stage"):
        storage.move(None, refs, "hired", "x@example.org", NOW)


def test_tallies_add_up_from_councils_to_the_region(storage: Storage) -> None:
    rng = random.Random(7)
    for n in range(90):
        council = rng.choice(COUNCILS)
        add(storage, n, council, role=rng.choice(["sw", "ot", "carer"]), campaign=rng.choice(["a", "b"]))
    for council in COUNCILS:
        refs = [r.reference for r in storage.listing([council], Filters(), per_page=100)[0]]
        for ref in rng.sample(refs, len(refs) // 2):
            storage.move([council], [ref], rng.choice(STAGES[1:]), "hr@example.org", NOW)
    region = storage.tally(None)
    assert sum(row[4] for row in region) == 90
    for council in COUNCILS:
        own = storage.tally([council])
        assert own == [row for row in region if row[0] == council]
        assert sum(storage.stage_counts([council], Filters()).values()) == sum(row[4] for row in own)


def test_the_audit_trail_and_erase_taking_history_and_notes(storage: Storage) -> None:
    ref = add(storage, 1, email="erase.me@example.com")
    storage.move(["dudley"], [ref], "screening", "hr@dudley.gov.uk", NOW, note="Called on Tuesday")
    storage.audit(NOW, "hr@dudley.gov.uk", "dudley", "view", ref, {"page": "application"}, "203.0.113.9")
    found = storage.application(["dudley"], ref)
    assert found is not None
    removed = storage.erase("erase.me@example.com")
    assert [r.reference for r in removed] == [ref]
    assert storage.moves(found.id) == []
    lines = storage.audit_lines()
    assert lines[0]["action"] == "erase" and lines[0]["detail"] == {"applications": 1}
    assert lines[0]["actor"] is None and "erase.me" not in str(lines)
    assert lines[1] == {
        "at": lines[1]["at"], "actor": "hr@dudley.gov.uk", "council": "dudley", "action": "view",
        "reference": ref, "detail": {"page": "application"}, "client": "203.0.113.9",
    }  # fmt: skip


def test_the_audit_trail_is_kept_for_the_retention_period(storage: Storage) -> None:
    storage.audit(NOW - dt.timedelta(days=400), "hr@dudley.gov.uk", "dudley", "view", "DUD-00001")
    storage.audit(NOW - dt.timedelta(days=10), "hr@dudley.gov.uk", "dudley", "view", "DUD-00002")
    storage.purge(NOW - dt.timedelta(days=365))
    assert [line["reference"] for line in storage.audit_lines()] == ["DUD-00002"]
