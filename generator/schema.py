"""JSON Schemas of the content files, for editors (yaml-language-server) and `recruit schema`."""

from __future__ import annotations

from typing import Any

from .models import Campaign, Council, Region

SCHEMA_FILES = {
    "council": "schemas/council.schema.json",
    "campaign": "schemas/campaign.schema.json",
    "site": "schemas/site.schema.json",
}


def json_schemas() -> dict[str, Any]:
    """One schema per kind of file, keyed by kind."""
    out = {}
    for kind, model in (("council", Council), ("campaign", Campaign), ("site", Region)):
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = SCHEMA_FILES[kind].rsplit("/", 1)[-1]
        out[kind] = schema
    return out
