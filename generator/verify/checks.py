"""Checks that need no browser: links and assets against dist/, open/closed state, JSON-LD.

Pure functions over page text and the file tree, so each is tested on a string (read with the
small DOM in dom.py).
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from ..opening import role_closed as _role_closed
from .dom import Node, ids, parse
from .model import CheckResult, Finding

# ---------------------------------------------------------------------------------------------
# Links and assets

LINK_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "form": ("action",),
}
META_URLS = {"og:image", "og:url", "twitter:image"}
CONTACT = ("mailto:", "tel:", "sms:")


@dataclass
class Link:
    url: str
    kind: str  # "link", "asset", "form", "meta"
    tag: str
    line: int


def links(doc: Node) -> list[Link]:
    """Every URL a page links to or loads, with what kind of reference it is."""
    found: list[Link] = []
    for node in doc.iter():
        for attr in LINK_ATTRS.get(node.tag, ()):
            value = node.attrs.get(attr)
            if value is None:
                continue
            if attr == "srcset":
                urls = [part.strip().split()[0] for part in value.split(",") if part.strip()]
            else:
                urls = [value.strip()]
            if node.tag in ("a", "area") or (node.tag == "link" and "canonical" in node.attrs.get("rel", "")):
                kind = "link"
            elif node.tag == "form":
                kind = "form"
            else:
                kind = "asset"
            found += [Link(u, kind, node.tag, node.line) for u in urls]
        if node.tag == "meta" and node.attrs.get("property", node.attrs.get("name")) in META_URLS:
            found.append(Link(node.attrs.get("content", ""), "meta", "meta", node.line))
        if "data-thanks" in node.attrs:
            found.append(Link(node.attrs["data-thanks"], "link", node.tag, node.line))
    return found


@dataclass
class Resolved:
    kind: str  # "internal", "external", "contact", "backend", "broken"
    path: str = ""  # site path of an internal target
    fragment: str = ""
    problem: str = ""


def resolve(url: str, page: str, bases: list[tuple[str, str]], backend: str) -> Resolved:
    """Where a URL on `page` (a site path) goes: a file of the site, the backend, or elsewhere."""
    if url.lower().startswith(CONTACT):
        return Resolved("contact")
    if url.lower().startswith("javascript:"):
        return Resolved("broken", problem="a javascript: link does nothing without JavaScript")
    if url.startswith("data:"):
        return Resolved("internal", path="")
    if url == "":
        return Resolved("broken", problem="an empty link")
    absolute = urljoin("http://site.invalid" + page, url)
    for public, prefix in bases:
        if public.startswith("/"):  # a path on this host
            public = "http://site.invalid" + public
        if absolute.startswith(public) or absolute + "/" == public:
            absolute = "http://site.invalid" + prefix + absolute[len(public) :]
            break
    parts = urlsplit(absolute)
    if parts.netloc != "site.invalid":
        backend_abs = backend if "://" in backend else ""
        if backend_abs and absolute.startswith(backend_abs.rstrip("/")):
            return Resolved("backend")
        return Resolved("external")
    path = unquote(parts.path) or "/"
    if backend and "://" not in backend and (path + "/").startswith(backend.rstrip("/") + "/"):
        return Resolved("backend", path=path)
    normal = posixpath.normpath(path)
    if path.endswith("/") and normal != "/":
        normal += "/"
    return Resolved("internal", path=normal, fragment=parts.fragment)


def target_file(dist: Path, path: str) -> Path | None:
    """The file a static host serves for a site path, or None (no index.html for a bare folder)."""
    rel = path.lstrip("/")
    candidate = dist / rel / "index.html" if path.endswith("/") else dist / rel
    try:
        candidate.resolve().relative_to(dist.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


class LinkChecker:
    """Checks every page's links against dist/, parsing each target page once for its ids."""

    def __init__(self, dist: Path, bases: list[tuple[str, str]], backend: str) -> None:
        self.dist, self.bases, self.backend = dist, bases, backend
        self._ids: dict[Path, set[str]] = {}

    def ids_of(self, file: Path) -> set[str]:
        if file not in self._ids:
            self._ids[file] = ids(parse(file.read_text(encoding="utf-8", errors="replace")))
        return self._ids[file]

    def check(self, page: str, doc: Node, result: CheckResult, external: dict[str, list[str]]) -> int:
        """Add a finding per broken link on `page`; returns how many references were checked."""
        count = 0
        own = ids(doc)
        for link in links(doc):
            count += 1
            where = f"<{link.tag}> on line {link.line}"
            r = resolve(link.url, page, self.bases, self.backend)
            if r.kind in ("external", "contact"):
                external.setdefault(link.url, [])
                if page not in external[link.url]:
                    external[link.url].append(page)
                continue
            if r.kind == "backend":
                counter = link.tag == "img" and urlsplit(link.url).path.endswith("/events.gif")
                if link.kind != "form" and not counter:  # the view counter's image goes there too
                    result.fail(Finding("links", f"{where} links to the form backend: {link.url}", page))
                continue
            if r.kind == "broken":
                result.fail(Finding("links", f"{where}: {r.problem} ({link.url!r})", page))
                continue
            if not r.path:  # data: URL or a bare fragment handled below
                continue
            if link.kind == "form":
                result.fail(
                    Finding("links", f"{where} posts to {link.url}, which is not the form backend", page)
                )
                continue
            file = target_file(self.dist, r.path)
            if file is None:
                what = "an asset" if link.kind in ("asset", "meta") else "a page"
                result.fail(
                    Finding(
                        "links",
                        f"{where} points to {what} that does not exist: {link.url} (→ {r.path})",
                        page,
                    )
                )
                continue
            if r.fragment and file.suffix == ".html":
                same = r.path == page or (page.endswith("/") and r.path == page)
                known = own if same else self.ids_of(file)
                if unquote(r.fragment) not in known:
                    result.fail(
                        Finding("links", f"{where} points to #{r.fragment}, which is not on {r.path}", page)
                    )
        return count


