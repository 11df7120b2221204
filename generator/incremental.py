"""Rebuild only what changed: the build is split into units, each with a fingerprint of its inputs.

A unit is one campaign's microsite, one council's index page, or one council's static files
(stylesheet, favicon, script, images). Its fingerprint digests everything that can change its
bytes: the generator's code, site.toml, the date, the theme chain's files, the council's file
and logo, the campaign's file (and the shared campaign it extends, and questions.yaml when its
form asks the matching questions) and its images, and, when a council's templates can list a
council's campaigns, its sibling campaigns too. A unit whose fingerprint matches the last
build's, and whose files are still in place untouched, is not rendered again; its record
(files, sitemap entries, templates used) is reused.

The records live in the cache folder beside site.toml (BuildCache.records_folder), a folder per
output folder and a file per council; deleting it only costs one full build. A new BuildCache
checks that each reused unit's files are still as it left them (a page edited by hand in dist/
is rendered again); a cache that keeps building (the preview server's) trusts the files it has
checked or written itself.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .fingerprint import digest, tree_digest
from .manifest import form_entry, form_json
from .output import DuplicateOutput, Stage
from .pages import render_campaign, render_index, render_static
from .parallel import map_unordered
from .render import Explained, Renderer
from .views import CampaignView, CouncilView

if TYPE_CHECKING:
    from .cache import BuildCache

FORMAT = 3
# Templates that render a council's campaign list anyway; elsewhere, a mention of `campaigns`
# makes each campaign's pages depend on its siblings.
LISTING_TEMPLATES = ("hub", "council")


@dataclass
class Record:
    """What one unit produced last time."""

    fingerprint: str
    outputs: dict[str, tuple[int, int]]  # site path (no leading /) -> (size, mtime_ns)
    sitemap: list[str] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)
    pages: int = 0
    form: dict | None = None  # a campaign's entry in the form manifest
    form_json: str = ""  # the same, as the manifest writes it
    # its files were checked on disk (or written) by this process: a later build here trusts them
    verified: bool = False


@dataclass
class Unit:
    key: str
    council: CouncilView
    kind: str  # "static", "index" or "campaign"
    fingerprint: str
    campaign: CampaignView | None = None


@dataclass
class CouncilWork:
    """What a worker hands back for one council: new records and the files it staged."""

    records: dict[str, Record]
    stage: Stage
    pages: int


def group(key: str) -> str:
    """Records are kept in one file per council (and one for the region's own files)."""
    return key.split("/", 1)[0]


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def load_records(folder: Path, cache: BuildCache) -> dict[str, Record]:
    """Every unit's record from the last build into this output folder ({} if there is none);
    a record file the cache read or wrote is not read again while it stays as it was."""
    records: dict[str, Record] = {}
    if not folder.is_dir():
        return records
    for entry in os.scandir(folder):
        if not entry.name.endswith(".pickle"):
            continue
        known = cache.record_files.get(entry.path)
        stat = _stat(entry.path)
        if known is None or known[0] != stat:
            try:
                with open(entry.path, "rb") as handle:
                    data = pickle.load(handle)
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
                continue
            if not isinstance(data, dict) or data.get("format") != FORMAT or stat is None:
                continue
            for record in data["records"].values():
                record.verified = False  # read from disk: check its files once
            known = cache.record_files[entry.path] = (stat, data["records"])
        records.update(known[1])
    return records


def save_records(folder: Path, records: dict[str, Record], changed: set[str], cache: BuildCache) -> None:
    """Write the record files of the groups (councils) whose records changed; remove emptied ones."""
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[str, dict[str, Record]] = {}
    for key, record in records.items():
        groups.setdefault(group(key), {})[key] = record
    for name in changed:
        path = os.path.join(folder, f"{name}.pickle")
        if name not in groups:
            Path(path).unlink(missing_ok=True)
            cache.record_files.pop(path, None)
            continue
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump({"format": FORMAT, "records": groups[name]}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        stat = _stat(path)
        if stat is not None:
            cache.record_files[path] = (stat, groups[name])


class Planner:
    """Works out each unit's fingerprint for one build."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.cache = renderer.cache
        region = renderer.region
        self.base = digest(
            FORMAT, self.cache.code, region.model_dump_json(), renderer.base_url, renderer.today.isoformat()
        )
        # the matching questions' words, which the forms that ask them are made from
        self.questions = self.cache.files.digest(
            renderer.project.root / "campaigns" / "_shared" / "questions.yaml"
        )
        self._chains: dict[str, tuple[str, bool]] = {}
        self._sites = {c.slug: c for c in renderer.project.councils}
        self._by_council: dict[str, list[str]] | None = None

    def _assets(self) -> dict[str, list[str]]:
        """Asset paths by council (the first part of `/<council>/_assets/...`)."""
        if self._by_council is None:
            self._by_council = {}
            for path in self.renderer.assets.files:
                self._by_council.setdefault(path.split("/", 2)[1], []).append(path)
        return self._by_council

    def chain(self, council: CouncilView) -> tuple[str, bool]:
        """The theme chain's digest, and whether campaign pages may list sibling campaigns."""
        chain = self.renderer.chain(council.slug)
        key = os.fspath(chain.dirs[0])
        if key not in self._chains:
            siblings = False
            for folder in chain.dirs:
                for path in folder.rglob("*"):
                    if path.is_file() and not path.name.startswith(LISTING_TEMPLATES):
                        siblings = siblings or "campaigns" in path.read_text(
                            encoding="utf-8", errors="replace"
                        )
            folders = [*chain.dirs, *chain.static_dirs]
            self._chains[key] = (tree_digest(folders, self.cache.files), siblings)
        return self._chains[key]

    def units(self, council: CouncilView, index: bool) -> list[Unit]:
        """The council's units; the very ones planned last time while it is the same view (the
        same object only while everything loaded for it and its pictures are unchanged) and the
        region, theme chain and asset names are the same."""
        chain, siblings = self.chain(council)
        assets = sorted(self._assets().get(council.slug, []))
        key = (self.base, chain, siblings, index, assets, self.questions)
        kept = self.cache.units.get(council.slug)
        if kept is not None and kept[0] is council and kept[1] == key:
            return kept[2]
        units = self._units(council, index, chain, siblings, assets)
        self.cache.units[council.slug] = (council, key, units)
        return units

    def _units(
        self, council: CouncilView, index: bool, chain: str, siblings: bool, assets: list[str]
    ) -> list[Unit]:
        site = self._sites[council.slug]
        file_digest = self.cache.files.digest
        own = digest(file_digest(site.folder / "council.yaml"), file_digest(site.logo))
        campaigns = {
            c.slug: digest(
                c.source_digest or file_digest(c.file),
                file_digest(c.file.parent.parent / "_shared" / f"{c.shared}.yaml") if c.shared else "",
                self.questions if c.model.form.matching_questions else "",
                sorted((str(loc), file_digest(p)) for loc, p in c.images.items()),
            )
            for c in site.campaigns
        }
        everything = sorted(campaigns.items())
        # asset names carry a digest of their bytes, so the names are enough
        slug = council.slug
        units = [Unit(f"{slug}/_static", council, "static", digest(self.base, chain, own, assets))]
        if index:
            units.append(Unit(f"{slug}/", council, "index", digest(self.base, chain, own, everything)))
        for campaign in council.campaigns:
            inputs = everything if siblings else campaigns[campaign.slug]
            fingerprint = digest(self.base, chain, own, campaign.slug, inputs)
            units.append(Unit(f"{slug}/{campaign.slug}/", council, "campaign", fingerprint, campaign))
        return units


def fresh(record: Record | None, unit: Unit, out: Path) -> bool:
    """The unit's last output is still right: same inputs, and its files untouched since."""
    if record is None or record.fingerprint != unit.fingerprint:
        return False
    if unit.kind == "campaign" and record.form is None:
        return False
    if record.verified:
        return True
    base = os.fspath(out) + os.sep
    for key, (size, mtime) in record.outputs.items():
        try:
            st = os.stat(base + key)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    record.verified = True
    return True


def render_unit(renderer: Renderer, unit: Unit, stage: Stage) -> Record:
    """Render one unit and stage its files."""
    form = None
    if unit.kind == "static":
        made = render_static(renderer, unit.council)
    elif unit.kind == "index":
        made = render_index(renderer, unit.council)
    else:
        assert unit.campaign is not None
        made = render_campaign(renderer, unit.council, unit.campaign)
        fields = renderer.fields(unit.council, unit.campaign)
        form = form_entry(renderer.urls, unit.council, unit.campaign, fields)
    outputs = stage.put_all(made.out)
    record = Record(unit.fingerprint, outputs, made.sitemap, made.explained, len(made.explained), form)
    if form is not None:
        record.form_json = form_json(form)
    record.verified = True
    return record


def render_councils(
    renderer: Renderer,
    work: list[list[Unit]],
    out: Path,
    jobs: int | None,
    progress=None,  # noqa: ANN001 - Callable[[int, int, int], None]: (sites done, sites, pages)
) -> tuple[dict[str, Record], Stage]:
    """Render each council's stale units, councils spread over worker processes."""

    def council_work(units: list[Unit]) -> CouncilWork:
        stage = Stage(out, fresh=main.fresh)
        records = {}
        try:
            for unit in units:
                records[unit.key] = render_unit(renderer, unit, stage)
        except BaseException:
            stage.discard()
            raise
        return CouncilWork(records, stage, sum(r.pages for r in records.values()))

    records: dict[str, Record] = {}
    stage = main = Stage.for_output(out)
    sites = sum(u.kind == "campaign" for units in work for u in units)
    done = pages = 0
    try:
        for index, result in map_unordered(council_work, work, jobs, min_items=2):
            records.update(result.records)
            stage.take(result.stage)
            done += sum(u.kind == "campaign" for u in work[index])
            pages += result.pages
            if progress:
                progress(done, sites, pages)
    except BaseException:
        stage.discard()
        raise
    return records, stage


def check_overlaps(records: dict[str, Record], cache: BuildCache) -> None:
    """Refuse two units writing one path: the second would silently replace the first.

    The cache keeps each output path's unit as the last check found it, and the records it checked
    then: a rebuild checks again only the records that are not the very ones it checked.
    """
    owners, checked = cache.owners, cache.checked
    for key in [k for k, r in checked.items() if records.get(k) is not r]:
        for path in checked.pop(key).outputs:
            if owners.get(path) == key:
                del owners[path]
    for key, record in records.items():
        if key in checked:
            continue
        for path in record.outputs:
            owner = owners.setdefault(path, key)
            if owner != key:
                cache.forget_checks()  # the next build checks every record again
                raise DuplicateOutput(f"two outputs for /{path}: {owner} and {key}")
        checked[key] = record
