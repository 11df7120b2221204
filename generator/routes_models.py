"""campaigns/_shared/routes.yaml: the routes to UK registration, as data reviewed like content.

Each regulator's English language standard (which tests, what scores, for how long a result
counts) and each route: the international one for people who qualified abroad (its steps, each
one the matching can tell done or not from an applicant's answers) and the way back for a lapsed
UK registration (restore within so many years, else a return to practice course). Every rule
names the regulator's own page as its `source:`, on the regulator's own site. The build ships
the file in the manifest (`routes`), where forms_backend/matching/ reads it.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .formats import Text, Url
from .problems import shown
from .questions import BANDS, OET_GRADES
from .requirements_models import BODY_OF, RESTORABLE, Profession
from .strict import Strict

RegisteringBody = Literal["NMC", "HCPC", "SWE", "GMC"]
# Each regulator's own site: a rule's source is a page there, not someone's summary of it.
REGULATOR_SITES = {
    "NMC": "nmc.org.uk",
    "HCPC": "hcpc-uk.org",
    "SWE": "socialworkengland.org.uk",
    "GMC": "gmc-uk.org",
}
# What the matching can tell done from the answers, and the bodies whose routes have it.
CHECKS: dict[str, tuple[str, ...]] = {
    "english-test": ("NMC", "HCPC", "SWE", "GMC"),
    "cbt": ("NMC",),
    "osce": ("NMC",),
    "plab1": ("GMC",),
    "plab2": ("GMC",),
    "international-application": ("HCPC", "SWE"),
}
Check = Literal["english-test", "cbt", "osce", "plab1", "plab2", "international-application"]
Score = float | str


def _halves(value: float) -> float:
    if not math.isfinite(value) or value * 2 != int(value * 2):
        raise ValueError(f"an IELTS band is a whole or half number, got {value} (hint: e.g. 6.5 or 7)")
    return value


Band = Annotated[float, Field(ge=0, le=9), AfterValidator(_halves)]


def _on_regulator_site(url: str, body: str | None) -> str | None:
    """What is wrong with a source for `body`'s rule, if anything."""
    site = REGULATOR_SITES.get(body or "")
    host = (urlsplit(url).hostname or "").lower()
    if site and not (host == site or host.endswith("." + site)):
        return (
            f"{body}'s rules cite a page on {site}, got {shown(url)} "
            f"(hint: give {body}'s own page, e.g. https://www.{site}/...)"
        )
    if not url.startswith("https://"):
        return f"a source is an https:// page, got {shown(url)} (hint: write it as https://...)"
    return None


class Parts(Strict):
    """A result in each part of the test: IELTS bands (6.5) or OET grades (B, C+)."""

    listening: Score | None = None
    reading: Score | None = None
    writing: Score | None = None
    speaking: Score | None = None


class AcceptedTest(Strict):
    test: Literal["ielts-academic", "ielts-general", "oet"] = Field(
        description="ielts-academic, ielts-general or oet."
    )
    overall: Band | None = Field(None, description="IELTS: the lowest overall band, e.g. 7.0.")
    parts: Parts | None = Field(
        None, description="The lowest result in each part: IELTS bands, or OET grades A, B, C+, C, D, E."
    )
    professions: list[Profession] | None = Field(
        None, description="Only for these professions (e.g. speech-and-language-therapist)."
    )

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        test, parts = values.get("test"), values.get("parts")
        given = {
            k: v for k, v in (parts.model_dump() if isinstance(parts, Parts) else {}).items() if v is not None
        }
        if test is None:
            return []
        problems = []
        if given and len(given) < 4:
            missing = ", ".join(p for p in ("listening", "reading", "writing", "speaking") if p not in given)
            problems.append(f"parts gives some parts and not {missing} (hint: give all four, or none)")
        if test == "oet":
            if values.get("overall") is not None:
                problems.append("OET has no overall grade (hint: remove overall, give each part's grade)")
            if not given:
                problems.append("an OET rule needs each part's grade (hint: parts: {listening: B, ...})")
            bad = [f"{k} {shown(v)}" for k, v in given.items() if v not in OET_GRADES]
            if bad:
                grades = ", ".join(OET_GRADES)
                problems.append(f"OET grades are {grades}; got {', '.join(bad)} (hint: e.g. writing: C+)")
        else:
            if values.get("overall", ...) is None:
                problems.append("an IELTS rule needs its overall band (hint: e.g. overall: 7.0)")
            bad = [f"{k} {shown(v)}" for k, v in given.items() if not re.fullmatch(BANDS, _band_text(v))]
            if bad:
                problems.append(f"IELTS bands are 0 to 9 in halves; got {', '.join(bad)} (hint: e.g. 6.5)")
        return problems


def _band_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "x"
    return f"{float(value):g}" if float(value).is_integer() else str(float(value))


class EnglishStandard(Strict):
    source: Url = Field(description="The regulator's page that sets this standard.")
    valid_years: int = Field(ge=1, le=10, description="How many years after the test date a result counts.")
    tests: list[AcceptedTest] = Field(min_length=1, description="Each test accepted, and what it needs.")


class EnglishStandards(Strict):
    NMC: EnglishStandard | None = None
    HCPC: EnglishStandard | None = None
    SWE: EnglishStandard | None = None
    GMC: EnglishStandard | None = None


