"""The data files of campaigns/_shared/ that are not campaigns: the matching questions'
words (questions.yaml) and the routes to registration (routes.yaml). Each is loaded and checked
once a build (problems at file:line:column, like any campaign's), and a campaign that asks the
matching questions, or a role that needs an English test, is checked against them."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

from .cache import BuildCache
from .loading import load_yaml
from .models import Campaign
from .problems import Problem
from .questions import QuestionLibrary
from .routes_models import RoutesFile
from .validate import Checked, check_model, problem_at

# name -> the model of campaigns/_shared/<name>.yaml; these names are never shared campaigns
DATA_FILES: dict[str, type[BaseModel]] = {"questions": QuestionLibrary, "routes": RoutesFile}


def load_data(folder: Path, name: str, problems: list[Problem], cache: BuildCache) -> BaseModel | None:
    """campaigns/_shared/<name>.yaml as its model; None when it is missing or has problems (added
    to `problems`)."""
    file = folder / f"{name}.yaml"
    if not file.is_file():
        return None
    model = DATA_FILES[name]
    known = cache.loaded.get(os.fspath(file))
    if isinstance(known, model):  # unchanged since this process last checked it
        return known
    before = {os.fspath(file): cache.files.digest(file)}
    doc, found = load_yaml(file)
    if doc is None:
        problems += found
        return None
    checked = check_model(model, doc)
    problems += found + checked.problems
    if found or checked.model is None:
        return None
    cache.loaded.put(os.fspath(file), checked.model, [file], before)
    return checked.model


def data_used(campaign: Campaign) -> list[str]:
    """The data files a campaign is checked against (and built from)."""
    used = ["questions"] if campaign.form.matching_questions else []
    if any(r.requirements and r.requirements.english_test for r in campaign.roles):
        used.append("routes")
    return used


def campaign_problems(checked: Checked, folder: Path, routes: RoutesFile | None) -> list[Problem]:
    """A campaign's matching questions need questions.yaml, and a role's English test needs its
    body's standard in routes.yaml."""
    problems = []
    doc = checked.doc
    if checked.get(("form", "matching_questions")) and not (folder / "questions.yaml").is_file():
        problems.append(
            problem_at(
                doc,
                ("form", "matching_questions"),
                "there is no campaigns/_shared/questions.yaml to take the matching questions from",
                "restore it (git checkout campaigns/_shared/questions.yaml), or remove matching_questions",
            )
        )
    for i in range(checked.count(("roles",))):
        at = ("roles", i, "requirements")
        body = checked.get((*at, "registration", "body"))
        if checked.get((*at, "english_test")) is None or not isinstance(body, str) or body == "none":
            continue
        if not (folder / "routes.yaml").is_file():
            message = (
                f"english_test is checked at {body}'s standard, and there is no campaigns/_shared/routes.yaml"
            )
            hint = "restore it (git checkout campaigns/_shared/routes.yaml), or remove english_test"
            problems.append(problem_at(doc, (*at, "english_test"), message, hint))
        elif routes is not None and getattr(routes.english, body, None) is None:
            message = f"english_test is checked at {body}'s standard, and routes.yaml gives none"
            hint = f"add english: {{{body}: ...}} to campaigns/_shared/routes.yaml, or remove english_test"
            problems.append(problem_at(doc, (*at, "english_test"), message, hint))
    return problems
