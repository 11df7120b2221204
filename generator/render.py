"""Render pages through each council's theme chain: what every page needs (its context, checked
against the template contract; its site's header and static files), for the page modules
(generator/pages.py for a council's, generator/region.py for the region's)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2

from .cache import BuildCache
from .contract import check_context
from .fingerprint import tree_digest
from .forms import form_fields
from .models import Region
from .output import Output
from .problems import Problem, ProblemsFound
from .sites import Project
from .theme import ThemeChain
from .urls import Urls, relative
from .views import Assets, CampaignView, CouncilView, build_views


@dataclass
class PageInfo:
    path: str
    canonical: str
    title: str
    description: str
    kind: str
    breadcrumbs: list[tuple[str, str]]
    image: str | None = None
    image_alt: str | None = None
    image_size: tuple[int, int] | None = None
    noindex: bool = False


@dataclass
class SiteInfo:
    name: str
    home: str
    logo: str | None
    logo_alt: str | None
    css: str
    favicon: str
    script: str | None = None
    counter: str | None = None  # the view-counting script's path; None: analytics off for this site


@dataclass
class Explained:
    """Which template file won the lookup for a page, and what was looked for."""

    page: str
    candidates: list[str]
    file: str


@dataclass
class Rendered:
    """What a render made: its files, the URLs it adds to the sitemap, and each page's template."""

    out: Output = field(default_factory=Output)
    sitemap: list[str] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)

    def add(self, path: str, content: bytes | str | Path, source: str = "") -> None:
        self.out.add(path, content, source)

    def extend(self, other: Rendered) -> None:
        """Take in what another render made (two files for one path are refused)."""
        for key, content in other.out.files.items():
            self.out.add(key, content, other.out.sources.get(key, ""))
        self.sitemap += other.sitemap
        self.explained += other.explained


