"""dist/_forms/manifest.json: everything the form backend needs, and nothing from YAML.

The backend reads only this file: each form's fields and rules, its council, campaign,
thank-you URL (and that of the page after its survey) and notification addresses. The format
is versioned; a change that an older backend could misread bumps VERSION.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .forms import HONEYPOT
from .models import Region
from .requirements_models import requirements_json
from .routes_models import RoutesFile, routes_json
from .urls import Urls, feedback_path
from .views import CampaignView, CouncilView

if TYPE_CHECKING:
    from .cache import BuildCache

# Where a build writes the manifest, under its output folder.
MANIFEST = "_forms/manifest.json"
FORMAT = "recruit-forms"
VERSION = 1
# What the backend needs of a question: its rules and messages, not how it is laid out.
RULE_KEYS = (
    "id",
    "type",
    "label",
    "required",
    "max_length",
    "pattern",
    "options",
    "min",
    "max",
    "extensions",
    "max_bytes",
    "messages",
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def form_entry(
    urls: Urls, council: CouncilView, campaign: CampaignView, fields: list[dict[str, Any]]
) -> dict[str, Any]:
    """One campaign's form as the backend needs it."""
    m = campaign.model
    return {
        "council": council.slug,
        "campaign": campaign.slug,
        "title": m.title,
        "opens": m.opens.isoformat(),
        "closes": m.closes.isoformat(),
        "form_path": campaign.links["apply"],
        "form_url": urls.absolute(campaign.links["apply"], council),
        "thanks_path": campaign.links["thanks"],
        "thanks_url": urls.absolute(campaign.links["thanks"], council),
        "feedback_path": feedback_path(campaign),
        "feedback_url": urls.absolute(feedback_path(campaign), council),
        "action": urls.form_action(council, campaign),
        "notifications": list(council.model.notifications),
        "talent_bank": m.talent_bank is not None,
        "honeypot": HONEYPOT,
        "roles": [
            {
                "slug": r.slug,
                "title": r.title,
                "reference": r.reference,
                "closes": r.closes.isoformat(),
                # what the backend's matching ranks applicants against; null when not given
                "requirements": requirements_json(r.model.requirements),
            }
            for r in campaign.roles
        ],
        "fields": [{key: spec[key] for key in RULE_KEYS} for spec in fields],
        # for the evaluation's cost per application and digital take-up; {} when not given
        "spend": dict(m.spend),
        "applications_elsewhere": dict(m.applications_elsewhere),
    }


Forms = dict[str, list[tuple[str, str]]]  # council slug -> (campaign slug, its form as form_json writes it)


def manifest_file(
    region: Region,
    urls: Urls,
    councils_built: list[CouncilView],
    forms: Forms,
    cache: BuildCache,
    previous: dict[str, Any] | None = None,
    whole_councils: bool = True,
    routes: RoutesFile | None = None,
) -> bytes:
    """The manifest for this build, from each built council's forms (every built council has a key),
    with the routes to registration of routes.yaml when there is one.

    With `previous` (a build of one council or campaign), what was not rebuilt keeps its entries.
    """
    councils = {
        c.slug: {
            "name": c.model.name,
            "short_name": c.model.short_name,
            "code": c.model.code,
            "notifications": list(c.model.notifications),
            "contact_email": c.model.contact.email,
            "origin": _origin(urls.absolute(c.path, c)),
            "messages": stage_messages(c.model.messages),
            "analytics": c.model.analytics,
        }
        for c in councils_built
    }
    if previous:
        councils = {**previous.get("councils", {}), **councils}
        forms = _merged(previous.get("forms", []), forms, whole_councils)
    origins = sorted({_origin(urls.absolute("/"))} | {c["origin"] for c in councils.values()})
    head = {
        "format": FORMAT,
        "version": VERSION,
        "region": {
            "name": region.name,
            "organisation": region.organisation,
            "base_url": urls.absolute("/"),
            "backend_url": region.backend_url,
            "retention_days": region.retention_days,
            "contact_email": region.contact_email,
            # what the workspace offers to email an applicant on a move, by stage
            "messages": stage_messages(region.messages),
            "analytics": region.analytics,
            "talent_bank_months": region.talent_bank_months,
            "talent_bank_providers": list(region.talent_bank_providers),
            "talent_bank_contacts_per_month": region.talent_bank_contacts_per_month,
        },
        "origins": origins,
        "councils": dict(sorted(councils.items())),
    }
    if routes is not None:
        head["routes"] = routes_json(routes)
    return dumps(head, forms, cache)


def stage_messages(messages: Any) -> dict[str, str]:
    """site.toml's or council.yaml's messages by stage, as the workspace names stages."""
    return {
        stage.replace("_", "-"): text for stage, text in messages.model_dump().items() if text is not None
    }


def _merged(before: list[dict[str, Any]], forms: Forms, whole_councils: bool) -> Forms:
    """The previous manifest's forms with this build's in place of those it rebuilt."""
    rebuilt = {(council, slug) for council, entries in forms.items() for slug, _ in entries}
    merged: Forms = {council: list(entries) for council, entries in forms.items()}
    for form in before:
        key = (form["council"], form["campaign"])
        if (key[0] in forms) if whole_councils else (key in rebuilt):
            continue
        merged.setdefault(key[0], []).append((key[1], form_json(form)))
    return merged


class UnreadableManifest(Exception):
    """A dist/ whose manifest is missing, is not JSON, or is another format or version."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def read_manifest(dist: Path) -> dict[str, Any]:
    """The manifest a build wrote into `dist`: the one reader, for the next build of one council
    (`--only`) and for `recruit verify`."""
    path = dist / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        missing = f"{path} is missing: build the sites first (`recruit build`)"
        raise UnreadableManifest(missing, missing=True) from None
    except (OSError, ValueError) as exc:
        raise UnreadableManifest(f"{path} is not valid JSON ({exc}): rebuild with `recruit build`") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        found = (data.get("format"), data.get("version")) if isinstance(data, dict) else (None, None)
        raise UnreadableManifest(
            f"{path} is format {found[0]!r} version {found[1]!r}, where this recruit reads "
            f"{FORMAT!r} version {VERSION}: rebuild with `recruit build`"
        )
    return data


def form_json(form: dict[str, Any]) -> str:
    return json.dumps(form, ensure_ascii=False, separators=(",", ":"))


def dumps(head: dict[str, Any], forms: Forms, cache: BuildCache) -> bytes:
    """The manifest as JSON, one form to a line (readable in a diff), in council then campaign order.

    A large region's manifest is megabytes: each council's forms are joined again only when they
    changed (the cache keeps each council's joined forms, and forgets councils gone).
    """
    fragments: dict[str, tuple[list[tuple[str, str]], bytes]] = {}
    for council in sorted(forms):
        entries = forms[council]
        if not entries:
            continue
        known = cache.fragments.get(council)
        if known is None or known[0] != entries:
            known = (entries, ",\n".join(text for _, text in sorted(entries)).encode("utf-8"))
        fragments[council] = known
    cache.fragments = fragments
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    # one join: each concatenation would copy the whole manifest again
    forms_apart = [piece for _, data in fragments.values() for piece in (b",\n", data)][1:]
    return b"".join([text[:-1].encode("utf-8"), b',"forms":[\n', *forms_apart, b"\n]}\n"])
