"""The edges of the API: addresses under /api that are not its own."""

from __future__ import annotations

import httpx
import pytest
from backend_support import JSON, LiveServer, site_client

from forms_backend.app import NO_STORE, create_app
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
