"""Page weight as an applicant on a phone notices it: every page paints from one round trip,
pictures reserve their space and come in the size of the screen, and no script blocks the page."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from projects import COUNCIL_YAML, LOGO_SVG, SHARED, write_project
from support import EXAMPLE_PAGES, ROOT, html_pages, is_counter, parse

from generator import images
from generator.build import build
from generator.cache import BuildCache
from generator.verify.server import headers_for, parse_headers_file

if str(ROOT) not in sys.path:  # bench/ sits beside the installed packages, not among them
    sys.path.insert(0, str(ROOT))
from bench.weight import PAGE_TYPES, ROUND_TRIP, gz, heaviest_pages, is_js, page_type, weigh  # noqa: E402

TODAY = dt.date(2026, 6, 1)


def test_every_page_type_paints_from_one_round_trip(dist: Path) -> None:
    """HTML and its stylesheet, gzipped, fit the first 14 KB a server may send before it waits."""
    pages = heaviest_pages(dist)
    assert list(pages) == list(PAGE_TYPES)
    for kind, row in pages.items():
        assert row["css_gzip"] > 0, kind
        assert row["first_render_gzip"] <= ROUND_TRIP, (kind, row)


def test_no_script_blocks_the_first_render(dist: Path) -> None:
    pages = html_pages(dist)
    assert len(pages) == EXAMPLE_PAGES
    for page in pages:
        head = parse(page).head
        scripts = [s for s in head.find_all("script") if is_js(s)]
        blocking = [s for s in scripts if not (s.has_attr("defer") or s.has_attr("async"))]
        assert not blocking, page


def test_every_picture_reserves_its_space(dist: Path) -> None:
    pages = heaviest_pages(dist)
    assert list(pages) == list(PAGE_TYPES)
    pictures = 0
    for row in pages.values():
        name = row["path"].lstrip("/")
        page = parse(dist / (name + "index.html" if name.endswith("/") or not name else name))
        for img in page.find_all("img"):
            if is_counter(img):
                continue
            pictures += 1
            assert img.get("width", "").isdigit() and img.get("height", "").isdigit(), (row["path"], img)
            assert img.get("alt"), img
    assert pictures >= len(PAGE_TYPES) - 2  # a council's logo at least, on all but the hub and 404


def test_the_logo_and_hero_are_fetched_at_once(dist: Path) -> None:
    landing = parse(dist / "dudley" / "come-back-to-care" / "index.html")
    logo = landing.select_one(".rc-header__logo")
    hero = landing.select_one(".rc-hero__image")
    assert logo.get("loading") is None and hero.get("loading") is None
    assert hero["fetchpriority"] == "high"


def test_fingerprinted_files_are_cached_for_a_year_and_pages_are_not(dist: Path) -> None:
    rules = parse_headers_file((dist / "_headers").read_text(encoding="utf-8"))
    css = next((dist / "dudley" / "_static").glob("site.*.css")).name
    for path in (f"/dudley/_static/{css}", "/dudley/_assets/logo.svg", "/_static/site.css"):
        assert dict(headers_for(rules, path))["Cache-Control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/dudley/come-back-to-care/", "/404.html"):
        assert "Cache-Control" not in dict(headers_for(rules, path)), path


def picture(size: tuple[int, int], kind: str, colour: str = "#1d4f91") -> bytes:
    """A camera-like file: it carries EXIF (the camera, say) that resized copies must not keep."""
    exif = Image.Exif()
    exif[0x010F] = "Phone camera"
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind, exif=exif)
    return buffer.getvalue()


STORIES_YAML = dedent(
    """\
    extends: come-back-to-care
    title: Come back to care in Testshire
    stories:
      - name: Amira
        quote: My first day felt like coming home.
        image:
          src: assets/amira.jpg
          alt: Amira at her desk
    """
)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A region whose shared hero is a wide PNG, used by two councils, with a JPEG story picture."""
    root = tmp_path_factory.mktemp("pictures")
    write_project(
        root,
        {
            "themes/default/templates/base.html": None,
            "campaigns/testshire/come-back.yaml": STORIES_YAML,
            "campaigns/otherton/council.yaml": COUNCIL_YAML.replace("Testshire", "Otherton").replace(
                "TST", "OTH"
            ),
            "campaigns/otherton/assets/logo.svg": LOGO_SVG,
            "campaigns/otherton/come-back.yaml": "extends: come-back-to-care\ntitle: Come back to Otherton\n",
        },
    )
    shared = (root / SHARED).read_text(encoding="utf-8").replace("assets/hero.svg", "assets/hero.png")
    (root / SHARED).write_text(shared, encoding="utf-8")
    (root / "campaigns/_shared/assets/hero.png").write_bytes(picture((1600, 900), "PNG"))
    (root / "campaigns/testshire/assets/amira.jpg").write_bytes(picture((700, 500), "JPEG", "#a0522d"))
    return root


