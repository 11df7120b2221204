"""The apply form by keyboard alone: Tab through in order with focus always visible, answer by
keys, send with Enter, and the reference shown is the one stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from .answers import PDF, Answer
from .formflow import REFERENCE, FormContext, check_stored, wait_thanks, watching, why_not_sent
from .model import CheckResult, Finding
from .sweep import first_line

# One Tab stop: what has focus, and whether the element that just lost it looked different
# while it had it (its focus was visible).
STEP = r"""() => {
  const el = document.activeElement || document.body;
  const look = e => {
    const s = getComputedStyle(e);
    const seen = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 &&
      !/rgba\(.*,\s*0\)$|transparent/.test(s.outlineColor);
    const outline = seen ? s.outlineStyle + s.outlineWidth + s.outlineColor : '';
    return [outline, s.boxShadow, s.backgroundColor, s.color, s.borderTopColor, s.textDecorationLine]
      .join('|');
  };
  const prev = window.__verifyFocus;
  const prevVisible = prev && prev.el !== el ? prev.look !== look(prev.el) : null;
  window.__verifyFocus = {el, look: el === document.body ? '' : look(el)};
  const group = el.closest('[data-field]');
  const label = el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent;
  return {tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id || '',
          field: group ? group.getAttribute('data-field') : null,
          submit: el.matches('button[type=submit], input[type=submit]'),
          skip: el.matches('a[href="#main-content"]'), body: el === document.body,
          label: (label || '').replace(/\s+/g, ' ').trim().slice(0, 50), prevVisible,
          value: el.value === undefined ? null : el.value};
}"""


def _act(
    page: Any,
    stop: dict[str, Any],
    fields: dict[str, dict[str, Any]],
    answers: dict[str, Answer],
    done: set[str],
) -> None:
    """Answer the question that has focus, with keys only."""
    f = fields.get(stop["field"] or "")
    if f is None:
        return
    fid, kind, value = f["id"], f["type"], answers.get(f["id"])
    options = [o["value"] for o in f.get("options") or []]
    if value in (None, False, [], ""):
        return
    if kind == "radios" and fid not in done:
        page.keyboard.press("Space")
        for _ in range(options.index(value)):
            page.keyboard.press("ArrowDown")
        done.add(fid)
    elif kind == "checkboxes":
        index = int(stop["id"].rsplit("-", 1)[-1])
        if options[index] in value:
            page.keyboard.press("Space")
    elif kind == "consent":
        page.keyboard.press("Space")
    elif kind == "select" and fid not in done:
        for _ in range(options.index(value) + 1):
            page.keyboard.press("ArrowDown")
        done.add(fid)
    elif kind == "date":
        year, month, day = str(value).split("-")
        page.keyboard.type(
            {"day": day, "month": month, "year": year}[stop["id"].rsplit("-", 1)[-1]].lstrip("0")
        )
    elif kind == "file":
        page.set_input_files(
            f"#{fid}", files=[{"name": str(value), "mimeType": "application/pdf", "buffer": PDF}]
        )
    elif stop["id"] == fid and not stop["value"]:
        page.keyboard.type(str(value))


def keyboard_only(page: Any, ctx: FormContext, result: CheckResult, email: str) -> None:
    """Tab through the page in order with focus always visible, answer by keys, send with Enter."""
    path = ctx.form["form_path"]
    fields = {f["id"]: f for f in ctx.form["fields"]}
    answers = ctx.answers_with(email)
    with watching(page, ctx) as (events, posts):
        problems: list[str] = []
        try:
            page.goto(ctx.apply_url)
            stops: list[dict[str, Any]] = []
            done: set[str] = set()
            for _ in range(400):
                page.keyboard.press("Tab")
                stop = page.evaluate(STEP)
                if stops:
                    stops[-1]["visible"] = stop["prevVisible"]
                stops.append(stop)
                if stop["body"]:
                    problems.append(
                        f"focus was lost after {stops[-2]['label'] if len(stops) > 1 else 'the start'!r}"
                    )
                    break
                _act(page, stop, fields, answers, done)
                if stop["submit"]:
                    break
            else:
                problems.append("Tab never reached the Send button")
            if stops and stops[-1]["submit"]:
                page.keyboard.press("Shift+Tab")
                stops[-1]["visible"] = page.evaluate(STEP)["prevVisible"]
                page.keyboard.press("Tab")
            if stops and not stops[0]["skip"]:
                problems.append(f"the first Tab stop is {stops[0]['label']!r}, not the skip link")
            for stop in stops:
                if stop.get("visible") is False:
                    problems.append(f"no visible focus on {stop['tag']} {stop['label']!r}")
            order: list[str] = []
            for stop in stops:
                if stop["field"] and (not order or order[-1] != stop["field"]):
                    order.append(stop["field"])
            expected = [f["id"] for f in ctx.form["fields"]]
            if order != expected:
                missing = [x for x in expected if x not in order]
                problems.append(
                    f"Tab order of the questions is {order}, expected {expected}"
                    + (f" (never reached: {', '.join(missing)})" if missing else "")
                )
            if not problems and stops and stops[-1]["submit"]:
                if ctx.missing:
                    problems.append(f"could not send the form: {ctx.missing}")
                else:
                    page.keyboard.press("Enter")
                    if wait_thanks(page, ctx, posts):
                        reference = parse_qs(urlsplit(page.url).query).get("ref", [""])[0]
                        if REFERENCE.match(reference):
                            result.note = f"{len(stops)} Tab stops; reference {reference}"
                            check_stored(ctx, reference, result, result.key)
                        else:
                            unreadable = f"the thank-you page's address has no valid reference: {page.url}"
                            problems.append(unreadable)
                    else:
                        problems.append(why_not_sent(page, posts, ctx))
        except Exception as exc:  # noqa: BLE001
            problems.append(f"could not complete the form by keyboard: {first_line(exc)}")
        problems += events.take()
        for problem in problems:
            result.fail(Finding(result.key, problem, path))
        if problems:
            ctx.camera.take(page, path, "keyboard-failed")
