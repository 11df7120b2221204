"""What a person told us, as the matching reads it: a Profile from an application's answers to
the matching questions (ids `match_<name>`, campaigns/_shared/questions.yaml) or from a
talent-bank entry's structured fields (the same names without the prefix). Pure: no I/O.

The names and values are the generator's (generator/questions.py); the backend never imports
the generator, so the few it shows in words are written again here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PREFIX = "match_"
PROFESSION_NAMES = {
    "registered-nurse": "Registered nurse",
    "midwife": "Midwife",
    "social-worker": "Social worker",
    "occupational-therapist": "Occupational therapist",
    "physiotherapist": "Physiotherapist",
    "speech-and-language-therapist": "Speech and language therapist",
    "paramedic": "Paramedic",
    "doctor": "Doctor",
    "care-worker": "Care worker",
    "support-worker": "Support worker",
    "other": "Other profession",
}
# The regulator each profession registers with in England (None: no register).
BODY_OF: dict[str, str | None] = {
    "registered-nurse": "NMC",
    "midwife": "NMC",
    "social-worker": "SWE",
    "occupational-therapist": "HCPC",
    "physiotherapist": "HCPC",
    "speech-and-language-therapist": "HCPC",
    "paramedic": "HCPC",
    "doctor": "GMC",
}
BODY_NAMES = {"NMC": "NMC", "HCPC": "HCPC", "SWE": "Social Work England", "GMC": "GMC"}
STATES = ("registered", "lapsed", "qualified-abroad", "training", "none")
STEPS = ("passed", "booked", "not-yet")
TESTS = ("ielts-academic", "ielts-general", "oet", "none")
PARTS = ("listening", "reading", "writing", "speaking")
OET_GRADES = ("A", "B", "C+", "C", "D", "E")  # best first
HOURS = ("full-time", "part-time", "either")


@dataclass(frozen=True)
class EnglishResult:
    """An English test as the person reported it; `test` "none": they have not taken one."""

    test: str  # ielts-academic, ielts-general, oet or none
    taken: dt.date | None = None
    overall: float | None = None  # IELTS only
    parts: Mapping[str, float | str] = field(default_factory=dict)  # IELTS bands, OET grades


@dataclass(frozen=True)
class Profile:
    """The matching's view of one person; None wherever they did not say."""

    profession: str | None = None  # match_profession: one of PROFESSION_NAMES
    body: str | None = None  # match_registration_body: NMC, HCPC, SWE, GMC, none ("not-sure": None)
    state: str | None = None  # match_registration_state: one of STATES
    lapsed_year: int | None = None  # match_lapsed_year
    cbt: str | None = None  # match_nmc_cbt: passed or not-yet
    cbt_date: dt.date | None = None  # match_nmc_cbt_date
    osce: str | None = None  # match_nmc_osce: passed, booked or not-yet
    plab1: str | None = None  # match_gmc_plab1
    plab2: str | None = None  # match_gmc_plab2
    international_application: bool | None = None  # match_international_application: yes/no
    english: EnglishResult | None = None  # match_english_test, _date, match_ielts_*, match_oet_*
    driving_licence: bool | None = None  # match_driving_licence: yes/no
    hours: str | None = None  # match_hours: full-time, part-time or either

    @property
    def regulator(self) -> str | None:
        """The body they register with: as they said, else their profession's."""
        if self.body is not None:
            return self.body
        return BODY_OF.get(self.profession or "")


def _get(answers: Mapping[str, Any], name: str) -> Any:
    value = answers.get(PREFIX + name)
    return answers.get(name) if value is None else value


def _choice(answers: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = _get(answers, name)
    return value if isinstance(value, str) and value in allowed else None


def _yes_no(answers: Mapping[str, Any], name: str) -> bool | None:
    value = _get(answers, name)
    if isinstance(value, bool):
        return value
    return {"yes": True, "no": False}.get(value) if isinstance(value, str) else None


def _date(answers: Mapping[str, Any], name: str) -> dt.date | None:
    value = _get(answers, name)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _number(answers: Mapping[str, Any], name: str) -> float | None:
    value = _get(answers, name)
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+(\.[0-9]+)?\s*", value):
        value = float(value)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _english(answers: Mapping[str, Any]) -> EnglishResult | None:
    test = _choice(answers, "english_test", TESTS)
    if test is None:
        return None
    taken = _date(answers, "english_test_date")
    if test == "oet":
        grades = {p: _choice(answers, f"oet_{p}", OET_GRADES) for p in PARTS}
        return EnglishResult(test, taken, None, {p: g for p, g in grades.items() if g is not None})
    if test == "none":
        return EnglishResult(test)
    bands = {p: _number(answers, f"ielts_{p}") for p in PARTS}
    overall = _number(answers, "ielts_overall")
    return EnglishResult(test, taken, overall, {p: b for p, b in bands.items() if b is not None})


def profile_of(answers: Mapping[str, Any]) -> Profile:
    """A Profile from an application's answers (`match_` ids) or a bank entry's structured fields
    (the same names without it); an answer that is missing or not one of its values is None."""
    year = _number(answers, "lapsed_year")
    body = _choice(answers, "registration_body", ("NMC", "HCPC", "SWE", "GMC", "none"))
    return Profile(
        profession=_choice(answers, "profession", tuple(PROFESSION_NAMES)),
        body=body,
        state=_choice(answers, "registration_state", STATES),
        lapsed_year=int(year) if year is not None and year.is_integer() else None,
        cbt=_choice(answers, "nmc_cbt", ("passed", "not-yet")),
        cbt_date=_date(answers, "nmc_cbt_date"),
        osce=_choice(answers, "nmc_osce", STEPS),
        plab1=_choice(answers, "gmc_plab1", STEPS),
        plab2=_choice(answers, "gmc_plab2", STEPS),
        international_application=_yes_no(answers, "international_application"),
        english=_english(answers),
        driving_licence=_yes_no(answers, "driving_licence"),
        hours=_choice(answers, "hours", HOURS),
    )
