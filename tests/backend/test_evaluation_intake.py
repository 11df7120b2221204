"""Page views counted without cookies, on both engines: what is kept (and what never is), where
a visit came from, robots and opt-outs not counted, the day's salt, and views sharing commits."""

from __future__ import annotations

import datetime as dt
import json
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from backend_support import NOW, SITE, LiveServer, make_settings

from forms_backend.app import create_app
from forms_backend.evaluation import classify
from forms_backend.storage import Storage, open_storage

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
)
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
LANDING = {"page": "landing", "council": "dudley", "campaign": "come-back-to-care"}


@pytest.fixture
def region(dist, tmp_path, database_url):  # noqa: ANN001, ANN201
    clock = [NOW]
    settings = make_settings(
        dist, tmp_path, database_url=database_url, clock=lambda: clock[0], trust_forwarded=True
    )
    with LiveServer(create_app(settings)) as live:
        storage = open_storage(database_url)
        yield live.url, storage, clock
        storage.close()


def view(
    url: str, fields: dict[str, Any], ua: str = PHONE, ip: str = "203.0.113.5", **headers: str
) -> httpx.Response:
    return httpx.post(f"{url}/events", content=json.dumps(fields), timeout=10,
                      headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": SITE, "User-Agent": ua,
                               "X-Forwarded-For": ip, **headers})  # fmt: skip


def test_a_view_keeps_the_page_the_source_and_a_daily_visitor_key_only(region) -> None:  # noqa: ANN001
    url, storage, clock = region
    address = f"{SITE}/dudley/come-back-to-care/?utm_source=Facebook&utm_medium=paid-social"
    address += "&utm_campaign=Launch%20Week&ref=DUD-SECRET"
    landing = {**LANDING, "url": address, "referrer": "https://m.facebook.com/"}
    answer = view(url, landing)
    assert answer.status_code == 204 and "set-cookie" not in answer.headers
    role = {**LANDING, "page": "role", "role": "social-worker-adults",
            "url": f"{SITE}/dudley/come-back-to-care/roles/social-worker-adults/",
            "referrer": f"{SITE}/dudley/come-back-to-care/"}  # fmt: skip
    assert view(url, role).status_code == 204
    assert view(url, {**LANDING, "url": f"{SITE}/dudley/come-back-to-care/"}, ua=DESKTOP).status_code == 204
    clock[0] = NOW + dt.timedelta(days=1)
    assert view(url, {**LANDING, "referrer": "https://www.linkedin.com/feed/"}).status_code == 204
    first, second, other, tomorrow = storage.page_events()
    assert (first.page, first.council, first.campaign, first.role) == (
        "landing",
        "dudley",
        "come-back-to-care",
        None,
    )
    assert (first.source, first.medium, first.tag, first.referrer_host) == (
        "facebook",
        "social",
        "launch-week",
        "m.facebook.com",
    )
    assert (second.page, second.role, second.source, second.medium) == (
        "role",
        "social-worker-adults",
        "internal",
        "internal",
    )
    assert first.device == "phone" and other.device == "desktop"
    assert first.visitor == second.visitor != other.visitor  # same person today; another browser
    assert tomorrow.visitor != first.visitor and (tomorrow.source, tomorrow.medium) == ("linkedin", "social")
    kept = json.dumps([list(e.__dict__.values()) for e in storage.page_events()], default=str)
    assert "203.0.113.5" not in kept and "iPhone" not in kept and "DUD-SECRET" not in kept


def test_opt_outs_and_robots_are_not_counted(region) -> None:  # noqa: ANN001
    url, storage, _ = region
    assert view(url, LANDING, **{"Sec-GPC": "1"}).status_code == 204
    assert view(url, LANDING, DNT="1").status_code == 204
    robots = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 Chrome-Lighthouse",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "curl/8.5.0", "",
    ]  # fmt: skip
    for ua in robots:
        assert view(url, LANDING, ua=ua).status_code == 204, ua
    assert storage.page_events() == []


