"""HTML answers for browsers without JavaScript, made from the built pages themselves.

The apply page in dist/ is filled in as its script would do it (error summary, messages by each
question, the applicant's answers back in the form), so every council's theme and template
overrides carry over and the backend holds no templates. The page is found and filled through
the data-* hooks of the manifest's contract alone (`x-apply-page-hooks` in manifest.schema.json),
never through a theme's CSS classes: a theme that restyles its inputs cannot break error pages.
Closed campaigns, rate limits and unknown addresses get a built page of the same site with its
<main> replaced by a message.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

URL_ATTRIBUTES = ("href", "src", "action", "poster")
# The apply page's hooks (manifest.schema.json, x-apply-page-hooks): the only things looked for.
FORM = "[data-apply-form]"
SUMMARY = "[data-error-summary]"
SUMMARY_LIST = "[data-error-list]"
FIELD = "data-field"
ERROR = "[data-error-message]"
ERROR_TEXT = "[data-error-text]"
CONTROL = "[data-control]"
ERROR_CLASS = "data-error-class"
FALLBACK = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Applications</title></head>
<body><main id="main-content"></main></body></html>"""


def page_file(dist: Path, site_path: str) -> Path | None:
    """dist/<site_path>/index.html (or the file itself), if it exists inside dist/."""
    root = Path(dist).resolve()
    target = (root / site_path.lstrip("/")).resolve()
    if target.is_dir() or site_path.endswith("/"):
        target = target / "index.html"
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def _load(path: Path | None, base: str) -> BeautifulSoup:
    text = FALLBACK
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = FALLBACK
    soup = BeautifulSoup(text, "html.parser")
    _absolute_links(soup, base)
    return soup


def _absolute_links(soup: BeautifulSoup, base: str) -> None:
    """Relative links resolve against the page's own address, not the backend's POST URL."""
    for el in soup.find_all(True):
        for attr in URL_ATTRIBUTES:
            value = el.get(attr)
            if isinstance(value, str) and value and not value.startswith("#"):
                el[attr] = urljoin(base, value)
        srcset = el.get("srcset")
        if isinstance(srcset, str) and srcset:
            parts = []
            for item in srcset.split(","):
                bits = item.strip().split(None, 1)
                if bits:
                    parts.append(" ".join([urljoin(base, bits[0]), *bits[1:]]))
            el["srcset"] = ", ".join(parts)


def _prefix_title(soup: BeautifulSoup, prefix: str) -> None:
    title = soup.find("title")
    if title is None:
        return
    text = title.get_text()
    if not text.startswith(prefix):
        title.string = prefix + text


def _add_classes(el: Tag, names: list[str]) -> None:
    classes = list(el.get("class") or [])
    added = [name for name in names if name not in classes]
    if added:
        el["class"] = classes + added


def _describe(el: Tag, error_id: str) -> None:
    ids = str(el.get("aria-describedby") or "").split()
    if error_id not in ids:
        el["aria-describedby"] = " ".join([*ids, error_id])


def target(spec: dict[str, Any]) -> str:
    """The id an error summary link points at: the question's first input."""
    if spec["type"] in ("radios", "checkboxes"):
        return f"{spec['id']}-0"
    if spec["type"] == "date":
        return f"{spec['id']}-day"
    return spec["id"]


def _summary(soup: BeautifulSoup, items: list[tuple[str, str]]) -> None:
    summary = soup.select_one(SUMMARY)
    if summary is None:  # a page without the slot: one of our own, before the form
        summary = soup.new_tag("div", attrs={"data-error-summary": "", "tabindex": "-1", "role": "alert"})
        heading = soup.new_tag("h2")
        heading.string = "There is a problem"
        summary.append(heading)
        form, main = soup.select_one(FORM), soup.find("main") or soup.body
        if form is not None:
            form.insert_before(summary)
        elif main is not None:
            main.insert(0, summary)
    if summary.has_attr("hidden"):
        del summary["hidden"]
    listing = summary.select_one(SUMMARY_LIST)
    if listing is None:
        listing = soup.new_tag("ul", attrs={"data-error-list": ""})
        summary.append(listing)
    listing.clear()
    for href, text in items:
        li = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{href}")
        link.string = text
        li.append(link)
        listing.append(li)


def _mark(soup: BeautifulSoup, spec: dict[str, Any], text: str) -> None:
    group = soup.find(attrs={FIELD: spec["id"]})
    if group is None:
        return
    for el in [group, *group.select(f"[{ERROR_CLASS}]")]:
        _add_classes(el, str(el.get(ERROR_CLASS) or "").split())
    error = group.select_one(ERROR)
    if error is None:
        return
    if error.has_attr("hidden"):
        del error["hidden"]
    slot = error.select_one(ERROR_TEXT) or error
    slot.string = text
    if not error.get("id"):
        error["id"] = f"{spec['id']}-error"
    control = group.select_one(CONTROL)
    if control is not None:
        _describe(control, str(error["id"]))


def _refill(form: Tag, raw: dict[str, list[str]]) -> None:
    for name, values in raw.items():
        for el in form.find_all(attrs={"name": name}):
            kind = str(el.get("type") or "text").lower()
            if el.name == "input" and kind in ("radio", "checkbox"):
                if el.get("value", "on") in values:
                    el["checked"] = ""
                elif el.has_attr("checked"):
                    del el["checked"]
            elif el.name == "input" and kind not in ("file", "password", "submit", "button", "hidden"):
                el["value"] = values[0] if values else ""
            elif el.name == "textarea":
                el.string = values[0] if values else ""
            elif el.name == "select":
                for option in el.find_all("option"):
                    if option.get("value", option.get_text()) in values[:1]:
                        option["selected"] = ""
                    elif option.has_attr("selected"):
                        del option["selected"]


def error_page(
    dist: Path,
    form: dict[str, Any],
    base: str,
    errors: dict[str, str],
    raw: dict[str, list[str]],
) -> str:
    """The built apply page, showing `errors` and the answers the applicant sent."""
    soup = _load(page_file(dist, form["form_path"]), base)
    order = [spec for spec in form["fields"] if spec["id"] in errors]
    _summary(soup, [(target(spec), errors[spec["id"]]) for spec in order])
    for spec in order:
        _mark(soup, spec, errors[spec["id"]])
    element = soup.select_one(FORM)
    if element is not None:
        _refill(element, raw)
    _prefix_title(soup, "Error: ")
    return str(soup)


def message_page(
    dist: Path,
    site_path: str,
    base: str,
    heading: str,
    paragraphs: list[str],
    link: tuple[str, str] | None = None,
) -> str:
    """A built page of the site with its <main> holding only a heading and a message."""
    soup = _load(page_file(dist, site_path), base)
    main = soup.find("main") or soup.body
    if main is None:
        soup = _load(None, base)
        main = soup.find("main")
    main.clear()
    fragment = f'<h1 class="rc-heading-xl">{html.escape(heading)}</h1>' + "".join(
        f'<p class="rc-body">{html.escape(p)}</p>' for p in paragraphs
    )
    if link:
        fragment += f'<p><a class="rc-link" href="{html.escape(link[0])}">{html.escape(link[1])}</a></p>'
    for node in list(BeautifulSoup(fragment, "html.parser").contents):
        main.append(node)
    for el in soup.select("script[src]"):
        if "apply" in str(el.get("src")):
            el.decompose()
    title = soup.find("title")
    if title is not None:
        rest = title.get_text().split(" – ", 1)
        title.string = heading + (f" – {rest[1]}" if len(rest) > 1 else "")
    return str(soup)
