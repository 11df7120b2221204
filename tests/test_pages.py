"""The example region's built pages, parsed as HTML: structure, links, JSON-LD, forms."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from support import (
    EXAMPLE_COUNCILS,
    EXAMPLE_OPEN_CAMPAIGNS,
    EXAMPLE_PAGES,
    ROOT,
    TODAY,
    html_pages,
    is_counter,
    parse,
)

BASE = "https://careers.westmidlands.example/"
COUNCILS = [
    "birmingham",
    "coventry",
    "dudley",
    "herefordshire",
    "sandwell",
    "shropshire",
    "solihull",
    "staffordshire",
    "stoke-on-trent",
    "telford-and-wrekin",
    "walsall",
    "warwickshire",
    "wolverhampton",
    "worcestershire",
]
assert len(COUNCILS) == EXAMPLE_COUNCILS


def page_path(dist: Path, file: Path) -> str:
    """The site path a file is served at: /dudley/ for dudley/index.html."""
    rel = "/" + file.relative_to(dist).as_posix()
    return rel[: -len("index.html")] if rel.endswith("/index.html") else rel


def resolve(dist: Path, from_path: str, link: str) -> Path | None:
    """The file a relative link reaches, or None when it leaves the site (external, mailto)."""
    parts = urlsplit(link)
    if parts.scheme or link.startswith(("#", "//")):
        return None
    base = from_path if from_path.endswith("/") else posixpath.dirname(from_path) + "/"
    target = posixpath.normpath(posixpath.join(base, parts.path)) if parts.path else from_path
    if parts.path.endswith("/") or target.endswith("/") or parts.path == "":
        target = target.rstrip("/") + "/index.html" if not target.endswith(".html") else target
    elif not posixpath.splitext(target)[1]:
        target += "/index.html"
    return dist / target.lstrip("/")


def test_every_council_is_built_with_its_campaigns(dist: Path, example_build) -> None:
    for slug in COUNCILS:
        assert (dist / slug / "index.html").is_file(), slug
    assert example_build.councils == 14
    shared = {"come-back-to-care": 14, "step-up-now": 8, "time-to-care": 6}
    for campaign, at_least in shared.items():
        built = [c for c in COUNCILS if (dist / c / campaign / "index.html").is_file()]
        assert len(built) >= at_least, (campaign, built)


def test_every_page_is_well_formed(dist: Path) -> None:
    pages = html_pages(dist)
    assert len(pages) == EXAMPLE_PAGES
    for file in pages:
        soup = parse(file)
        assert soup.html["lang"] == "en-GB", file
        assert soup.title and soup.title.string.strip(), file
        assert len(soup.find_all("h1")) == 1, file
        main = soup.find("main", id="main-content")
        assert main is not None, file
        skip = soup.find("a", class_="rc-skip-link")
        assert skip["href"] == "#main-content", file
        canonical = soup.find("link", rel="canonical")["href"]
        assert canonical.startswith(BASE), file
        assert soup.find("meta", property="og:title")["content"] == soup.title.string
        assert soup.find("meta", property="og:url")["content"] == canonical
        for img in soup.find_all("img"):
            if not is_counter(img):  # the view counter's image, for browsers without JavaScript
                assert img.get("alt"), (file, img)


def test_every_internal_link_and_asset_resolves(dist: Path) -> None:
    checked = 0
    for file in html_pages(dist):
        path = page_path(dist, file)
        soup = parse(file)
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for el in soup.find_all(tag):
                link = el.get(attr)
                if not link or (tag == "link" and el.get("rel") == ["canonical"]) or is_counter(el):
                    continue
                if file.name == "404.html" and link.startswith("/"):
                    target = dist / link.lstrip("/")  # the 404 page alone links from the root
                    target = target / "index.html" if link.endswith("/") else target
                else:
                    assert not link.startswith("/"), (file, link)  # relative, never root-relative
                    target = resolve(dist, path, link)
                if target is None:
                    continue
                assert target.is_file(), f"{file.relative_to(dist)}: {link} -> {target}"
                checked += 1
    assert checked > 2000


def test_a_council_folder_works_deployed_alone(dist: Path) -> None:
    """No relative link from a council's pages leaves its folder."""
    pages = 0
    for slug in COUNCILS:
        for file in html_pages(dist / slug):
            pages += 1
            path = page_path(dist, file)
            for el in parse(file).find_all(["a", "link", "img", "script"]):
                if is_counter(el):
                    continue
                link = el.get("href") or el.get("src")
                target = resolve(dist, path, link) if link else None
                if target is not None:
                    assert target.is_relative_to(dist / slug), (file, link)
    assert pages == EXAMPLE_PAGES - 2  # all but the hub and the 404 page