def test_a_view_of_no_page_the_region_has_is_refused(region) -> None:  # noqa: ANN001
    url, storage, _ = region
    for fields, words in (
        ({"page": "landing", "council": "atlantis", "campaign": "x"}, "one of the region's councils"),
        ({"page": "landing", "council": "dudley", "campaign": "nope"}, "one of the council's campaigns"),
        ({"page": "home", "council": "dudley"}, "page must be one of"),
        ({"page": "role", "council": "dudley", "campaign": "come-back-to-care", "role": "<script>"}, "slug"),
    ):
        answer = view(url, fields)
        assert answer.status_code == 400 and words in answer.json()["error"], fields
    assert httpx.post(f"{url}/events", content=b"[1]", headers={"Origin": SITE}).status_code == 400
    assert httpx.post(f"{url}/events", content=b"x" * 5000, headers={"Origin": SITE}).status_code == 413
    elsewhere = httpx.post(
        f"{url}/events", content=json.dumps(LANDING), headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 204  # not counted, and no error in the page's console
    assert storage.page_events() == []


def test_the_noscript_image_counts_a_view_with_its_pages_sources(region) -> None:  # noqa: ANN001
    url, storage, _ = region
    page = {"page": "apply", "council": "dudley", "campaign": "come-back-to-care"}
    referer = f"{SITE}/dudley/come-back-to-care/apply/?utm_source=newsletter&utm_medium=email"
    answer = httpx.get(f"{url}/events.gif", params=page, headers={"Referer": referer, "User-Agent": DESKTOP})
    assert (
        answer.status_code == 200
        and answer.headers["content-type"] == "image/gif"
        and answer.content[:6] == b"GIF89a"
    )
    assert "set-cookie" not in answer.headers and answer.headers["cache-control"] == "no-store"
    (event,) = storage.page_events()
    assert (event.page, event.source, event.medium) == ("apply", "newsletter", "email")


def test_the_days_salt_is_made_at_random_and_deleted_after_two_days(region) -> None:  # noqa: ANN001
    _, storage, _ = region
    day = NOW.date()
    first = storage.salt(day)
    assert (
        storage.salt(day) == first and len(first) == 64 and storage.salt(day + dt.timedelta(days=1)) != first
    )
    storage.salt(day + dt.timedelta(days=3))
    kept = [r[0] for r in storage.query("SELECT day FROM visit_salts ORDER BY day")]
    assert kept == [(day + dt.timedelta(days=n)).isoformat() for n in (1, 3)]


def test_views_arriving_together_share_commits(region, monkeypatch) -> None:  # noqa: ANN001
    url, storage, _ = region
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(lambda n: view(url, LANDING, ip=f"198.51.100.{n}"), range(96)))
    assert [a.status_code for a in answers] == [204] * 96
    events = storage.page_events()
    assert len(events) == 96 and len({e.visitor for e in events}) == 96


@pytest.mark.parametrize(
    ("utm", "referrer", "expected"),
    [
        ({}, None, ("direct", "direct")),
        ({}, "https://t.co/abc", ("x", "social")),
        ({}, "https://l.instagram.com/?u=x", ("instagram", "social")),
        ({}, "https://www.tiktok.com/@council", ("tiktok", "social")),
        ({}, "https://www.google.co.uk/", ("google", "search")),
        ({}, "https://outlook.live.com/mail/0/", ("outlook", "email")),
        ({}, "https://news.example.org/story", ("news.example.org", "referral")),
        ({"utm_source": "linkedin"}, "https://www.google.com/", ("linkedin", "social")),
        ({"utm_source": "Bus Stop Poster", "utm_medium": "poster"}, None, ("bus-stop-poster", "offline")),
        ({"utm_source": "mailchimp", "utm_medium": "Email"}, None, ("mailchimp", "email")),
    ],
)
def test_where_a_visit_came_from(utm: dict, referrer: str | None, expected: tuple[str, str]) -> None:
    came = classify.classify(utm, referrer, frozenset({"careers.westmidlands.example"}))
    assert (came.source, came.medium) == expected


def test_a_view_of_any_shape_is_an_answer_not_an_error(region) -> None:  # noqa: ANN001
    url, storage, _ = region
    for fields in ({"page": {"x": 1}}, {"page": ["landing"]}, {"page": "role", "council": 7}, {"page": None}):
        assert view(url, fields).status_code == 400, fields
    assert storage.page_events() == []


COUNCILS = {"dudley": ["come-back-to-care", "step-up-now"], "walsall": ["time-to-care"], "coventry": []}


def random_region(storage: Storage, rng: random.Random) -> tuple[list, list]:
    """Random page views over three days, and applications with moves through the stages."""
    from forms_backend.storage import NewApplication
    from forms_backend.storage.analytics import PageEvent

    events, applications = [], []
    for _ in range(1500):
        day = NOW - dt.timedelta(days=rng.randrange(3), minutes=rng.randrange(600))
        council = rng.choice([None, *COUNCILS])
        campaign = rng.choice(COUNCILS[council]) if council and COUNCILS[council] else None
        page = (
            "hub"
            if council is None
            else ("council" if campaign is None else rng.choice(["landing", "role", "apply"]))
        )
        source, medium = rng.choice([("facebook", "social"), ("google", "search"), ("direct", "direct"),
                                     ("internal", "internal")])  # fmt: skip
        role = "sw" if page == "role" else None
        device, visitor = rng.choice(["phone", "desktop"]), f"v{rng.randrange(300)}"
        events.append(
            PageEvent(day, council, campaign, page, role, source, medium, None, None, device, visitor)
        )
    storage.add_page_events(events)
    for n in range(120):
        council = rng.choice(["dudley", "walsall"])
        at = NOW - dt.timedelta(days=rng.randrange(3), minutes=rng.randrange(600))
        app = NewApplication(
            council, rng.choice(COUNCILS[council]), f"p{n}@example.com", {"role": rng.choice(["sw", "ot"])},
            f"hash-{n}", at, source=rng.choice(["facebook", "unknown"]),
        )  # fmt: skip
        reference = f"REF-{n:04d}"
        storage.save(app, lambda reference=reference: reference, lambda ref: [], at - dt.timedelta(days=1))
        reached = rng.randrange(5)
        for step, stage in enumerate(["screening", "interview", "offer", "placed"][:reached]):
            storage.move(None, [reference], stage, "hr@example.com", at + dt.timedelta(hours=step * 9))
        applications.append((app, reached))
    return events, applications


