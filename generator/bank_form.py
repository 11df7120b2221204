"""The "join the talent bank" form as data: what a campaign's talent-bank/ page asks.

It asks what the bank is searched by, and no more: a name, an email address for the private
link, what the person does and the hours they want, the campaign's own talent bank question
(required here: ticking it is the point) and the privacy notice. The values the options post
are fixed, because the bank's search reads them (forms_backend/storage/bank.py SEARCHED). The
form posts without JavaScript, so its messages are the backend's alone; the backend keeps its own
copy of these questions (forms_backend/bank/join.py), which tests/backend/test_bank_join.py holds
to the same ids, types and values as the built page.
"""

from __future__ import annotations

from typing import Any

from .forms import SPEC_KEYS
from .models import TalentBank

PROFESSIONS = (
    ("registered-nurse", "Registered nurse"),
    ("midwife", "Midwife"),
    ("social-worker", "Social worker"),
    ("occupational-therapist", "Occupational therapist"),
    ("physiotherapist", "Physiotherapist"),
    ("speech-and-language-therapist", "Speech and language therapist"),
    ("care-worker", "Care worker"),
    ("support-worker", "Support worker"),
    ("other", "Other"),
)
HOURS = (("full-time", "Full-time"), ("part-time", "Part-time"), ("either", "Either"))


def _options(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


def join_fields(bank: TalentBank, council_name: str) -> list[dict[str, Any]]:
    """The join form's questions in page order, each with every key of SPEC_KEYS (as form.html
    reads them)."""
    specs: list[dict[str, Any]] = [
        {
            "id": "full_name",
            "type": "text",
            "label": "Full name",
            "required": True,
            "autocomplete": "name",
            "max_length": 200,
            "spellcheck": False,
        },
        {
            "id": "email",
            "type": "email",
            "label": "Email address",
            "required": True,
            "hint": "We will email you a link to your own page, where you can see what we keep, "
            "change it or leave the talent bank.",
            "autocomplete": "email",
            "max_length": 254,
            "spellcheck": False,
        },
        {
            "id": "profession",
            "type": "radios",
            "label": "What do you do, or what did you train as?",
            "required": True,
            "hint": "Choose the closest. If you trained outside the UK, choose what you trained as.",
            "options": _options(PROFESSIONS),
        },
        {
            "id": "hours",
            "type": "radios",
            "label": "What hours would you like to work?",
            "required": True,
            "inline": True,
            "options": _options(HOURS),
        },
        {
            "id": "talent_bank_consent",
            "type": "consent",
            "required": True,
            "label": bank.wording,  # the exact words consented to, as on the apply form
            "hint": bank.hint,
            "legend": "Regional talent bank",
        },
        {
            "id": "privacy_consent",
            "type": "consent",
            "required": True,
            "label": f"I have read the privacy notice and agree to {council_name} using my "
            "information to keep me in the regional talent bank",
            "legend": "Your data",
            "privacy_link": True,
        },
    ]
    return [{**SPEC_KEYS, **spec} for spec in specs]
