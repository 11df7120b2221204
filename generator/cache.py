"""What builds remember between them: one BuildCache, held by whoever builds more than once."""

from __future__ import annotations

import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import images
from .fingerprint import FileDigests, Memo, Unchanged, code_digest, digest
from .markdown import Markdown

if TYPE_CHECKING:
    from markupsafe import Markup

    from .incremental import Record, Unit
    from .parts import Setting
    from .theme import ThemeChain
    from .views import CouncilView, KeptViews

# The folder beside site.toml that builds keep for later processes: what each council's files
# loaded as, compiled templates, and each output folder's records of what it holds.
CACHE_FOLDER = ".recruit-cache"
# distinct pictures whose resized copies a cache keeps (resizing is a build's slowest step)
PICTURES = 256


class BuildCache:
    """Every memo of the generator, for the builds of one caller: `recruit build` makes one for its
    one build, the preview server one for all its rebuilds, a test or the bench one per sequence of
    builds it times or compares. `build()` without one makes a fresh one, so a caller that never
    passes it builds as a new process would (it still reuses dist/ and the cache folder on disk).

    Each memo is checked before use against what it was made from (files' digests or sizes and
    times, the date, the base URL, the region); every memo lives here, never at module level (not
    even one of a pure function). Two caches never share a memo, so builds with different caches
    in one process are independent.

    The identity rule. A rebuild is fast because each stage hands the next the *very same object*
    while its inputs are unchanged, and the next stage checks identity (`is`) instead of comparing
    values:

    - `folders` gives back the same CouncilSite while the council folder's listing and every file
      it was made from keep their size and time; then `views` gives back the same CouncilView
      (`kept.site is site`), with its pictures registered again as they were;
    - `units` gives back the same Units while it is the same CouncilView (`kept[0] is council`) and
      the theme chain, region, date and asset names are the same;
    - `chains` gives back the same ThemeChain while none of its folders' files changed, and a
      council's part of the hub (`parts`) is rendered again only when its CouncilView or its
      setting (chain, region, site, date, page) is another object;
    - a Record kept as it was (the same object) still has every output: the overlap check
      (`owners`, `checked`) and the removal of stale files look only at records that are not.

    So a stage must never change an object it was handed, and must make a new one whenever
    anything it was made from changed.
    """

    def __init__(self) -> None:
        self.files = FileDigests()
        # each distinct Markdown text as safe HTML
        self.markdown = Markdown()
        # councils, campaigns and shared campaigns loaded, by file, while their files' bytes stay the same
        self.loaded = Memo(self.files, lambda: self.code)
        # each council folder loaded without a problem, the same object while its files are untouched
        self.folders = Unchanged(self.files)
        # theme chains (with their compiled templates), by (root, theme, council templates)
        self.chains: dict[tuple[str, str, str], tuple[str, ThemeChain]] = {}
        # each picture's resized copies, by the digest of its bytes (so never stale)
        self.copies = lru_cache(maxsize=PICTURES)(_copies)
        # pictures by path: (file digest, the digest that names its copy, its size)
        self.pictures: dict[str, tuple[str, str, tuple[int, int] | None]] = {}
        # each council's views as last made, by council slug
        self.views: dict[str, KeptViews] = {}
        # each council's units as last planned: (its view, what they were planned from, the units)
        self.units: dict[str, tuple[CouncilView, tuple[Any, ...], list[Unit]]] = {}
        # record files read or written, while they stay as they were: path -> ((mtime_ns, size), records)
        self.record_files: dict[str, tuple[tuple[int, int], dict[str, Record]]] = {}
        # each output path's unit as the last overlap check found it, and the records it checked
        self.owners: dict[str, str] = {}
        self.checked: dict[str, Record] = {}
        # by page path: the setting of its last render, and (template, council) -> (setting, council, html)
        self.part_settings: dict[str, Setting] = {}
        self.parts: dict[str, dict[tuple[str, str], tuple[Setting, CouncilView, Markup]]] = {}
        # the last sitemap made for each base URL, with each unit's URLs it was made from
        self.sitemaps: dict[str, tuple[dict[str, list[str]], str]] = {}
        # the region's favicon, by its brand's (primary, text) colours
        self.favicons: dict[tuple[str, str], bytes] = {}
        # each council's forms as the manifest last wrote them: (its forms, their bytes)
        self.fragments: dict[str, tuple[list[tuple[str, str]], bytes]] = {}

    @cached_property
    def code(self) -> str:
        """The digest of the generator's code and libraries: the code this process runs cannot
        change under it (a module edited on disk is not imported again)."""
        return code_digest()

    @staticmethod
    def folder(root: Path) -> Path:
        """The cache folder of the project at `root`; deleting it only costs one full build."""
        return root / CACHE_FOLDER

    def loaded_folder(self, root: Path) -> Path:
        """Where each council's loaded files are kept for a later process."""
        return self.folder(root) / "loaded"

    def templates_folder(self, root: Path) -> Path:
        """Where compiled templates are kept (Jinja checks each against its source)."""
        return self.folder(root) / "templates"

    def records_folder(self, root: Path, out: Path) -> Path:
        """Where the records of what the output folder `out` holds are kept."""
        return self.folder(root) / f"build-{digest(os.fspath(out.resolve()))[:16]}"

    def forget_checks(self) -> None:
        """The next overlap check looks at every record again."""
        self.owners.clear()
        self.checked.clear()


def _copies(digest: str, suffix: str, source: Path) -> list[tuple[int, int, bytes]]:
    """The resized copies of the picture whose bytes `digest` names (read from `source`)."""
    return images.variants(source.read_bytes(), suffix)
