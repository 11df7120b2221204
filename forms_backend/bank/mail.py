"""The talent bank's emails to a person, each with their private link: the reminder a month
before their consent ends (one click on their page keeps them in), a council's interest, and the
confirmation of a join on the bank's own form."""

from __future__ import annotations

import datetime as dt

from ..mail import region_message
from ..manifest import Manifest
from ..storage.bank import BankJoin
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


def interest(manifest: Manifest, secret: str, email: str, name: str, council_name: str, role: str,
             contact: int, now: dt.datetime, mail_from: str | None = None) -> bytes:  # fmt: skip
    """A council's interest in a person, naming the council and the role; their answer is theirs."""
    region = manifest.region.get("name", "the region")
    link = joining.private_link(manifest, secret, email, now)
    body = (
        f"Dear {name or 'talent bank member'},\n\n"
        f"{council_name} would like to talk to you about a job: {role}.\n\n"
        f"They found you in the {region} talent bank. They do not have your name or your email address: "
        "if you say yes, they will see your details and your applications, and contact you.\n\n"
        f"Say yes or no here:\n\n{link}/contacts/{contact}\n\n"
        "If you do nothing, they will not see your details. You can leave the talent bank from the "
        "same page.\n"
    )
    subject = f"{council_name} would like to talk to you about a job"
    return region_message(
        manifest, f"{region} talent bank", name, email, subject, body, now, mail_from, "bank"
    )


def joined(manifest: Manifest, secret: str, email: str, join: BankJoin, now: dt.datetime, title: str,
           told: list[str], mail_from: str | None = None, pending: bool = False) -> bytes:  # fmt: skip
    """The confirmation of a join on the talent bank's own form (`title`: the campaign's): what
    the person agreed to, what they told us (`told`, a line each), until when, and their private link."""
    region = manifest.region.get("name", "the region")
    body = (
        f"Dear {join.name or 'talent bank member'},\n\n"
        f"Thank you for joining the {region} talent bank from {title}. You agreed to this:\n\n"
        f'"{join.wording}"\n\n'
        + ("You told us:\n" + "".join(f"- {line}\n" for line in told) + "\n" if told else "")
        + (
            (
                'To finish joining, open your private page and choose "Yes, add me to the talent bank". '
                "Until you do, councils cannot find you; if you do nothing, what you sent is deleted in "
                "30 days.\n\n"
            )
            if pending
            else ""
        )
        + joining.note(manifest, secret, email, join, now)
        + "If you did not ask to join, do nothing, or open the link and choose to leave.\n"
    )
    sender = f"{region} talent bank"
    subject = "Confirm that you want to join the talent bank" if pending else "You are in the talent bank"
    return region_message(manifest, sender, join.name, email, subject, body, now, mail_from, "bank")


def new_link(manifest: Manifest, secret: str, email: str, name: str, now: dt.datetime,
             mail_from: str | None = None) -> bytes:  # fmt: skip
    """The link someone asked for on the talent bank's "email me a new link" page."""
    region = manifest.region.get("name", "the region")
    body = (
        f"Dear {name or 'talent bank member'},\n\n"
        f"Here is a new link to your page in the {region} talent bank, as you asked:\n\n"
        f"{joining.private_link(manifest, secret, email, now)}\n\n"
        "If you did not ask for it, you can ignore this email: the link works only for this address.\n"
    )
    sender, subject = f"{region} talent bank", "Your talent bank page"
    return region_message(manifest, sender, name, email, subject, body, now, mail_from, "bank")
