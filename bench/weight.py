"""Page weight: what a phone must download before it can paint each kind of page, and the
JavaScript it needs to read the page or apply.

First render = the HTML plus every render-blocking stylesheet and synchronous head script, each
gzip-compressed at level 6 (what typical servers send). The goal is one TCP round trip (14 KB)
and no required JavaScript. Required JavaScript is measured in Chromium: a page needs none when
its main content reads the same with scripting off and, on an apply page, the form can still be
sent.

    python -m bench.weight [DIST]
"""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

ROUND_TRIP = 14 * 1024
GZIP_LEVEL = 6
PAGE_TYPES = (
    "hub",
    "404",
    "council index",
    "landing",
    "roles",
    "role",
    "apply",
    "thanks",
    "join",
    "privacy",
    "accessibility",
)
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def page_type(rel: str) -> str | None:
    """The kind of page a dist-relative HTML file is, from where the build puts it."""
    if rel == "index.html":
        return "hub"
    if rel == "404.html":
        return "404"
    parts = rel.split("/")
    if parts[-1] != "index.html" or any(p.startswith("_") for p in parts):
        return None
    inner = parts[2:-1]  # below <council>/<campaign>/
    if len(parts) == 2:
        return "council index"
    if not inner:
        return "landing"
    if inner == ["roles"]:
        return "roles"
    if len(inner) == 2 and inner[0] == "roles":
        return "role"
    if inner == ["apply"]:
        return "apply"
    if inner == ["apply", "thanks"]:
        return "thanks"
    if inner == ["talent-bank"]:
        return "join"
    if inner in (["privacy"], ["accessibility"]):
        return inner[0]
    return None


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def _local(dist: Path, page_url: str, href: str) -> Path | None:
    """The dist/ file a link on a page resolves to (None for another host)."""
    target = urlsplit(urljoin(page_url, href))
    if target.netloc != "site":
        return None
    path = dist / target.path.lstrip("/")
    return path if path.is_file() else None


def _blocking_media(media: str | None) -> bool:
    """A stylesheet blocks rendering unless its media can never match a screen (e.g. print)."""
    if not media:
        return True
    queries = [q.strip().lower() for q in media.split(",")]
    return any(not re.match(r"^(only\s+)?(print|speech)\b|^not\s+(all|screen)\b", q) for q in queries)


def is_js(tag: Any) -> bool:
    return (tag.get("type") or "").strip().lower() in JS_TYPES


def weigh(dist: Path, html_file: Path) -> dict[str, Any]:
    """Gzip bytes of one page's HTML and of what blocks its first render; its script bytes."""
    rel = html_file.relative_to(dist).as_posix()
    url = "http://site/" + rel
    html = html_file.read_bytes()
    soup = BeautifulSoup(html, "html.parser")
    css_gzip = 0
    for link in soup.find_all("link"):
        rels = [r.lower() for r in (link.get("rel") or [])]
        if "stylesheet" in rels and "alternate" not in rels and _blocking_media(link.get("media")):
            source = _local(dist, url, link.get("href", ""))
            css_gzip += gz(source.read_bytes()) if source else 0
    head_js_gzip, js_bytes = 0, 0
    for script in soup.find_all("script"):
        if not is_js(script):
            continue
        source = _local(dist, url, script["src"]) if script.get("src") else None
        body = source.read_bytes() if source else script.get_text().encode("utf-8")
        js_bytes += len(body)
        in_head = script.find_parent("head") is not None
        deferred = script.has_attr("defer") or script.has_attr("async") or script.get("type") == "module"
        if in_head and not deferred:
            head_js_gzip += gz(body)
    html_gzip = gz(html)
    return {
        "path": "/" + rel.removesuffix("index.html"),
        "html_gzip": html_gzip,
        "css_gzip": css_gzip,
        "first_render_gzip": html_gzip + css_gzip + head_js_gzip,
        "js_bytes": js_bytes,
    }


def heaviest_pages(dist: Path) -> dict[str, dict[str, Any]]:
    """For each page type, its heaviest instance in this build (by first-render bytes)."""
    found: dict[str, dict[str, Any]] = {}
    for html_file in sorted(dist.rglob("*.html")):
        kind = page_type(html_file.relative_to(dist).as_posix())
        if kind is None:
            continue
        row = weigh(dist, html_file)
        if kind not in found or row["first_render_gzip"] > found[kind]["first_render_gzip"]:
            found[kind] = {"page_type": kind, **row}
    return {kind: found[kind] for kind in PAGE_TYPES if kind in found}


