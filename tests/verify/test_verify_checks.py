"""verify's checks that need no browser: links, JSON-LD, open/closed, answers, headers, report."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support import EXAMPLE_CAMPAIGNS, EXAMPLE_PAGES, EXAMPLE_SITES, TODAY, html_pages

from generator.verify import checks
from generator.verify.answers import CannotAnswer, matching, valid_answers
from generator.verify.model import FAIL, NA, PASS, CheckResult, Finding, Shot, Site, SiteResult, empty_checks
from generator.verify.report import render_html, render_junit
from generator.verify.runner import Env, Outcome, static_checks
from generator.verify.server import Backend, headers_for, parse_headers_file
from generator.verify.sites import NoSites, discover, for_local_backend, public_bases, read_manifest

BASES = [("https://careers.example/", "/")]


def check_page(dist: Path, page: str, html: str) -> tuple[CheckResult, dict[str, list[str]]]:
    result, external = CheckResult("links"), {}
    checks.LinkChecker(dist, BASES, "/api").check(page, checks.parse(html), result, external)
    return result, external


@pytest.fixture
def tiny_dist(tmp_path: Path) -> Path:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1><h2 id="roles">R</h2>', encoding="utf-8")
    (tmp_path / "a" / "b" / "index.html").write_text("<p>B</p>", encoding="utf-8")
    (tmp_path / "a" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    return tmp_path


def test_links_that_resolve_pass_and_external_ones_are_listed(tiny_dist: Path) -> None:
    html = """
      <link rel="stylesheet" href="logo.svg"><a href="b/">B</a><a href="./#roles">roles</a>
      <a href="#top">top</a><a href="https://careers.example/a/b/">canonical</a>
      <img src="logo.svg" alt="" srcset="logo.svg 2x"><a href="https://www.gov.uk/">gov</a>
      <a href="mailto:x@example.com">mail</a><form action="/api/apply/a/b">
      <h1 id="top">A</h1><h2 id="roles">R</h2>"""
    result, external = check_page(tiny_dist, "/a/", html)
    assert result.status == PASS, [f.message for f in result.findings]
    assert sorted(external) == ["https://www.gov.uk/", "mailto:x@example.com"]


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ('<a href="c/">C</a>', "points to a page that does not exist: c/ (→ /a/c/)"),
        ('<img src="missing.png" alt="x">', "points to an asset that does not exist: missing.png"),
        ('<a href="b/#nowhere">x</a>', "points to #nowhere, which is not on /a/b/"),
        ('<a href="#nowhere">x</a>', "points to #nowhere, which is not on /a/"),
        ('<a href="javascript:void(0)">x</a>', "a javascript: link does nothing without JavaScript"),
        ('<a href="/api/apply/a/b">x</a>', "links to the form backend"),
        ('<form action="../b/" method="post"></form>', "posts to ../b/, which is not the form backend"),
        (
            '<meta property="og:image" content="https://careers.example/a/gone.png">',
            "an asset that does not exist",
        ),
        ('<a href="../../../etc/passwd">x</a>', "a page that does not exist"),
    ],
)
def test_a_broken_link_is_named_with_its_tag_and_line(tiny_dist: Path, html: str, message: str) -> None:
    result, _ = check_page(tiny_dist, "/a/", html)
    assert result.status == FAIL
    assert message in result.findings[0].message
    assert re.match(r"<\w+> on line \d+", result.findings[0].message)


def test_every_example_site_passes_the_checks_that_need_no_browser(dist: Path, manifest: dict) -> None:
    """Links, open/closed state and JSON-LD over the whole example region (the browser runs elsewhere)."""
    sites = discover(dist, manifest, TODAY)
    assert len(sites) == 1 + len(manifest["councils"]) + len(manifest["forms"]) == EXAMPLE_SITES
    assert sum(len(s.pages) for s in sites) == len(html_pages(dist)) == EXAMPLE_PAGES
    env = Env(dist, "http://127.0.0.1:1", dist, "", manifest, Backend(None, "none"), TODAY)
    for site in sites:
        found = empty_checks(site)
        static_checks(env, site, found, {})
        failures = [f.line() for c in found.values() for f in c.findings]
        assert failures == [], site.id
    roles = sum(len(f["roles"]) for f in manifest["forms"])
    assert roles > 50


def test_the_closed_campaign_is_found_closed_and_offers_no_form(dist: Path, manifest: dict) -> None:
    (site,) = discover(dist, manifest, TODAY, "shropshire/winter-support-2025")
    assert site.status == "closed" and not site.applies
    found = empty_checks(site)
    assert {k for k, c in found.items() if c.status == NA} == {
        "form-js",
        "form-nojs",
        "form-errors",
        "keyboard",
    }
    apply_page = checks.parse(
        (dist / "shropshire/winter-support-2025/apply/index.html").read_text(encoding="utf-8")
    )
    assert checks.form_state("/shropshire/winter-support-2025/apply/", apply_page, "closed", "/api/x") == []
    # the same page would be wrong for an open campaign, and an open campaign's form on a closed one
    assert checks.form_state("/x/apply/", apply_page, "open", "/api/x") == [
        "an open campaign's apply page has 0 application forms, not 1"
    ]
    open_page = checks.parse((dist / "shropshire/time-to-care/apply/index.html").read_text(encoding="utf-8"))
    problems = checks.form_state("/shropshire/time-to-care/apply/", open_page, "closed", "/api/x")
    assert any("the campaign is closed but the page shows an application form" in p for p in problems)


def test_the_talent_bank_form_is_not_an_application_form(dist: Path) -> None:
    """A closed campaign still offers the talent bank's own form: verify must not count it."""
    path = "/shropshire/time-to-care/talent-bank/"
    page = checks.parse((dist / path.lstrip("/") / "index.html").read_text(encoding="utf-8"))
    (form,) = page.find_all("form")
    assert checks.form_state(path, page, "closed", "/api/x") == []
    posted = form.attrs["action"]
    assert posted == "/api/bank/join/shropshire/time-to-care"
    # the same form posting anywhere else would be an application form on a closed campaign
    elsewhere = checks.parse(
        (dist / path.lstrip("/") / "index.html").read_text(encoding="utf-8").replace(posted, "/api/x")
    )
    line = next(elsewhere.find_all("form")).line
    assert checks.form_state(path, elsewhere, "closed", "/api/x") == [
        f"the campaign is closed but the page shows an application form (line {line})"
    ]