def test_brand_colours_reach_each_councils_stylesheet(dist: Path) -> None:
    import yaml

    root = Path(__file__).resolve().parent.parent
    for slug in COUNCILS:
        brand = yaml.safe_load((root / "campaigns" / slug / "council.yaml").read_text())["brand"]
        soup = parse(dist / slug / "index.html")
        href = soup.find("link", rel="stylesheet")["href"]
        assert re.fullmatch(r"_static/site\.[0-9a-f]{10}\.css", href), href
        css = (dist / slug / href).read_text()
        assert f"--brand-primary:{brand['primary']}" in css
        assert f"--brand-secondary:{brand['secondary']}" in css


def role_closes(manifest: dict) -> dict[str, str]:
    """Each role page's site path -> the role's closing date, from the manifest."""
    return {
        f"/{f['council']}/{f['campaign']}/roles/{r['slug']}/": r["closes"]
        for f in manifest["forms"]
        for r in f["roles"]
    }


def test_role_pages_carry_job_posting_json_ld(dist: Path, manifest: dict) -> None:
    roles = sorted(dist.glob("*/*/roles/*/index.html"))
    closes = role_closes(manifest)
    assert len(roles) > 40
    expired = 0
    for file in roles:
        soup = parse(file)
        script = soup.find("script", type="application/ld+json")
        if closes[page_path(dist, file)] < TODAY.isoformat():  # Google: remove expired postings
            assert script is None, file
            expired += 1
            continue
        data = json.loads(script.string)
        assert data["@context"] == "https://schema.org/"
        assert data["@type"] == "JobPosting"
        for key in (
            "title",
            "description",
            "datePosted",
            "validThrough",
            "employmentType",
            "hiringOrganization",
            "jobLocation",
            "baseSalary",
            "directApply",
        ):
            assert key in data, (file, key)
        assert data["title"] == soup.h1.get_text(strip=True)
        assert data["directApply"] is True
        assert data["employmentType"] in {
            "FULL_TIME",
            "PART_TIME",
            "TEMPORARY",
            "CONTRACTOR",
            "INTERN",
            "VOLUNTEER",
            "PER_DIEM",
            "OTHER",
        }
        address = data["jobLocation"]["address"]
        assert address["addressCountry"] == "GB"
        assert address["postalCode"] in soup.find("dl").get_text()
        salary = data["baseSalary"]
        assert salary["currency"] == "GBP"
        assert salary["value"]["unitText"] in {"YEAR", "HOUR", "DAY", "WEEK", "MONTH"}
        assert data["datePosted"] <= data["validThrough"][:10]
        assert data["hiringOrganization"]["logo"].startswith(BASE)
        assert "<p>" in data["description"]
        assert data["url"] == soup.find("link", rel="canonical")["href"]
    assert 0 < expired < len(roles)


def _answer_names(form) -> set[str]:
    """The answers a form sends: not the honeypot, nor where the visit came from (the counter's)."""
    names = {el["name"] for el in form.find_all(["input", "select", "textarea"])
             if el.get("name") and not el.has_attr("data-rc-source")}  # fmt: skip
    return names - {"website"}


