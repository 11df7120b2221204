"""Bad input never gives a 500 or a traceback: each gets a clear 4xx, checked against openapi.yaml."""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3

import httpx
import pytest
from backend_support import JSON, SITE, LiveServer, form_of, good_answers, make_settings, site_client
from bs4 import BeautifulSoup

from forms_backend.app import create_app

ACTION = "/apply/wolverhampton/come-back-to-care"
FORM = "application/x-www-form-urlencoded"


def no_traceback(r: httpx.Response) -> None:
    assert r.status_code < 500
    assert "Traceback" not in r.text and 'File "' not in r.text


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"full_name=%FF%FE", FORM, 400),
        (b"full_name=\xc3\x28", FORM, 400),
        (
            b'--B\r\nContent-Disposition: form-data; name="full_name"\r\n\r\n\xff\r\n--B--\r\n',
            "multipart/form-data; boundary=B",
            400,
        ),
        (b"this is not multipart", "multipart/form-data; boundary=B", 400),
        (b"--B\r\nno headers at all", "multipart/form-data; boundary=B", 400),
        (b"a=1", "multipart/form-data", 400),
        (b'{"full_name": "Ada"', "application/json", 400),
        (b'["full_name", "Ada"]', "application/json", 400),
        (b'{"full_name": {"first": "Ada"}}', "application/json", 400),
        (b'{"full_name": "\xff"}', "application/json", 400),
        # valid JSON that is not text, or more than Python reads: each a 400, not a 500
        (b'{"full_name": "\\ud800"}', "application/json", 400),
        (b'{"full_name": ["Ada", "\\udfff"]}', "application/json", 400),
        (b'{"\\ud800": "Ada"}', "application/json", 400),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
        (b'{"full_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json", 400),
        (b'{"full_name": ' + b"7" * 5000 + b"}", "application/json", 400),
        (b"<xml/>", "text/xml", 415),
        (b"", "", 415),
        (b"&".join(b"f%d=1" % i for i in range(1000)), FORM, 400),
        (
            b"".join(
                b'--B\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n1\r\n' % i for i in range(1000)
            )
            + b"--B--\r\n",
            "multipart/form-data; boundary=B",
            400,
        ),
    ],
)
def test_unreadable_bodies_get_4xx(client, openapi, body: bytes, content_type: str, status: int) -> None:  # noqa: ANN001
    for accept in (JSON, {"Accept": "text/html"}):
        r = client.post(ACTION, content=body, headers={**accept, "Content-Type": content_type})
        openapi.check(r)
        no_traceback(r)
        assert r.status_code == status, (body[:40], r.text[:200])


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"full_name": "\\ud800"}', "lone surrogate"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"years_since_practice": ' + b"9" * 5000 + b"}", "too many digits"),
    ],
)
def test_unreadable_json_is_explained(client, body: bytes, says: str) -> None:  # noqa: ANN001
    for accept in (JSON, {"Accept": "text/html"}):
        r = client.post(ACTION, content=body, headers={**accept, "Content-Type": "application/json"})
        assert r.status_code == 400
        text = r.json()["error"] if accept == JSON else BeautifulSoup(r.text, "html.parser").main.get_text()
        assert says in text


def test_unknown_council_or_campaign_is_404(client, openapi) -> None:  # noqa: ANN001
    for path in ("/apply/atlantis/come-back-to-care", "/apply/wolverhampton/no-such-campaign"):
        r = openapi.check(client.post(path, data={"a": "1"}, headers=JSON))
        assert r.status_code == 404 and r.json()["error"]
        page = openapi.check(client.post(path, data={"a": "1"}))
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert BeautifulSoup(page.text, "html.parser").find("main").h1


def test_closed_campaign_is_410_with_a_clear_page(client, manifest, openapi) -> None:  # noqa: ANN001
    closed = [f for f in manifest["forms"] if f["closes"] < "2026-11-23"]
    assert closed, "the example has a closed campaign (shropshire/winter-support-2025)"
    form = closed[0]
    path = f"/apply/{form['council']}/{form['campaign']}"
    r = openapi.check(client.post(path, data=good_answers(form), headers=JSON))
    assert r.status_code == 410 and "closed" in r.json()["error"]
    page = openapi.check(client.post(path, data=good_answers(form)))
    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 410
    assert soup.find("main").h1.get_text() == "This campaign has closed"
    assert "28 February 2026" in soup.find("main").get_text()