def test_daily_rollups_add_up_from_campaigns_to_councils_to_the_region(database_url: str) -> None:
    """On random views and applications: each day's rows hold every view once, each under the
    source its visitor came from; a council's views are the sums of its campaigns' (and its own
    index page's), the region's the sums of its councils' and the hub's; a row's visitors are at
    most its views, a site's visitors at most the sums of its campaigns'; every application and
    move is counted on the day it happened; rolling a day up again changes nothing."""
    from collections import Counter

    storage = open_storage(database_url)
    try:
        events, applications = random_region(storage, random.Random(14))
        days = sorted({e.at.date() for e in events} | {(NOW + dt.timedelta(days=1)).date()})
        for day in days:
            storage.roll_up(day)
        first = storage.daily(days[0])
        storage.roll_up(days[-2])
        assert storage.daily(days[0]) == first  # again: the same rows
        for day in days[:-1]:
            rows = [r for r in first if r[0] == day.isoformat()]
            raw = [e for e in events if e.at.date() == day]
            assert sum(r[7] for r in rows) == len(raw)
            assert all(0 < r[8] <= r[7] for r in rows)
            by_council = Counter()
            for r in rows:
                by_council[r[1]] += r[7]
            for council, campaigns in COUNCILS.items():
                own = sum(r[7] for r in rows if r[1] == council and r[2] == "")
                assert by_council[council] == own + sum(
                    r[7] for r in rows if r[1] == council and r[2] in campaigns
                )
            assert sum(by_council.values()) == len(raw)  # the region: the councils and the hub
            came = {}  # each visitor's source: their first view with one, else direct
            for e in sorted(raw, key=lambda e: e.source in ("direct", "internal")):
                came.setdefault((e.council or "", e.visitor), e.source.replace("internal", "direct"))
            assert Counter(r[4] for r in rows for _ in range(r[7])) == Counter(
                came[(e.council or "", e.visitor)] for e in raw
            )
        since, week, today = days[0], days[0], days[-1]
        visitors = storage.report_visitors(since, week, today, None)
        for council in ["", *COUNCILS]:
            site = {r[2]: r[6] for r in visitors if r[0] == council and r[1] == "*"}
            raw = {
                (e.at.date(), e.visitor, came_from(e, events)) for e in events if (e.council or "") == council
            }
            assert sum(site.values()) == len(raw)  # each visitor once a day, under one source
            assert sum(r[6] for r in visitors if r[0] == council and r[1] != "*") >= len(raw)
        steps = storage.report_steps(since, week, today, None)
        for step, at_least in (("applied", 0), ("screening", 1), ("placed", 4)):
            counted = {
                c: sum(r[8] for r in steps if r[0] == c and r[5] == step) for c in ("dudley", "walsall")
            }
            wanted = Counter(a.council for a, reached in applications if reached >= at_least)
            assert counted == {c: wanted[c] for c in counted}
            assert sum(counted.values()) == sum(r[8] for r in steps if r[5] == step)  # the region's
        assert storage.daily(days[0], ["walsall"]) == [r for r in first if r[1] == "walsall"]
    finally:
        storage.close()


def came_from(event: Any, events: list) -> str:
    """The source a view's visit came from, as the rollup counts it (see test above)."""
    same = [e for e in events if e.at.date() == event.at.date() and e.visitor == event.visitor
            and e.council == event.council]  # fmt: skip
    named = [e for e in same if e.source not in ("direct", "internal")]
    return named[0].source if named else "direct"


def test_recruit_events_rollup_counts_days_and_deletes_old_views(database_url: str) -> None:
    from click.testing import CliRunner

    from forms_backend.storage.analytics import PageEvent
    from generator.cli import main

    storage = open_storage(database_url)
    old, today = NOW - dt.timedelta(days=100), NOW
    for at in (old, today, today):
        view = PageEvent(at, "dudley", None, "council", None, "direct", "direct", None, None, "phone", "v1")
        storage.add_page_events([view])
    env = {"RECRUIT_NOW": NOW.isoformat(), "DATABASE_URL": database_url}
    result = CliRunner(env=env).invoke(main, ["events", "rollup", "--days", "2"], obj={})
    assert result.exit_code == 0 and "into 3 rollup rows; deleted 1 views over 90 days old" in result.output
    assert [r[7:] for r in storage.daily(NOW.date() - dt.timedelta(days=1))] == [(2, 1)]
    assert len(storage.page_events()) == 2
    storage.close()
