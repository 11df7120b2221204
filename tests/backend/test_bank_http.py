"""The talent bank over real HTTP, on both engines: an applicant who ticks the box is in the bank
and their confirmation email (an .eml from the outbox) carries their private link; the page
shows what is held and takes their choices; a changed, an expired and an erased person's link
each get a clear page and no data; leaving and erasing take effect at once; no cookie, no
Referer."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
from backend_support import JSON, NOW, LiveServer, form_of, good_answers, make_settings, site_client

from forms_backend.app import create_app
from forms_backend.outbox import drain
from forms_backend.storage import open_storage


def applied(url: str, manifest: dict, council: str, campaign: str, address: str) -> str:
    form = form_of(manifest, council, campaign)
    with site_client(url) as client:
        answer = client.post(
            f"/apply/{council}/{campaign}", data=good_answers(form, email=address), headers=JSON
        )
    assert answer.status_code == 201, answer.text
    return answer.json()["reference"]


def private_link(settings: Any, reference: str) -> str:
    storage = open_storage(settings.database_url)
    try:
        drain(storage, settings)
    finally:
        storage.close()
    mail = next(Path(settings.mail_dir).glob(f"{reference}-applicant-*.eml"))
    body = email.message_from_bytes(mail.read_bytes(), policy=default).get_body().get_content()  # type: ignore[union-attr]
    assert "talent bank until" in body
    return re.search(r"https?://\S+/api/bank/\S+", body).group(0)  # type: ignore[union-attr]


def test_the_private_page_from_the_confirmation_email(dist: Path, manifest: dict, tmp_path: Path,
                                                      database_url: str) -> None:  # fmt: skip
    clock = [NOW]
    settings = make_settings(dist, tmp_path, database_url=database_url, clock=lambda: clock[0])
    with LiveServer(create_app(settings)) as live:
        first = applied(live.url, manifest, "dudley", "come-back-to-care", "ada@example.com")
        walsall = next(f["campaign"] for f in manifest["forms"] if f["council"] == "walsall")
        applied(live.url, manifest, "walsall", walsall, "ADA@example.com")
        link = private_link(settings, first)
        path = "/" + link.split("/api/", 1)[1]
        with httpx.Client(base_url=live.url, timeout=10) as client:
            page = client.get(path)
            assert page.status_code == 200 and "ada@example.com" in page.text and first in page.text
            assert "Walsall" in page.text  # one person, one entry, with both applications
            assert page.headers["referrer-policy"] == "no-referrer" and "set-cookie" not in page.headers
            assert page.headers["cache-control"] == "no-store"

            bad = client.post(path + "/preferences", data={"travel_miles": "far", "councils": ["dudley"]})
            assert bad.status_code == 400 and "whole number of miles" in bad.text and "Error:" in bad.text
            choices = {"councils": ["dudley", "atlantis"], "hours": "part-time", "travel_miles": "12",
                       "role_kinds": ["social-work"]}  # fmt: skip
            saved = client.post(path + "/preferences", data=choices)
            assert saved.status_code == 303
            again = client.get(saved.headers["location"])
            assert "Your choices are saved." in again.text and 'value="dudley" checked' in again.text
            assert 'value="12"' in again.text

            changed = client.get(path[:-2] + ("xx" if not path.endswith("xx") else "yy"))
            assert (
                changed.status_code == 400 and "does not work" in changed.text and "ada@" not in changed.text
            )
            clock[0] = NOW + dt.timedelta(days=181)
            old = client.get(path)
            assert old.status_code == 410 and "expired" in old.text and "ada@" not in old.text
            clock[0] = NOW

            refused = client.post(path + "/erase", data={})
            assert refused.status_code == 400 and "Tick the box" in refused.text
            left = client.post(path + "/leave")
            assert left.status_code == 200 and "You have left the talent bank" in left.text
            gone = client.get(path)
            assert gone.status_code == 404 and "ada@" not in gone.text
    storage = open_storage(settings.database_url)
    try:
        assert storage.bank_people_count() == 0 and len(storage.applications(None)) == 2  # applications stay
    finally:
        storage.close()


def test_erasing_from_the_page_erases_everything(dist: Path, manifest: dict, tmp_path: Path,
                                                  database_url: str) -> None:  # fmt: skip
    settings = make_settings(dist, tmp_path, database_url=database_url)
    with LiveServer(create_app(settings)) as live:
        reference = applied(live.url, manifest, "dudley", "come-back-to-care", "bola@example.com")
        path = "/" + private_link(settings, reference).split("/api/", 1)[1]
        with httpx.Client(base_url=live.url, timeout=10) as client:
            erased = client.post(path + "/erase", data={"confirm": "erase"})
            assert erased.status_code == 200 and "Everything is erased" in erased.text
            assert client.get(path).status_code == 404
    storage = open_storage(settings.database_url)
    try:
        assert storage.applications(None) == [] and storage.bank_people_count() == 0
    finally:
        storage.close()


def test_recruit_bank_sweep_sends_the_reminder_with_a_link_that_keeps_the_person_in(
    dist: Path, manifest: dict, tmp_path: Path, database_url: str
) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    settings = make_settings(dist, tmp_path, database_url=database_url)
    with LiveServer(create_app(settings)) as live:
        applied(live.url, manifest, "dudley", "come-back-to-care", "cai@example.com")
    later = NOW + dt.timedelta(days=340)  # within a month of the 12 months' end
    env = {"RECRUIT_NOW": later.isoformat(), "DATABASE_URL": database_url, "RECRUIT_DIST": str(dist),
           "RECRUIT_MAIL_DIR": str(settings.mail_dir)}  # fmt: skip
    result = CliRunner(env=env).invoke(main, ["bank", "sweep"], obj={})
    assert result.exit_code == 0 and "1 reminded, 0 hidden" in result.output, result.output
    assert "sent" in CliRunner(env=env).invoke(main, ["outbox", "send"], obj={}).output
    reminder = next(Path(settings.mail_dir).glob("talent-bank-*.eml"))
    body = email.message_from_bytes(reminder.read_bytes(), policy=default).get_body().get_content()  # type: ignore[union-attr]
    path = "/" + re.search(r"https?://\S+/api/bank/\S+", body).group(0).split("/api/", 1)[1]  # type: ignore[union-attr]
    later_settings = make_settings(dist, tmp_path, database_url=database_url, clock=lambda: later)
    with (
        LiveServer(create_app(later_settings)) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        page = client.get(path)
        assert page.status_code == 200 and "Stay in the talent bank" in page.text
        stayed = client.post(path + "/stay")
        assert stayed.status_code == 303 and "You are staying" in client.get(stayed.headers["location"]).text
    result = CliRunner(env={**env, "RECRUIT_NOW": (NOW + dt.timedelta(days=400)).isoformat()}).invoke(
        main, ["bank", "sweep"], obj={}
    )
    assert "0 reminded, 0 hidden" in result.output  # renewed: a year from the reminder


def test_an_expired_link_leads_to_a_new_one_by_email(dist: Path, manifest: dict, tmp_path: Path,
                                                     database_url: str) -> None:  # fmt: skip
    clock = [NOW]
    settings = make_settings(dist, tmp_path, database_url=database_url, clock=lambda: clock[0])
    with LiveServer(create_app(settings)) as live:
        reference = applied(live.url, manifest, "dudley", "come-back-to-care", "dee@example.com")
        path = "/" + private_link(settings, reference).split("/api/", 1)[1]
        clock[0] = NOW + dt.timedelta(days=200)
        with httpx.Client(base_url=live.url, timeout=10) as client:
            old = client.get(path)
            assert old.status_code == 410 and "/bank/link" in old.text
            wrong = client.post("/bank/link", data={"email": "not an address"})
            assert wrong.status_code == 400 and "correct format" in wrong.text
            for typed in ("DEE@example.com", "nobody@example.com"):  # the same answer for both
                said = client.post("/bank/link", data={"email": typed})
                assert said.status_code == 200 and "Check your email" in said.text
        storage = open_storage(settings.database_url)
        try:
            mail = [m for m in storage.due(clock[0], limit=50) if m.kind == "bank-link"]
        finally:
            storage.close()
        assert [m.recipient for m in mail] == ["dee@example.com"]  # nobody else was written to
        drain_storage = open_storage(settings.database_url)
        try:
            drain(drain_storage, settings)
        finally:
            drain_storage.close()
        fresh = max(Path(settings.mail_dir).glob("talent-bank-*.eml"), key=lambda p: p.stat().st_mtime)
        body = email.message_from_bytes(fresh.read_bytes(), policy=default).get_body().get_content()  # type: ignore[union-attr]
        new = "/" + re.search(r"https?://\S+/api/(bank/\S+)", body).group(1)  # type: ignore[union-attr]
        assert httpx.get(live.url + new, timeout=10).status_code == 200
