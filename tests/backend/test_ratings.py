"""The thank-you page's one-question survey, on both engines: a rating keeps the day, the council,
the campaign and the score and nothing else, sends a browser on to the feedback page, and is
refused (nothing kept) when it names no campaign or score, comes from another site, is too long,
or arrives too often; every answer as openapi.yaml says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from backend_support import JSON, NOW, LiveServer, form_of, good_answers, make_settings, site_client
from bs4 import BeautifulSoup
from openapi_check import OpenAPI

from forms_backend.app import create_app
from forms_backend.settings import Settings
from forms_backend.storage import Storage, StorageError, open_storage

COUNCIL, CAMPAIGN = "wolverhampton", "come-back-to-care"
RATING = {"council": COUNCIL, "campaign": CAMPAIGN, "score": "4"}


@pytest.fixture
def storage(settings: Settings) -> Iterator[Storage]:
    """The database the live server writes to, to read what it kept."""
    opened = open_storage(settings.database_url)
    yield opened
    opened.close()


def kept(storage: Storage) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in storage.query("SELECT day, council, campaign, score FROM ratings ORDER BY id")]


def rate(client: httpx.Client, openapi: OpenAPI, fields: dict[str, str], **headers: str) -> httpx.Response:
    return openapi.check(client.post("/ratings", data=fields, headers=headers))


def test_a_rating_keeps_the_day_council_campaign_and_score_alone(
    client: httpx.Client, storage: Storage, manifest: dict, openapi: OpenAPI
) -> None:
    answer = rate(client, openapi, RATING, **{"X-Forwarded-For": "203.0.113.5", "User-Agent": "Firefox"})
    assert answer.status_code == 303
    assert answer.headers["location"] == form_of(manifest, COUNCIL, CAMPAIGN)["feedback_path"]
    assert "set-cookie" not in answer.headers and answer.headers["cache-control"] == "no-store"
    scripted = rate(client, openapi, {**RATING, "score": "1"}, **JSON)
    assert scripted.status_code == 204 and "set-cookie" not in scripted.headers
    assert set(storage.columns("ratings")) == {"id", "day", "council", "campaign", "score"}
    assert kept(storage) == [
        (NOW.date().isoformat(), COUNCIL, CAMPAIGN, 4),
        (NOW.date().isoformat(), COUNCIL, CAMPAIGN, 1),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"score": ""},
        {"score": "0"},
        {"score": "6"},
        {"score": "five"},
        {"score": "4.5"},
        {"campaign": "no-such-campaign"},
        {"council": "nowhere"},
        {"council": "dudley", "campaign": "winter-support-2025"},  # another council's campaign
    ],
)
def test_a_rating_without_a_score_or_a_campaign_is_refused_and_not_kept(
    client: httpx.Client, storage: Storage, openapi: OpenAPI, change: dict[str, str]
) -> None:
    answer = rate(client, openapi, {**RATING, **change}, **JSON)
    assert answer.status_code == 400 and answer.json()["error"]
    assert rate(client, openapi, {**RATING, **change}).status_code == 400
    assert kept(storage) == []


def test_a_browser_without_a_score_is_shown_the_thank_you_page_saying_why(
    client: httpx.Client, storage: Storage, manifest: dict, openapi: OpenAPI
) -> None:
    answer = rate(client, openapi, {"council": COUNCIL, "campaign": CAMPAIGN})
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.h1.get_text() == "Your feedback was not sent"
    assert "Select how you felt about applying today" in page.main.get_text()
    back = page.main.find("a", string="Go back to the question")
    assert back["href"] == form_of(manifest, COUNCIL, CAMPAIGN)["thanks_path"] + "#score-0"
    assert page.title.get_text().startswith("Your feedback was not sent")
    assert kept(storage) == []


def test_a_rating_from_another_site_or_from_nowhere_is_refused(
    client: httpx.Client, storage: Storage, openapi: OpenAPI
) -> None:
    assert rate(client, openapi, RATING, Origin="https://copy.example").status_code == 403
    with httpx.Client(base_url=str(client.base_url)) as bare:  # no Origin, no Sec-Fetch-Site
        assert openapi.check(bare.post("/ratings", data=RATING, headers=JSON)).status_code == 403
    assert kept(storage) == []


def test_a_long_rating_or_one_not_sent_as_a_form_is_refused(
    client: httpx.Client, storage: Storage, openapi: OpenAPI
) -> None:
    long = rate(client, openapi, {**RATING, "padding": "x" * 2048}, **JSON)
    assert long.status_code == 413 and "2 KB" in long.json()["error"]
    sent_as_json = openapi.check(client.post("/ratings", json=RATING, headers=JSON))
    assert sent_as_json.status_code == 415
    assert kept(storage) == []


def test_the_rate_limit_counts_ratings_apart_from_applications(
    dist: Path, tmp_path: Path, manifest: dict, openapi: OpenAPI
) -> None:
    settings = make_settings(dist, tmp_path, rate_limit=(1, 600.0), rate_limit_loopback=True)
    with LiveServer(create_app(settings)) as live, site_client(live.url) as client:
        assert rate(client, openapi, RATING).status_code == 303
        limited = rate(client, openapi, RATING, **JSON)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        answers = good_answers(form_of(manifest, COUNCIL, CAMPAIGN))
        applied = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data=answers, headers=JSON)
        assert applied.status_code == 201, applied.text


class Unwritable:
    """A storage whose disk is full."""

    def add_ratings(self, ratings: list[tuple[Any, ...]]) -> list[None]:
        raise StorageError("disk I/O error")

    def close(self) -> None:
        pass


def test_a_rating_that_cannot_be_stored_says_nothing_was_kept(
    dist: Path, tmp_path: Path, openapi: OpenAPI
) -> None:
    app = create_app(make_settings(dist, tmp_path), Unwritable())  # type: ignore[arg-type]
    with LiveServer(app) as live, site_client(live.url) as client:
        answer = rate(client, openapi, RATING, **JSON)
        assert answer.status_code == 503 and "nothing was kept" in answer.json()["error"]
        page = rate(client, openapi, RATING)
        assert page.status_code == 503 and "nothing was kept" in page.text
