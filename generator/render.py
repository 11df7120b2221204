"""Render every page of every site into an Output, through each council's theme chain."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2

from .cache import BuildCache
from .contract import check_context
from .fingerprint import tree_digest
from .forms import HONEYPOT, form_fields, has_file
from .icons import favicon_ico
from .jsonld import job_posting
from .models import Region
from .output import Output
from .parts import Parts
from .problems import Problem, ProblemsFound
from .project import Project
from .theme import ThemeChain
from .urls import Urls, relative
from .views import Assets, CampaignView, CouncilView, build_views, describe


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


@dataclass
class Explained:
    """Which template file won the lookup for a page, and what was looked for."""

    page: str
    candidates: list[str]
    file: str


@dataclass
class Renderer:
    project: Project
    today: dt.date
    base_url: str | None = None  # overrides site.toml's (local preview)
    cache: BuildCache = field(default_factory=BuildCache)
    out: Output = field(default_factory=Output)
    assets: Assets = field(init=False)
    explained: list[Explained] = field(default_factory=list)
    sitemap: list[str] = field(default_factory=list)
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
            if council is None:  # the hub has no form
                site = SiteInfo(self.region.name, "/", None, None, css_path, icon_path)
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
                )
            self._sites[key] = (site, files)
        return self._sites[key]

    # --- pages --------------------------------------------------------------------------------

    def page(
        self,
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
            **extra,
        }
        check_context(kind, context)
        try:
            template = chain.select(names)
            html = template.render(context)
        except jinja2.TemplateError as exc:
            raise ProblemsFound([template_problem(exc, chain, info.path)]) from None
        target = info.path + "index.html" if info.path.endswith("/") else info.path
        self.out.add(target, html, f"{template.name}")
        self.explained.append(Explained(info.path, names, template.filename or template.name or ""))
        if not info.noindex:
            self.sitemap.append(info.canonical)

    def render_region(self, councils: list[CouncilView], sitemaps: dict[str, list[str]]) -> None:
        """The hub, 404 page, favicon, robots.txt and the sitemap of every page built (`sitemaps`:
        each unit's URLs, by unit)."""
        chain = self.chain(None)
        brand = self.region.brand
        site, files = self.site_info(None)
        for path, body in files:
            self.out.add(path, body, "theme static")
        open_campaigns = [c for council in councils for c in council.campaigns if c.is_open]
        hub = PageInfo(
            "/",
            self.urls.absolute("/"),
            self.region.name,
            f"Jobs in adult social care with {len(councils)} councils across the {self.region.name} region.",
            "hub",
            [(self.region.name, "/")],
        )
        part = Parts(
            self.cache, chain, "/", self.region, site, self.today, self.base_url, lambda to: relative("/", to)
        )
        extra = {"councils": councils, "open_campaigns": open_campaigns, "part": part}
        self.page(chain, "hub", ["hub.html"], hub, site, **extra)
        missing = PageInfo(
            "/404.html",
            self.urls.absolute("/404.html"),
            "Page not found",
            "",
            "not_found",
            [(self.region.name, "/"), ("Page not found", "/404.html")],
            noindex=True,
        )
        self.page(chain, "not_found", ["404.html"], missing, site, rel=self.urls.from_root(), council=None)
        self.out.add("/favicon.ico", favicon_ico(brand.primary, brand.text), "favicon")
        self.out.add("/robots.txt", _robots(self.urls.absolute("/sitemap.xml")), "robots")
        sitemap = _sitemap({**sitemaps, "": self.sitemap}, self.urls.absolute("/"), self.cache)
        self.out.add("/sitemap.xml", sitemap, "sitemap")

    def render_static(self, council: CouncilView) -> None:
        """A council's stylesheet, favicon and form script (in its brand), and its images."""
        _, files = self.site_info(council)
        for path, body in files:
            self.out.add(path, body, "theme static")
        for source_path, source in sorted(self.assets.files.items()):
            if source_path.startswith(council.path):
                self.out.add(source_path, source, str(source))

    def render_index(self, council: CouncilView) -> None:
        """The council's page listing its campaigns."""
        m = council.model
        site, _ = self.site_info(council)
        info = PageInfo(
            council.path,
            self.urls.absolute(council.path, council),
            f"Jobs in adult social care with {m.name}",
            f"Recruitment campaigns from {m.name}.",
            "council",
            [(m.short_name, council.path)],
        )
        names = [f"council-{council.slug}.html", "council.html"]
        self.page(self.chain(council.slug), "council", names, info, site, council=council)

    def render_own_domain(self, council: CouncilView, sitemaps: dict[str, list[str]]) -> None:
        """A council on its own domain: its folder is that domain's root, with its own sitemap
        and its own 404 page, in its brand."""
        base = council.model.base_url
        if base:
            self.out.add(f"{council.path}robots.txt", _robots(base + "sitemap.xml"), "robots")
            self.out.add(f"{council.path}sitemap.xml", _sitemap(sitemaps, base, self.cache), "sitemap")
            site, _ = self.site_info(council)
            path = f"{council.path}404.html"
            missing = PageInfo(
                path,
                self.urls.absolute(path, council),
                f"Page not found – {council.model.short_name}",
                "",
                "not_found",
                [(council.model.short_name, council.path), ("Page not found", path)],
                noindex=True,
            )
            link = self.urls.from_root(council)
            chain = self.chain(council.slug)
            self.page(chain, "not_found", ["404.html"], missing, site, rel=link, council=council)

    def render_campaign(self, council: CouncilView, campaign: CampaignView) -> None:
        """Every page of one campaign's microsite."""
        chain = self.chain(council.slug)
        site, _ = self.site_info(council)
        crumbs = [(council.model.short_name, council.path)]
        m = campaign.model
        picture = campaign.share_image or campaign.hero_image or council.logo
        image = self.urls.absolute(picture, council)
        image_size = (picture.width, picture.height) if picture.width else None
        image_alt = m.sharing.image or m.hero.image
        alt = image_alt.alt if image_alt else council.model.brand.logo_alt
        base = crumbs + [(m.title, campaign.path)]
        common = {"council": council, "campaign": campaign}

        def info(
            path: str, title: str, description: str, kind: str, label: str | None, noindex: bool = False
        ) -> PageInfo:
            trail = base + ([(label, path)] if label else [])
            return PageInfo(
                path,
                self.urls.absolute(path, council),
                title,
                description,
                kind,
                trail,
                image,
                alt,
                noindex=noindex,
                image_size=image_size,
            )

        def names(kind: str) -> list[str]:
            return [f"{kind}-{campaign.slug}.html", f"{kind}.html"]

        suffix = f"{m.title} – {council.model.short_name}"
        links = campaign.links
        self.page(
            chain,
            "landing",
            names("landing"),
            info(links["landing"], m.title, m.sharing.text, "landing", None),
            site,
            **common,
        )
        self.page(
            chain,
            "roles",
            names("roles"),
            info(
                links["roles"],
                f"Roles – {suffix}",
                f"{len(campaign.roles)} roles in {m.title}.",
                "roles",
                "Roles",
            ),
            site,
            **common,
        )
        for role in campaign.roles:
            url = self.urls.absolute(role.path, council)
            # a closed role's page stays up and says so, but is no longer a job posting (Google
            # asks for expired postings to drop their JobPosting data)
            posting = (
                None
                if role.closed
                else job_posting(role, campaign, council, url, self.urls.absolute(council.logo, council))
            )
            self.page(
                chain,
                "role",
                names("role"),
                info(role.path, f"{role.title} – {suffix}", describe(role.description), "role", role.title),
                site,
                role=role,
                jsonld=posting,
                **common,
            )
        fields = self.fields(council, campaign)
        form = {
            "action": self.urls.form_action(council, campaign),
            "fields": fields,
            "enctype": "multipart/form-data" if has_file(fields) else "application/x-www-form-urlencoded",
            "honeypot": HONEYPOT,
            "errors": {},
            "answers": {},
            "script": site.script,
        }
        self.page(
            chain,
            "apply",
            names("apply"),
            info(links["apply"], f"Apply – {suffix}", f"Apply for {m.title}.", "apply", "Apply"),
            site,
            form=form,
            **common,
        )
        self.page(
            chain,
            "thanks",
            names("thanks"),
            info(
                links["thanks"],
                f"Application received – {suffix}",
                "",
                "thanks",
                "Application received",
                noindex=True,
            ),
            site,
            **common,
        )
        self.page(
            chain,
            "privacy",
            names("privacy"),
            info(
                links["privacy"],
                f"Privacy notice – {suffix}",
                f"How {council.model.name} uses the information in your application.",
                "privacy",
                "Privacy notice",
            ),
            site,
            **common,
        )
        self.page(
            chain,
            "accessibility",
            names("accessibility"),
            info(
                links["accessibility"],
                f"Accessibility statement – {suffix}",
                f"Accessibility statement for {m.title}.",
                "accessibility",
                "Accessibility statement",
            ),
            site,
            **common,
        )

    def fields(self, council: CouncilView, campaign: CampaignView) -> list[dict[str, Any]]:
        """The apply form's questions: the standard ones and the campaign's own."""
        key = (council.slug, campaign.slug)
        if key not in self._fields:
            privacy_label = (
                f"I have read the privacy notice and agree to {council.model.name} using my "
                "information to consider my application"
            )
            self._fields[key] = form_fields(campaign.model, privacy_label, self.today)
        return self._fields[key]


def _theme_chain(cache: BuildCache, root: Path, theme: str, templates: Path | None) -> ThemeChain:
    """The theme chain (with its compiled templates) as the cache has it, while none of its
    folders' files changed."""
    chain = ThemeChain(root, theme, templates, cache.templates_folder(root))
    key = (str(root), theme, str(templates))
    state = tree_digest([*chain.dirs, *chain.static_dirs], cache.files)
    known = cache.chains.get(key)
    if known and known[0] == state:
        return known[1]
    cache.chains[key] = (state, chain)
    return chain


def _robots(sitemap: str) -> str:
    return f"User-agent: *\nAllow: /\nDisallow: /*/apply/thanks/\n\nSitemap: {sitemap}\n"


# Module-level: a pure function of a string, so a row never goes stale.
@lru_cache(maxsize=1 << 17)
def _sitemap_row(url: str) -> str:
    return f"  <url><loc>{escape(url)}</loc></url>\n"


def _sitemap(sitemaps: dict[str, list[str]], base: str, cache: BuildCache) -> str:
    """A sitemap lists the URLs of its own host only (a council on its own domain has its own).

    An edit that adds or removes no page gives the same sitemap as last time: it is compared by
    each unit's URLs (a unit kept as it was has the very same list), not sorted and joined again.
    """
    known = cache.sitemaps.get(base)
    if known is not None and known[0] == sitemaps:
        return known[1]
    unique = {url for urls in sitemaps.values() for url in urls}
    rows = "".join(_sitemap_row(u) for u in sorted(unique) if u.startswith(base))
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}</urlset>\n"
    )
    if len(cache.sitemaps) > 64:
        cache.sitemaps.clear()
    cache.sitemaps[base] = (sitemaps, text)
    return text


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
