"""Where an application came from, on both engines: the form's hidden fields (filled by the
pages' script), else the same visitor's page views of the day (no JavaScript), else "unknown";
shown and filtered in the workspace, and exported."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from backend_support import JSON, NOW, ORIGIN, SITE, LiveServer, form_of, good_answers, make_settings

from forms_backend.app import create_app
from forms_backend.storage import open_storage
from forms_backend.storage.workspace import Filters

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture
def region(dist, tmp_path, database_url, manifest):  # noqa: ANN001, ANN201
    settings = make_settings(dist, tmp_path, database_url=database_url, trust_forwarded=True)
    form = form_of(manifest, "dudley", "come-back-to-care")
    with LiveServer(create_app(settings)) as live:
        storage = open_storage(database_url)
        yield live.url, storage, form
        storage.close()


def apply(url: str, form: dict, n: int, ip: str, **hidden: str) -> str:
    answers = {**good_answers(form, email=f"person{n}@example.com", name=f"Person {n}"), **hidden}
    headers = {**JSON, **ORIGIN, "User-Agent": BROWSER, "X-Forwarded-For": ip}
    answer = httpx.post(f"{url}/apply/dudley/come-back-to-care", data=answers, headers=headers, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["reference"]


def test_the_source_of_each_application(region) -> None:  # noqa: ANN001
    url, storage, form = region
    tagged = apply(url, form, 1, "203.0.113.1", utm_source="facebook", utm_campaign="Launch", counted="1")
    referred = apply(url, form, 2, "203.0.113.2", referrer="https://www.linkedin.com", counted="1")
    direct = apply(url, form, 3, "203.0.113.3", counted="1")  # the script ran: nothing to tell
    # Without JavaScript: the page views of the same visitor today tell (the noscript image's).
    pixel = {"page": "landing", "council": "dudley", "campaign": "come-back-to-care"}
    seen = httpx.get(f"{url}/events.gif", params=pixel, headers={
        "Referer": f"{SITE}/dudley/come-back-to-care/?utm_source=newsletter&utm_medium=email",
        "User-Agent": BROWSER, "X-Forwarded-For": "203.0.113.4"})  # fmt: skip
    assert seen.status_code == 200
    matched = apply(url, form, 4, "203.0.113.4")
    unseen = apply(url, form, 5, "203.0.113.5")
    found = {a.reference: (a.source, a.medium) for a in storage.applications("dudley")}
    assert found == {
        tagged: ("facebook", "social"),
        referred: ("linkedin", "social"),
        direct: ("direct", "direct"),
        matched: ("newsletter", "email"),
        unseen: ("unknown", "unknown"),  # direct or unknown: counted, never dropped
    }
    assert storage.application(None, tagged).source == "facebook"  # type: ignore[union-attr]
    assert [r.reference for r in storage.listing(["dudley"], Filters(source="linkedin"))[0]] == [referred]
    assert storage.sources(["dudley"]) == ["direct", "facebook", "linkedin", "newsletter", "unknown"]
    exported = list(csv.DictReader(io.StringIO(storage_csv(url, storage))))
    assert {row["reference"]: row["source"] for row in exported}[matched] == "newsletter"


def storage_csv(url: str, storage) -> str:  # noqa: ANN001
    from forms_backend import auth

    token = auth.create_token(storage, "dudley", "test", NOW)[1]
    answer = httpx.get(
        f"{url}/councils/dudley/applications.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    return answer.content.decode("utf-8-sig")
