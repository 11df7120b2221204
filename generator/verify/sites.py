"""Which sites there are to verify, read from a build (dist/ and its form manifest), not from code.

A campaign YAML becomes a manifest entry and a folder of pages when it is built, so adding one
adds its checks with no change here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import manifest
from ..opening import campaign_status
from .model import Site


class NoSites(Exception):
    """Nothing to verify: the build is missing or --only matches nothing."""


def read_manifest(dist: Path) -> dict[str, Any]:
    """The build's manifest, or NoSites saying how to make one."""
    try:
        return manifest.read_manifest(dist)
    except manifest.UnreadableManifest as exc:
        raise NoSites(f"{exc}, or drop --no-build" if exc.missing else str(exc)) from None


def status(form: dict[str, Any], today: dt.date) -> str:
    """open, closed or upcoming, from the manifest's dates (the build's rule)."""
    return campaign_status(dt.date.fromisoformat(form["opens"]), dt.date.fromisoformat(form["closes"]), today)


def site_path(file: Path, dist: Path) -> str:
    """dist/dudley/index.html -> /dudley/ ; dist/404.html -> /404.html"""
    rel = file.relative_to(dist).as_posix()
    if rel == "index.html":
        return "/"
    return "/" + (rel.removesuffix("index.html") if rel.endswith("/index.html") else rel)


def _pages_under(dist: Path, folder: str) -> list[str]:
    root = dist / folder.strip("/")
    return sorted(site_path(f, dist) for f in root.rglob("*.html")) if root.is_dir() else []


def _wanted(only: str | None, council: str, campaign: str | None) -> bool:
    if not only:
        return True
    want_council, _, want_campaign = only.strip("/").partition("/")
    if council != want_council:
        return False
    return not want_campaign or campaign in (None, want_campaign)


def discover(dist: Path, manifest: dict[str, Any], today: dt.date, only: str | None = None) -> list[Site]:
    """The region's pages, each council's index and each campaign, in that order, as --only allows."""
    sites: list[Site] = []
    if not only and (dist / "index.html").is_file():
        pages = ["/"] + (["/404.html"] if (dist / "404.html").is_file() else [])
        sites.append(Site("region", "region", manifest["region"]["name"], pages))
    forms = sorted(manifest.get("forms", []), key=lambda f: (f["council"], f["campaign"]))
    for slug, council in sorted(manifest.get("councils", {}).items()):
        whole_council = _wanted(only, slug, None) and "/" not in (only or "").strip("/")
        if whole_council and (dist / slug / "index.html").is_file():
            sites.append(Site(slug, "council", council["name"], [f"/{slug}/"]))
        for form in forms:
            if form["council"] != slug or not _wanted(only, slug, form["campaign"]):
                continue
            folder = f"/{slug}/{form['campaign']}/"
            sites.append(
                Site(
                    f"{slug}/{form['campaign']}",
                    "campaign",
                    f"{form['title']} – {council['short_name']}",
                    _pages_under(dist, folder),
                    form=form,
                    status=status(form, today),
                )
            )
    if not sites:
        raise NoSites(
            f"no site matches --only {only}: use COUNCIL or COUNCIL/CAMPAIGN as in campaigns/"
            if only
            else f"{dist} holds no built site: run `recruit build`"
        )
    return sites


def base_path(manifest: dict[str, Any]) -> str:
    """The path the region is published under: "/REPO/" for https://OWNER.github.io/REPO/, else "/"."""
    path = urlsplit(manifest["region"]["base_url"]).path.strip("/")
    return f"/{path}/" if path else "/"


def public_bases(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(public URL prefix, site path prefix) pairs, longest first: how absolute URLs map to dist/.

    The region's base URL maps to "/", and so does its path alone ("/REPO/", for links from the
    host's root); a council on its own domain maps to its folder (worked out from its forms'
    public and site paths).
    """
    region = manifest["region"]["base_url"].rstrip("/") + "/"
    bases = {region: "/"}
    if base_path(manifest) != "/":  # the 404 page links from the root of the host: /REPO/...
        bases[base_path(manifest)] = "/"
    for form in manifest.get("forms", []):
        url, path = form["form_url"], form["form_path"]
        folder = f"/{form['council']}/"
        tail = path.removeprefix(folder)
        if url.endswith(tail) and not url.endswith(path):
            bases.setdefault(url[: len(url) - len(tail)], folder)
    return sorted(bases.items(), key=lambda kv: -len(kv[0]))


def for_local_backend(manifest: dict[str, Any], local: str) -> dict[str, Any]:
    """The manifest as the backend must see it behind verify's server on `local` (http://127.0.0.1:P/).

    Posts then come from an origin the backend accepts, and its redirects land on the local copy
    of each thank-you page instead of the public site.
    """
    local = local.rstrip("/")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(local))
    patched = json.loads(json.dumps(manifest))
    patched["region"]["base_url"] = local + "/"
    patched["origins"] = sorted({origin, *manifest.get("origins", [])})
    for council in patched.get("councils", {}).values():
        council["origin"] = origin
    for form in patched.get("forms", []):
        form["form_url"] = local + form["form_path"]
        form["thanks_url"] = local + form["thanks_path"]
    return patched
