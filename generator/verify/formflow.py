"""The apply form, end to end in Chromium: with JavaScript, without it, and wrongly.

By keyboard alone is keyboard.py, on the same FormContext and the same ways of waiting for the
thank-you page and saying why it did not come.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .answers import PDF, Answer
from .model import CheckResult, Finding
from .sweep import Camera, PageEvents, first_line

REFERENCE = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{6,10}$")  # the form script's own rule
WAIT_MS = 15_000

FOCUS_ON_SUMMARY = (
    "() => !!(document.activeElement && "
    "document.activeElement.closest('[data-error-summary], .rc-error-summary'))"
)
SUMMARY = r"""() => {
  const box = document.querySelector('[data-error-summary], .rc-error-summary');
  if (!box || box.hidden || !box.offsetParent) return null;
  const active = document.activeElement;
  return {
    focused: !!(active && active.closest('[data-error-summary], .rc-error-summary')),
    links: [...box.querySelectorAll('a')].map(a => {
      const id = decodeURIComponent((a.getAttribute('href') || '').replace(/^#/, ''));
      const target = id ? document.getElementById(id) : null;
      const group = target && target.closest('[data-field]');
      const error = group && group.querySelector('.rc-error-message');
      return {text: a.textContent.trim(), href: a.getAttribute('href'), id,
              control: !!target && target.matches('input, select, textarea'),
              field: group ? group.getAttribute('data-field') : null,
              shown: error && !error.hidden ? error.textContent.replace(/^\s*Error:\s*/, '').trim() : null};
    }),
  };
}"""


@dataclass
class FormContext:
    local: str
    form: dict[str, Any]  # the manifest's entry
    answers: dict[str, Answer]
    camera: Camera
    lookup: Callable[[str, str, str], bool] | None = None  # (council, campaign, reference) -> stored?
    missing: str = ""  # why there is no backend
    notes: list[str] = field(default_factory=list)

    @property
    def apply_url(self) -> str:
        return self.local + self.form["form_path"]

    @property
    def thanks_prefix(self) -> str:
        return self.local + self.form["thanks_path"]

    def answers_with(self, email: str) -> dict[str, Answer]:
        return {k: (email if k == "email" else v) for k, v in self.answers.items()}


def fill(page: Any, fields: list[dict[str, Any]], answers: dict[str, Answer]) -> None:
    """Answer every question the way a person would, by its label's control."""
    for f in fields:
        fid, kind, value = f["id"], f["type"], answers.get(f["id"])
        if value in (None, False, [], ""):
            continue
        options = [o["value"] for o in f.get("options") or []]
        if kind in ("radios", "checkboxes"):
            chosen = value if isinstance(value, list) else [value]
            for v in chosen:
                page.check(f"#{fid}-{options.index(v)}")
        elif kind == "consent":
            page.check(f"#{fid}")
        elif kind == "select":
            page.select_option(f"#{fid}", value=str(value))
        elif kind == "date":
            year, month, day = str(value).split("-")
            for part, text in (("day", day), ("month", month), ("year", year)):
                page.fill(f"#{fid}-{part}", text.lstrip("0"))
        elif kind == "file":
            page.set_input_files(
                f"#{fid}", files=[{"name": str(value), "mimeType": "application/pdf", "buffer": PDF}]
            )
        else:
            page.fill(f"#{fid}", str(value))


class Posts:
    """The responses to the form's POSTs on a page."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.responses: list[Any] = []

    def record(self, response: Any) -> None:
        if response.request.method == "POST" and self.action in response.url:
            self.responses.append(response)

    def describe(self, action: str) -> str:
        if not self.responses:
            return "the form was never sent"
        r = self.responses[-1]
        return f"the form backend answered {r.status} to POST {action}"


@contextlib.contextmanager
def watching(page: Any, ctx: FormContext) -> Iterator[tuple[PageEvents, Posts]]:
    """What goes wrong on `page`, and the form's POSTs, during one check (the page is shared by a
    context's checks: a page made once costs less than a page made per check)."""
    events, posts = PageEvents(ctx.local), Posts(ctx.form["action"])
    events.attach(page)
    page.on("response", posts.record)
    try:
        yield events, posts
    finally:
        events.detach(page)
        page.remove_listener("response", posts.record)


def _summary(page: Any) -> dict[str, Any] | None:
    try:
        return page.evaluate(SUMMARY)
    except Exception:  # noqa: BLE001 - the page is navigating: no summary to read yet
        return None


def wait_thanks(page: Any, ctx: FormContext, posts: Posts) -> bool:
    """True once the thank-you page has loaded; False as soon as it is clear it will not."""
    action = ctx.form["action"]
    action_url = action if "://" in action else ctx.local + action
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        url = page.url
        if url.startswith(ctx.thanks_prefix) or url.startswith(action_url):
            page.wait_for_load_state("load")
            return url.startswith(ctx.thanks_prefix)
        refused = posts.responses and posts.responses[-1].status >= 400
        if (refused or not posts.responses) and (_summary(page) or {}).get("links"):
            return False  # the page shows why it was not sent
        page.wait_for_timeout(100)
    return False


def why_not_sent(page: Any, posts: Posts, ctx: FormContext) -> str:
    summary = _summary(page)
    action = ctx.form["action"]
    if summary and summary["links"]:
        said = "; ".join(link["text"] for link in summary["links"])
        if posts.responses:
            return f"{posts.describe(action)} and refused verify's valid answers: {said}"
        return f"the form refused verify's valid answers: {said}"
    where = page.url[len(ctx.local) :] if page.url.startswith(ctx.local) else page.url
    return f"{posts.describe(action)}; the browser ended on {where}, not the thank-you page"


def check_stored(ctx: FormContext, reference: str, result: CheckResult, check: str) -> None:
    """The reference shown was stored for this form's council and campaign (the backend's lookup)."""
    if ctx.lookup is None:
        result.note += " (the database was not checked: the backend gave no way to look)"
        return
    if not ctx.lookup(ctx.form["council"], ctx.form["campaign"], reference):
        result.fail(
            Finding(
                check, f"reference {reference} was shown but is not in the database", ctx.form["form_path"]
            )
        )


def submit_valid(page: Any, ctx: FormContext, js: bool, result: CheckResult, email: str) -> None:
    """Valid answers reach the thank-you page with a reference that is in the database."""
    check = result.key
    path = ctx.form["form_path"]
    if ctx.missing:
        result.fail(Finding(check, ctx.missing, path))
        return
    with watching(page, ctx) as (events, posts):
        try:
            page.goto(ctx.apply_url)
            fill(page, ctx.form["fields"], ctx.answers_with(email))
            page.click("button[type=submit]", no_wait_after=True)
            if not wait_thanks(page, ctx, posts):
                result.fail(Finding(check, why_not_sent(page, posts, ctx), path))
                ctx.camera.take(page, path, f"{check}-failed")
                return
            reference = parse_qs(urlsplit(page.url).query).get("ref", [""])[0]
            shown = (
                page.locator("[data-reference]").first.inner_text().strip()
                if page.locator("[data-reference]").count()
                else ""
            )
            if not REFERENCE.match(reference):
                result.fail(
                    Finding(check, f"the thank-you page's address has no valid reference: {page.url}", path)
                )
            elif js and shown != reference:
                result.fail(
                    Finding(check, f"the thank-you page shows {shown!r}, not the reference {reference}", path)
                )
            else:
                result.note = f"reference {reference}" + (
                    "" if shown == reference else " (in the address; the page points to the email)"
                )
                check_stored(ctx, reference, result, check)
            for problem in events.take():
                result.fail(Finding(check, problem, path))
        except Exception as exc:  # noqa: BLE001 - report, never crash the run
            result.fail(Finding(check, f"could not complete the form: {first_line(exc)}", path))


def submit_invalid(page: Any, ctx: FormContext, js: bool, result: CheckResult) -> None:
    """An empty submission shows the error summary, focused, each error linked to its question."""
    mode = "with JavaScript" if js else "without JavaScript"
    path = ctx.form["form_path"]
    if not js and ctx.missing:
        result.fail(Finding(result.key, f"{mode}: {ctx.missing}", path))
        return
    with watching(page, ctx) as (events, posts):
        problems: list[str] = []
        action = ctx.form["action"]
        if not js:  # the backend answers 422 with the page of errors: expected, not a failure
            events.ignore_status.add(action if "://" in action else ctx.local + action)
        try:
            page.goto(ctx.apply_url)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            if not js:
                if not posts.responses:
                    problems.append("the form was not sent")
                elif not 400 <= posts.responses[-1].status < 500:
                    problems.append(f"{posts.describe(action)}, not a 4xx page with the errors")
            from playwright.sync_api import TimeoutError as PlaywrightTimeout

            with contextlib.suppress(PlaywrightTimeout):  # autofocus lands at a later frame than "load"
                page.wait_for_function(FOCUS_ON_SUMMARY, timeout=3000)
            summary = page.evaluate(SUMMARY)
            required = [f for f in ctx.form["fields"] if f["required"]]
            if summary is None:
                problems.append("no error summary is shown")
            else:
                if not summary["focused"]:
                    problems.append("focus did not move to the error summary")
                linked = {link["field"] for link in summary["links"]}
                for f in required:
                    if f["id"] not in linked:
                        problems.append(f"the required question {f['id']!r} has no error in the summary")
                for link in summary["links"]:
                    if not link["control"]:
                        problems.append(
                            f"the error {link['text']!r} links to {link['href']!r}, "
                            "which is not a question's input"
                        )
                    elif link["shown"] != link["text"]:
                        problems.append(
                            f"the error {link['text']!r} is not shown by its question ({link['shown']!r})"
                        )
                if js:
                    for link in summary["links"]:
                        if not link["control"]:
                            continue
                        page.click(f"[data-error-summary] a[href='{link['href']}']")
                        if page.evaluate("document.activeElement && document.activeElement.id") != link["id"]:
                            problems.append(f"the error {link['text']!r} does not take focus to its question")
            problems += events.take()
        except Exception as exc:  # noqa: BLE001
            problems.append(f"could not submit the empty form: {first_line(exc)}")
        for problem in problems:
            result.fail(Finding(result.key, f"{mode}: {problem}", path))
        if problems:
            ctx.camera.take(page, path, f"errors-{'js' if js else 'nojs'}-failed")