@dataclass
class Renderer:
    """Renders pages for one build: the project, the date, the URLs, each council's theme chain
    and site details; each render returns what it made (a Rendered)."""

    project: Project
    today: dt.date
    base_url: str | None = None  # overrides site.toml's (local preview)
    cache: BuildCache = field(default_factory=BuildCache)
    assets: Assets = field(init=False)
    _chains: dict[str, ThemeChain] = field(default_factory=dict)
    _sites: dict[str, tuple[SiteInfo, list[tuple[str, str]]]] = field(default_factory=dict)
    _fields: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    urls: Urls = field(init=False)

    def __post_init__(self) -> None:
        self.urls = Urls(self.base_url or self.region.base_url, self.region.backend_url)
        self.assets = Assets(self.cache)

    @property
    def region(self) -> Region:
        return self.project.region

    # --- theme --------------------------------------------------------------------------------

    def chain(self, council_slug: str | None) -> ThemeChain:
        """The theme chain for a council; councils without their own templates share one,
        so each template is compiled once per build, not once per council."""
        templates = self.project.root / "campaigns" / council_slug / "templates" if council_slug else None
        key = str(templates) if templates is not None and templates.is_dir() else ""
        if key not in self._chains:
            self._chains[key] = _theme_chain(self.cache, self.project.root, self.region.theme, templates)
        return self._chains[key]

    def site_info(self, council: CouncilView | None) -> tuple[SiteInfo, list[tuple[str, str]]]:
        """A site's (the hub's or a council's) header details, and its fingerprinted static files."""
        key = council.slug if council else ""
        if key not in self._sites:
            chain = self.chain(council.slug if council else None)
            if council is None:
                brand = self.region.brand
                colours, prefix = (brand.primary, brand.primary, brand.text), "/"
            else:
                b = council.model.brand
                colours, prefix = (b.primary, b.secondary, b.text), council.path
            primary, secondary, text = colours
            brand_css = (
                f":root{{--brand-primary:{primary};--brand-secondary:{secondary};--brand-text:{text}}}\n"
            )
            css = brand_css + chain.static_file("site.css").read_text(encoding="utf-8")
            css_path = f"{prefix}_static/site.{_digest(css)}.css"
            icon = chain.static_file("favicon.svg").read_text(encoding="utf-8").replace("#1d4f91", primary)
            icon_path = f"{prefix}_static/favicon.{_digest(icon)}.svg"
            files = [(css_path, css), (icon_path, icon)]
            counter_path = None
            if self.region.analytics and (council is None or council.model.analytics):
                counter = chain.static_file("count.js").read_text(encoding="utf-8")
                counter_path = f"{prefix}_static/count.{_digest(counter)}.js"
                files.append((counter_path, counter))
            if council is None:  # the hub has no form
                site = SiteInfo(self.region.name, "/", None, None, css_path, icon_path, counter=counter_path)
            else:
                script = chain.static_file("apply.js").read_text(encoding="utf-8")
                script_path = f"{prefix}_static/apply.{_digest(script)}.js"
                files.append((script_path, script))
                m = council.model
                site = SiteInfo(
                    m.short_name,
                    council.path,
                    council.logo,
                    m.brand.logo_alt,
                    css_path,
                    icon_path,
                    script_path,
                    counter_path,
                )
            self._sites[key] = (site, files)
        return self._sites[key]

    def page(
        self,
        into: Rendered,
        chain: ThemeChain,
        kind: str,
        names: list[str],
        info: PageInfo,
        site: SiteInfo,
        rel: Callable[[str], str] | None = None,
        **extra: Any,
    ) -> None:
        context: dict[str, Any] = {
            "region": self.region,
            "page": info,
            "site": site,
            "today": self.today,
            "rel": rel or (lambda target, _from=info.path: relative(_from, target)),
            "count": self.count(kind, site, extra),
            **extra,
        }
        check_context(kind, context)
        try:
            template = chain.select(names)
            html = template.render(context)
        except jinja2.TemplateError as exc:
            raise ProblemsFound([template_problem(exc, chain, info.path)]) from None
        target = info.path + "index.html" if info.path.endswith("/") else info.path
        into.add(target, html, f"{template.name}")
        into.explained.append(Explained(info.path, names, template.filename or template.name or ""))
        if not info.noindex:
            into.sitemap.append(info.canonical)

    def count(self, kind: str, site: SiteInfo, extra: dict[str, Any]) -> dict[str, str] | None:
        """What the page's view counter sends (see contract.COMMON), or None: not counted."""
        if site.counter is None or kind == "not_found":
            return None
        council, campaign, role = extra.get("council"), extra.get("campaign"), extra.get("role")
        data = {"page": kind, "endpoint": self.urls.events(), "script": site.counter}
        for key, view in (("council", council), ("campaign", campaign), ("role", role)):
            data[key] = getattr(view, "slug", "") if view is not None and kind != "hub" else ""
        data["pixel"] = (
            data["endpoint"]
            + ".gif?"
            + urlencode({k: data[k] for k in ("page", "council", "campaign", "role") if data[k]})
        )
        return data

    def fields(self, council: CouncilView, campaign: CampaignView) -> list[dict[str, Any]]:
        """The apply form's questions: the standard ones and the campaign's own."""
        key = (council.slug, campaign.slug)
        if key not in self._fields:
            privacy_label = (
                f"I have read the privacy notice and agree to {council.model.name} using my "
                "information to consider my application"
            )
            questions = self.project.questions
            self._fields[key] = form_fields(campaign.model, privacy_label, self.today, questions)
        return self._fields[key]


def _theme_chain(cache: BuildCache, root: Path, theme: str, templates: Path | None) -> ThemeChain:
    """The theme chain (with its compiled templates) as the cache has it, while none of its
    folders' files changed."""
    chain = ThemeChain(root, theme, templates, cache.templates_folder(root), cache.markdown)
    key = (str(root), theme, str(templates))
    state = tree_digest([*chain.dirs, *chain.static_dirs], cache.files)
    known = cache.chains.get(key)
    if known and known[0] == state:
        return known[1]
    cache.chains[key] = (state, chain)
    return chain


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def views_for(project: Project, renderer: Renderer) -> list[CouncilView]:
    return build_views(
        project.councils, renderer.today, renderer.assets, renderer.urls.absolute, renderer.cache
    )


def template_problem(exc: jinja2.TemplateError, chain: ThemeChain, page: str) -> Problem:
    """A template mistake (a theme author's or a council override's) as a file:line problem."""
    import sys
    import traceback

    file, line = Path(getattr(exc, "filename", None) or chain.dirs[0]), getattr(exc, "lineno", None)
    if line is None:  # runtime errors: find the template frame in the traceback
        for frame in reversed(traceback.extract_tb(sys.exc_info()[2])):
            if frame.filename.endswith(".html"):
                file, line = Path(frame.filename), frame.lineno
                break
    message = getattr(exc, "message", None) or str(exc)
    return Problem(
        file,
        line or 1,
        1,
        "",
        f"template error while rendering {page}: {message}",
        "check the template; variables each page receives are listed by `recruit build --explain-templates`",
    )
