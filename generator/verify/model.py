"""What verify checks and what it found: sites, checks, findings and results (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Every check a site can have, in report order: (key, column title, what it proves).
CHECKS: list[tuple[str, str, str]] = [
    (
        "pages",
        "Pages load",
        "every page answers 200 with no console error, no failed request, nothing off 127.0.0.1",
    ),
    (
        "links",
        "Links",
        "every internal link and asset resolves to a file; external links listed, not fetched",
    ),
    ("axe-desktop", "axe desktop", "axe-core finds no WCAG 2.2 A/AA violation at 1280 px"),
    ("axe-mobile", "axe mobile", "axe-core finds no WCAG 2.2 A/AA violation at 375 px"),
    ("mobile-layout", "No sideways scroll", "no horizontal scroll at 375 px"),
    (
        "form-state",
        "Open/closed",
        "an open campaign shows a form posting to the backend; a closed one shows none",
    ),
    (
        "form-js",
        "Apply (JS)",
        "valid answers reach the thank-you page with a reference, and are in the database",
    ),
    ("form-nojs", "Apply (no JS)", "the same with JavaScript off"),
    (
        "form-errors",
        "Error summary",
        "an invalid submission shows the error summary, focused, each error linked to its field",
    ),
    (
        "keyboard",
        "Keyboard only",
        "the form is completed and sent with the keyboard alone, focus always visible",
    ),
    ("jsonld", "JSON-LD", "each role page's JobPosting JSON-LD parses and matches the page"),
]
CHECK_TITLES = {key: title for key, title, _ in CHECKS}
PASS, FAIL, NA = "pass", "fail", "n/a"


@dataclass
class Site:
    """One row of the report: the region's pages, a council's index, or one campaign's microsite."""

    id: str  # "region", "dudley", "dudley/come-back-to-care"
    kind: str  # "region" | "council" | "campaign"
    title: str
    pages: list[str]  # site paths, e.g. "/dudley/come-back-to-care/roles/"
    form: dict[str, Any] | None = None  # the manifest's entry (campaigns)
    status: str | None = None  # "open" | "closed" | "upcoming" (campaigns)

    @property
    def applies(self) -> bool:
        return self.kind == "campaign" and self.status == "open"


@dataclass
class Finding:
    """One problem, said so that a comms officer can act on it."""

    check: str
    message: str
    page: str | None = None
    viewport: str | None = None
    rule: str | None = None  # axe rule id
    impact: str | None = None
    help_url: str | None = None
    selectors: list[str] = field(default_factory=list)

    def line(self) -> str:
        where = " ".join(x for x in (self.page, f"[{self.viewport}]" if self.viewport else None) if x)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class CheckResult:
    key: str
    status: str = PASS
    note: str = ""  # what passed, e.g. "12 pages" or "reference DUD-7K3Q9XAB"
    findings: list[Finding] = field(default_factory=list)

    def fail(self, finding: Finding) -> None:
        self.status = FAIL
        self.findings.append(finding)


@dataclass
class Shot:
    page: str
    viewport: str  # "desktop" | "mobile" | a form step
    file: str  # relative to the report folder
    thumb: str  # data: URI of a small JPEG


@dataclass
class SiteResult:
    site: Site
    checks: dict[str, CheckResult]
    shots: list[Shot] = field(default_factory=list)
    external: dict[str, list[str]] = field(default_factory=dict)  # URL -> pages linking to it
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.status != FAIL for c in self.checks.values())

    def failures(self) -> list[Finding]:
        return [f for c in self.checks.values() for f in c.findings]


def empty_checks(site: Site) -> dict[str, CheckResult]:
    """Every check, passing until shown otherwise; n/a where it does not apply to this site."""
    not_for_site = set()
    if site.kind != "campaign":
        not_for_site |= {"form-state", "jsonld"}
    if not site.applies:
        not_for_site |= {"form-js", "form-nojs", "form-errors", "keyboard"}
    return {key: CheckResult(key, NA if key in not_for_site else PASS) for key, _, _ in CHECKS}
