"""Joining the talent bank from an application: what the person consented to (the exact wording
of the apply form's question, from the campaign's YAML, and its version), for how long
(site.toml's talent_bank_months), who may contact them (the region's councils, and the care
providers site.toml names), and the structured answers the bank is searched by. And the private
link that every email to the person carries."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlsplit

from ..manifest import Manifest
from ..storage.bank import BankJoin, digest_of
from . import links

CONSENT_FIELD = "talent_bank_consent"
PREFIX = "match_"  # the shared library's matching questions (campaigns/_shared/questions.yaml)


def profile_of(answers: dict[str, Any]) -> dict[str, Any]:
    """The structured answers the bank keeps: the matching questions' (without their prefix),
    and the role applied for and the postcode's district (for distance, not the address)."""
    found = {key[len(PREFIX) :]: value for key, value in answers.items() if key.startswith(PREFIX)}
    if answers.get("role"):
        found["role_applied"] = answers["role"]
    postcode = str(answers.get("postcode", "")).strip().upper()
    if postcode:
        found["postcode_district"] = postcode.split()[0] if " " in postcode else postcode[:-3]
    return found


def join_of(manifest: Manifest, form: dict[str, Any], answers: dict[str, Any]) -> BankJoin | None:
    """The joining an application carries: None unless its talent bank box was ticked."""
    spec = next((f for f in form["fields"] if f["id"] == CONSENT_FIELD), None)
    if spec is None or answers.get(CONSENT_FIELD) in (None, "", False):
        return None
    wording = str(spec.get("label", ""))
    region = manifest.region
    return BankJoin(
        name=str(answers.get("full_name", "")).strip(),
        wording=wording,
        version=hashlib.sha256(wording.encode()).hexdigest()[:12],
        months=int(region.get("talent_bank_months", 12)),
        scope={"councils": "all", "providers": list(region.get("talent_bank_providers", []))},
        profile=profile_of(answers),
    )


def backend_address(manifest: Manifest) -> str:
    """The backend's public address: backend_url, on the sites' host when it is a path."""
    region = manifest.region
    backend = str(region.get("backend_url", "/api")).rstrip("/")
    if backend.startswith(("http://", "https://")):
        return backend
    base = urlsplit(str(region.get("base_url", "")))
    return f"{base.scheme}://{base.netloc}{backend}"


def private_link(manifest: Manifest, secret: str, email: str, now: dt.datetime) -> str:
    return f"{backend_address(manifest)}/bank/{links.make(secret, digest_of(email), now)}"


def note(manifest: Manifest, secret: str, email: str, join: BankJoin, now: dt.datetime) -> str:
    """What the confirmation email says of the bank: until when, and the private link."""
    until = now + dt.timedelta(days=round(join.months * 30.44))
    region = manifest.region.get("name", "the region")
    return (
        f"You are in the {region} talent bank until {until.day} {until:%B %Y}: the region's councils"
        + (" and the care providers it works with" if join.scope.get("providers") else "")
        + " may contact you about jobs, through us (they do not see your email address until you "
        "answer). See what we hold about you, change what you are looking for, leave the talent "
        f"bank or erase everything, on your private page (no account needed):\n\n"
        f"{private_link(manifest, secret, email, now)}\n\n"
    )