def test_json_ld_must_match_the_role_page(dist: Path) -> None:
    page = dist / "dudley/come-back-to-care/roles/occupational-therapist/index.html"
    html = page.read_text(encoding="utf-8")
    assert checks.job_posting(checks.parse(html), "Dudley Metropolitan Borough Council") == []
    tampered = html.replace('"title":"Occupational Therapist"', '"title":"Occupational Therapist (Band 6)"')
    assert tampered != html
    assert checks.job_posting(checks.parse(tampered), "Dudley Metropolitan Borough Council") == [
        "JSON-LD title 'Occupational Therapist (Band 6)' is not the page's heading 'Occupational Therapist'"
    ]
    broken = re.sub(r'"validThrough":"[^"]+",', '"validThrough":"2099-01-01T23:59:59+00:00",', html)
    assert "JSON-LD validThrough is 1 January 2099" in checks.job_posting(checks.parse(broken))[0]
    unparsable = html.replace('"@type":"JobPosting",', '"@type":"JobPosting"')
    assert unparsable != html
    assert checks.job_posting(checks.parse(unparsable))[0].startswith("the JSON-LD does not parse")
    doc = checks.parse(html)
    closes = dt.datetime.strptime(checks._summary_rows(doc)["closing date"], "%d %B %Y").date()
    assert not checks.role_closed(doc, closes) and checks.role_closed(doc, closes + dt.timedelta(days=1))
    assert checks.job_posting(doc, closed=True) == [
        "the role has closed, but its page still offers a JobPosting to search engines"
    ]
    without = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    assert checks.job_posting(checks.parse(without), closed=True) == []
    assert checks.job_posting(checks.parse(without)) == ["a role page needs one JSON-LD script, found 0"]


