"""Markdown to safe HTML: converted once per distinct text by a build cache's `Markdown`, then
sanitised (content is not trusted)."""

from __future__ import annotations

import html as _html
from collections.abc import Callable
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

# distinct texts each memo keeps (a region has a few thousand; the preview server's edits add more)
MEMO_SIZE = 4096


class Markdown:
    """One converter and its memos: each distinct text is converted and sanitised once.

    Each BuildCache holds one, so two caches never share a result; the results are pure functions of
    the text, so they never go stale while the cache lives.
    """

    def __init__(self) -> None:
        self._converter = _markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")
        self.html: Callable[[str], Markup] = lru_cache(maxsize=MEMO_SIZE)(self._html)
        self.inline: Callable[[str], Markup] = lru_cache(maxsize=MEMO_SIZE)(self._inline)

    def _html(self, text: str) -> Markup:
        """Convert Markdown and strip anything unsafe (scripts, event handlers, iframes, styles)."""
        self._converter.reset()
        html = self._converter.convert(text)
        clean = nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener",
        )
        return Markup(clean)

    def _inline(self, text: str) -> Markup:
        """Markdown for one line (a hint or answer) without the wrapping paragraph."""
        html = str(self.html(text)).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def plain(self, text: str) -> str:
        """Markdown reduced to text, for meta descriptions."""
        return _html.unescape(" ".join(nh3.clean(str(self.html(text)), tags=set()).split()))
