"""A role's structured requirements (`requirements:` beside the prose `essential:` and
`desirable:`): profession, registration, driving licence, English test, hours and SOC 2020 code.

The backend matches applicants and talent-bank entries against them (forms_backend/matching/),
so each is a value from a fixed list, not free text. The lists are written once here for the
generator; the backend, which never imports the generator, keeps its own copy of the names it
shows (forms_backend/matching/profile.py).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from .problems import did_you_mean, shown
from .strict import Strict

PROFESSIONS = (
    "registered-nurse",
    "midwife",
    "social-worker",
    "occupational-therapist",
    "physiotherapist",
    "speech-and-language-therapist",
    "paramedic",
    "doctor",
    "care-worker",
    "support-worker",
    "other",
)
Profession = Literal[
    "registered-nurse",
    "midwife",
    "social-worker",
    "occupational-therapist",
    "physiotherapist",
    "speech-and-language-therapist",
    "paramedic",
    "doctor",
    "care-worker",
    "support-worker",
    "other",
]
# The regulator each profession registers with in England; None: no register to be on.
BODY_OF: dict[str, str | None] = {
    "registered-nurse": "NMC",
    "midwife": "NMC",
    "social-worker": "SWE",
    "occupational-therapist": "HCPC",
    "physiotherapist": "HCPC",
    "speech-and-language-therapist": "HCPC",
    "paramedic": "HCPC",
    "doctor": "GMC",
    "care-worker": None,
    "support-worker": None,
    "other": None,
}
Body = Literal["NMC", "HCPC", "SWE", "GMC", "none"]
BODY_NAMES = {
    "NMC": "the Nursing and Midwifery Council (NMC)",
    "HCPC": "the Health and Care Professions Council (HCPC)",
    "SWE": "Social Work England (SWE)",
    "GMC": "the General Medical Council (GMC)",
}
# Bodies with a way back for a lapsed UK registration (restore, or a return to practice course).
RESTORABLE = ("NMC", "HCPC", "SWE")
State = Literal["registered", "eligible-to-restore", "on-a-route", "none"]
Hours = Literal["full-time", "part-time", "either"]

# The SOC 2020 unit groups the region's roles use (ONS, Standard Occupational Classification 2020).
SOC_2020 = {
    "2211": "generalist medical practitioners",
    "2212": "specialist medical practitioners",
    "2221": "physiotherapists",
    "2222": "occupational therapists",
    "2223": "speech and language therapists",
    "2231": "nurses",
    "2232": "midwives",
    "2255": "paramedics",
    "2461": "social workers",
    "6131": "nursing auxiliaries and assistants",
    "6135": "care workers and home carers",
    "6136": "senior care workers",
}
SOC_HINT = "the codes this region uses: " + ", ".join(f"{code} {what}" for code, what in SOC_2020.items())


def _soc(value: Any) -> Any:
    """A SOC 2020 code as text: four digits, one the region uses."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # soc_2020: 2231 without quotes is the same code
    if not isinstance(value, str):
        return value  # pydantic says what it expected
    code = value.strip()
    if not re.fullmatch(r"[0-9]{4}", code):
        raise ValueError(
            f"a SOC 2020 code is four digits, got {shown(value)} "
            f'(hint: write the unit group\'s code in quotes, e.g. soc_2020: "2231" for nurses)'
        )
    if code not in SOC_2020:
        guess = did_you_mean(code, list(SOC_2020))
        also = f"did you mean '{guess}' ({SOC_2020[guess]})? " if guess else ""
        raise ValueError(
            f"{code} is not one of the SOC 2020 codes the region uses (hint: {also}{SOC_HINT}; "
            "a new code is added to SOC_2020 in generator/requirements_models.py)"
        )
    return code


SocCode = Annotated[
    str,
    BeforeValidator(_soc),
    Field(
        description=(
            "The role's SOC 2020 unit group, four digits in quotes, for national reporting: " + SOC_HINT + "."
        ),
        json_schema_extra={"enum": list(SOC_2020)},
    ),
]


def _professions(value: Any) -> Any:
    """One profession or a list of them, as a list."""
    return [value] if isinstance(value, str) else value


