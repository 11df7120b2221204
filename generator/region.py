"""The files that depend on every council: the hub, 404 pages, robots.txt and sitemaps, security
headers and the form manifest. They are made after every council's units, from their records."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .cache import BuildCache
from .headers import headers_file
from .icons import favicon_ico
from .incremental import Record
from .manifest import MANIFEST, UnreadableManifest, form_json, manifest_file, read_manifest
from .parts import Parts
from .render import PageInfo, Rendered, Renderer
from .urls import relative
from .views import CouncilView


def region_files(
    renderer: Renderer,
    councils: list[CouncilView],
    records: dict[str, Record],
    out: Path,
    only: str | None,
    whole_council: bool,
) -> Rendered:
    """The files that depend on every council: hub, sitemaps, the form manifest, security headers."""
    made = Rendered()
    sitemaps = {key: r.sitemap for key, r in records.items()}
    headers = headers_file(renderer.region.backend_url)
    for council in councils:  # a council on its own domain publishes its folder alone
        if council.model.base_url and whole_council:
            mine = {key: urls for key, urls in sitemaps.items() if key.startswith(f"{council.slug}/")}
            made.extend(render_own_domain(renderer, council, mine))
            made.add(f"{council.path}_headers", headers, "security headers")
    if only is None:
        made.extend(render_region(renderer, councils, sitemaps))
        made.add("/_headers", headers, "security headers")
    forms = {c.slug: [_form(c.slug, campaign.slug, records) for campaign in c.campaigns] for c in councils}
    previous = _previous(out) if only else None
    routes = renderer.project.routes
    manifest = manifest_file(
        renderer.region, renderer.urls, councils, forms, renderer.cache, previous, whole_council, routes
    )
    made.add(MANIFEST, manifest, "form manifest")
    return made


def _previous(out: Path) -> dict[str, Any] | None:
    """The manifest the last build wrote, whose other councils' forms a build of one keeps."""
    try:
        return read_manifest(out)
    except UnreadableManifest:
        return None


def _form(council: str, campaign: str, records: dict[str, Record]) -> tuple[str, str]:
    """A campaign's form in the manifest, as its record has it."""
    record = records[f"{council}/{campaign}/"]
    assert record.form is not None  # incremental.fresh renders a campaign again without one
    return campaign, record.form_json or form_json(record.form)


def render_region(
    renderer: Renderer, councils: list[CouncilView], sitemaps: dict[str, list[str]]
) -> Rendered:
    """The hub, 404 page, favicon, robots.txt and the sitemap of every page built (`sitemaps`:
    each unit's URLs, by unit)."""
    made = Rendered()
    region, urls = renderer.region, renderer.urls
    chain = renderer.chain(None)
    site, files = renderer.site_info(None)
    for path, body in files:
        made.add(path, body, "theme static")
    open_campaigns = [c for council in councils for c in council.campaigns if c.is_open]
    hub = PageInfo(
        "/",
        urls.absolute("/"),
        region.name,
        f"Jobs in adult social care with {len(councils)} councils across the {region.name} region.",
        "hub",
        [(region.name, "/")],
    )
    today, base_url = renderer.today, renderer.base_url
    part = Parts(renderer.cache, chain, "/", region, site, today, base_url, lambda to: relative("/", to))
    extra = {"councils": councils, "open_campaigns": open_campaigns, "part": part}
    renderer.page(made, chain, "hub", ["hub.html"], hub, site, **extra)
    missing = PageInfo(
        "/404.html",
        urls.absolute("/404.html"),
        "Page not found",
        "",
        "not_found",
        [(region.name, "/"), ("Page not found", "/404.html")],
        noindex=True,
    )
    renderer.page(made, chain, "not_found", ["404.html"], missing, site, rel=urls.from_root(), council=None)
    colours = (region.brand.primary, region.brand.text)
    if colours not in renderer.cache.favicons:
        renderer.cache.favicons[colours] = favicon_ico(*colours)
    made.add("/favicon.ico", renderer.cache.favicons[colours], "favicon")
    made.add("/robots.txt", _robots(urls.absolute("/sitemap.xml")), "robots")
    sitemap = _sitemap({**sitemaps, "": made.sitemap}, urls.absolute("/"), renderer.cache)
    made.add("/sitemap.xml", sitemap, "sitemap")
    return made


def render_own_domain(renderer: Renderer, council: CouncilView, sitemaps: dict[str, list[str]]) -> Rendered:
    """A council on its own domain: its folder is that domain's root, with its own sitemap
    and its own 404 page, in its brand."""
    made = Rendered()
    base = council.model.base_url
    if base:
        made.add(f"{council.path}robots.txt", _robots(base + "sitemap.xml"), "robots")
        made.add(f"{council.path}sitemap.xml", _sitemap(sitemaps, base, renderer.cache), "sitemap")
        site, _ = renderer.site_info(council)
        path = f"{council.path}404.html"
        missing = PageInfo(
            path,
            renderer.urls.absolute(path, council),
            f"Page not found – {council.model.short_name}",
            "",
            "not_found",
            [(council.model.short_name, council.path), ("Page not found", path)],
            noindex=True,
        )
        link = renderer.urls.from_root(council)
        chain = renderer.chain(council.slug)
        renderer.page(made, chain, "not_found", ["404.html"], missing, site, rel=link, council=council)
    return made


def _robots(sitemap: str) -> str:
    return f"User-agent: *\nAllow: /\nDisallow: /*/apply/thanks/\n\nSitemap: {sitemap}\n"


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
