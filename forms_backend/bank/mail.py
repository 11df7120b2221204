"""The talent bank's emails to a person, each with their private link: the reminder a month
before their consent ends (one click on their page keeps them in)."""

from __future__ import annotations

import datetime as dt

from ..mail import region_message
from ..manifest import Manifest
from . import joining


def reminder(manifest: Manifest, secret: str, email: str, name: str, expires: str, now: dt.datetime,
             mail_from: str | None = None) -> bytes:  # fmt: skip
    region = manifest.region.get("name", "the region")
    until = dt.datetime.fromisoformat(expires)
    body = (
        f"Dear {name or 'talent bank member'},\n\n"
        f"You are in the {region} talent bank until {until.day} {until:%B %Y}. After that day "
        "councils can no longer find you, and 30 days later what the bank holds about you is deleted.\n\n"
        'To stay in for another year, open your private page and choose "Stay in the talent bank":\n\n'
        f"{joining.private_link(manifest, secret, email, now)}\n\n"
        "On the same page you can see what we hold, change what you are looking for, or leave.\n"
    )
    sender, subject = f"{region} talent bank", "Stay in the talent bank?"
    return region_message(manifest, sender, name, email, subject, body, now, mail_from, "bank")
