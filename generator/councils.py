"""Load council folders: each council.yaml and campaign file, with the shared campaign it extends
merged in, from the BuildCache's memo where nothing changed, else parsed in worker processes."""

from __future__ import annotations

import fnmatch
import os
import re
import time
from pathlib import Path

from pydantic import BaseModel

from .cache import BuildCache
from .checks import check_campaign, image_path
from .evaluation_models import PER_COUNCIL
from .formats import SLUG, Text
from .library import DATA_FILES, campaign_problems, data_used, load_data
from .loading import Document, base_could_fill, load_yaml, merge
from .models import Campaign, Council
from .parallel import map_unordered
from .problems import Problem, did_you_mean, shown
from .sites import SHARED, CampaignSite, CouncilSite
from .validate import check_model, file_problem, problem_at


def load_councils(
    folders: list[Path],
    shared: SharedCampaigns,
    only_campaign: str | None,
    problems: list[Problem],
    jobs: int | None,
    cache: BuildCache,
) -> list[CouncilSite]:
    """Every council folder, from the memo where nothing changed, else parsed (in parallel)."""
    loaded: dict[int, tuple[CouncilSite | None, list[Problem]]] = {}
    missing: list[int] = []
    store = cache.loaded_folder(folders[0].parent.parent) if folders else None
    started = time.time_ns()
    listings = [_yaml_entries(folder) for folder in folders]
    kept = set()
    for i, folder in enumerate(folders):
        same = cache.folders.get((os.fspath(folder), only_campaign), listings[i])
        if same is not None:
            loaded[i] = (same, [])  # type: ignore[assignment]
            kept.add(i)
            continue
        if store is not None and cache.loaded.get(os.fspath(folder / "council.yaml")) is None:
            cache.loaded.restore(store / f"{folder.name}.pickle")  # what an earlier process loaded
        cached = _cached_folder(folder, listings[i], only_campaign, cache)
        if cached is None:
            missing.append(i)
        else:
            loaded[i] = (cached, [])

    def load(i: int) -> tuple[CouncilSite | None, list[Problem], tuple[dict, dict]]:
        found: list[Problem] = []
        site = _load_folder(folders[i], shared, only_campaign, found, cache)
        learnt = cache.loaded.entries_under(folders[i])
        if store is not None:
            cache.loaded.keep(store / f"{folders[i].name}.pickle", learnt[0])
        return site, found, learnt

    for index, (site, found, entries) in map_unordered(load, missing, jobs):
        loaded[missing[index]] = (site, found)
        cache.loaded.update(entries)
    councils = []
    for i in range(len(folders)):
        site, found = loaded[i]
        problems += found
        if site:
            councils.append(site)
    for i, folder in enumerate(folders if not problems else []):  # one problem anywhere: keep none
        if (site := loaded[i][0]) and i not in kept:
            cache.folders.put((os.fspath(folder), only_campaign), site, _files(site), listings[i], started)
    return councils


def _files(site: CouncilSite) -> list[str]:
    """Every file a council (as loaded) was made from."""
    files = [os.fspath(site.folder / "council.yaml"), os.fspath(site.logo)]
    for c in site.campaigns:
        files += [os.fspath(c.file), *map(os.fspath, c.images.values())]
        if c.shared:
            files.append(os.fspath(c.file.parent.parent / SHARED / f"{c.shared}.yaml"))
        files += [os.fspath(c.file.parent.parent / SHARED / f"{name}.yaml") for name in data_used(c.model)]
    return files


_YAML_NAME = re.compile(fnmatch.translate("*.y*ml"))


def _yaml_entries(folder: Path) -> list[tuple[str, str, bool]]:
    """(name, path, is a folder) of the names in `folder` that Path.glob("*.y*ml") matches,
    sorted: one directory read instead of a glob and a stat a file, and path strings rather than
    Paths, as a rebuild lists every council folder."""
    try:
        with os.scandir(folder) as entries:
            found = [(e.name, e.path, e.is_dir()) for e in entries if _YAML_NAME.match(e.name)]
    except OSError:
        return []
    return sorted(found)


def _stem(name: str) -> str:
    return name.rpartition(".")[0] or name


