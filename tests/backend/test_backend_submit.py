"""Applications through a real uvicorn server: JSON clients, browsers without JavaScript, files,
duplicates, the honeypot, tampering, the cross-site check, CORS and the rate limit."""

from __future__ import annotations

import httpx
from backend_support import (
    JSON,
    NOW,
    PDF,
    SITE,
    LiveServer,
    form_of,
    good_answers,
    make_settings,
    site_client,
)
from bs4 import BeautifulSoup

from forms_backend.app import create_app
from forms_backend.settings import Settings
from forms_backend.storage import open_storage
from generator.serve import combined_app

ACTION = "/apply/wolverhampton/come-back-to-care"


def stored(settings) -> list:  # noqa: ANN001
    storage = open_storage(settings.database_url)
    try:
        return storage.applications(None)
    finally:
        storage.close()


def test_json_client_gets_201_with_a_reference(client, manifest, settings, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    r = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    ref = r.json()["reference"]
    assert ref.startswith("WOL-")
    [app] = stored(settings)
    assert app.reference == ref and app.council == "wolverhampton" and app.answers["postcode"] == "B1 1BB"


def test_a_json_body_is_an_application_too(client, manifest, settings, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "shropshire", "time-to-care")
    answers = good_answers(form, name="Zoë Ångström")
    ticked = {k: v for k, v in answers.items() if isinstance(v, list)}
    assert ticked, "a checkbox question sends a list"
    action = "/apply/shropshire/time-to-care"
    r = openapi.check(client.post(action, json=answers, headers=JSON))
    assert r.status_code == 201, r.text
    [app] = stored(settings)
    assert app.reference == r.json()["reference"] and app.answers["full_name"] == "Zoë Ångström"
    assert {k: app.answers[k] for k in ticked} == ticked
    bad = openapi.check(client.post(action, json={**answers, "email": "not an address"}, headers=JSON))
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"email"}