# ---------------------------------------------------------------------------------------------
# Open or closed: a closed campaign shows no form; an open one posts to the backend.


def form_state(page: str, doc: Node, site_status: str, action: str) -> list[str]:
    """Problems with whether `page` offers the application form."""
    problems = []
    forms = list(doc.find_all("form"))
    # Not application forms: the thank-you page's one-question survey (posting to /ratings), and
    # the talent bank's own form (to /bank/join/...), which a closed campaign still offers.
    apply_forms = [
        f
        for f in forms
        if "/bank/join/" not in f.attrs.get("action", "")
        and (
            "data-apply-form" in f.attrs
            or (
                f.attrs.get("method", "").lower() == "post"
                and not f.attrs.get("action", "").endswith("/ratings")
            )
        )
    ]
    is_apply = page.rstrip("/").endswith("/apply")
    if site_status != "open":
        for form in apply_forms:
            problems.append(
                f"the campaign is {site_status} but the page shows an application form (line {form.line})"
            )
        for script in doc.find_all("script"):
            if "apply." in script.attrs.get("src", "") and is_apply:
                problems.append(f"the campaign is {site_status} but its apply page loads the form script")
        if is_apply and not re.search(r"closed|open on|opens", doc.text(), re.I):
            problems.append(f"the campaign is {site_status} but its apply page does not say so")
    elif is_apply:
        if len(apply_forms) != 1:
            problems.append(f"an open campaign's apply page has {len(apply_forms)} application forms, not 1")
        for form in apply_forms:
            if form.attrs.get("action") != action:
                problems.append(f"the form posts to {form.attrs.get('action')!r}, not {action!r}")
            if form.attrs.get("method", "get").lower() != "post":
                problems.append("the form does not use method=post")
            if not any(b.attrs.get("type", "submit") == "submit" for b in form.iter("button")):
                problems.append("the form has no submit button")
    return problems


# ---------------------------------------------------------------------------------------------
# A role page's JobPosting JSON-LD against what the page says.

EMPLOYMENT_WORDS = {
    "FULL_TIME": "full time",
    "PART_TIME": "part time",
    "TEMPORARY": "temporary",
    "CONTRACTOR": "contract",
    "INTERN": "internship",
    "VOLUNTEER": "volunteer",
    "PER_DIEM": "paid by the day",
    "OTHER": "other",
}


def _summary_rows(doc: Node) -> dict[str, str]:
    rows = {}
    for dl in doc.find_all("dl"):
        for dt_node in dl.iter("dt"):
            rows.setdefault(dt_node.text().lower(), "")
        terms = list(dl.iter("dt"))
        values = list(dl.iter("dd"))
        for term, value in zip(terms, values, strict=False):
            rows[term.text().lower()] = value.text()
    return rows


