"""JSON Schemas of the content files, for editors (yaml-language-server) and `recruit schema`."""

from __future__ import annotations

import copy
from typing import Any

from .loading import WHOLE
from .models import Campaign, Council, Region
from .questions import QuestionLibrary
from .routes_models import RoutesFile

SCHEMA_FILES = {
    "council": "schemas/council.schema.json",
    "campaign": "schemas/campaign.schema.json",
    "site": "schemas/site.schema.json",
    "questions": "schemas/questions.schema.json",
    "routes": "schemas/routes.schema.json",
}
# campaigns/_shared/questions.yaml and routes.yaml: data, not campaigns
DATA_MODELS = (("questions", QuestionLibrary), ("routes", RoutesFile))


def json_schemas() -> dict[str, Any]:
    """One schema per kind of file, keyed by kind."""
    out = {}
    for kind, model in (("council", Council), ("campaign", Campaign), ("site", Region), *DATA_MODELS):
        schema = model.model_json_schema()
        if kind == "campaign":
            schema = _extends_fills_in(schema)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = SCHEMA_FILES[kind].rsplit("/", 1)[-1]
        out[kind] = schema
    return out


def _extends_fills_in(schema: dict[str, Any]) -> dict[str, Any]:
    """A campaign file with `extends:` gets from the shared campaign whatever it leaves out, so
    nothing the merge can fill in is required there: the top-level keys and those of the mappings
    that merge key by key (hero, sharing, ...). Lists and images replace the shared ones whole,
    so a role or an image in the file still needs all of its own required keys.

    The required keys of merging mappings move into an `if extends / else` at the top.
    """
    schema = copy.deepcopy(schema)
    defs = schema.get("$defs", {})
    merged_defs: set[str] = set()

    def required_of(node: dict[str, Any]) -> dict[str, Any]:
        """Remove the required keys of a merging mapping (and of those inside it); return them."""
        out: dict[str, Any] = {}
        required = node.pop("required", None)
        if required:
            out["required"] = required
        inner = {}
        for key, prop in node.get("properties", {}).items():
            name = _def_name(prop)
            if name is None or key in WHOLE:
                continue
            if name in merged_defs:
                continue  # already relaxed: a definition used twice shares its requirements
            merged_defs.add(name)
            inside = required_of(defs[name])
            if inside:
                inner[key] = inside
        if inner:
            out["properties"] = inner
        return out

    without_extends = required_of(schema)
    _refuse_shared_use(schema, merged_defs)
    if without_extends:
        schema["if"] = {"required": ["extends"], "properties": {"extends": {"type": "string"}}}
        schema["else"] = without_extends
    return schema


def _def_name(prop: dict[str, Any]) -> str | None:
    """The $defs name a property refers to (directly, or as one choice of anyOf)."""
    refs = [prop] + [p for p in prop.get("anyOf", []) if isinstance(p, dict)]
    for ref in refs:
        target = ref.get("$ref", "")
        if target.startswith("#/$defs/"):
            return target.removeprefix("#/$defs/")
    return None


def _refuse_shared_use(schema: dict[str, Any], merged_defs: set[str]) -> None:
    """A definition relaxed for merging must not also describe a list item or an image, where
    its keys stay required: fail loudly if the models ever make it so."""
    allowed: set[int] = set()
    for container in [schema] + [schema["$defs"][name] for name in merged_defs]:
        for key, prop in container.get("properties", {}).items():
            if key not in WHOLE:
                allowed |= {id(prop)} | {id(choice) for choice in prop.get("anyOf", [])}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref", "").removeprefix("#/$defs/") in merged_defs and id(node) not in allowed:
                raise AssertionError(f"{node['$ref']} is used where it replaces whole: give it its own model")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