def candidates(img: BeautifulSoup) -> list[tuple[str, int]]:
    found = []
    for part in img["srcset"].split(","):
        url, width = part.split()
        found.append((url, int(width.removesuffix("w"))))
    return found


def test_pictures_come_in_the_size_of_the_screen(pictures: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(pictures, out, today=TODAY)
    landing_file = out / "testshire" / "come-back" / "index.html"
    landing = parse(landing_file)
    hero = landing.select_one(".rc-hero__image")
    story = landing.select_one(".rc-story img")
    assert [w for _, w in candidates(hero)] == [480, 960, 1440, 1600]
    assert [w for _, w in candidates(story)] == [480, 700]  # never upscaled
    assert hero.get("loading") is None and story["loading"] == "lazy"
    for img in (hero, story):
        assert img["sizes"] and img["src"] == candidates(img)[-1][0]
        for url, width in candidates(img):
            with Image.open(landing_file.parent / url) as shown:
                assert shown.width == width
                assert shown.height == round(width * int(img["height"]) / int(img["width"]))
                if url != img["src"]:  # the build's copies; the original is published as it is
                    assert not shown.getexif() and "icc_profile" not in shown.info
    preview = landing.find("meta", property="og:image")["content"]  # link previews get the original
    assert preview.endswith("/" + candidates(hero)[-1][0].rsplit("/", 1)[-1])


def test_a_shared_picture_is_resized_once_per_cache_and_the_same_bytes_every_build(
    pictures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls, variants = [], images.variants

    def counted(source: bytes, suffix: str) -> list[tuple[int, int, bytes]]:
        calls.append(suffix)
        return variants(source, suffix)

    monkeypatch.setattr(images, "variants", counted)
    cache = BuildCache()
    build(pictures, tmp_path / "one", today=TODAY, cache=cache)
    assert calls == [".png", ".jpg"]  # the hero once for both councils, the story once
    build(pictures, tmp_path / "two", today=TODAY, cache=cache)
    assert calls == [".png", ".jpg"]  # and not again for the next build with the same cache
    build(pictures, tmp_path / "three", today=TODAY, cache=BuildCache())
    assert calls == [".png", ".jpg"] * 2  # another cache shares nothing with the first
    for council in ("testshire", "otherton"):
        copies = sorted((tmp_path / "one" / council / "_assets").glob("hero-*w.*.png"))
        assert len(copies) == 3
        for copy in copies:
            same = copy.relative_to(tmp_path / "one")
            for other in ("two", "three"):
                assert copy.read_bytes() == (tmp_path / other / same).read_bytes()


def test_variants_are_deterministic_and_carry_no_metadata() -> None:
    source = picture((1000, 500), "JPEG")
    made = images.variants(source, ".jpg")
    assert [(w, h) for w, h, _ in made] == [(480, 240), (960, 480)]
    assert made == images.variants(source, ".jpg")
    assert images.variants(source, ".svg") == []


def test_first_render_counts_what_blocks_painting_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="../s.css">'
        '<link rel="stylesheet" href="../p.css" media="print">'
        '<script src="../sync.js"></script><script src="../late.js" defer></script>'
        '<script type="application/ld+json">{}</script></head><body><main>Hi</main></body></html>',
        encoding="utf-8",
    )
    for name in ("s.css", "p.css", "sync.js", "late.js"):
        (tmp_path / "a" / name).write_text(name * 50, encoding="utf-8")
    row = weigh(tmp_path, tmp_path / "a" / "b" / "index.html")
    assert row["css_gzip"] == gz(("s.css" * 50).encode())  # the print stylesheet waits
    assert row["first_render_gzip"] == row["html_gzip"] + row["css_gzip"] + gz(("sync.js" * 50).encode())
    assert row["js_bytes"] == len("sync.js" * 50) + len("late.js" * 50)
    assert [page_type(p) for p in ("index.html", "x/index.html", "x/y/apply/thanks/index.html")] == [
        "hub",
        "council index",
        "thanks",
    ]
