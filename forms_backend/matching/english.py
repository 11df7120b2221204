"""An English test against a regulator's standard on a given day: met, not met (too low, not a
test it accepts, expired) or unknown (a score or the date not given), in plain words. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .profile import BODY_NAMES, OET_GRADES, PARTS, EnglishResult
from .routes import AcceptedTest, EnglishStandard

SHORT = {"ielts-academic": "IELTS", "ielts-general": "IELTS General", "oet": "OET"}
LONG = {"ielts-academic": "IELTS Academic", "ielts-general": "IELTS General Training", "oet": "OET"}
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


@dataclass(frozen=True)
class Verdict:
    outcome: str  # met, not-met or unknown
    text: str


def expires(taken: dt.date, years: int) -> dt.date:
    """The day a result taken on `taken` stops counting (29 February: 28 February)."""
    try:
        return taken.replace(year=taken.year + years)
    except ValueError:
        return taken.replace(year=taken.year + years, day=28)


def _score(value: float | str | None) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else str(value)


def _below(got: float | str, need: float | str) -> bool:
    if isinstance(need, str):  # OET grades: A is best
        if not isinstance(got, str) or got not in OET_GRADES or need not in OET_GRADES:
            return True
        return OET_GRADES.index(got) > OET_GRADES.index(need)
    return not isinstance(got, int | float) or got < need


def _shortfalls(result: EnglishResult, rule: AcceptedTest) -> list[tuple[str, float | str, float | str]]:
    """(what, got, needed) for each result below the rule; a result not given is not counted."""
    low = []
    if rule.overall is not None and result.overall is not None and _below(result.overall, rule.overall):
        low.append(("overall", result.overall, rule.overall))
    for part in PARTS:
        need, got = rule.parts.get(part), result.parts.get(part)
        if need is not None and got is not None and _below(got, need):
            low.append((part, got, need))
    return low


def _missing(result: EnglishResult, rule: AcceptedTest) -> list[str]:
    gaps = ["overall"] if rule.overall is not None and result.overall is None else []
    return gaps + [p for p in PARTS if rule.parts.get(p) is not None and result.parts.get(p) is None]


def _headline(result: EnglishResult) -> str:
    if result.test == "oet":
        return "OET " + ", ".join(f"{p} {result.parts[p]}" for p in PARTS if p in result.parts)
    shown = f" {_score(result.overall)} overall" if result.overall is not None else ""
    return SHORT[result.test] + shown


def accepted(standard: EnglishStandard) -> str:
    """The tests a standard accepts, in words: "IELTS Academic or OET"."""
    names = list(dict.fromkeys(LONG[rule.test] for rule in standard.tests))
    return " or ".join(names)


def judge(
    result: EnglishResult | None, standard: EnglishStandard, profession: str | None, today: dt.date
) -> Verdict:
    """How a person's English test stands against `standard` on `today`."""
    body = BODY_NAMES.get(standard.body, standard.body)
    if result is None:
        return Verdict("unknown", f"English test not given ({body} asks for {accepted(standard)})")
    if result.test == "none":
        return Verdict("not-met", f"No English test yet: {body} asks for {accepted(standard)}")
    rules = standard.rules_for(result.test, profession)
    if not rules:
        return Verdict("not-met", f"{LONG[result.test]} is not a test {body} accepts: {accepted(standard)}")
    # the rule it comes closest to meeting speaks for it
    rule = min(rules, key=lambda r: (len(_shortfalls(result, r)), len(_missing(result, r))))
    low = _shortfalls(result, rule)
    if low:
        overall = next((got for what, got, _ in low if what == "overall"), None)
        parts = [(what, got, need) for what, got, need in low if what != "overall"]
        if overall is not None:
            need = _score(rule.overall)
            return Verdict(
                "not-met", f"{SHORT[result.test]} {_score(overall)} overall: below {body}'s {need}"
            )
        gaps = " and ".join(f"{what} {_score(got)}" for what, got, _ in parts)
        needs = " and ".join(dict.fromkeys(_score(need) for _, _, need in parts))
        lead = f"{_headline(result)} but " if result.test != "oet" and result.overall is not None else ""
        return Verdict("not-met", f"{lead or SHORT[result.test] + ' '}{gaps}: below {body}'s {needs}")
    years = NUMBERS.get(standard.valid_years, str(standard.valid_years))
    if result.taken is None:
        return Verdict("unknown", f"{_headline(result)}: test date not given (it counts for {years} years)")
    if result.taken > today:
        return Verdict("unknown", f"{SHORT[result.test]} dated {result.taken}: a date still to come")
    until = expires(result.taken, standard.valid_years)
    if today >= until:
        return Verdict("not-met", f"{SHORT[result.test]} taken {result.taken}: expired (valid {years} years)")
    missing = _missing(result, rule)
    if missing:
        return Verdict(
            "unknown", f"{_headline(result)}, taken {result.taken}: {', '.join(missing)} not given"
        )
    return Verdict("met", f"{_headline(result)}, taken {result.taken}: meets {body}'s standard until {until}")
