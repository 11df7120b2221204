"""Matching people to roles, explained: a role's structured requirements (from the manifest)
against what a person told us, as reasons in plain words that are also data. Pure: no I/O.

profile.py   Profile, profile_of(answers): an application's `match_` answers or a bank entry's fields
routes.py    Routes, load_routes(manifest): the English standards and routes of routes.yaml
english.py   an English test against a regulator's standard on a given day
explain.py   explain, fit, rank; plan and steps_left for a person's own route
"""

from .explain import Reason, RoutePlan, explain, fit, plan, rank, steps_left
from .profile import EnglishResult, Profile, profile_of
from .routes import Routes, load_routes

__all__ = [
    "EnglishResult",
    "Profile",
    "Reason",
    "RoutePlan",
    "Routes",
    "explain",
    "fit",
    "load_routes",
    "plan",
    "profile_of",
    "rank",
    "steps_left",
]