def test_apply_forms_match_the_manifest(dist: Path, manifest: dict) -> None:
    forms = {(f["council"], f["campaign"]): f for f in manifest["forms"]}
    open_forms = 0
    for (council, campaign), entry in forms.items():
        soup = parse(dist / council / campaign / "apply" / "index.html")
        form = soup.find("form", attrs={"data-apply-form": True})
        if entry["closes"] < TODAY.isoformat():
            assert form is None
            continue
        open_forms += 1
        assert form.has_attr("novalidate")
        assert form["method"] == "post"
        assert form["action"] == entry["action"] == f"/api/apply/{council}/{campaign}"
        expected = set()
        for field in entry["fields"]:
            if field["type"] == "date":
                expected |= {f"{field['id']}-day", f"{field['id']}-month", f"{field['id']}-year"}
            else:
                expected.add(field["id"])
        assert _answer_names(form) == expected, (council, campaign)
        if any(f["type"] == "file" for f in entry["fields"]):
            assert form["enctype"] == "multipart/form-data"
        for field in entry["fields"]:
            group = form.find(attrs={"data-field": field["id"]})
            assert group is not None, field["id"]
            if field["type"] in ("radios", "checkboxes", "consent", "date"):
                question = group.find("legend").get_text(" ", strip=True)
            else:
                question = form.find("label", attrs={"for": field["id"]}).get_text(" ", strip=True)
            if field["type"] != "consent":
                assert question.startswith(field["label"]), (question, field["label"])
                assert question.endswith("(optional)") == (not field["required"]), question
            for rule, message in field["messages"].items():
                assert group[f"data-msg-{rule.replace('_', '-')}"] == message
        # every input has a label
        for el in form.find_all(["input", "select", "textarea"]):
            if el.get("type") == "hidden" or el.get("name") == "website":
                continue
            assert form.find("label", attrs={"for": el["id"]}), el
    assert open_forms >= 25


def test_the_privacy_consent_is_described_by_its_hint(dist: Path, manifest: dict) -> None:
    forms = 0
    for entry in manifest["forms"]:
        if entry["closes"] < TODAY.isoformat() or entry["opens"] > TODAY.isoformat():
            continue
        forms += 1
        soup = parse(dist / entry["council"] / entry["campaign"] / "apply" / "index.html")
        fieldset = soup.find(attrs={"data-field": "privacy_consent"}).find("fieldset")
        hint = fieldset.find(class_="rc-hint")
        assert hint.find("a", string="privacy notice")
        assert fieldset["aria-describedby"].split() == [hint["id"]], entry["form_path"]
    assert forms == EXAMPLE_OPEN_CAMPAIGNS


def test_standard_questions_use_autocomplete_tokens(dist: Path) -> None:
    soup = parse(dist / "wolverhampton" / "come-back-to-care" / "apply" / "index.html")
    tokens = {"full_name": "name", "email": "email", "phone": "tel", "postcode": "postal-code"}
    for field, token in tokens.items():
        el = soup.find(id=field)
        assert el["autocomplete"] == token
    assert soup.find(id="email")["type"] == "email"
    assert soup.find(id="phone")["type"] == "tel"
    summary = soup.find(attrs={"data-error-summary": True})
    assert summary.has_attr("hidden") and summary.find(attrs={"role": "alert"})


def test_a_closed_campaign_says_so_and_shows_no_form(dist: Path, manifest: dict) -> None:
    closed = [f for f in manifest["forms"] if f["closes"] < TODAY.isoformat()]
    assert closed, "the example should include a closed campaign"
    for entry in closed:
        base = dist / entry["council"] / entry["campaign"]
        landing = parse(base / "index.html")
        assert "This campaign has closed" in landing.get_text()
        assert landing.find("a", string=re.compile("Apply now")) is None
        apply = parse(base / "apply" / "index.html")
        assert apply.find("form") is None
        assert "This campaign has closed" in apply.get_text()
        hub = parse(dist / "index.html")
        live = hub.find("h2", string="Taking applications now").find_next("ul")
        assert entry["title"] not in live.get_text()


def test_hub_lists_every_council(dist: Path) -> None:
    hub = parse(dist / "index.html")
    links = {a["href"] for a in hub.find_all("a")}
    for slug in COUNCILS:
        assert f"{slug}/" in links


