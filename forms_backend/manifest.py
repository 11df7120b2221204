"""dist/_forms/manifest.json: the only description of the forms the backend trusts.

Its format is manifest.schema.json beside this module (shipped with the package): the format's
name, its version and the keys every manifest has are read from there, so they are written once.
Checked for its format and version on load, and re-read when the file changes (a rebuild while
the server runs takes effect within a tenth of a second).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCHEMA: dict[str, Any] = json.loads(
    importlib.resources.files(__package__).joinpath("manifest.schema.json").read_text(encoding="utf-8")
)
FORMAT: str = SCHEMA["properties"]["format"]["const"]
VERSION: int = SCHEMA["properties"]["version"]["const"]
# The keys every manifest has, and the JSON type of each (as the schema's top level says).
JSON_TYPES: dict[str, type] = {"object": dict, "array": list, "string": str, "integer": int}
TOP_LEVEL: dict[str, type | None] = {
    key: JSON_TYPES.get(SCHEMA["properties"][key].get("type", "")) for key in SCHEMA["required"]
}


class ManifestError(Exception):
    """The manifest is missing, unreadable, or of a format this backend does not know."""


@dataclass(frozen=True)
class Manifest:
    """The manifest's data, with the lookups every application makes worked out once per load."""

    data: dict[str, Any]

    @property
    def version(self) -> int:
        return int(self.data["version"])

    @property
    def region(self) -> dict[str, Any]:
        return self.data.get("region", {})

    @property
    def councils(self) -> dict[str, dict[str, Any]]:
        return self.data.get("councils", {})

    @property
    def forms(self) -> list[dict[str, Any]]:
        return self.data.get("forms", [])

    @functools.cached_property
    def origins(self) -> frozenset[str]:
        found = {o.rstrip("/") for o in self.data.get("origins", [])}
        found |= {c["origin"].rstrip("/") for c in self.councils.values() if c.get("origin")}
        return frozenset(found)

    @functools.cached_property
    def _forms_by_slug(self) -> dict[tuple[str, str], dict[str, Any]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for form in self.forms:
            found.setdefault((form["council"], form["campaign"]), form)
        return found

    def form(self, council: str, campaign: str) -> dict[str, Any] | None:
        return self._forms_by_slug.get((council, campaign))

    def council_forms(self, council: str) -> list[dict[str, Any]]:
        return [f for f in self.forms if f["council"] == council]

    @functools.cached_property
    def _codes(self) -> dict[str, str]:
        return {slug: self._code(slug) for slug in self.councils}

    def code(self, council: str) -> str:
        """The council's short code for references (WOL); made from the slug when it has none."""
        return self._codes.get(council) or self._code(council)

    def _code(self, council: str) -> str:
        code = (self.councils.get(council) or {}).get("code") or ""
        code = "".join(ch for ch in code.upper() if "A" <= ch <= "Z")
        if 2 <= len(code) <= 4:
            return code
        letters = "".join(ch for ch in council.upper() if "A" <= ch <= "Z")
        return (letters[:3] or "APP").ljust(2, "X")

    @property
    def same_host(self) -> bool:
        """A relative backend_url ('/api') means the backend shares the sites' host."""
        return str(self.region.get("backend_url", "/api")).startswith("/")

    @property
    def retention_days(self) -> int:
        return int(self.region.get("retention_days") or 365)


def is_open(form: dict[str, Any], today: dt.date) -> bool | None:
    """True when taking applications; False when closed; None when not open yet."""
    opens = dt.date.fromisoformat(form["opens"])
    closes = dt.date.fromisoformat(form["closes"])
    if today < opens:
        return None
    return today <= closes


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def parse(text: str, source: str = "manifest") -> Manifest:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"{source} is not valid JSON ({exc}); rebuild it with `recruit build`") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{source} is not a recruit forms manifest; rebuild it with `recruit build`")
    version = data.get("version")
    if isinstance(version, bool) or version != VERSION:  # true == 1 in Python, not in JSON
        raise ManifestError(
            f"{source} has format version {json.dumps(version)[:40]}; this backend reads version {VERSION}. "
            "Rebuild the sites with the same version of recruit as the backend."
        )
    for key, kind in TOP_LEVEL.items():
        if key not in data:
            raise ManifestError(f"{source} has no {key!r}; rebuild it with `recruit build`")
        if kind is not None and not isinstance(data[key], kind):
            raise ManifestError(
                f"{source} has {key!r} that is not a JSON {SCHEMA['properties'][key]['type']}; "
                "rebuild it with `recruit build`"
            )
    return Manifest(data)


def load(path: Path) -> Manifest:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(
            f"cannot read the forms manifest {path} ({exc.strerror}); run `recruit build` first"
        ) from None
    return parse(text, str(path))


class ManifestSource:
    """The manifest at a path, re-read when the file's size or modification time changes.

    The file is looked at no more than once each RECHECK_SECONDS (a look costs about 20 us, and
    a post asks twice), so a rebuild takes effect within a tenth of a second."""

    RECHECK_SECONDS = 0.1

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._manifest: Manifest | None = None
        self._checked = -math.inf

    def get(self) -> Manifest:
        manifest, now = self._manifest, time.monotonic()
        if manifest is not None and now - self._checked < self.RECHECK_SECONDS:
            return manifest
        self._checked = now
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._manifest is None or (stamp is not None and stamp != self._stamp):
                self._manifest = load(self.path)
                self._stamp = stamp
            return self._manifest
