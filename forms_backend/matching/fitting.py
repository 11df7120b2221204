"""Matching as the workspace and the person's own page use it: a role's requirements from the
manifest, the routes, and a person's profile from their answers, to reasons and a route plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..manifest import Manifest
from .explain import Reason, RoutePlan, explain, plan, rank
from .profile import profile_of
from .routes import load_routes

LABELS = {"met": "Met", "not-met": "Not met", "on-a-route": "On a route", "unknown": "Not known"}


def requirements_of(manifest: Manifest, council: str, campaign: str, role: str) -> dict[str, Any] | None:
    form = manifest.form(council, campaign) or {}
    return next((r.get("requirements") for r in form.get("roles", []) if r["slug"] == role), None)


def reasons_for(manifest: Manifest, council: str, campaign: str, role: str, answers: dict[str, Any],
                today: dt.date) -> list[Reason]:  # fmt: skip
    """How a person's answers stand against one role's requirements ([] when it has none)."""
    needs = requirements_of(manifest, council, campaign, role)
    if not needs:
        return []
    return explain(needs, profile_of(answers), load_routes(manifest.data), today)


def route_of(manifest: Manifest, answers: dict[str, Any], today: dt.date) -> RoutePlan | None:
    """The person's own route to registration, with the steps left and the region's support."""
    return plan(profile_of(answers), load_routes(manifest.data), today)


def ranked(manifest: Manifest, requirements: dict[str, Any], people: list[tuple[Any, dict[str, Any]]],
           today: dt.date) -> list[tuple[Any, list[Reason]]]:  # fmt: skip
    """People (key, answers or bank profile) best fit first, each with the reasons why."""
    profiles = [(key, profile_of(answers)) for key, answers in people]
    return rank(requirements, profiles, load_routes(manifest.data), today)