def test_not_yet_open_is_410(database_url, dist, tmp_path, manifest, openapi) -> None:  # noqa: ANN001
    early = make_settings(
        dist, tmp_path, database_url=database_url, clock=lambda: dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
    )
    form = form_of(manifest, "coventry", "time-to-care")
    with LiveServer(create_app(early)) as server, site_client(server.url) as client:
        r = openapi.check(client.post("/apply/coventry/time-to-care", data=good_answers(form), headers=JSON))
    assert r.status_code == 410 and "open on 1 October 2026" in r.json()["error"]


def raw_request(port: int, head: bytes, body: bytes = b"") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head + body)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def test_over_10_mb_is_413_without_reading_it_all(live) -> None:  # noqa: ANN001
    head = (
        f"POST {ACTION} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nOrigin: {SITE}\r\n"
        f"Content-Type: {FORM}\r\nContent-Length: {11 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_request(live.port, head, b"full_name=a")  # 11 MB announced, a few bytes sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"larger than 10 MB" in answer


def test_over_10_mb_streamed_without_a_length_is_413(client, openapi) -> None:  # noqa: ANN001
    def chunks():  # noqa: ANN202
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    try:
        r = client.post(ACTION, content=chunks(), headers={**JSON, "Content-Type": FORM})
    except httpx.WriteError:  # the server may answer and close before the client has finished
        return
    openapi.check(r)
    assert r.status_code == 413


def test_a_big_but_allowed_cv_is_stored(client, manifest, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    pdf = b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024 - 100)
    r = openapi.check(
        client.post(
            ACTION, data=good_answers(form), files={"cv": ("cv.pdf", pdf, "application/pdf")}, headers=JSON
        )
    )
    assert r.status_code == 201


def test_wrong_methods_and_paths(client) -> None:  # noqa: ANN001
    for r in (
        client.get(ACTION),
        client.put(ACTION),
        client.get("/nowhere"),
        client.get("/councils/x/applications.csv"),
    ):
        no_traceback(r)
        assert r.status_code in (401, 404, 405)


def test_missing_manifest_is_a_clear_503(dist, tmp_path) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, manifest_path=tmp_path / "nope.json")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        health = client.get("/health")
        post = client.post(ACTION, data={"a": "1"}, headers=JSON)
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert post.status_code == 503 and "Try again later" in post.json()["error"]


def applications_in(settings) -> list[str]:  # noqa: ANN001
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as db:
        return [row[0] for row in db.execute("SELECT reference FROM applications")]


def test_a_locked_database_is_a_clear_503_and_nothing_is_kept(dist, tmp_path, manifest, openapi) -> None:  # noqa: ANN001
    """Another program holds the write lock (a long purge, a backup): the applicant is told
    nothing was stored, and can send again once the lock is gone."""
    settings = make_settings(dist, tmp_path, busy_timeout=0.2)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        assert client.get("/health").status_code == 200  # the storage is open
        locker = sqlite3.connect(tmp_path / "recruit.db", isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            r = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
            assert r.status_code == 503 and "nothing was kept" in r.json()["error"]
            page = openapi.check(client.post(ACTION, data=good_answers(form)))
            main = BeautifulSoup(page.text, "html.parser").find("main")
            assert page.status_code == 503 and "text/html" in page.headers["content-type"]
            assert main.h1.get_text() == "Application not sent" and "nothing was kept" in main.get_text()
            assert "Traceback" not in page.text and "OperationalError" not in page.text
            # the honeypot and tampering events cannot be recorded; the answers are as ever
            bot = client.post(ACTION, data={**good_answers(form), "website": "http://spam"}, headers=JSON)
            assert bot.status_code == 201
            odd = client.post(ACTION, data={**good_answers(form), "right_to_work": "<b>"}, headers=JSON)
            assert odd.status_code == 422 and "right_to_work" in odd.json()["errors"]
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert applications_in(settings) == []
        again = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
        assert again.status_code == 201
    assert applications_in(settings) == [again.json()["reference"]]


def test_a_database_locked_before_it_is_first_opened_is_503(dist, tmp_path, manifest, openapi) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, busy_timeout=0.2)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    locker = sqlite3.connect(tmp_path / "recruit.db", isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
            r = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
            assert r.status_code == 503 and "nothing was kept" in r.json()["error"]
            page = openapi.check(client.post(ACTION, data=good_answers(form)))
            assert page.status_code == 503 and "text/html" in page.headers["content-type"]
            health = openapi.check(client.get("/health"))
            assert health.status_code == 503 and health.json()["storage"] == "unreachable"
            export = openapi.check(
                client.get(
                    "/councils/wolverhampton/applications.csv",
                    headers={"Authorization": "Bearer rc1_" + "a" * 43},
                )
            )
            assert export.status_code == 503 and "try again later" in export.json()["error"]
            locker.execute("ROLLBACK")
            ok = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
            assert ok.status_code == 201
    finally:
        locker.close()
