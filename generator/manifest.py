"""dist/_forms/manifest.json: everything the form backend needs, and nothing from YAML.

The backend reads only this file: each form's fields and rules, its council, campaign,
thank-you URL and notification addresses. The format is versioned; a change that an older
backend could misread bumps VERSION.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .forms import HONEYPOT
from .render import Renderer
from .views import CampaignView, CouncilView

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
    renderer: Renderer, council: CouncilView, campaign: CampaignView, fields: list[dict[str, Any]]
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
        "form_url": renderer.absolute(campaign.links["apply"], council),
        "thanks_path": campaign.links["thanks"],
        "thanks_url": renderer.absolute(campaign.links["thanks"], council),
        "action": renderer.form_action(council, campaign),
        "notifications": list(council.model.notifications),
        "talent_bank": m.talent_bank is not None,
        "honeypot": HONEYPOT,
        "roles": [
            {
                "slug": r.slug,
                "title": r.title,
                "reference": r.reference,
                "closes": r.closes.isoformat(),
            }
            for r in campaign.roles
        ],
        "fields": [{key: spec[key] for key in RULE_KEYS} for spec in fields],
    }


def build_manifest(
    renderer: Renderer,
    councils_built: list[CouncilView],
    forms: list[dict[str, Any]],
    previous: dict[str, Any] | None = None,
    whole_councils: bool = True,
) -> dict[str, Any]:
    """The manifest for this build, from each built campaign's form entry.

    With `previous` (a build of one council or campaign), what was not rebuilt keeps its entries.
    """
    region = renderer.region
    councils = {
        c.slug: {
            "name": c.model.name,
            "short_name": c.model.short_name,
            "code": c.model.code,
            "notifications": list(c.model.notifications),
            "contact_email": c.model.contact.email,
            "origin": _origin(renderer.absolute(c.path, c)),
        }
        for c in councils_built
    }
    if previous:
        rebuilt = {(f["council"], f["campaign"]) for f in forms}

        def replaced(entry: dict[str, Any]) -> bool:
            if whole_councils:
                return entry["council"] in councils
            return (entry["council"], entry["campaign"]) in rebuilt

        councils = {**previous.get("councils", {}), **councils}
        forms = [f for f in previous.get("forms", []) if not replaced(f)] + forms
    forms.sort(key=lambda f: (f["council"], f["campaign"]))
    origins = sorted({_origin(renderer.absolute("/"))} | {c["origin"] for c in councils.values()})
    return {
        "format": FORMAT,
        "version": VERSION,
        "region": {
            "name": region.name,
            "organisation": region.organisation,
            "base_url": renderer.absolute("/"),
            "backend_url": region.backend_url,
            "retention_days": region.retention_days,
            "contact_email": region.contact_email,
        },
        "origins": origins,
        "councils": dict(sorted(councils.items())),
        "forms": forms,
    }


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        return None
    return data


def form_json(form: dict[str, Any]) -> str:
    return json.dumps(form, ensure_ascii=False, separators=(",", ":"))


def dumps(manifest: dict[str, Any], written: dict[tuple[str, str], str] | None = None) -> str:
    """The manifest as JSON, one form to a line (readable in a diff); `written` are forms already
    serialised by form_json, reused as they are."""
    written = written or {}
    head = {k: v for k, v in manifest.items() if k != "forms"}
    forms = ",\n".join(written.get((f["council"], f["campaign"])) or form_json(f) for f in manifest["forms"])
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return text[:-1] + ',"forms":[\n' + forms + "\n]}\n"
