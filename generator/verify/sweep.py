"""Every page of a site in Chromium: loads cleanly, passes axe at two widths, fits a phone, pictured."""

from __future__ import annotations

import base64
import contextlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from .model import CheckResult, Finding, Shot

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 812}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
THUMB_WIDTH = 160

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t), html: n.html}))
  }));
}"""

# Lazy images load now, so the screenshot shows them and a broken one is caught.
SETTLE = """async () => {
  for (const img of document.images) if (img.loading === 'lazy') img.loading = 'eager';
  await Promise.all([...document.images].map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); })));
}"""

# The landmarks every page has, missing once loaded when its body was cut short: a `<!--` then a
# `<script` inside a script (JSON written into a template by hand) makes the browser take the
# rest of the page as script, though a parser that stops at `</script>` (verify's own) sees it whole.
LANDMARKS = """() => [['main', 'main, [role=main]'], ['footer', 'footer, [role=contentinfo]']]
  .filter(([, selector]) => !document.querySelector(selector)).map(([name]) => name)"""

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
    const r = el.getBoundingClientRect();
    const spills = el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1 &&
      getComputedStyle(el).overflowX === 'visible';
    return (r.width > 0 && r.right > width + 1) || spills;
  });
  const leaves = wide.filter(el => !wide.some(o => o !== el && el.contains(o)));
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map(c => '.' + c).join('') +
    (el.textContent.trim() ? ' "' + el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 70) + '"' : '');
  return {width, scroll, culprits: leaves.slice(0, 3).map(name)};
}"""


@dataclass
class PageEvents:
    """What went wrong while a page loaded: console errors, failed and refused requests."""

    local: str
    problems: list[str] = field(default_factory=list)
    ignore_status: set[str] = field(default_factory=set)  # URLs expected to answer 4xx

    def attach(self, page: Any) -> None:
        for event, handler in self._handlers():
            page.on(event, handler)

    def detach(self, page: Any) -> None:
        """Stop listening to `page` (which goes on to another check)."""
        for event, handler in self._handlers():
            page.remove_listener(event, handler)

    def _handlers(self) -> list[tuple[str, Callable[[Any], None]]]:
        return [
            ("console", self._console),
            ("pageerror", self._page_error),
            ("requestfailed", self._failed),
            ("response", self._response),
        ]

    def _page_error(self, exc: Any) -> None:
        self.problems.append(f"script error: {exc}")

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        expected = message.location.get("url") in self.ignore_status
        if expected and re.match(r"Failed to load resource: .* status of 4\d\d", text):
            return
        where = message.location.get("url", "")
        self.problems.append(f"console error: {text}" + (f" ({self.short(where)})" if where else ""))

    def _failed(self, request: Any) -> None:
        failure = request.failure or ""
        if "ERR_BLOCKED_BY_CLIENT" in failure and not request.url.startswith(self.local):
            return  # recorded by the off-host guard
        if "ERR_ABORTED" in failure:
            return  # cancelled by the browser: a navigation replaced, a favicon dropped as the page closed
        self.problems.append(f"request failed: {request.method} {self.short(request.url)} ({failure})")

    def _response(self, response: Any) -> None:
        expected = response.url in self.ignore_status and response.status < 500
        if response.status >= 400 and not expected:
            self.problems.append(
                f"{response.request.method} {self.short(response.url)} answered {response.status}"
            )

    def short(self, url: str) -> str:
        return url[len(self.local) :] if url.startswith(self.local) else url

    def take(self) -> list[str]:
        taken, self.problems = self.problems, []
        return taken


def guard(context: Any, local: str, record: list[str], backend_url: str = "") -> None:
    """Refuse every request that would leave 127.0.0.1, and note it.

    A form backend published on its own host (backend_url "https://forms.example/api") is
    answered by the local backend instead, so the forms are verified without leaving the machine.
    """
    pattern = re.compile(r"^(?!" + re.escape(local) + r"(?:[/?#]|$))(?:https?|wss?|ftp):")
    remote = backend_url.rstrip("/") if "://" in backend_url else ""

    def refuse(route: Any) -> None:
        url = route.request.url
        if remote and (url == remote or url.startswith(remote + "/")):
            try:
                route.fulfill(response=route.fetch(url=local + "/api" + url[len(remote) :], max_redirects=0))
            except Exception:  # noqa: BLE001 - the page went meanwhile (a beacon sent as it closed)
                with contextlib.suppress(Exception):
                    route.abort("failed")
            return
        record.append(url)
        route.abort("blockedbyclient")

    context.route(pattern, refuse)


