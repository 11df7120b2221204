"""Load a whole region: site.toml, every council and campaign, shared campaigns merged in."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache
from .loading import Document, base_could_fill, load_toml, load_yaml, merge
from .models import SLUG, Campaign, Council, Region, Text
from .parallel import map_unordered
from .problems import Loc, Problem, ProblemsFound, cut, did_you_mean, shown
from .theme import theme_dir, theme_names
from .validate import Checked, check_model, file_problem, problem_at, validate_model

IMAGE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"}
SHARED = "_shared"


@dataclass
class CampaignSite:
    """One campaign of one council, validated, with where its images really are."""

    slug: str
    council: CouncilSite
    model: Campaign
    file: Path
    shared: str | None
    images: dict[Loc, Path] = field(default_factory=dict)
    source_digest: str = ""  # of the file's bytes as loaded (what the build's fingerprints use)

    def image_path(self, loc: Loc) -> Path:
        return self.images[loc]

    def is_open(self, today: dt.date) -> bool:
        return self.model.opens <= today <= self.model.closes

    def status(self, today: dt.date) -> str:
        """'open', 'upcoming' or 'closed' on the given day."""
        if today < self.model.opens:
            return "upcoming"
        return "closed" if today > self.model.closes else "open"


@dataclass
class CouncilSite:
    slug: str
    model: Council
    folder: Path
    logo: Path
    campaigns: list[CampaignSite] = field(default_factory=list)


@dataclass
class Project:
    root: Path
    region: Region
    councils: list[CouncilSite]

    @property
    def campaigns(self) -> list[CampaignSite]:
        return [c for council in self.councils for c in council.campaigns]


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

    shared = _SharedCampaigns(campaigns_dir / SHARED, problems, cache)
    shared.report_folders()
    if only is None:  # loaded here once, so every worker inherits them (and their problems count once)
        for name in shared.names():
            shared.get(name)
    councils = _load_councils(folders, shared, only_campaign, problems, jobs, cache)
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
    _check_codes(councils, problems)
    if problems or region is None:
        raise ProblemsFound(problems)
    return Project(root, region, councils)


def _load_councils(
    folders: list[Path],
    shared: _SharedCampaigns,
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
    shared: _SharedCampaigns,
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
            problems.append(_folder_not_file(file))
            continue
        site = _load_campaign(file, council, shared, problems, cache)
        if site and council:
            council.campaigns.append(site)
    return council


def _folder_not_file(path: Path) -> Problem:
    return file_problem(
        path,
        f"'{path.name}' is a folder, but a name ending {path.suffix} is for a file",
        "rename the folder (e.g. without the extension), or move what is in it elsewhere",
    )


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
        problems.append(_folder_not_file(file))
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
    logo = _image(doc, ("brand", "logo"), src, problems) if src else None
    if found or checked.model is None or logo is None:
        return None
    model = checked.model
    assert isinstance(model, Council)
    site = CouncilSite(folder.name, model, folder, logo)
    cache.loaded.put(os.fspath(file), CouncilSite(folder.name, model, folder, logo), [file, logo], before)
    return site


def _image(doc: Document, loc: Loc, src: str, problems: list[Problem]) -> Path | None:
    """Where an image named in a file really is: relative to the file that named it."""
    mark = doc.mark_for(loc)
    path = (mark.file.parent / src).resolve()
    if path.suffix.lower() not in IMAGE_TYPES:
        problems.append(
            problem_at(
                doc,
                loc,
                f"{shown(src)} is not an image type the web can show",
                "use .svg, .png, .jpg, .webp or .gif",
            )
        )
        return None
    try:
        found = path.is_file()
        folder = path.parent
        near = [] if found or not folder.is_dir() else [p.name for p in folder.iterdir()]
    except OSError as exc:  # a name longer than the system allows, a folder that cannot be read
        message = f"cannot open image {shown(src)} ({exc.strerror})"
        problems.append(problem_at(doc, loc, message, "correct the path"))
        return None
    if not found:
        guess = did_you_mean(path.name, near)
        where = os.path.relpath(folder, mark.file.parents[2])  # from the project folder
        problems.append(
            problem_at(
                doc,
                loc,
                f"image {shown(src)} does not exist (looked in {cut(where)}/)",
                f"did you mean '{guess}'?" if guess else "put the file there, or correct the path",
            )
        )
        return None
    return path


class _SharedCampaigns:
    """Shared campaigns, each loaded and checked once however many councils extend it."""

    def __init__(self, folder: Path, problems: list[Problem], cache: BuildCache):
        self.folder = folder
        self.problems = problems
        self.cache = cache
        self.docs: dict[str, Document | None] = {}

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.yaml") if not p.is_dir())

    def report_folders(self) -> None:
        """A folder named like a shared campaign file is a mistake too."""
        if self.folder.is_dir():
            self.problems += [_folder_not_file(p) for p in sorted(self.folder.glob("*.y*ml")) if p.is_dir()]

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
            if doc is not None:
                # a shared file is partial: report what is wrong in it, not what it leaves out
                checked = check_model(Campaign, doc, skip_missing=True, reported=[("extends",)])
                found = found + [p for p in checked.problems if p.file == doc.file]
            self.problems += found
            self.docs[name] = doc if not found else None
            if doc is not None and not found:
                self.cache.loaded.put(os.fspath(file), doc, [file], before)
        return self.docs[name]


def _load_campaign(
    file: Path,
    council: CouncilSite | None,
    shared: _SharedCampaigns,
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
    images = _check_campaign(checked, mine)
    problems += mine
    if mine or council is None or checked.model is None:
        return None
    model = checked.model
    assert isinstance(model, Campaign)
    site = CampaignSite(file.stem, council, model, file, extends, images, before[os.fspath(file)])
    deps = [file, *site.images.values()] + ([shared.folder / f"{extends}.yaml"] if extends else [])
    kept = CampaignSite(site.slug, None, model, file, extends, site.images, site.source_digest)  # type: ignore[arg-type]
    cache.loaded.put(os.fspath(file), kept, deps, before)
    return site


def _extends_problem(doc: Document, extends: object, shared: _SharedCampaigns) -> Problem | None:
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


def _check_campaign(checked: Checked, problems: list[Problem]) -> dict[Loc, Path]:
    """Checks across a campaign's parts (role slugs, dates, field ids, images), run on whatever
    in the file is valid; returns where each image is."""
    doc, get = checked.doc, checked.get
    opens, closes = get(("opens",), dt.date), get(("closes",), dt.date)
    seen: dict[str, int] = {}
    for i in range(checked.count(("roles",))):
        slug = get(("roles", i, "slug"), str)
        if slug is not None:
            if slug in seen:
                problems.append(
                    problem_at(
                        doc,
                        ("roles", i, "slug"),
                        f"role slug '{slug}' is used twice (also roles[{seen[slug]}])",
                        "each role needs its own slug: it is the role page's URL",
                    )
                )
            seen.setdefault(slug, i)
        role_closes = get(("roles", i, "closes"), dt.date)
        if role_closes and closes and role_closes > closes:
            problems.append(
                problem_at(
                    doc,
                    ("roles", i, "closes"),
                    f"the role closes ({role_closes}) after the campaign closes ({closes})",
                    "move the role's closing date earlier, or the campaign's later",
                )
            )
        if role_closes and opens and role_closes < opens:
            problems.append(
                problem_at(
                    doc,
                    ("roles", i, "closes"),
                    f"the role closes ({role_closes}) before the campaign opens ({opens})",
                )
            )
    ids: dict[str, int] = {}
    for i in range(checked.count(("form", "fields"))):
        fid = get(("form", "fields", i, "id"), str)
        if fid is None:
            continue
        if fid in ids:
            problems.append(
                problem_at(
                    doc,
                    ("form", "fields", i, "id"),
                    f"field id '{fid}' is used twice",
                    "give each question its own id",
                )
            )
        ids.setdefault(fid, i)
    images: dict[Loc, Path] = {}
    locs: list[Loc] = [("hero", "image"), ("sharing", "image")]
    locs += [("stories", i, "image") for i in range(checked.count(("stories",)))]
    for loc in locs:
        src = get(loc + ("src",), Text)
        if src is not None:
            path = _image(doc, loc + ("src",), src, problems)
            if path:
                images[loc] = path
    return images


def _check_codes(councils: list[CouncilSite], problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for council in councils:
        code = council.model.code
        if code in seen:
            doc, _ = load_yaml(council.folder / "council.yaml")
            assert doc is not None  # it loaded cleanly moments ago
            problems.append(
                problem_at(
                    doc,
                    ("code",),
                    f"code '{code}' is also used by {seen[code]}",
                    "each council needs its own code: it starts application references",
                )
            )
        seen.setdefault(code, council.slug)
