"""What a campaign cost, and the applications it received other than through its form: the
`spend:` and `applications_elsewhere:` maps of a council's campaign file, from which the
evaluation works out cost per application and per placement, and digital take-up.

Each maps a channel to a number. A channel is named as the backend names the source of an
application (`forms_backend/evaluation/classify.py`, `classify`): `Facebook`, `fb` and
`facebook.com` are all `facebook`, `Twitter` and `X` are both `x`, so the spend on a channel
lines up with the applications counted under it. The generator never imports the backend, so the
rule is written again here; tests/test_spend.py checks that the two agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .problems import shown

# The source each well-known host is counted under: the backend's KNOWN, without the mediums.
SOURCES = {
    "facebook.com": "facebook", "fb.com": "facebook", "fb.me": "facebook",
    "instagram.com": "instagram", "l.instagram.com": "instagram",
    "t.co": "x", "twitter.com": "x", "x.com": "x",
    "linkedin.com": "linkedin", "lnkd.in": "linkedin",
    "tiktok.com": "tiktok", "youtube.com": "youtube",
    "nextdoor.co.uk": "nextdoor", "nextdoor.com": "nextdoor",
    "reddit.com": "reddit", "whatsapp.com": "whatsapp",
    "google.com": "google", "google.co.uk": "google", "bing.com": "bing",
    "duckduckgo.com": "duckduckgo", "search.yahoo.com": "yahoo",
    "ecosia.org": "ecosia", "yandex.com": "yandex",
    "mail.google.com": "gmail", "outlook.live.com": "outlook",
    "outlook.office.com": "outlook", "outlook.office365.com": "outlook",
    "mail.yahoo.com": "yahoo-mail",
    "indeed.com": "indeed", "indeed.co.uk": "indeed", "jobs.nhs.uk": "nhs-jobs",
}  # fmt: skip
TOKEN = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")

# What one council spent and received is its own: a shared campaign would count it for each
# council that extends it, so these keys belong in the council's file alone.
PER_COUNCIL = ("spend", "applications_elsewhere")

AMOUNT_HINT = "write the amount in pounds as a number, e.g. 1200 or 800.50"
COUNT_HINT = "write how many applications came this way, a whole number, e.g. 4"


def channel(name: str) -> str | None:
    """A channel as the backend names the source of an application (`Twitter` is `x`), or None
    for a name with no letters or digits to go by."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-")[:60]
    if not TOKEN.fullmatch(cleaned):
        return None
    parts = cleaned.split(".")
    for n in range(len(parts) - 1):  # www.facebook.com, m.facebook.com: the host's known suffix
        known = SOURCES.get(".".join(parts[n:]))
        if known:
            return known
    return SOURCES.get(f"{cleaned}.com", cleaned)  # fb, twitter, linkedin


class Mistake(Exception):
    """What is wrong with one value of a map, and how to put it right."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def amount(value: Any) -> float:
    """Pounds spent on a channel: a number, 0 or more, in pounds and pence."""
    if value is None:
        raise Mistake("is empty", "write the amount, e.g. 1200, or remove the line")
    if isinstance(value, str):
        plain = value.replace("£", "").replace(",", "").strip()
        if _number(plain) is None:
            hint = AMOUNT_HINT
        elif plain == value.strip():
            hint = f"write {plain}, without quotes"
        else:
            hint = f"write {plain}, without £ or commas"
        raise Mistake(f"expected an amount in pounds, got {shown(value)}", hint)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Mistake(f"expected an amount in pounds, got {shown(value)}", AMOUNT_HINT)
    if value < 0:
        raise Mistake(f"an amount spent cannot be negative, got {value}", "write what was spent, 0 or more")
    if round(value, 2) != value:
        raise Mistake(
            f"amounts are pounds and pence, at most 2 decimal places; got {value}",
            f"round it to the penny, e.g. {value:.2f}",
        )
    return float(value)


def count(value: Any) -> int:
    """Applications received through a channel: a whole number, 0 or more."""
    if value is None:
        raise Mistake("is empty", "write how many, e.g. 4, or remove the line")
    if isinstance(value, str) and value.strip().isdigit():
        hint = f"write {value.strip()}, without quotes"
        raise Mistake(f"expected a whole number, got {shown(value)}", hint)
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise Mistake(f"expected a whole number of applications, got {shown(value)}", COUNT_HINT)
    if value < 0:
        raise Mistake(f"a number of applications cannot be negative, got {value}", COUNT_HINT)
    return int(value)


def _error(name: str, value: Any, message: str, hint: str) -> InitErrorDetails:
    """One problem at the map's key `name` (pydantic puts the map's own key in front), worded as
    the validator reads it: 'message (hint: hint)'."""
    text = f"{message} (hint: {hint})"
    return InitErrorDetails(
        type=PydanticCustomError("value_error", "{reason}", {"reason": text}), loc=(name,), input=value
    )


def channel_map(raw: Any, value_of: Callable[[Any], Any], what: str, example: str) -> dict[str, Any]:
    """`raw` as {channel: value}, channels named as the backend names them; every mistake in it
    reported at its own key, all at once."""
    if raw is None:  # `spend:` with every line under it commented out
        return {}
    if not isinstance(raw, dict):
        raise ValueError(
            f"expected each channel with its {what}, got {shown(raw)} "
            f"(hint: write one channel a line, indented under the key, e.g. `  {example}`)"
        )
    found: dict[str, Any] = {}
    named: dict[str, str] = {}  # channel -> the name it was first given
    errors = []
    for name, value in raw.items():
        key = channel(str(name))
        if key is None:
            hint = f"name the channel in letters and digits, e.g. {example.partition(':')[0]}"
            errors.append(_error(name, value, f"{shown(name)} is not a channel name", hint))
        elif key in named:
            message = f"{shown(named[key])} and {shown(name)} are the same channel, '{key}'"
            errors.append(_error(name, value, message, f"keep one of them, with the {what}s added together"))
        else:
            named[key] = name
            try:
                found[key] = value_of(value)
            except Mistake as mistake:
                errors.append(_error(name, value, mistake.message, mistake.hint))
    if errors:  # pydantic keeps each error's place, under the field's own: spend.facebook
        raise ValidationError.from_exception_data("channels", errors)
    return found


def _spend(raw: Any) -> dict[str, Any]:
    return channel_map(raw, amount, "amount", "facebook: 1200")


def _elsewhere(raw: Any) -> dict[str, Any]:
    return channel_map(raw, count, "count", "paper: 4")


Spend = Annotated[
    dict[str, Annotated[float, Field(ge=0)]],
    BeforeValidator(_spend),
    Field(
        description=(
            "Pounds spent on each channel during the campaign, e.g. facebook: 1200 or linkedin: 800.50 "
            "(no £ or commas, at most 2 decimal places). Name a channel as the campaign's links name "
            "it in utm_source. For the evaluation's cost per application and per placement. "
            "Only in a council's own campaign file."
        )
    ),
]
ApplicationsElsewhere = Annotated[
    dict[str, Annotated[int, Field(ge=0)]],
    BeforeValidator(_elsewhere),
    Field(
        description=(
            "Applications received other than through the site's form, by channel, e.g. paper: 4 or "
            "phone: 2 (whole numbers). Counted with the form's applications in the evaluation's "
            "digital take-up and cost per application. Only in a council's own campaign file."
        )
    ),
]
