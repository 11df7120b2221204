"""Matching in the workspace and on the person's page, on both engines, with Birmingham's
overseas-qualified campaign (its roles' requirements and its form's matching questions): a
nurse halfway through the NMC route ranks above a social worker for the nurse pathway, and the
row says why; the application's page shows the route's steps left; the person's private page
shows them too; the ranking is audited."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from backend_support import JSON, LiveServer, form_of, good_answers, make_settings, site_client
from test_bank_http import private_link

from forms_backend.app import create_app
from forms_backend.storage import open_storage
from forms_backend.workspace import auth

COUNCIL, CAMPAIGN, ROLE = "birmingham", "overseas-qualified-nurses", "healthcare-support-worker-nurse-pathway"


def answers_of(form: dict, address: str, **match: str) -> dict[str, Any]:
    answers = good_answers(form, email=address, name=address.split("@")[0].title())
    answers = {
        k: v for k, v in answers.items() if not k.startswith("match_")
    }  # asked below, as a person would
    answers["role"] = ROLE
    answers.update({f"match_{k}": v for k, v in match.items()})
    return answers


def test_a_role_ranks_its_applicants_and_says_why(dist: Path, manifest: dict, tmp_path: Path,
                                                 database_url: str) -> None:  # fmt: skip
    settings = make_settings(dist, tmp_path, database_url=database_url)
    form = form_of(manifest, COUNCIL, CAMPAIGN)
    assert any(f["id"].startswith("match_") for f in form["fields"])
    nurse = answers_of(form, "amara@example.com", profession="registered-nurse", registration_body="NMC",
                       registration_state="qualified-abroad", nmc_cbt="passed", nmc_osce="not-yet",
                       hours="full-time")  # fmt: skip
    social = answers_of(form, "tomas@example.com", profession="social-worker", registration_body="SWE",
                        registration_state="lapsed", lapsed_year="2023", hours="full-time")  # fmt: skip
    storage = open_storage(database_url)
    user, _ = storage.add_user("hr@birmingham.gov.uk", COUNCIL, "editor", settings.now())
    token = auth.open_session(storage, user, settings.now())
    storage.close()
    with LiveServer(create_app(settings)) as live:
        references = {}
        for who, answers in (("social", social), ("nurse", nurse)):
            with site_client(live.url) as client:
                sent = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data=answers, headers=JSON)
            assert sent.status_code == 201, sent.text
            references[who] = sent.json()["reference"]
        with httpx.Client(base_url=live.url, cookies={auth.COOKIE: token}, timeout=10) as hr:
            page = hr.get("/workspace/match", params={"role": f"{CAMPAIGN}/{ROLE}"})
            assert page.status_code == 200, page.text
            rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td><a [^>]*>([^<]+)</a>", page.text)
            order = [name for _, name in rows]
            assert order.index("Amara") < order.index("Tomas") and "TB-" in page.text  # the bank ranked too
            assert "NMC CBT passed, OSCE not yet booked" in page.text and "Not met" in page.text
            application = hr.get(f"/workspace/applications/{references['nurse']}")
            assert "Route to UK registration" in application.text and "OSCE" in application.text
            assert hr.get("/workspace/match", params={"role": "nope/nothing"}).status_code == 404
        link = private_link(settings, references["nurse"])
        mine = httpx.get(live.url + "/" + link.split("/api/", 1)[1], timeout=10)
        assert "Your route to UK registration" in mine.text and "OSCE" in mine.text
    storage = open_storage(database_url)
    try:
        assert any(line["action"] == "match" for line in storage.audit_lines(None, 100))
    finally:
        storage.close()


def test_an_applicant_on_a_route_sees_its_steps_on_the_thank_you_page(
    dist: Path, manifest: dict, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(dist, tmp_path, database_url=database_url)
    form = form_of(manifest, COUNCIL, CAMPAIGN)
    nurse = answers_of(form, "amara@example.com", profession="registered-nurse", registration_body="NMC",
                       registration_state="qualified-abroad", nmc_cbt="passed",
                       nmc_osce="not-yet")  # fmt: skip
    with LiveServer(create_app(settings)) as live, site_client(live.url) as client:
        sent = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data=nurse, headers=JSON)
        assert sent.status_code == 201 and "next_url" in sent.json()
        reference, after = sent.json()["reference"], sent.json()["next_url"]
        assert after.startswith("/api/next/")  # the backend shares the sites' host: a path
        path = after.removeprefix("/api")
        page = client.get(path)
        assert page.status_code == 200 and "The steps left on your route to UK registration" in page.text
        assert "OSCE" in page.text and reference in page.text and "Overall, how did you feel" in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        other = client.get(path.replace(reference, reference[:-1] + ("X" if reference[-1] != "X" else "Y")))
        assert other.status_code == 404  # the signature is the reference's own
        without_js = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data={**nurse, "email": "bola@example.com"})
        assert without_js.status_code == 303 and without_js.headers["location"].startswith("/api/next/")
        plain = answers_of(form, "cai@example.com", profession="care-worker", registration_body="none",
                           registration_state="none")  # fmt: skip
        no_route = client.post(f"/apply/{COUNCIL}/{CAMPAIGN}", data=plain, headers=JSON)
        assert no_route.status_code == 201 and "next_url" not in no_route.json()
