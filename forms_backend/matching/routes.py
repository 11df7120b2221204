"""The routes to UK registration, as the manifest carries them (its `routes`, from
campaigns/_shared/routes.yaml, checked by the generator): each regulator's English standard and
each route's steps. Pure: read from the manifest's data, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AcceptedTest:
    """One test a regulator accepts, and the lowest results it takes."""

    test: str  # ielts-academic, ielts-general or oet
    overall: float | None
    parts: Mapping[str, float | str]
    professions: tuple[str, ...] | None  # only for these professions; None: for everyone


@dataclass(frozen=True)
class EnglishStandard:
    body: str
    source: str
    valid_years: int
    tests: tuple[AcceptedTest, ...]

    def rules_for(self, test: str, profession: str | None) -> list[AcceptedTest]:
        """The rules for a test that apply to a profession: its own, if it has any, else the
        general ones (a speech and language therapist's 8.0, not everyone's 7.0)."""
        rules = [r for r in self.tests if r.test == test]
        own = [r for r in rules if r.professions and profession in r.professions]
        return own or [r for r in rules if not r.professions]


@dataclass(frozen=True)
class Step:
    check: str  # english-test, cbt, osce, plab1, plab2 or international-application
    text: str
    source: str | None = None


@dataclass(frozen=True)
class Route:
    id: str
    body: str
    kind: str  # international or return-to-practice
    name: str
    source: str
    professions: tuple[str, ...] | None = None
    steps: tuple[Step, ...] = ()
    restore_within_years: int | None = None
    restore_steps: tuple[str, ...] = ()
    return_steps: tuple[str, ...] = ()
    support: str | None = None

    def serves(self, profession: str | None) -> bool:
        return not self.professions or profession is None or profession in self.professions


@dataclass(frozen=True)
class Routes:
    english: Mapping[str, EnglishStandard] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()

    def english_for(self, body: str | None) -> EnglishStandard | None:
        return self.english.get(body or "")

    def route(self, body: str | None, kind: str, profession: str | None = None) -> Route | None:
        """The body's route of that kind (international or return-to-practice) for a profession."""
        for route in self.routes:
            if route.body == body and route.kind == kind and route.serves(profession):
                return route
        return None


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list) else ()


def load_routes(manifest: Mapping[str, Any]) -> Routes:
    """The routes of a manifest's data (`Manifest.data`); none when it has no `routes` (a region
    without routes.yaml, or a manifest built before them)."""
    data = manifest.get("routes") or {}
    english = {
        body: EnglishStandard(
            body,
            standard["source"],
            int(standard["valid_years"]),
            tuple(
                AcceptedTest(
                    rule["test"],
                    rule.get("overall"),
                    dict(rule.get("parts") or {}),
                    tuple(rule["professions"]) if rule.get("professions") else None,
                )
                for rule in standard.get("tests", [])
            ),
        )
        for body, standard in (data.get("english") or {}).items()
    }
    routes = tuple(
        Route(
            id=route["id"],
            body=route["body"],
            kind=route["kind"],
            name=route["name"],
            source=route["source"],
            professions=tuple(route["professions"]) if route.get("professions") else None,
            steps=tuple(Step(s["check"], s["text"], s.get("source")) for s in route.get("steps") or []),
            restore_within_years=route.get("restore_within_years"),
            restore_steps=_tuple(route.get("restore_steps")),
            return_steps=_tuple(route.get("return_steps")),
            support=route.get("support"),
        )
        for route in data.get("routes") or []
    )
    return Routes(english, routes)
