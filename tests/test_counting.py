"""Every page counts its view with a tiny deferred script and, without JavaScript, an image; the
privacy notice says so and how to object; `analytics = false` (site.toml) or `analytics: false`
(council.yaml) leaves no script, no image and no event."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from bs4 import BeautifulSoup
from projects import COUNCIL, COUNCIL_YAML, SITE_TOML, write_project
from support import TODAY

from generator.build import build
from generator.headers import content_security_policy

NO_THEME_COPY = {"themes/default/templates/base.html": None}  # the generator's own theme
COUNTER = re.compile(r"_static/count\.[0-9a-f]{10}\.js$")


def counters(dist: Path) -> dict[str, dict[str, str] | None]:
    """Each built page's counter: its script's data attributes and the image's address."""
    found: dict[str, dict[str, str] | None] = {}
    for page in sorted(dist.rglob("*.html")):
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        script = next((s for s in doc.find_all("script") if COUNTER.search(s.get("src", ""))), None)
        noscript = doc.find("noscript")
        path = page.relative_to(dist).as_posix()
        if script is None:
            assert noscript is None or "events.gif" not in str(noscript), path
            found[path] = None
            continue
        assert script.has_attr("defer") and (page.parent / script["src"]).resolve().is_file(), path
        image = noscript.find("img")  # type: ignore[union-attr]
        found[path] = {
            **{k[5:]: v for k, v in script.attrs.items() if k.startswith("data-")},
            "pixel": image["src"],
        }
    return found


def test_every_page_but_the_404_counts_its_view_and_says_which_page_it_is(dist: Path) -> None:
    found = counters(dist)
    assert found["404.html"] is None
    assert found["index.html"] == {"endpoint": "/api/events", "page": "hub", "council": "", "campaign": "",
                                   "role": "", "pixel": "/api/events.gif?page=hub"}  # fmt: skip
    assert found["dudley/index.html"]["page"] == "council"  # type: ignore[index]
    role = found["dudley/come-back-to-care/roles/social-worker-adults/index.html"]
    assert role is not None and (role["page"], role["council"], role["campaign"], role["role"]) == (
        "role", "dudley", "come-back-to-care", "social-worker-adults")  # fmt: skip
    pixel = "/api/events.gif?page=role&council=dudley&campaign=come-back-to-care&role=social-worker-adults"
    assert role["pixel"] == pixel
    kinds = {c["page"] for c in found.values() if c}
    assert kinds == {
        "hub",
        "council",
        "landing",
        "roles",
        "role",
        "apply",
        "thanks",
        "join",
        "privacy",
        "accessibility",
    }
    assert sum(c is None for c in found.values()) == len(list(dist.rglob("404.html")))


def test_the_counter_is_under_a_kilobyte_and_keeps_nothing_on_the_device(dist: Path) -> None:
    (script,) = {p.read_bytes() for p in dist.rglob("count.*.js")}
    assert len(gzip.compress(script)) <= 1024
    text = script.decode()
    for storage in ("document.cookie", "localStorage", "sessionStorage", "indexedDB", "caches."):
        assert storage not in text
    assert "globalPrivacyControl" in text and "doNotTrack" in text and "sendBeacon" in text


def test_the_privacy_notice_says_what_is_counted_and_how_to_object(dist: Path) -> None:
    notice = (dist / "dudley" / "come-back-to-care" / "privacy" / "index.html").read_text(encoding="utf-8")
    assert "Counting visits to these pages" in notice and "Nothing is stored on your device" in notice
    assert "Global Privacy Control" in notice and "Data (Use and Access) Act 2025" in notice


def test_analytics_off_for_the_region_or_one_council(tmp_path: Path) -> None:
    off = write_project(
        tmp_path / "region", {**NO_THEME_COPY, "site.toml": "analytics = false\n" + SITE_TOML}
    )
    build(off, off / "dist", today=TODAY)
    assert set(counters(off / "dist").values()) == {None}
    assert not list((off / "dist").rglob("count.*.js"))
    notice = next((off / "dist").rglob("privacy/index.html")).read_text(encoding="utf-8")
    assert "Counting visits" not in notice
    one = write_project(tmp_path / "council", {**NO_THEME_COPY, COUNCIL: COUNCIL_YAML + "analytics: false\n"})
    build(one, one / "dist", today=TODAY)
    found = counters(one / "dist")
    assert found["index.html"] is not None  # the hub still counts
    assert all(v is None for k, v in found.items() if k.startswith("testshire/"))


def test_the_counters_image_may_come_from_a_backend_elsewhere() -> None:
    policy = content_security_policy("https://forms.example.org/api")
    assert "img-src 'self' data: https://forms.example.org" in policy
    assert "connect-src 'self' https://forms.example.org" in policy