def thumbnail(jpeg: bytes) -> str:
    """A small data: URI of the top of a full-page screenshot, for the report's table."""
    with Image.open(io.BytesIO(jpeg)) as image:
        image.draft("RGB", (THUMB_WIDTH * 2, THUMB_WIDTH * 8))
        image = image.convert("RGB")
        height = min(image.height, image.width * 3 // 2)
        image = image.crop((0, 0, image.width, height))
        image.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 3 // 2))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def page_slug(site_path: str) -> str:
    slug = site_path.strip("/").replace("/", "__").replace(".html", "")
    return slug or "index"


class Camera:
    """Full-page screenshots into the report folder, with thumbnails for the table."""

    def __init__(self, report_dir: Path, site_id: str) -> None:
        self.report_dir = report_dir
        self.folder = Path("screenshots") / site_id.replace("/", "__")
        self.shots: list[Shot] = []

    def take(self, page: Any, site_path: str, label: str) -> Shot:
        jpeg = page.screenshot(full_page=True, type="jpeg", quality=55)
        name = self.folder / f"{page_slug(site_path)}.{label}.jpg"
        target = self.report_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(jpeg)
        shot = Shot(site_path, label, name.as_posix(), thumbnail(jpeg))
        self.shots.append(shot)
        return shot


def axe_findings(violations: list[dict[str, Any]], check: str, page: str, viewport: str) -> list[Finding]:
    return [
        Finding(
            check,
            f"{v['id']}: {v['help']} ({len(v['nodes'])} element{'s' * (len(v['nodes']) != 1)})",
            page,
            viewport,
            rule=v["id"],
            impact=v.get("impact"),
            help_url=v.get("helpUrl"),
            selectors=[" ".join(n["target"]) for n in v["nodes"]],
        )
        for v in violations
    ]


def sweep(
    context: Any,
    local: str,
    pages: list[str],
    checks: dict[str, CheckResult],
    camera: Camera,
    offhost: list[str],
) -> None:
    """Load each page once: check the load, run axe at desktop and 375 px, screenshot both.

    `context` has axe-core as an init script (outside the page's CSP, parsed once per page).
    """
    page = context.new_page()
    events = PageEvents(local)
    events.attach(page)
    for path in pages:
        page.set_viewport_size(DESKTOP)
        before = len(offhost)
        try:
            response = page.goto(local + path, wait_until="load")
            page.evaluate(SETTLE)
        except Exception as exc:  # a page that never loads: say so and go on
            checks["pages"].fail(Finding("pages", f"did not load: {first_line(exc)}", path))
            continue
        status = response.status if response else None
        if status != 200:
            checks["pages"].fail(Finding("pages", f"answered {status}, not 200", path))
        missing = page.evaluate(LANDMARKS)
        if missing:
            message = (
                f"the page is cut short: no {' and no '.join(missing)} in it once loaded "
                "(a `<!--` then `<script` inside one of its scripts hides the script's end)"
            )
            checks["pages"].fail(Finding("pages", message, path))
        for problem in events.take():
            checks["pages"].fail(Finding("pages", problem, path))
        for url in offhost[before:]:
            checks["pages"].fail(Finding("pages", f"requested {url}, which leaves 127.0.0.1 (refused)", path))
        for viewport, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
            if viewport == "mobile":
                page.set_viewport_size(size)
                overflow = page.evaluate(OVERFLOW)
                if overflow:
                    culprits = "; ".join(overflow["culprits"]) or "no single element"
                    checks["mobile-layout"].fail(
                        Finding(
                            "mobile-layout",
                            f"the page is {overflow['scroll']} px wide in a {overflow['width']} px screen "
                            f"(too wide: {culprits})",
                            path,
                            viewport,
                        )
                    )
            key = f"axe-{viewport}"
            for finding in axe_findings(page.evaluate(RUN_AXE, AXE_TAGS), key, path, viewport):
                checks[key].fail(finding)
            camera.take(page, path, viewport)
        for problem in events.take():  # anything the checks themselves set off
            checks["pages"].fail(Finding("pages", problem, path))
    page.close()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0] if text else ''}"