def test_sitemap_robots_and_404(dist: Path) -> None:
    tree = ET.parse(dist / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)]
    assert f"{BASE}wolverhampton/come-back-to-care/" in urls
    assert all(u.startswith(BASE) for u in urls)
    assert not any("/thanks/" in u or u.endswith("404.html") for u in urls)
    assert len(urls) == len(set(urls))
    robots = (dist / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    missing = parse(dist / "404.html")
    assert missing.h1.get_text() == "Page not found"
    assert missing.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_thanks_pages_are_not_indexed(dist: Path) -> None:
    soup = parse(dist / "wolverhampton" / "come-back-to-care" / "apply" / "thanks" / "index.html")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert soup.find(attrs={"data-reference": True}) is not None


def test_privacy_notice_and_accessibility_statement(dist: Path) -> None:
    privacy = parse(dist / "dudley" / "come-back-to-care" / "privacy" / "index.html").get_text(" ")
    assert "Dudley" in privacy and "data controller" in privacy
    assert "Data Protection Officer" in privacy and "dpo@dudley.example" in privacy
    assert "Article 6(1)(b)" in privacy and "365 days" in privacy
    assert "Information Commissioner" in privacy
    statement = parse(dist / "dudley" / "come-back-to-care" / "accessibility" / "index.html")
    text = statement.get_text(" ")
    for heading in (
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Preparation of this accessibility statement",
    ):
        assert statement.find(["h2", "h3"], string=heading), heading
    assert "WCAG" in text or "Web Content Accessibility Guidelines" in text


@pytest.mark.parametrize("kind", ["og:image", "twitter:image"])
def test_campaign_pages_have_share_images(dist: Path, kind: str) -> None:
    soup = parse(dist / "wolverhampton" / "come-back-to-care" / "index.html")
    attr = "property" if kind.startswith("og") else "name"
    image = soup.find("meta", attrs={attr: kind})["content"]
    assert image.startswith(BASE + "wolverhampton/_assets/")
    assert (dist / image.removeprefix(BASE)).is_file()  # the URL names a built file


def test_no_page_contains_unsanitised_markup(dist: Path) -> None:
    pages = html_pages(dist)
    assert len(pages) == EXAMPLE_PAGES
    for file in pages:
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", file
        for el in soup.find_all(True):
            assert not any(a.startswith("on") for a in el.attrs), (file, el.name)


@pytest.fixture(scope="module")
def birmingham_in_february(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Birmingham built on 1 February 2027: come-back-to-care is open, but its hospital discharge
    social worker closed on 15 January."""
    from generator.build import build

    out = tmp_path_factory.mktemp("february") / "dist"
    build(ROOT, out, only="birmingham", today=dt.date(2027, 2, 1))
    return out


def test_a_role_past_its_closing_date_is_not_offered(birmingham_in_february: Path) -> None:
    dist = birmingham_in_february
    base = dist / "birmingham" / "come-back-to-care"
    slug, title = "social-worker-hospital-discharge", "Social Worker, Hospital Discharge Team"
    role = parse(base / "roles" / slug / "index.html")
    assert role.h1.get_text() == title
    assert "This role closed on 15 January 2027" in role.main.get_text(" ", strip=True)
    assert role.find("script", type="application/ld+json") is None
    assert role.find("a", string="Apply for this role") is None
    apply = parse(base / "apply" / "index.html")
    form = apply.find("form", attrs={"data-apply-form": True})
    assert form is not None  # the campaign is still open
    offered = {el["value"] for el in form.find_all(attrs={"name": "role"}) if el.get("value")}
    assert slug not in offered and "senior-practitioner-north" in offered
    assert title not in form.get_text()
    manifest = json.loads((dist / "_forms" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["forms"] if f["form_path"] == "/birmingham/come-back-to-care/apply/")
    options = {o["value"] for f in entry["fields"] if f["id"] == "role" for o in f["options"]}
    assert slug not in options and offered == options
    for page in (base / "roles" / "index.html", base / "index.html"):
        heading = parse(page).find("a", string=title).parent
        card = heading.find_parent(class_="rc-card")
        assert card.find(class_="rc-tag--closed").get_text() == "Closed", page
    open_role = parse(base / "roles" / "senior-practitioner-north" / "index.html")
    assert open_role.find("script", type="application/ld+json") is not None
