"""Load a whole region: site.toml, every council and campaign, shared campaigns merged in."""

from __future__ import annotations

from pathlib import Path

from .cache import BuildCache
from .checks import check_codes
from .councils import SharedCampaigns, load_councils
from .loading import load_toml
from .models import Region
from .problems import Problem, ProblemsFound, did_you_mean
from .sites import SHARED, Project
from .theme import theme_dir, theme_names
from .validate import file_problem, problem_at, validate_model


def load_project(
    root: Path, only: str | None = None, *, jobs: int | None = None, cache: BuildCache | None = None
) -> Project:
    """Load and validate everything (or one council/campaign); raise ProblemsFound with all.

    Councils load in parallel (`jobs` processes); a file unchanged since `cache` last loaded it
    (or since an earlier process did, as kept in the cache folder) is not parsed or validated again.
    """
    root = root.resolve()
    cache = cache or BuildCache()
    problems: list[Problem] = []
    region = _load_region(root, problems)
    campaigns_dir = root / "campaigns"
    if not campaigns_dir.is_dir():
        problems.append(
            file_problem(
                root / "site.toml",
                "there is no campaigns/ folder next to site.toml",
                "create it, then run `recruit new council SLUG --name ...`",
            )
        )
        raise ProblemsFound(problems)

    only_council, only_campaign = (only.split("/", 1) + [None])[:2] if only else (None, None)
    folders = sorted(p for p in campaigns_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if only_council:
        names = [p.name for p in folders]
        if only_council not in names:
            guess = did_you_mean(only_council, names)
            raise ProblemsFound(
                [
                    file_problem(
                        campaigns_dir,
                        f"no council folder '{only_council}'",
                        f"did you mean '{guess}'?" if guess else "councils: " + ", ".join(names),
                    )
                ]
            )
        folders = [p for p in folders if p.name == only_council]

    shared = SharedCampaigns(campaigns_dir / SHARED, problems, cache)
    shared.report_folders()
    questions, routes = shared.data("questions"), shared.data("routes")  # before any worker starts
    if only is None:  # loaded here once, so every worker inherits them (and their problems count once)
        for name in shared.names():
            shared.get(name)
    councils = load_councils(folders, shared, only_campaign, problems, jobs, cache)
    if only_campaign and councils and not councils[0].campaigns and not problems:
        names = sorted(p.stem for p in folders[0].glob("*.yaml") if p.name != "council.yaml")
        guess = did_you_mean(only_campaign, names)
        problems.append(
            file_problem(
                folders[0],
                f"no campaign '{only_campaign}' in {folders[0].name}",
                f"did you mean '{guess}'?" if guess else "campaigns: " + (", ".join(names) or "none yet"),
            )
        )
    check_codes(councils, problems)
    if problems or region is None:
        raise ProblemsFound(problems)
    return Project(root, region, councils, questions, routes)  # type: ignore[arg-type]


def _load_region(root: Path, problems: list[Problem]) -> Region | None:
    file = root / "site.toml"
    if not file.exists():
        problems.append(
            file_problem(
                file, "site.toml is missing", "run `recruit` from the project folder, or create site.toml"
            )
        )
        return None
    doc, found = load_toml(file)
    problems += found
    if doc is None:
        return None
    model, found = validate_model(Region, doc)
    problems += found
    if model is not None and theme_dir(root, model.theme) is None:
        names = theme_names(root)
        guess = did_you_mean(model.theme, names)
        problems.append(
            problem_at(
                doc,
                ("theme",),
                f"there is no theme '{model.theme}' under themes/",
                f"did you mean '{guess}'?" if guess else 'use theme = "default"',
            )
        )
    return model  # type: ignore[return-value]
