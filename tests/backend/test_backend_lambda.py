"""forms_backend.lambda_handler.handler with API Gateway HTTP API (payload 2.0) events."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from urllib.parse import urlencode

import pytest
from backend_support import NOW, PDF, form_of, good_answers

from forms_backend import lambda_handler
from forms_backend.storage import open_storage


class Context:
    function_name = "recruit-forms"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def event(method: str, path: str, body: bytes = b"", headers: dict | None = None, query: str = "") -> dict:
    """An API Gateway HTTP API v2 event, as AWS sends it (binary bodies base64-encoded)."""
    binary = bool(body) and not body.isascii()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "cookies": [],
        "headers": {
            "host": "abc123.execute-api.eu-west-2.amazonaws.com",
            "user-agent": "Mozilla/5.0",
            "x-forwarded-for": "203.0.113.7",
            "x-forwarded-proto": "https",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-2.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Mozilla/5.0",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "23/Nov/2026:12:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": base64.b64encode(body).decode() if binary else body.decode(),
        "isBase64Encoded": binary,
    }


@pytest.fixture
def env(monkeypatch, dist, tmp_path, database_url):  # noqa: ANN001, ANN201
    """A Lambda container's environment, on each engine (real-shaped events against a real database)."""
    monkeypatch.setenv("RECRUIT_DIST", str(dist))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RECRUIT_MAIL_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("RECRUIT_NOW", NOW.isoformat())
    monkeypatch.delenv("RECRUIT_MANIFEST", raising=False)
    lambda_handler._handlers.clear()
    yield tmp_path
    lambda_handler._handlers.clear()
    # Mangum made this thread an event loop (a Lambda container keeps it for its life): close it,
    # or it lingers unclosed until some later test's garbage collection trips over it.
    policy = asyncio.get_event_loop_policy()
    policy.get_event_loop().close()
    policy.set_event_loop(None)


def test_health(env) -> None:  # noqa: ANN001
    answer = lambda_handler.handler(event("GET", "/api/health"), Context())
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["status"] == "ok"


def test_urlencoded_application(env, manifest) -> None:  # noqa: ANN001
    form = form_of(manifest, "dudley", "step-up-now")
    body = urlencode(good_answers(form), doseq=True).encode()
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "accept": "application/json",
        "origin": "https://careers.westmidlands.example",
    }
    answer = lambda_handler.handler(event("POST", "/api/apply/dudley/step-up-now", body, headers), Context())
    assert answer["statusCode"] == 201, answer["body"]
    reference = json.loads(answer["body"])["reference"]
    assert answer["headers"]["access-control-allow-origin"] == "https://careers.westmidlands.example"
    storage = open_storage(os.environ["DATABASE_URL"])
    try:
        assert [a.reference for a in storage.applications("dudley")] == [reference]
    finally:
        storage.close()
    drained = lambda_handler.drain_outbox({"source": "aws.events"}, Context())
    assert drained["sent"] == len(manifest["councils"]["dudley"]["notifications"]) + 1
    assert len(list((env / "mail").glob(f"{reference}-*.eml"))) == drained["sent"]
    assert drained["rolled_up_days"] == 2  # today and yesterday, counted for the first time
    assert lambda_handler.drain_outbox({"source": "aws.events"}, Context())["rolled_up_days"] == 0  # fresh


def test_multipart_with_a_cv_arrives_base64(env, manifest) -> None:  # noqa: ANN001
    form = form_of(manifest, "dudley", "come-back-to-care")
    parts = [
        f'--XyZ\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in good_answers(form, name="Zoë").items()
    ]
    parts.append(
        b'--XyZ\r\nContent-Disposition: form-data; name="cv"; filename="cv.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--XyZ--\r\n"
    )
    headers = {
        "content-type": "multipart/form-data; boundary=XyZ",
        "accept": "text/html",
        "origin": "https://careers.westmidlands.example",
    }
    answer = lambda_handler.handler(
        event("POST", "/api/apply/dudley/come-back-to-care", b"".join(parts), headers), Context()
    )
    assert answer["statusCode"] == 303
    assert answer["headers"]["location"].startswith(form["thanks_path"] + "?ref=DUD-")


def test_errors_and_unknown_addresses(env, manifest) -> None:  # noqa: ANN001
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "accept": "application/json",
        "origin": "https://careers.westmidlands.example",
    }
    answer = lambda_handler.handler(
        event("POST", "/api/apply/dudley/step-up-now", b"full_name=", headers), Context()
    )
    assert answer["statusCode"] == 422 and "full_name" in json.loads(answer["body"])["errors"]
    answer = lambda_handler.handler(event("POST", "/api/apply/atlantis/x", b"a=1", headers), Context())
    assert answer["statusCode"] == 404
    answer = lambda_handler.handler(
        event("POST", "/api/apply/dudley/step-up-now", b"a=%FF", headers), Context()
    )
    assert answer["statusCode"] == 400
    answer = lambda_handler.handler(event("GET", "/api/councils/dudley/applications.csv"), Context())
    assert answer["statusCode"] == 401


def test_the_workspace_signs_in_through_api_gateway(env, database_url, monkeypatch) -> None:  # noqa: ANN001
    """/workspace/... reaches the same function: the link's button signs in, and over HTTPS (API
    Gateway's X-Forwarded-Proto, trusted here) the session cookie is Secure."""
    from forms_backend.storage import open_storage
    from forms_backend.workspace import auth

    monkeypatch.setenv("RECRUIT_TRUST_FORWARDED", "1")
    storage = open_storage(database_url)
    user, _ = storage.add_user("hr@dudley.gov.uk", "dudley", "editor", NOW)
    storage.add_sign_in_link(user.id, auth.digest("k" * 43), NOW, NOW + auth.LINK_LIFETIME)
    storage.close()
    page = lambda_handler.handler(event("GET", "/workspace/sign-in"), Context())
    assert page["statusCode"] == 200 and "Email me a link" in page["body"] and not page.get("cookies")
    signed = lambda_handler.handler(event("POST", f"/workspace/sign-in/{'k' * 43}"), Context())
    assert signed["statusCode"] == 303 and signed["headers"]["location"] == "/workspace/applications"
    (cookie,) = signed["cookies"]
    assert cookie.startswith(f"{auth.COOKIE}=") and "Secure" in cookie and "HttpOnly" in cookie
    session = cookie.split(";")[0]
    listed = lambda_handler.handler(
        event("GET", "/workspace/applications", headers={"cookie": session}), Context()
    )
    assert listed["statusCode"] == 200 and "Applications" in listed["body"]
