"""Markdown to safe HTML: converted once per distinct text, then sanitised (content is not trusted)."""

from __future__ import annotations

import html as _html
from functools import lru_cache

import markdown as _markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_converter = _markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")


# Module-level memos here and below: pure functions of a string, so a result never goes stale.
@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    """Convert Markdown and strip anything unsafe (scripts, event handlers, iframes, styles)."""
    _converter.reset()
    html = _converter.convert(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )
    return Markup(clean)


@lru_cache(maxsize=4096)
def render_inline(text: str) -> Markup:
    """Markdown for one line (a hint or answer) without the wrapping paragraph."""
    html = str(render_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def plain_text(text: str) -> str:
    """Markdown reduced to text, for meta descriptions."""
    return _html.unescape(" ".join(nh3.clean(str(render_markdown(text)), tags=set()).split()))
