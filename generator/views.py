"""What templates see: the validated models plus paths and derived values.

Paths here are site paths (`/dudley/come-back-to-care/`); templates turn them into relative
links with `rel()`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PIL import Image as PILImage

from .markdown import plain_text, render_markdown
from .models import Campaign, Council, Role
from .project import CampaignSite, CouncilSite

EMPLOYMENT = {
    "full-time": ("Full time", "FULL_TIME"),
    "part-time": ("Part time", "PART_TIME"),
    "temporary": ("Temporary", "TEMPORARY"),
    "contract": ("Contract", "CONTRACTOR"),
    "intern": ("Internship", "INTERN"),
    "volunteer": ("Volunteer", "VOLUNTEER"),
    "per-diem": ("Paid by the day", "PER_DIEM"),
    "other": ("Other", "OTHER"),
}
PERIOD = {"year": "a year", "hour": "an hour", "day": "a day", "week": "a week", "month": "a month"}


class ImageRef(str):
    """An image's site path that also knows its size, so pages reserve its space (no layout shift)."""

    width: int | None
    height: int | None

    def __new__(cls, path: str, size: tuple[int, int] | None) -> ImageRef:
        ref = super().__new__(cls, path)
        ref.width, ref.height = size or (None, None)
        return ref


def image_size(source: Path) -> tuple[int, int] | None:
    """Pixel size of a raster image, or an SVG's width/height (else its viewBox)."""
    if source.suffix.lower() == ".svg":
        try:
            root = ET.parse(source).getroot()
        except ET.ParseError:
            return None
        width, height = root.get("width", ""), root.get("height", "")
        if re.fullmatch(r"[\d.]+(px)?", width) and re.fullmatch(r"[\d.]+(px)?", height):
            return round(float(width.rstrip("px"))), round(float(height.rstrip("px")))
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) == 4:
            return round(float(box[2])), round(float(box[3]))
        return None
    try:
        with PILImage.open(source) as image:
            return image.size
    except OSError:
        return None


class Assets:
    """Images copied into a council's folder under a content-hashed name (never two names clash)."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}  # site path -> source
        self._by_source: dict[tuple[str, Path], ImageRef] = {}

    def add(self, council_slug: str, source: Path) -> ImageRef:
        key = (council_slug, source)
        if key not in self._by_source:
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
            path = f"/{council_slug}/_assets/{source.stem}.{digest}{source.suffix.lower()}"
            self.files[path] = source
            self._by_source[key] = ImageRef(path, image_size(source))
        return self._by_source[key]


class _Delegate:
    """A view that answers for its model's keys too, so templates write `campaign.title`."""

    model: Any

    def __getattr__(self, name: str) -> Any:
        if name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)


@dataclass(eq=False)
class RoleView(_Delegate):
    model: Role
    path: str
    closes: dt.date
    apply_path: str

    @property
    def salary_text(self) -> str:
        s = self.model.salary
        money = _money(s.min) if s.max is None or s.max == s.min else f"{_money(s.min)} to {_money(s.max)}"
        return f"{money} {PERIOD[s.period]}" + (f" {s.note}" if s.note else "")

    @property
    def employment_label(self) -> str:
        return EMPLOYMENT[self.model.employment_type][0]


@dataclass(eq=False)
class CampaignView(_Delegate):
    model: Campaign
    slug: str
    path: str
    status: str
    hero_image: ImageRef | None
    share_image: ImageRef | None
    roles: list[RoleView]
    links: dict[str, str]
    council: CouncilView = field(repr=False)
    share_links: dict[str, str] = field(default_factory=dict)
    story_images: dict[int, ImageRef] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(eq=False)
class CouncilView(_Delegate):
    model: Council
    slug: str
    path: str
    logo: ImageRef
    campaigns: list[CampaignView] = field(default_factory=list)


def _money(value: float) -> str:
    """£36,124 for whole pounds, £12.71 otherwise."""
    return f"£{int(value):,}" if float(value).is_integer() else f"£{value:,.2f}"