def _cached_folder(
    folder: Path, entries: list[tuple[str, str, bool]], only_campaign: str | None, cache: BuildCache
) -> CouncilSite | None:
    """The council as last loaded, when neither it nor any of its campaign files changed since."""
    council = cache.loaded.get(os.fspath(folder / "council.yaml"))
    if council is None:
        return None
    assert isinstance(council, CouncilSite)
    site = CouncilSite(council.slug, council.model, council.folder, council.logo)
    for name, path, is_dir in entries:
        if name in ("council.yaml", "council.yml") or (only_campaign and _stem(name) != only_campaign):
            continue
        known = None if is_dir else cache.loaded.get(path)
        if known is None:
            return None
        assert isinstance(known, CampaignSite)
        site.campaigns.append(
            CampaignSite(
                known.slug, site, known.model, known.file, known.shared, known.images, known.source_digest
            )
        )
    return site


def _load_folder(
    folder: Path,
    shared: SharedCampaigns,
    only_campaign: str | None,
    problems: list[Problem],
    cache: BuildCache,
) -> CouncilSite | None:
    council = _load_council(folder, problems, cache)
    for name, path, is_dir in _yaml_entries(folder):
        file = Path(path)
        if name in ("council.yaml", "council.yml"):
            continue
        if only_campaign and _stem(name) != only_campaign:
            continue
        if is_dir:
            problems.append(folder_not_file(file))
            continue
        site = _load_campaign(file, council, shared, problems, cache)
        if site and council:
            council.campaigns.append(site)
    return council


def folder_not_file(path: Path) -> Problem:
    return file_problem(
        path,
        f"'{path.name}' is a folder, but a name ending {path.suffix} is for a file",
        "rename the folder (e.g. without the extension), or move what is in it elsewhere",
    )


def _load_council(folder: Path, problems: list[Problem], cache: BuildCache) -> CouncilSite | None:
    file = folder / "council.yaml"
    if not re.match(SLUG, folder.name):
        problems.append(
            file_problem(
                folder,
                f"council folder name '{folder.name}' is not a valid URL slug",
                "use lower-case letters, digits and hyphens, e.g. telford-and-wrekin",
            )
        )
        return None
    if file.is_dir():
        problems.append(folder_not_file(file))
        return None
    if not file.exists():
        problems.append(
            file_problem(
                file,
                f"{folder.name}/ has no council.yaml",
                f'run `recruit new council {folder.name} --name "..."`',
            )
        )
        return None
    known = cache.loaded.get(os.fspath(file))
    if isinstance(known, CouncilSite):  # unchanged since this process loaded it
        return CouncilSite(known.slug, known.model, known.folder, known.logo)
    before = {os.fspath(file): cache.files.digest(file)}
    doc, found = load_yaml(file)
    problems += found
    if doc is None:
        return None
    # every check runs on what is valid, so one mistake never hides another in the same file
    checked = check_model(Council, doc)
    problems += checked.problems
    src = checked.get(("brand", "logo"), Text)
    logo = image_path(doc, ("brand", "logo"), src, problems) if src else None
    if found or checked.model is None or logo is None:
        return None
    model = checked.model
    assert isinstance(model, Council)
    site = CouncilSite(folder.name, model, folder, logo)
    cache.loaded.put(os.fspath(file), CouncilSite(folder.name, model, folder, logo), [file, logo], before)
    return site


class SharedCampaigns:
    """Shared campaigns, each loaded and checked once however many councils extend it."""

    def __init__(self, folder: Path, problems: list[Problem], cache: BuildCache):
        self.folder = folder
        self.problems = problems
        self.cache = cache
        self.docs: dict[str, Document | None] = {}
        self._data: dict[str, BaseModel | None] = {}

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p.stem for p in self.folder.glob("*.yaml") if not p.is_dir() and p.stem not in DATA_FILES
        )

    def data(self, name: str) -> BaseModel | None:
        """questions.yaml or routes.yaml, loaded and checked once (None: missing, or has problems)."""
        if name not in self._data:
            self._data[name] = load_data(self.folder, name, self.problems, self.cache)
        return self._data[name]

    def report_folders(self) -> None:
        """A folder named like a shared campaign file is a mistake too."""
        if self.folder.is_dir():
            self.problems += [folder_not_file(p) for p in sorted(self.folder.glob("*.y*ml")) if p.is_dir()]

    def get(self, name: str) -> Document | None:
        if name not in self.docs:
            file = self.folder / f"{name}.yaml"
            known = self.cache.loaded.get(os.fspath(file))
            if isinstance(known, Document):  # unchanged since this process last checked it
                self.docs[name] = known
                return known
            before = {os.fspath(file): self.cache.files.digest(file)}
            doc, found = load_yaml(file)
            if doc is not None and isinstance(doc.data, dict) and "extends" in doc.data:
                found = found + [
                    problem_at(
                        doc,
                        ("extends",),
                        "a shared campaign cannot extend another",
                        "copy what you need into this file",
                    )
                ]
            if doc is not None and isinstance(doc.data, dict):
                found = found + [
                    problem_at(
                        doc,
                        (key,),
                        f"{key} belongs in a council's own campaign file, not in a shared campaign",
                        "move it to the file of each council that extends this one: here it would "
                        "count for every one of them",
                        key=True,
                    )
                    for key in PER_COUNCIL
                    if key in doc.data
                ]
            if doc is not None:
                # a shared file is partial: report what is wrong in it, not what it leaves out
                reported = [("extends",), *((key,) for key in PER_COUNCIL)]
                checked = check_model(Campaign, doc, skip_missing=True, reported=reported)
                found = found + [p for p in checked.problems if p.file == doc.file]
            self.problems += found
            self.docs[name] = doc if not found else None
            if doc is not None and not found:
                self.cache.loaded.put(os.fspath(file), doc, [file], before)
        return self.docs[name]


