"""The edges of the API: addresses under /api that are not its own, and a `since` left empty."""

from __future__ import annotations

import httpx
import pytest
from backend_support import JSON, NOW, LiveServer, form_of, good_answers, site_client

from forms_backend import auth
from forms_backend.app import create_app
from forms_backend.responses import NO_STORE
from forms_backend.storage import open_storage
from generator.serve import combined_app


@pytest.fixture
def preview(dist, settings):  # noqa: ANN001, ANN201
    """The sites and the backend under /api on one port, as `recruit serve` serves them."""
    with LiveServer(combined_app(dist, create_app(settings))) as server, site_client(server.url) as client:
        yield client


def is_api_error(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, (r.request.method, r.request.url.path, r.status_code, r.text[:200])
    assert r.headers["content-type"] == "application/json", r.request.url.path
    assert set(r.json()) == {"error"} and r.json()["error"], r.request.url.path
    for name, value in NO_STORE.items():
        assert r.headers.get(name) == value, (r.request.url.path, name)


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/",
        "/api/nowhere",
        "/api/nowhere/",
        "/api/health/",
        "/api/apply",
        "/api/apply/wolverhampton",
        "/api/apply/wolverhampton/come-back-to-care/extra",
        "/api/councils/wolverhampton",
        "/api/councils/wolverhampton/applications",
        "/api//health",
        "/api/%2e%2e/index.html",
    ],
)
def test_an_unknown_api_address_is_the_apis_json_404(preview, path: str) -> None:  # noqa: ANN001
    for method in ("GET", "POST", "DELETE"):
        is_api_error(preview.request(method, path, headers=JSON), 404)
    head = preview.head(path)
    assert head.status_code == 404 and head.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/apply/wolverhampton/come-back-to-care"),
        ("PUT", "/api/apply/wolverhampton/come-back-to-care"),
        ("POST", "/api/health"),
        ("DELETE", "/api/councils/wolverhampton/applications.csv"),
    ],
)
def test_a_wrong_method_is_the_apis_json_405(preview, method: str, path: str) -> None:  # noqa: ANN001
    r = preview.request(method, path, headers=JSON)
    is_api_error(r, 405)
    assert r.headers["allow"]


def test_addresses_beside_the_api_are_still_the_sites(preview) -> None:  # noqa: ANN001
    for path in ("/apiary", "/API/health", "/nowhere"):
        page = preview.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
    assert preview.get("/api/health").json()["status"] == "ok"


def test_an_empty_since_is_a_400_and_no_since_is_everything(live, settings, manifest, openapi) -> None:  # noqa: ANN001
    storage = open_storage(settings.database_url)
    token = auth.create_token(storage, "wolverhampton", "edges", NOW)[1]
    storage.close()
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with site_client(live.url) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        sent = client.post("/apply/wolverhampton/come-back-to-care", data=good_answers(form), headers=JSON)
        assert sent.status_code == 201
        reference = sent.json()["reference"]
        bad = openapi.check(client.get("/councils/wolverhampton/applications.csv", params={"since": "soon"}))
        assert bad.status_code == 400
        for kind in ("csv", "json"):
            for query in ("since=", "since=%20", "campaign=come-back-to-care&since="):
                r = openapi.check(client.get(f"/councils/wolverhampton/applications.{kind}?{query}"))
                assert r.status_code == 400, (kind, query, r.text[:200])
                assert r.json() == bad.json(), (kind, query)
            everything = openapi.check(client.get(f"/councils/wolverhampton/applications.{kind}"))
            assert everything.status_code == 200 and reference in everything.text
            dated = openapi.check(client.get(f"/councils/wolverhampton/applications.{kind}?since=2026-11-23"))
            assert dated.status_code == 200 and reference in dated.text


def test_an_unknown_query_parameter_is_a_400_not_every_application(live, settings, openapi) -> None:  # noqa: ANN001
    """A typo such as ?sinse= would otherwise export everything the council holds."""
    storage = open_storage(settings.database_url)
    token = auth.create_token(storage, "wolverhampton", "edges", NOW)[1]
    storage.close()
    with site_client(live.url) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for kind in ("csv", "json"):
            r = openapi.check(client.get(f"/councils/wolverhampton/applications.{kind}?sinse=2026-11-23"))
            assert r.status_code == 400 and "sinse" in r.json()["error"], r.text[:200]
