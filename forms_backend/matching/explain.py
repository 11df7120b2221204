"""Matching that explains itself: a role's requirements (the manifest's `roles[].requirements`)
against a person's Profile, on a given day, as reasons in plain words that are also data:
which requirement, met / not met / on a route / unknown, whether it is essential, and the steps
left. Then the order people are listed in for a role, and a person's own steps left on their
route. Pure: no I/O, no database; the day is always given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from . import english
from .profile import BODY_NAMES, PROFESSION_NAMES, Profile
from .routes import Route, Routes

Outcome = Literal["met", "not-met", "on-a-route", "unknown"]
Key = TypeVar("Key", bound=Hashable)
# How the matching names each step of a route, and what each answer says of it.
STEP_NAMES = {
    "cbt": "CBT",
    "osce": "OSCE",
    "plab1": "PLAB 1",
    "plab2": "PLAB 2",
    "international-application": "international application",
}
STATUS = {
    "passed": "passed",
    "booked": "booked",
    "not-yet": "not yet passed",
    True: "made",
    False: "not yet made",
    None: "not answered",
}
NOT_BOOKED = ("osce", "plab1", "plab2")  # a test one books: "not yet booked"
ELSEWHERE = {
    "registered": "Registered with {}",
    "lapsed": "Lapsed {} registration",
    "qualified-abroad": "Qualified abroad, for {}",
    "training": "Training for {} registration",
}
UK_ENGLISH = {
    "registered": "On the UK register: no English test needed",
    "lapsed": "Registered in the UK before: no English test needed",
    "training": "Training in the UK: no English test needed",
}


@dataclass(frozen=True)
class Reason:
    """One requirement of a role, as it stands for one person."""

    requirement: str  # profession, registration, english_test, driving_licence or hours
    outcome: Outcome
    essential: bool
    text: str
    steps_left: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RoutePlan:
    """A person's own route: what is left to do on it, and the help the region gives."""

    route: Route
    steps_left: list[str]
    text: str

    @property
    def support(self) -> str | None:
        return self.route.support


def _years(n: int) -> str:
    return "this year" if n <= 0 else f"{n} year{'s' * (n != 1)} ago"


def _answer(profile: Profile, check: str) -> Any:
    return {
        "cbt": profile.cbt,
        "osce": profile.osce,
        "plab1": profile.plab1,
        "plab2": profile.plab2,
        "international-application": profile.international_application,
    }.get(check)


def _done(profile: Profile, check: str, routes: Routes, body: str, today: dt.date) -> bool:
    if check == "english-test":
        standard = routes.english_for(body)
        return (
            standard is not None
            and english.judge(profile.english, standard, profile.profession, today).outcome == "met"
        )
    return _answer(profile, check) in ("passed", True)


def _status(profile: Profile, check: str) -> str:
    answer = _answer(profile, check)
    if answer == "not-yet" and check in NOT_BOOKED:
        return "not yet booked"
    return STATUS.get(answer, "not answered")


def plan(profile: Profile, routes: Routes, today: dt.date, body: str | None = None) -> RoutePlan | None:
    """The person's route to registration with `body` (default: their own regulator), if they
    are on one: qualified abroad (the international route) or lapsed in the UK (back to practice)."""
    body = body or profile.regulator
    name = BODY_NAMES.get(body or "")
    if name is None:
        return None
    if profile.state == "qualified-abroad":
        route = routes.route(body, "international", profile.profession)
        if route is None:
            return None
        left = [s.text for s in route.steps if not _done(profile, s.check, routes, body, today)]  # type: ignore[arg-type]
        said = [
            f"{STEP_NAMES[s.check]} {_status(profile, s.check)}" for s in route.steps if s.check in STEP_NAMES
        ]
        who = PROFESSION_NAMES.get(profile.profession or "", "Qualified")
        done = ", ".join(said) if said else "on the international route"
        return RoutePlan(route, left, f"{who} abroad: {name} {done}" if said else f"{who} abroad: {done}")
    if profile.state == "lapsed":
        route = routes.route(body, "return-to-practice", profile.profession)
        if route is None:
            return None
        within = route.restore_within_years or 0
        if profile.lapsed_year is None:
            text = f"Lapsed {name} registration, year not given: restore if under {within} years ago"
            return RoutePlan(route, list(route.restore_steps), text)
        years = today.year - profile.lapsed_year
        if years < within:
            return RoutePlan(
                route, list(route.restore_steps), f"Lapsed {name} registration {_years(years)}: can restore"
            )
        text = f"Lapsed {name} registration {_years(years)}: return to practice needed"
        return RoutePlan(route, list(route.return_steps), text)
    return None


def steps_left(profile: Profile, routes: Routes, today: dt.date) -> list[str]:
    """What is left to do on the person's own route (for the thank-you page and their private
    page); [] when they are on none. The support offered is `plan(...).support`."""
    found = plan(profile, routes, today)
    return found.steps_left if found else []


def _profession(wanted: list[str], profile: Profile) -> Reason:
    names = " or ".join(PROFESSION_NAMES[p].lower() for p in wanted)
    if profile.profession is None:
        return Reason("profession", "unknown", True, f"Profession not given (the role is for a {names})")
    label = PROFESSION_NAMES[profile.profession]
    if profile.profession in wanted:
        return Reason("profession", "met", True, label)
    return Reason("profession", "not-met", True, f"{label}: the role is for a {names}")


