"""Where an application came from, never dropped: the landing page's utm tags and referrer,
carried by the pages' script in the site's own links to hidden fields of the apply form; else,
without JavaScript, what the same visitor's page views of the day say (the visitor key); else
"unknown" (direct or unknown), counted as such."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request

from ..backend import LONDON, backend_of
from ..storage import StorageError
from .classify import Source, classify
from .intake import UTM, own_hosts, visitor_key


async def source_of(request: Request, council: str, fields: dict[str, list[str]]) -> Source:
    backend = backend_of(request)
    utm = {key: fields[key][0] for key in UTM if fields.get(key) and fields[key][0].strip()}
    referrer = (fields.get("referrer") or [""])[0].strip()[:2048] or None
    carried = bool(utm or referrer or fields.get("counted"))  # the script ran on the form
    if carried:
        came = classify(utm, referrer, own_hosts(backend.manifests.get()))
        if came.source not in ("direct", "internal"):
            return came
    midnight = dt.datetime.combine(backend.today(), dt.time(), tzinfo=LONDON)
    try:
        seen = await backend.call("visit_source", await visitor_key(request, council), midnight)
    except StorageError:  # the save that follows says so, and keeps nothing
        seen = None
    if seen is not None:
        return Source(seen[0], seen[1], seen[2])
    return Source("direct", "direct") if carried else Source("unknown", "unknown")