def _load_campaign(
    file: Path,
    council: CouncilSite | None,
    shared: SharedCampaigns,
    problems: list[Problem],
    cache: BuildCache,
) -> CampaignSite | None:
    if file.suffix == ".yml":
        problems.append(file_problem(file, "campaign files end in .yaml", f"rename it to {file.stem}.yaml"))
        return None
    if not re.match(SLUG, file.stem):
        problems.append(
            file_problem(
                file,
                f"'{file.name}' is not a valid campaign name for a URL",
                "use lower-case letters, digits and hyphens, e.g. come-back-to-care.yaml",
            )
        )
        return None
    known = cache.loaded.get(os.fspath(file))
    if isinstance(known, CampaignSite) and council is not None:  # unchanged since this process loaded it
        return CampaignSite(
            known.slug, council, known.model, known.file, known.shared, known.images, known.source_digest
        )
    before = {os.fspath(file): cache.files.digest(file)}
    doc, found = load_yaml(file)
    if doc is None:
        problems += found
        return None
    # Every check below runs on what is valid in the file, so one mistake never hides another:
    # a loader problem, a bad `extends` or a misspelt key still lets the rest be checked.
    mine = list(found)
    extends = doc.data.get("extends") if isinstance(doc.data, dict) else None
    base = None
    if extends is not None:
        problem = _extends_problem(doc, extends, shared)
        if problem is not None:
            mine.append(problem)
        else:
            base = shared.get(extends)  # None when it has problems (reported against its own file)
    if base is not None:
        doc = merge(base, doc)
        checked = check_model(Campaign, doc)
    else:
        # no shared campaign to merge (or a broken one): check this file on its own, without
        # asking for what the shared campaign would have filled in
        checked = check_model(
            Campaign,
            doc,
            skip_missing=base_could_fill if extends is not None else False,
            reported=[("extends",)],
        )
    mine += checked.problems
    images = check_campaign(checked, mine)
    mine += campaign_problems(checked, shared.folder, shared.data("routes"))  # type: ignore[arg-type]
    problems += mine
    if mine or council is None or checked.model is None:
        return None
    model = checked.model
    assert isinstance(model, Campaign)
    site = CampaignSite(file.stem, council, model, file, extends, images, before[os.fspath(file)])
    deps = [file, *site.images.values()] + ([shared.folder / f"{extends}.yaml"] if extends else [])
    deps += [shared.folder / f"{name}.yaml" for name in data_used(model)]
    kept = CampaignSite(site.slug, None, model, file, extends, site.images, site.source_digest)  # type: ignore[arg-type]
    cache.loaded.put(os.fspath(file), kept, deps, before)
    return site


def _extends_problem(doc: Document, extends: object, shared: SharedCampaigns) -> Problem | None:
    """What is wrong with a file's `extends:`, if anything."""
    if not isinstance(extends, str):
        return problem_at(
            doc, ("extends",), "extends names one shared campaign", "e.g. extends: come-back-to-care"
        )
    names = shared.names()
    if extends in names:
        return None
    guess = did_you_mean(extends, names)
    return problem_at(
        doc,
        ("extends",),
        f"there is no shared campaign {shown(extends)}",
        f"did you mean '{guess}'?" if guess else "shared campaigns: " + (", ".join(names) or "none yet"),
    )