def _registration(need: Mapping[str, Any], profile: Profile, routes: Routes, today: dt.date) -> Reason | None:
    body, wanted, essential = need["body"], need["state"], bool(need.get("essential", True))
    if body == "none" or wanted == "none":
        return None
    name = BODY_NAMES[body]

    def reason(outcome: Outcome, text: str, steps: list[str] | None = None) -> Reason:
        return Reason("registration", outcome, essential, text, steps or [])

    theirs = profile.regulator
    if profile.state is None:
        return reason("unknown", f"{name} registration not answered")
    if profile.state == "none":
        return reason("not-met", f"Not registered, and not on a route to {name} registration")
    if theirs is not None and theirs != body:
        other = BODY_NAMES.get(theirs)
        said = ELSEWHERE[profile.state].format(other) if other else "A profession with no UK register"
        return reason("not-met", f"{said}; the role needs {name}")
    if profile.state == "registered":
        return reason("met", f"Registered with {name}")
    accepted: Outcome = "met" if wanted == "on-a-route" else "on-a-route"
    if profile.state == "training":
        return reason(accepted, f"Training in the UK towards {name} registration")
    route = plan(profile, routes, today, body)
    if route is None:
        where = "abroad" if profile.state == "qualified-abroad" else "lapsed"
        return reason(accepted, f"Registration {where}: no {name} route known")
    lapsed = today.year - profile.lapsed_year if profile.state == "lapsed" and profile.lapsed_year else None
    if (
        wanted == "eligible-to-restore"
        and lapsed is not None
        and lapsed <= int(need.get("within_years") or 0)
    ):
        accepted = "met"  # lapsed, but recently enough for this role
    return reason(accepted, route.text, route.steps_left)


def _english(
    need: Mapping[str, Any], requirements: Mapping[str, Any], profile: Profile, routes: Routes, today: dt.date
) -> Reason:
    essential = bool(need.get("essential"))
    body = (requirements.get("registration") or {}).get("body")
    if profile.state in UK_ENGLISH:  # a UK register or course has seen their English already
        return Reason("english_test", "met", essential, UK_ENGLISH[profile.state])
    standard = routes.english_for(body)
    if standard is None:
        return Reason("english_test", "unknown", essential, f"No English standard known for {body}")
    wanted = requirements.get("profession") or []
    profession = profile.profession or (wanted[0] if len(wanted) == 1 else None)
    verdict = english.judge(profile.english, standard, profession, today)
    steps = (
        []
        if verdict.outcome == "met"
        else [f"Take {english.accepted(standard)} at {BODY_NAMES[body]}'s standard"]
    )
    return Reason("english_test", verdict.outcome, essential, verdict.text, steps)  # type: ignore[arg-type]


def _driving(need: Mapping[str, Any], profile: Profile) -> Reason:
    essential = bool(need.get("essential"))
    if profile.driving_licence is None:
        return Reason("driving_licence", "unknown", essential, "Driving licence not answered")
    if profile.driving_licence:
        return Reason("driving_licence", "met", essential, "Full UK driving licence")
    return Reason("driving_licence", "not-met", essential, "No full UK driving licence")


def _hours(wanted: str, profile: Profile) -> Reason:
    shown = wanted.replace("-", " ")
    if wanted == "either" or profile.hours in (wanted, "either"):
        return Reason("hours", "met", False, f"Hours: {(profile.hours or wanted).replace('-', ' ')}")
    if profile.hours is None:
        return Reason("hours", "unknown", False, f"Hours not answered (the role is {shown})")
    return Reason("hours", "not-met", False, f"Wants {profile.hours.replace('-', ' ')}; the role is {shown}")


def explain(
    requirements: Mapping[str, Any] | None, profile: Profile, routes: Routes, today: dt.date
) -> list[Reason]:
    """Each of a role's requirements as it stands for this person on `today`, in the order the
    requirements are written; [] for a role without structured requirements."""
    if not requirements:
        return []
    reasons: list[Reason | None] = []
    if requirements.get("profession"):
        reasons.append(_profession(list(requirements["profession"]), profile))
    if requirements.get("registration"):
        reasons.append(_registration(requirements["registration"], profile, routes, today))
    if requirements.get("english_test"):
        reasons.append(_english(requirements["english_test"], requirements, profile, routes, today))
    if requirements.get("driving_licence"):
        reasons.append(_driving(requirements["driving_licence"], profile))
    if requirements.get("hours"):
        reasons.append(_hours(requirements["hours"], profile))
    return [r for r in reasons if r is not None]


def fit(reasons: list[Reason]) -> tuple[int, int, int, int, int]:
    """A sort key, best first: anyone with an essential requirement not met (and on no route)
    after everyone without; then more met, more on a route, fewer not met, fewer unknown."""
    count = {o: sum(r.outcome == o for r in reasons) for o in ("met", "not-met", "on-a-route", "unknown")}
    blocked = any(r.essential and r.outcome == "not-met" for r in reasons)
    return (int(blocked), -count["met"], -count["on-a-route"], count["not-met"], count["unknown"])


def rank(
    requirements: Mapping[str, Any] | None,
    candidates: list[tuple[Key, Profile]],
    routes: Routes,
    today: dt.date,
) -> list[tuple[Key, list[Reason]]]:
    """Candidates (each a key of the caller's and a Profile) best fit first, each with its
    reasons; equal fits keep the order they came in."""
    explained = [(key, explain(requirements, profile, routes, today)) for key, profile in candidates]
    return sorted(explained, key=lambda pair: fit(pair[1]))