def test_valid_answers_pass_every_example_forms_rules(manifest: dict) -> None:
    assert len(manifest["forms"]) == EXAMPLE_CAMPAIGNS
    for form in manifest["forms"]:
        answers = valid_answers(form["fields"], "test", TODAY)
        for field in form["fields"]:
            value = answers[field["id"]]
            if field["required"]:
                assert value not in (None, "", [], False), (form["campaign"], field["id"])
            if field.get("pattern") and value:
                assert re.fullmatch(field["pattern"], value)
            if field.get("options") and value:
                chosen = value if isinstance(value, list) else [value]
                assert set(chosen) <= {o["value"] for o in field["options"]}


@pytest.mark.parametrize(
    "pattern", [r"^[A-Z]{2}\d{6}$", r"(HCPC|NMC)-[0-9]{4,8}", r"[^@\s]+@nhs\.net", r"\w+ \w+", r"[^a-z]{3}"]
)
def test_a_campaign_pattern_gets_an_answer_that_matches(pattern: str) -> None:
    assert re.fullmatch(pattern, matching(pattern))


def test_a_pattern_verify_cannot_satisfy_says_so() -> None:
    with pytest.raises(CannotAnswer, match="back-references"):
        matching(r"(a)\1")


def test_sites_follow_only_and_say_when_nothing_matches(dist: Path, manifest: dict) -> None:
    ids = [s.id for s in discover(dist, manifest, TODAY, "shropshire")]
    assert ids == [
        "shropshire",
        "shropshire/come-back-to-care",
        "shropshire/time-to-care",
        "shropshire/winter-support-2025",
    ]
    assert [s.id for s in discover(dist, manifest, TODAY, "dudley/step-up-now")] == ["dudley/step-up-now"]
    with pytest.raises(NoSites, match="no site matches --only narnia: use COUNCIL or COUNCIL/CAMPAIGN"):
        discover(dist, manifest, TODAY, "narnia")
    later = discover(dist, manifest, dt.date(2027, 12, 1), "dudley")
    assert {s.status for s in later if s.kind == "campaign"} == {"closed"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            '{"format": "recruit-forms", "version": 99}',
            "version 99, where this recruit reads 'recruit-forms' version 1",
        ),
        ('{"forms": []}', "format None version None"),
        ("[1, 2]", "format None version None"),
        ('{"format": "recruit-forms",', "is not valid JSON"),
    ],
)
def test_verify_reads_only_a_manifest_this_recruit_writes(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "_forms").mkdir()
    (tmp_path / "_forms" / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(NoSites, match=re.escape(says)) as raised:
        read_manifest(tmp_path)
    assert "rebuild with `recruit build`" in str(raised.value)


def test_the_backend_sees_a_manifest_for_the_local_server(manifest: dict) -> None:
    local = for_local_backend(manifest, "http://127.0.0.1:4321/")
    assert "http://127.0.0.1:4321" in local["origins"]
    form = local["forms"][0]
    assert form["thanks_url"] == "http://127.0.0.1:4321" + form["thanks_path"]
    assert manifest["forms"][0]["thanks_url"].startswith(manifest["region"]["base_url"])  # not changed
    assert public_bases(manifest)[-1] == (manifest["region"]["base_url"], "/")


def test_the_build_writes_security_headers_the_pages_can_live_with(dist: Path) -> None:
    rules = parse_headers_file((dist / "_headers").read_text(encoding="utf-8"))
    headers = dict(headers_for(rules, "/dudley/come-back-to-care/apply/"))
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    for name in ("Referrer-Policy", "Permissions-Policy", "X-Content-Type-Options"):
        assert headers[name]
    # nothing on any page needs what that policy forbids: no inline script, style or handler
    pages = html_pages(dist)
    assert len(pages) == EXAMPLE_PAGES
    for page in pages:
        doc = checks.parse(page.read_text(encoding="utf-8"))
        for node in doc.iter():
            assert "style" not in node.attrs and not any(a.startswith("on") for a in node.attrs), page
            if node.tag == "script":
                assert node.attrs.get("src") or node.attrs.get("type") == "application/ld+json", page
        assert doc.find("style") is None, page


def test_the_report_shows_each_check_with_axe_findings_and_thumbnails(tmp_path: Path) -> None:
    site = Site("testshire/jobs", "campaign", "Jobs", ["/testshire/jobs/"], status="open")
    found = empty_checks(site)
    found["axe-mobile"].fail(
        Finding(
            "axe-mobile",
            "image-alt: Images must have alternative text (1 element)",
            "/testshire/jobs/",
            "mobile",
            rule="image-alt",
            impact="critical",
            help_url="https://dequeuniversity.com/rules/axe/4.10/image-alt",
            selectors=["main > img:nth-child(1)"],
        )
    )
    shot = Shot(
        "/testshire/jobs/",
        "mobile",
        "screenshots/testshire__jobs/index.mobile.jpg",
        "data:image/jpeg;base64,AA==",
    )
    result = SiteResult(site, found, [shot], {"https://www.gov.uk/": ["/testshire/jobs/"]}, 1.5)
    outcome = Outcome([result], 2.0, 1, "test", tmp_path / "index.html", tmp_path / "junit.xml")
    html = render_html(outcome)
    assert "recruit verify: 1 of 1 sites failed" in html
    assert 'href="https://dequeuniversity.com/rules/axe/4.10/image-alt"' in html
    assert "<code>main &gt; img:nth-child(1)</code>" in html
    assert (
        'href="screenshots/testshire__jobs/index.mobile.jpg"' in html
        and "data:image/jpeg;base64,AA==" in html
    )
    assert "https://www.gov.uk/" in html
    suites = ET.fromstring(render_junit(outcome))
    assert (suites.get("tests"), suites.get("failures")) == ("11", "1")
    failure = suites.find(".//testcase[@name='axe mobile']/failure")
    assert failure is not None and "image-alt" in failure.get("message", "")
    assert json.dumps(found["pages"].status) == '"pass"'


def test_the_verify_server_sends_the_hosts_headers_with_pages_not_with_the_backend(dist: Path) -> None:
    from urllib.error import HTTPError
    from urllib.request import urlopen

    from generator.serve import static_app
    from generator.verify.server import HostHeaders, Server

    rules = parse_headers_file((dist / "_headers").read_text(encoding="utf-8"))
    with Server(HostHeaders(static_app(dist), rules)) as server:
        with urlopen(server.url + "/dudley/") as page:
            assert page.status == 200
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["x-content-type-options"] == "nosniff"
        with pytest.raises(HTTPError) as missing:
            urlopen(server.url + "/api/health")
        assert "content-security-policy" not in missing.value.headers
        missing.value.close()


def test_chromium_is_launched_as_playwright_launches_it_unless_the_backend_is_elsewhere() -> None:
    from generator.verify.runner import launch_options

    assert launch_options("/api") == {}
    args = launch_options("https://forms.example/api")["args"]
    (features,) = [a for a in args if a.startswith("--disable-features")]
    assert "LocalNetworkAccessChecks" in features and "HttpsUpgrades" in features


def test_links_from_the_root_of_a_project_site_resolve_inside_dist() -> None:
    manifest = {"region": {"base_url": "https://owner.github.io/repo/"}, "forms": []}
    bases = public_bases(manifest)
    found = checks.resolve("/repo/_static/site.css", "/404.html", bases, "/api")
    assert (found.kind, found.path) == ("internal", "/_static/site.css")
    assert checks.resolve("/repo/", "/404.html", bases, "/api").path == "/"
    assert checks.resolve("https://owner.github.io/repo/dudley/", "/", bases, "/api").path == "/dudley/"
    assert checks.resolve("https://owner.github.io/other/", "/", bases, "/api").kind == "external"
