"""The report: one self-contained HTML page (thumbnails inline, full screenshots alongside) and JUnit XML."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from .model import CHECKS, FAIL, NA, PASS, Finding, SiteResult

if TYPE_CHECKING:
    from .runner import Outcome

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;color:#0b0c0c;margin:0 auto;padding:20px;max-width:1400px}
h1{margin:0 0 10px}.verdict-pass{color:#00703c}.verdict-fail{color:#d4351c}
table{border-collapse:collapse;width:100%;margin:20px 0;font-size:14px}
th,td{border:1px solid #b1b4b6;padding:4px 6px;text-align:left;vertical-align:top}
thead th{background:#f3f2f1;position:sticky;top:0}
.pass{background:#cce2d8;color:#005a30}.fail{background:#f4cdc6;color:#942514;font-weight:700}
.na{color:#505a5f}
.thumbs{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0}
.thumbs figure{margin:0;width:170px;font-size:12px}.thumbs img{border:1px solid #b1b4b6;display:block}
td .thumbs{flex-wrap:nowrap;gap:4px;margin:0}td .thumbs figure{width:auto}
td .thumbs img{width:60px}td{white-space:nowrap}
section{border-top:3px solid #1d4f91;margin-top:30px}
code{background:#f3f2f1;padding:0 3px;word-break:break-all}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:2px 15px}
dl.legend dt{font-weight:700}dl.legend dd{margin:0}
a:focus{outline:3px solid #fd0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
"""
MARK = {PASS: "✓ pass", FAIL: "✗ fail", NA: "– n/a"}


def _cell(status: str, count: int, note: str) -> str:
    text = MARK[status] + (f" ({count})" if status == FAIL else "")
    title = f' title="{escape(note)}"' if note else ""
    return f'<td class="{status.replace("/", "")}"{title}>{text}</td>'


def _finding(f: Finding) -> str:
    where = escape(f.page or "")
    if f.viewport:
        where += f" <em>[{escape(f.viewport)}]</em>"
    if f.rule:
        help_link = (
            f' <a href="{escape(f.help_url or "")}">how to fix {escape(f.rule)}</a>' if f.help_url else ""
        )
        selectors = "".join(f"<li><code>{escape(s)}</code></li>" for s in f.selectors[:20])
        more = f"<li>… and {len(f.selectors) - 20} more</li>" if len(f.selectors) > 20 else ""
        return (
            f"<li>{where}: <strong>{escape(f.message)}</strong> "
            f"(impact: {escape(f.impact or '?')}){help_link}"
            f"<ul>{selectors}{more}</ul></li>"
        )
    return f"<li>{where}{': ' if where else ''}{escape(f.message)}</li>"


def _thumbs(result: SiteResult, limit: int | None = None) -> str:
    shots = result.shots[:limit] if limit else result.shots
    items = "".join(
        f'<li><figure><a href="{escape(s.file)}"><img src="{s.thumb}" '
        f'alt="{escape(s.page)} at {escape(s.viewport)}" width="160"></a>'
        + ("" if limit else f"<figcaption>{escape(s.page)} · {escape(s.viewport)}</figcaption>")
        + "</figure></li>"
        for s in shots
    )
    return f'<ul class="thumbs">{items}</ul>' if items else ""


def _anchor(site_id: str) -> str:
    return "site-" + site_id.replace("/", "--")