def _money(value: Any) -> list[str]:
    number = float(value)
    forms = [f"{number:,.2f}"]
    if number.is_integer():
        forms.append(f"{int(number):,}")
    return forms


def role_closed(doc: Node, today: dt.date) -> bool:
    """Has the role's own closing date (the page's "Closing date" row) passed?"""
    shown = _summary_rows(doc).get("closing date", "")
    try:
        closes = dt.datetime.strptime(shown.strip(), "%d %B %Y").date()
    except ValueError:
        return False
    return _role_closed(closes, today)


def job_posting(doc: Node, council_name: str | None = None, closed: bool = False) -> list[str]:
    """Problems with a role page's JSON-LD: it must parse and agree with the page.

    A role no longer taking applications (its campaign or its own date closed) must carry none:
    job search engines ask for expired postings to be taken down.
    """
    scripts = [s for s in doc.find_all("script") if s.attrs.get("type") == "application/ld+json"]
    if closed:
        if scripts:
            return ["the role has closed, but its page still offers a JobPosting to search engines"]
        return []
    if len(scripts) != 1:
        return [f"a role page needs one JSON-LD script, found {len(scripts)}"]
    try:
        data = json.loads(scripts[0].raw())
    except ValueError as exc:
        return [f"the JSON-LD does not parse: {exc}"]
    if not isinstance(data, dict) or data.get("@type") != "JobPosting":
        return ["the JSON-LD is not a schema.org JobPosting"]
    problems = []
    h1 = doc.find("h1")
    if h1 is None or data.get("title") != h1.text():
        problems.append(
            f"JSON-LD title {data.get('title')!r} is not the page's heading {h1.text() if h1 else None!r}"
        )
    canonical = next(
        (n.attrs.get("href") for n in doc.find_all("link") if n.attrs.get("rel") == "canonical"), None
    )
    if data.get("url") != canonical:
        problems.append(f"JSON-LD url {data.get('url')!r} is not the page's canonical URL {canonical!r}")
    rows = _summary_rows(doc)
    try:
        closes = dt.datetime.fromisoformat(str(data.get("validThrough"))).date()
        shown = f"{closes.day} {closes:%B %Y}"
        if rows.get("closing date") != shown:
            problems.append(f"JSON-LD validThrough is {shown}, the page says {rows.get('closing date')!r}")
    except ValueError:
        problems.append(f"JSON-LD validThrough {data.get('validThrough')!r} is not a date")
    try:
        dt.date.fromisoformat(str(data.get("datePosted")))
    except ValueError:
        problems.append(f"JSON-LD datePosted {data.get('datePosted')!r} is not a date")
    organisation = (data.get("hiringOrganization") or {}).get("name")
    employer = rows.get("employer") or council_name
    if not organisation or (employer and organisation != employer):
        problems.append(
            f"JSON-LD hiringOrganization {organisation!r} is not the employer on the page ({employer!r})"
        )
    address = ((data.get("jobLocation") or {}).get("address")) or {}
    postcode = address.get("postalCode")
    if not postcode or postcode not in rows.get("location", ""):
        problems.append(
            f"JSON-LD postalCode {postcode!r} is not in the page's location {rows.get('location')!r}"
        )
    value = ((data.get("baseSalary") or {}).get("value")) or {}
    salary = rows.get("salary", "")
    for key in ("minValue", "maxValue", "value"):
        if key in value and not any(f in salary for f in _money(value[key])):
            problems.append(f"JSON-LD salary {key} {value[key]} is not in the page's salary {salary!r}")
    words = EMPLOYMENT_WORDS.get(str(data.get("employmentType")))
    if words is None or words not in rows.get("hours", "").lower():
        problems.append(
            f"JSON-LD employmentType {data.get('employmentType')!r} does not match "
            f"the page's hours {rows.get('hours')!r}"
        )
    ident = (data.get("identifier") or {}).get("value")
    if ident != (rows.get("reference") or None):
        problems.append(f"JSON-LD identifier {ident!r} is not the page's reference {rows.get('reference')!r}")
    if not str(data.get("description", "")).strip():
        problems.append("JSON-LD description is empty")
    return problems


def is_role_page(page: str) -> bool:
    return bool(re.search(r"/roles/[^/]+/$", page))