class Need(Strict):
    """A requirement that is met or not, and whether it must be."""

    essential: bool = Field(
        False, description="true: an applicant without it ranks below every applicant with it."
    )


class Registration(Strict):
    body: Body = Field(description="The regulator: NMC, HCPC, SWE (Social Work England), GMC, or none.")
    state: State = Field(
        "registered",
        description=(
            "registered (on the UK register now); eligible-to-restore (registered, or lapsed no "
            "more than within_years ago); on-a-route (working towards registration is enough); "
            "none (with body: none)."
        ),
    )
    within_years: int | None = Field(
        None, ge=1, le=50, description="With eligible-to-restore: how many years ago it may have lapsed."
    )
    essential: bool = Field(True, description="false: a bonus, not a must.")

    @field_validator("body", mode="before")
    @classmethod
    def _short_name(cls, v: Any) -> Any:
        """'Social Work England' is SWE: say so, rather than 'expected one of'."""
        named = {name.split(" (")[0].removeprefix("the ").lower(): code for code, name in BODY_NAMES.items()}
        code = named.get(v.strip().lower()) if isinstance(v, str) else None
        if code is not None:
            raise ValueError(f"write the body by its short name, {code} (hint: body: {code})")
        return v

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        body, state = values.get("body"), values.get("state")
        within = values.get("within_years", ...)
        problems = []
        if body == "none" and state not in (None, "none"):
            problems.append(
                f"state {state} needs a register to be on, and body is none "
                "(hint: name the body, e.g. body: NMC, or write state: none)"
            )
        if body not in (None, "none") and state == "none":
            problems.append(
                f"state none says no registration is needed, but body is {body} "
                "(hint: write state: registered, eligible-to-restore or on-a-route, or body: none)"
            )
        if state == "eligible-to-restore" and body not in (None, "none", *RESTORABLE):
            problems.append(
                f"a lapsed {body} registration has no restore or return to practice route here "
                "(hint: eligible-to-restore is for NMC, HCPC and SWE; write state: registered)"
            )
        if within not in (None, ...) and state not in (None, "eligible-to-restore"):
            problems.append(
                "within_years only applies with state: eligible-to-restore "
                "(hint: remove within_years, or write state: eligible-to-restore)"
            )
        if state == "eligible-to-restore" and within in (None, ...):
            problems.append(
                "eligible-to-restore needs within_years: how long ago a registration may have lapsed "
                "(hint: e.g. within_years: 5)"
            )
        return problems


class Requirements(Strict):
    """What a role needs, as values the backend can match applicants against."""

    profession: Annotated[list[Profession], BeforeValidator(_professions), Field(min_length=1)] | None = (
        Field(
            None,
            description=(
                "The profession the role is for (or a list of them), e.g. registered-nurse: "
                + ", ".join(PROFESSIONS)
                + ". Always essential."
            ),
        )
    )
    registration: Registration | None = Field(None, description="The registration the role needs.")
    driving_licence: Need | None = Field(
        None, description="A full UK driving licence, e.g. {essential: false}."
    )
    english_test: Need | None = Field(
        None,
        description="An English test at the registration body's own standard (routes.yaml), still valid.",
    )
    hours: Hours | None = Field(None, description="full-time, part-time or either. Never essential.")
    soc_2020: SocCode | None = None

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        registration = values.get("registration", ...)
        if registration is ...:
            return problems  # rejected: what it says of the body is not known
        body = registration.body if isinstance(registration, Registration) else None
        for profession in values.get("profession") or []:
            own = BODY_OF.get(profession)
            if body not in (None, "none") and own != body:
                register = f"registers with {own}" if own else "has no register"
                problems.append(
                    f"a {profession.replace('-', ' ')} {register}, not {body} "
                    f"(hint: write body: {own or 'none'}, or change the profession)"
                )
        english = values.get("english_test")
        if english is not None and body in (None, "none"):
            problems.append(
                "english_test is checked at the registration body's standard, and there is no body "
                "(hint: add registration: {body: NMC, ...}, or remove english_test)"
            )
        return problems


def requirements_json(requirements: Requirements | None) -> dict[str, Any] | None:
    """A role's requirements as the manifest carries them (null when the role gives none)."""
    if requirements is None:
        return None
    return requirements.model_dump(mode="json")