class Step(Strict):
    check: Check = Field(description="How the matching tells it done: " + ", ".join(CHECKS) + ".")
    text: Text = Field(description="What to do, in plain words, e.g. 'Book and pass the OSCE'.")
    source: Url | None = Field(None, description="The regulator's page for this step, if not the route's.")


class Route(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] = Field(
        description="A short name, e.g. nmc-international."
    )
    body: RegisteringBody = Field(description="NMC, HCPC, SWE or GMC.")
    kind: Literal["international", "return-to-practice"] = Field(
        description="international: qualified outside the UK; return-to-practice: a lapsed UK registration."
    )
    name: Text = Field(description="The route in plain words.")
    professions: list[Profession] | None = Field(None, description="Who it is for (default: the body's all).")
    source: Url = Field(description="The regulator's page describing the route.")
    steps: list[Step] | None = Field(None, description="international: each step, in order.")
    restore_within_years: int | None = Field(
        None, ge=1, le=50, description="return-to-practice: lapsed up to this many years ago, restore."
    )
    restore_steps: list[Text] | None = Field(None, description="return-to-practice: what restoring takes.")
    return_steps: list[Text] | None = Field(
        None, description="return-to-practice: what it takes after longer (a return to practice course)."
    )
    support: str | None = Field(None, description="The support the region offers on this route.")

    @field_validator("source")
    @classmethod
    def _regulators_page(cls, v: str, info: ValidationInfo) -> str:
        wrong = _on_regulator_site(v, info.data.get("body"))
        if wrong:
            raise ValueError(wrong)
        return v

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        body, kind = values.get("body"), values.get("kind")
        problems = []
        for step in values.get("steps") or ():
            if body and body not in CHECKS[step.check]:
                problems.append(
                    f"a {body} route has no {step.check} step (hint: {body}'s: {_checks_of(body)})"
                )
            wrong = _on_regulator_site(step.source, body) if step.source else None
            if wrong:
                problems.append(wrong)
        for profession in values.get("professions") or []:
            if body and BODY_OF[profession] != body:
                problems.append(f"a {profession.replace('-', ' ')} does not register with {body}")
        # a key rejected on its own (`...` here) is not also reported missing or misplaced
        international = {"steps": values.get("steps", ...)}
        returning = {k: values.get(k, ...) for k in ("restore_within_years", "restore_steps", "return_steps")}
        if kind == "international":
            if international["steps"] in (None, []):
                problems.append(
                    "an international route needs its steps (hint: steps: [{check: ..., text: ...}])"
                )
            for key, value in returning.items():
                if value not in (None, ...):
                    problems.append(f"{key} is for a return-to-practice route (hint: remove it)")
        if kind == "return-to-practice":
            if body and body not in RESTORABLE:
                problems.append(f"{body} has no return to practice route here (hint: NMC, HCPC or SWE)")
            for key, value in returning.items():
                if value is None or value == []:
                    problems.append(f"a return-to-practice route needs {key}")
            if international["steps"] not in (None, ...):
                problems.append(
                    "steps are for an international route (hint: use restore_steps and return_steps)"
                )
        return problems


def _checks_of(body: str) -> str:
    return ", ".join(check for check, bodies in CHECKS.items() if body in bodies)


def _error(loc: tuple[str | int, ...], message: str) -> InitErrorDetails:
    reason = PydanticCustomError("value_error", "{reason}", {"reason": message})
    return InitErrorDetails(type=reason, loc=loc, input={})


class RoutesFile(Strict):
    """campaigns/_shared/routes.yaml: the regulators' English standards and the routes to registration."""

    english: EnglishStandards = Field(
        default_factory=EnglishStandards,  # type: ignore[arg-type]
        description="Each regulator's English language standard, by body: NMC, HCPC, SWE, GMC.",
    )
    routes: list[Route] = Field(default_factory=list, description="Each route to registration.")

    @field_validator("english")
    @classmethod
    def _sources(cls, v: EnglishStandards) -> EnglishStandards:
        errors = []
        for body in REGULATOR_SITES:
            standard = getattr(v, body)
            wrong = _on_regulator_site(standard.source, body) if standard else None
            if wrong:
                errors.append(_error((body, "source"), wrong))
        if errors:
            raise ValidationError.from_exception_data("english", errors)
        return v

    @model_validator(mode="after")
    def _across_routes(self) -> RoutesFile:
        errors, ids, kinds = [], set(), set()
        for i, route in enumerate(self.routes):
            if route.id in ids:
                errors.append(
                    _error(("routes", i, "id"), f"two routes are called {route.id} (hint: rename one)")
                )
            if (route.body, route.kind) in kinds:
                message = f"{route.body} has two {route.kind} routes (hint: keep one, or merge their steps)"
                errors.append(_error(("routes", i, "kind"), message))
            ids.add(route.id)
            kinds.add((route.body, route.kind))
            english = any(step.check == "english-test" for step in route.steps or [])
            if english and getattr(self.english, route.body) is None:
                message = f"the route has an english-test step, and english: has no {route.body} standard"
                errors.append(
                    _error(("routes", i, "steps"), message + f" (hint: add english: {{{route.body}: ...}})")
                )
        if errors:
            raise ValidationError.from_exception_data("routes", errors)
        return self


def routes_json(routes: RoutesFile | None) -> dict[str, Any] | None:
    """The routes as the manifest carries them."""
    if routes is None:
        return None
    return {
        "english": {body: s.model_dump(mode="json") for body, s in routes.english if s is not None},
        "routes": [route.model_dump(mode="json") for route in routes.routes],
    }