def _section(result: SiteResult) -> str:
    site = result.site
    parts = [
        f'<section id="{_anchor(site.id)}"><h2>{escape(site.title)} <small>({escape(site.id)})</small></h2>'
    ]
    verdict = "passed" if result.passed else "failed"
    status = f", campaign {site.status}" if site.status else ""
    parts.append(
        f"<p>{len(site.pages)} pages{status}: <strong>{verdict}</strong> in {result.seconds:.1f}s.</p>"
    )
    for key, title, _ in CHECKS:
        check = result.checks[key]
        if check.findings:
            parts.append(
                f"<h3>{escape(title)}: {len(check.findings)} problem{'s' * (len(check.findings) != 1)}</h3>"
            )
            parts.append("<ul>" + "".join(_finding(f) for f in check.findings) + "</ul>")
    if result.external:
        rows = "".join(
            f"<li><code>{escape(url)}</code> on {', '.join(escape(p) for p in pages[:3])}"
            f"{' …' if len(pages) > 3 else ''}</li>"
            for url, pages in sorted(result.external.items())
        )
        parts.append(
            f"<details><summary>{len(result.external)} external links (listed, not fetched)</summary>"
            f"<ul>{rows}</ul></details>"
        )
    parts.append(
        f"<details{' open' if not result.passed else ''}><summary>{len(result.shots)} screenshots</summary>"
    )
    parts.append(_thumbs(result) + "</details></section>")
    return "".join(parts)


def render_html(outcome: Outcome) -> str:
    passed = sum(r.passed for r in outcome.results)
    total = len(outcome.results)
    verdict = "pass" if outcome.passed else "fail"
    head = "".join(f'<th scope="col">{escape(title)}</th>' for _, title, _ in CHECKS)
    rows = []
    for r in outcome.results:
        cells = "".join(
            _cell(r.checks[k].status, len(r.checks[k].findings), r.checks[k].note) for k, _, _ in CHECKS
        )
        rows.append(
            f'<tr><th scope="row"><a href="#{_anchor(r.site.id)}">{escape(r.site.id)}</a><br>'
            f"<small>{escape(r.site.title)}</small></th>{cells}<td>{_thumbs(r, 2)}</td></tr>"
        )
    legend = "".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for _, t, d in CHECKS)
    heading = "every site passed" if outcome.passed else f"{total - passed} of {total} sites failed"
    pages = sum(len(r.site.pages) for r in outcome.results)
    browsers = f"{outcome.jobs} browser{'s' * (outcome.jobs != 1)}"
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>recruit verify: {verdict.upper()} ({passed} of {total} sites)</title><style>{STYLE}</style></head>
<body><main>
<h1 class="verdict-{verdict}">recruit verify: {heading}</h1>
<p>{total} sites, {pages} pages, checked in {outcome.seconds:.0f}s with {browsers}
on {dt.datetime.now():%Y-%m-%d %H:%M}. Form backend: {escape(outcome.backend)}.</p>
<details><summary>What each check proves</summary><dl class="legend">{legend}</dl></details>
<table><caption class="visually-hidden">Each site's checks</caption>
<thead><tr><th scope="col">Site</th>{head}<th scope="col">Screenshots</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{"".join(_section(r) for r in outcome.results)}
</main></body></html>
"""


def write_html(outcome: Outcome, path: Path) -> None:
    path.write_text(render_html(outcome), encoding="utf-8")


def render_junit(outcome: Outcome) -> str:
    suites = ET.Element("testsuites", name="recruit verify", time=f"{outcome.seconds:.2f}")
    all_tests = all_failures = 0
    for r in outcome.results:
        suite = ET.SubElement(suites, "testsuite", name=r.site.id, time=f"{r.seconds:.2f}")
        tests = failures = skipped = 0
        for key, title, _ in CHECKS:
            check = r.checks[key]
            case = ET.SubElement(suite, "testcase", classname=r.site.id.replace("/", "."), name=title)
            tests += 1
            if check.status == FAIL:
                failures += 1
                first = check.findings[0].line() if check.findings else "failed"
                failure = ET.SubElement(case, "failure", message=first[:500])
                failure.text = "\n".join(
                    f.line() + (f" [{f.help_url}] {' | '.join(f.selectors[:5])}" if f.rule else "")
                    for f in check.findings
                )
            elif check.status == NA:
                skipped += 1
                ET.SubElement(case, "skipped", message="does not apply to this site")
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
        suite.set("errors", "0")
        all_tests += tests
        all_failures += failures
    suites.set("tests", str(all_tests))
    suites.set("failures", str(all_failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write_junit(outcome: Outcome, path: Path) -> None:
    path.write_text(render_junit(outcome), encoding="utf-8")