Absolute = Callable[[str, "CouncilView"], str]  # (site path, council) -> public URL


def build_views(
    sites: list[CouncilSite], today: dt.date, assets: Assets, absolute: Absolute
) -> list[CouncilView]:
    """Views of every council and its campaigns, with assets registered for copying."""
    councils = []
    for site in sites:
        council = CouncilView(site.model, site.slug, f"/{site.slug}/", assets.add(site.slug, site.logo))
        for camp in site.campaigns:
            council.campaigns.append(_campaign_view(camp, council, today, assets, absolute))
        councils.append(council)
    return councils


def _campaign_view(
    site: CampaignSite, council: CouncilView, today: dt.date, assets: Assets, absolute: Absolute
) -> CampaignView:
    model = site.model
    base = f"{council.path}{site.slug}/"
    links = {
        "landing": base,
        "roles": f"{base}roles/",
        "apply": f"{base}apply/",
        "thanks": f"{base}apply/thanks/",
        "privacy": f"{base}privacy/",
        "accessibility": f"{base}accessibility/",
    }
    roles = [
        RoleView(r, f"{base}roles/{r.slug}/", r.closes or model.closes, f"{base}apply/?role={r.slug}")
        for r in model.roles
    ]
    images = {loc: assets.add(council.slug, path) for loc, path in site.images.items()}
    view = CampaignView(
        model=model,
        slug=site.slug,
        path=base,
        status=site.status(today),
        hero_image=images.get(("hero", "image")),
        share_image=images.get(("sharing", "image")),
        roles=roles,
        links=links,
        council=council,
        story_images={loc[1]: p for loc, p in images.items() if loc[0] == "stories"},
    )
    url = absolute(base, council)
    text = model.sharing.text
    view.share_links = {
        "X (Twitter)": f"https://twitter.com/intent/tweet?text={quote(text)}&url={quote(url)}",
        "Facebook": f"https://www.facebook.com/sharer/sharer.php?u={quote(url)}",
        "LinkedIn": f"https://www.linkedin.com/sharing/share-offsite/?url={quote(url)}",
        "Email": f"mailto:?subject={quote(model.title)}&body={quote(text + ' ' + url)}",
    }
    return view


def job_posting(role: RoleView, campaign: CampaignView, council: CouncilView, url: str, logo_url: str) -> str:
    """schema.org JobPosting JSON-LD with what Google requires and recommends."""
    r = role.model
    locality = r.location.town or r.location.name.rsplit(",", 1)[-1].strip()
    salary: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": r.salary.period.upper()}

    def number(value: float) -> float | int:
        return int(value) if float(value).is_integer() else value

    if r.salary.max is not None and r.salary.max != r.salary.min:
        salary.update(minValue=number(r.salary.min), maxValue=number(r.salary.max))
    else:
        salary["value"] = number(r.salary.min)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": r.title,
        "description": str(render_markdown(r.description)),
        "datePosted": campaign.model.opens.isoformat(),
        "validThrough": f"{role.closes.isoformat()}T23:59:59+00:00",
        "employmentType": EMPLOYMENT[r.employment_type][1],
        "hiringOrganization": (
            {"@type": "Organization", "name": r.employer}
            if r.employer
            else {
                "@type": "Organization",
                "name": council.model.name,
                "sameAs": council.model.website,
                "logo": logo_url,
            }
        ),
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": r.location.name,
                "addressLocality": locality,
                "postalCode": r.location.postcode,
                "addressCountry": "GB",
            },
        },
        "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": salary},
        "directApply": True,
        "url": url,
    }
    if r.location.region:
        data["jobLocation"]["address"]["addressRegion"] = r.location.region
    if r.reference:
        data["identifier"] = {"@type": "PropertyValue", "name": council.model.name, "value": r.reference}
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return text.replace("</", "<\\/")


def describe(text: str, limit: int = 160) -> str:
    """A meta description from Markdown: plain text, cut at a word boundary."""
    plain = plain_text(text)
    if len(plain) <= limit:
        return plain
    return plain[: limit - 1].rsplit(" ", 1)[0] + "…"