@contextmanager
def serve(dist: Path) -> Iterator[str]:
    """dist/ on loopback as a host would serve it: gzip, and the headers from dist/_headers."""
    from starlette.middleware.gzip import GZipMiddleware

    from generator.serve import static_app
    from generator.verify.server import HostHeaders, Server, parse_headers_file

    headers = dist / "_headers"
    rules = parse_headers_file(headers.read_text(encoding="utf-8")) if headers.is_file() else []
    app = HostHeaders(GZipMiddleware(static_app(dist), minimum_size=256, compresslevel=GZIP_LEVEL), rules)
    with Server(app) as server:
        yield server.url


MAIN_TEXT = "() => { const m = document.querySelector('main') || document.body; return m.innerText; }"
FORM_READY = """() => {
  const form = document.querySelector('main form[method="post" i]');
  if (!form || !form.action) return 'no form posting to the backend';
  const send = form.querySelector('button:not([type]), button[type="submit"], input[type="submit"]');
  if (!send || send.disabled) return 'no submit button';
  const box = send.getBoundingClientRect();
  if (!box.width || !box.height) return 'the submit button is not shown';
  const fields = form.querySelectorAll('input:not([type="hidden"]), select, textarea');
  const hidden = [...fields].filter(f => !f.closest('[aria-hidden="true"], [hidden]') &&
    !f.getClientRects().length && !f.closest('.rc-visually-hidden'));
  return hidden.length > 1 ? `${hidden.length} questions are not shown` : '';
}"""


def _words(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def required_js(dist: Path, rows: list[dict[str, Any]]) -> None:
    """Load each page with scripting on and off; a page that reads the same and whose form can
    be sent without JavaScript needs none of its script bytes. Sets `required_js_bytes`/`no_js`."""
    from playwright.sync_api import sync_playwright

    from generator.browser import launch

    with serve(dist) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            with_js = browser.new_context(java_script_enabled=True)
            without_js = browser.new_context(java_script_enabled=False)
            for row in rows:
                url = base + row["path"]
                texts = []
                problem = ""
                for context in (with_js, without_js):
                    page = context.new_page()
                    page.goto(url, wait_until="load")
                    texts.append(_words(page.evaluate(MAIN_TEXT)))
                    if context is without_js and row["page_type"] == "apply":
                        problem = page.evaluate(FORM_READY)
                    page.close()
                missing = [line for line in texts[0] if line not in texts[1]]
                if missing:
                    problem = problem or f"without JavaScript the page lacks: {missing[0]!r}"
                row["no_js"] = problem or "ok"
                row["required_js_bytes"] = row["js_bytes"] if problem else 0
        finally:
            browser.close()


def measure(dist: Path) -> dict[str, Any]:
    """Page weight figures for bench/results.json: the heaviest page type's first render, and
    the JavaScript any page type needs."""
    rows = list(heaviest_pages(Path(dist)).values())
    required_js(Path(dist), rows)
    return {
        "max_first_render_bytes_gzip": max((r["first_render_gzip"] for r in rows), default=0),
        "required_js_bytes": sum(r["required_js_bytes"] for r in rows),
        "rows": rows,
    }


def table(result: dict[str, Any]) -> str:
    head = f"{'page type':<14} {'HTML gz':>8} {'CSS gz':>7} {'first render':>13} {'JS':>6} {'needed':>7} path"
    lines = [head, "-" * len(head)]
    for r in result["rows"]:
        flag = "" if r["first_render_gzip"] <= ROUND_TRIP else "  over 14 KB"
        lines.append(
            f"{r['page_type']:<14} {r['html_gzip']:>8} {r['css_gzip']:>7} {r['first_render_gzip']:>13} "
            f"{r['js_bytes']:>6} {r['required_js_bytes']:>7} {r['path']}{flag}"
            + ("" if r.get("no_js", "ok") == "ok" else f"  ({r['no_js']})")
        )
    lines.append(
        f"max first render {result['max_first_render_bytes_gzip']} B gzip (goal ≤ {ROUND_TRIP}); "
        f"required JavaScript {result['required_js_bytes']} B (goal 0)"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else Path("dist")
    if not (dist / "index.html").is_file():
        print(f"{dist} has no built site: run `recruit build` first", file=sys.stderr)
        return 2
    result = measure(dist)
    print(table(result))
    over = result["max_first_render_bytes_gzip"] > ROUND_TRIP or result["required_js_bytes"] > 0
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