def test_multipart_with_a_cv(client, manifest, settings, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    r = openapi.check(
        client.post(
            ACTION, data=good_answers(form), files={"cv": ("my cv.pdf", PDF, "application/pdf")}, headers=JSON
        )
    )
    assert r.status_code == 201
    [app] = stored(settings)
    assert app.answers["cv"]["filename"] == "my cv.pdf" and app.answers["cv"]["size"] == len(PDF)
    storage = open_storage(settings.database_url)
    try:
        assert storage.file("wolverhampton", app.reference, "cv") == ("my cv.pdf", "application/pdf", PDF)
    finally:
        storage.close()


def test_a_renamed_program_is_not_a_cv(client, manifest, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    r = openapi.check(
        client.post(
            ACTION,
            data=good_answers(form),
            files={"cv": ("cv.pdf", b"MZ\x90\x00", "application/pdf")},
            headers=JSON,
        )
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"cv": "The selected file must be a PDF, DOC, DOCX or ODT"}


def test_json_errors_use_the_manifests_messages(client, manifest, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    answers = {**good_answers(form), "email": "not-an-email", "phone": "12", "postcode": "nowhere"}
    r = openapi.check(client.post(ACTION, data=answers, headers=JSON))
    messages = {f["id"]: f["messages"] for f in form["fields"]}
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "email": messages["email"]["format"],
        "phone": messages["phone"]["format"],
        "postcode": messages["postcode"]["format"],
    }


def test_browser_without_js_is_redirected_to_the_thank_you_page(dist, settings, manifest) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    app = combined_app(dist, create_app(settings))
    with LiveServer(app) as server, site_client(server.url) as client:
        r = client.post("/api" + ACTION, data=good_answers(form), headers={"Accept": "text/html"})
        assert r.status_code == 303
        location = r.headers["location"]
        assert location.startswith(form["thanks_path"] + "?ref=WOL-")
        ref = location.split("=", 1)[1]
        page = BeautifulSoup(client.get(location).text, "html.parser")
        assert page.select_one("[data-reference]").get_text() == ref
        plain = BeautifulSoup(client.get(form["thanks_path"] + "?ref=<script>").text, "html.parser")
        assert plain.select_one("[data-reference]").get_text() != "<script>"
        assert client.get("/api/health").json()["status"] == "ok"


def test_error_page_without_js_keeps_the_theme_and_the_answers(client, manifest) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    answers = {**good_answers(form, name="Zoë Ñúñez"), "email": "zoe-at-example"}
    del answers["right_to_work"]
    r = client.post(ACTION, data=answers, files={"cv": ("cv.pdf", PDF, "application/pdf")})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(r.text, "html.parser")
    assert page.title.get_text().startswith("Error: ")
    summary = page.select_one("[data-error-summary]")
    assert not summary.has_attr("hidden")
    links = [(a["href"], a.get_text()) for a in summary.select("li a")]
    messages = {f["id"]: f["messages"] for f in form["fields"]}
    assert links == [
        ("#email", messages["email"]["format"]),
        ("#right_to_work-0", messages["right_to_work"]["required"]),
    ]
    for href, _ in links:
        assert page.find(id=href[1:]) is not None
    group = page.find(attrs={"data-field": "email"})
    assert "rc-form-group--error" in group["class"]
    error = page.find(id="email-error")
    assert (
        not error.has_attr("hidden")
        and error.select_one("[data-error-text]").get_text() == messages["email"]["format"]
    )
    assert page.find(id="full_name")["value"] == "Zoë Ñúñez"
    assert page.find(id="email")["value"] == "zoe-at-example"
    assert page.find(id="postcode")["value"] == "B1 1BB"
    assert page.find("input", attrs={"name": "role", "value": answers["role"]}).has_attr("checked")
    assert page.find(id="privacy_consent").has_attr("checked")
    assert not page.find(id="cv").has_attr("value")
    assert page.select_one("link[rel=stylesheet]")["href"].startswith("/wolverhampton/_static/")
    assert page.select_one("form[data-apply-form]")["action"] == form["action"]


def test_double_click_and_retries_return_the_first_reference(client, manifest, settings, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    answers = good_answers(form)
    first = openapi.check(client.post(ACTION, data=answers, headers=JSON)).json()
    again = openapi.check(client.post(ACTION, data=answers, headers=JSON)).json()
    assert again == {"reference": first["reference"], "duplicate": True}
    keyed = {**JSON, "Idempotency-Key": "key-1"}
    one = client.post(ACTION, data={**answers, "full_name": "Ada B"}, headers=keyed).json()["reference"]
    two = client.post(ACTION, data={**answers, "full_name": "Ada C"}, headers=keyed).json()["reference"]
    field = client.post(
        ACTION, data={**answers, "full_name": "Ada D", "idempotency_key": "key-2"}, headers=JSON
    )
    field2 = client.post(
        ACTION, data={**answers, "full_name": "Ada E", "idempotency_key": "key-2"}, headers=JSON
    )
    assert one == two and field.json()["reference"] == field2.json()["reference"]
    other = client.post("/apply/dudley/come-back-to-care", data=answers, headers=JSON).json()["reference"]
    assert other.startswith("DUD-")
    assert len(stored(settings)) == 4


def test_honeypot_pretends_and_stores_nothing(client, manifest, settings, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    r = openapi.check(
        client.post(ACTION, data={**good_answers(form), "website": "http://spam"}, headers=JSON)
    )
    assert r.status_code == 201 and r.json()["reference"].startswith("WOL-")
    assert stored(settings) == []
    storage = open_storage(settings.database_url)
    try:
        assert [e["kind"] for e in storage.events()] == ["honeypot"]
    finally:
        storage.close()


def test_tampered_options_are_rejected_and_logged(client, manifest, settings, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    r = openapi.check(
        client.post(ACTION, data={**good_answers(form), "right_to_work": "<script>"}, headers=JSON)
    )
    assert r.status_code == 422 and set(r.json()["errors"]) == {"right_to_work"}
    storage = open_storage(settings.database_url)
    try:
        [event] = storage.events("tampering")
    finally:
        storage.close()
    assert (
        event["detail"] == {"field": "right_to_work", "value": "<script>"}
        and event["council"] == "wolverhampton"
    )


def test_cross_site_posts_are_refused(live, manifest, openapi) -> None:  # noqa: ANN001
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    answers = good_answers(form)
    with httpx.Client(base_url=live.url, timeout=30) as client:  # sends no Origin of its own
        for headers in (
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site"},
            {"Sec-Fetch-Site": "none"},
        ):
            r = openapi.check(client.post(ACTION, data=answers, headers={**JSON, **headers}))
            assert r.status_code == 403, headers
            assert "its own page" in r.json()["error"]
            assert "access-control-allow-origin" not in r.headers
        ok = openapi.check(client.post(ACTION, data=answers, headers={**JSON, "Origin": SITE}))
        assert ok.status_code == 201 and ok.headers["access-control-allow-origin"] == SITE
        same = client.post(
            ACTION,
            data={**answers, "full_name": "B"},
            headers={**JSON, "Origin": str(client.base_url).rstrip("/")},
        )
        assert same.status_code == 201
        fetch = client.post(
            ACTION, data={**answers, "full_name": "C"}, headers={**JSON, "Sec-Fetch-Site": "same-origin"}
        )
        assert fetch.status_code == 201
        page = client.post(ACTION, data=answers, headers={"Origin": "https://evil.example"})
        assert page.status_code == 403 and "text/html" in page.headers["content-type"]


def test_a_post_saying_neither_origin_nor_fetch_site_is_refused(live, manifest, settings, openapi) -> None:  # noqa: ANN001
    """A script or another system must say which site it posts for; nothing is stored otherwise."""
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with httpx.Client(base_url=live.url, timeout=30) as client:
        r = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
        assert r.status_code == 403
        assert f"Origin: {SITE}" in r.json()["error"]
        js = openapi.check(client.post(ACTION, json=good_answers(form), headers=JSON))
        assert js.status_code == 403
        page = openapi.check(client.post(ACTION, data=good_answers(form)))
        assert page.status_code == 403 and "text/html" in page.headers["content-type"]
        assert "Origin" in BeautifulSoup(page.text, "html.parser").find("main").get_text()
    assert stored(settings) == []


def test_cors_preflight_only_for_the_manifests_sites(client) -> None:  # noqa: ANN001
    ask = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "idempotency-key"}
    ok = client.options(ACTION, headers={**ask, "Origin": SITE})
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == SITE
    assert "Idempotency-Key" in ok.headers["access-control-allow-headers"]
    bad = client.options(ACTION, headers={**ask, "Origin": "https://evil.example"})
    assert bad.status_code == 403 and "access-control-allow-origin" not in bad.headers


def test_rate_limit_gives_a_clear_429(database_url, dist, tmp_path, manifest, openapi) -> None:  # noqa: ANN001
    settings = make_settings(
        dist, tmp_path, database_url=database_url, rate_limit=(3, 600.0), rate_limit_loopback=True
    )
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        codes = [
            client.post(ACTION, data={**good_answers(form), "full_name": f"N{i}"}, headers=JSON).status_code
            for i in range(3)
        ]
        assert codes == [201, 201, 201]
        r = openapi.check(client.post(ACTION, data=good_answers(form), headers=JSON))
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and r.json()["retry_after"] > 0
        page = client.post(ACTION, data=good_answers(form))
        assert page.status_code == 429
        soup = BeautifulSoup(page.text, "html.parser")
        assert "Too many applications" in soup.find("main").get_text()
        assert soup.select_one("link[rel=stylesheet]")["href"].startswith("/wolverhampton/_static/")


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(dist, tmp_path, manifest) -> None:  # noqa: ANN001
    """With RECRUIT_TRUST_FORWARDED the proxy appends the address it saw to X-Forwarded-For;
    what the client put before it is its own invention and does not reset its count."""
    settings = Settings.from_env(
        tmp_path,
        env={"RECRUIT_TRUST_FORWARDED": "1", "RECRUIT_RATE_LIMIT": "2/600"},
        dist=dist,
        database_url=f"sqlite:///{tmp_path / 'recruit.db'}",
        clock=lambda: NOW,
        outbox_interval=0.0,
    )
    assert settings.trust_forwarded and settings.rate_limit == (2, 600.0)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:

        def post(i: int, forwarded: str) -> int:
            answers = {**good_answers(form), "full_name": f"N{i}"}
            return client.post(
                ACTION, data=answers, headers={**JSON, "X-Forwarded-For": forwarded}
            ).status_code

        codes = [post(i, f"198.51.100.{i}, 203.0.113.7") for i in range(3)]
        assert codes == [201, 201, 429]
        assert post(3, "203.0.113.7") == 429  # the same client without a made-up entry
        assert post(4, "198.51.100.1, 203.0.113.8") == 201  # another client behind the proxy


def test_loopback_is_not_limited_by_default(database_url, dist, tmp_path, manifest) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url, rate_limit=(1, 600.0))
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        codes = {
            client.post(ACTION, data={**good_answers(form), "full_name": f"N{i}"}, headers=JSON).status_code
            for i in range(3)
        }
    assert codes == {201}


def test_health(client, manifest, openapi) -> None:  # noqa: ANN001
    r = openapi.check(client.get("/health"))
    assert r.json() == {
        "status": "ok",
        "storage": "ok",
        "manifest_version": 1,
        "forms": len(manifest["forms"]),
    }
