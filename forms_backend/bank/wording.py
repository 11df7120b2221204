"""How a talent bank entry's answers read: the matching questions' own labels and options, from
the manifest's forms (campaigns/_shared/questions.yaml), for the person's page and the
workspace's."""

from __future__ import annotations

from typing import Any

from ..manifest import Manifest

OWN = {"role_applied": "Role applied for", "postcode_district": "Postcode district",
       "profession": "Profession", "hours": "Hours wanted", "country": "Country"}  # fmt: skip


def answer_lines(manifest: Manifest, profile: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) for each answer the entry holds, in words."""
    labels: dict[str, str] = dict(OWN)
    options: dict[str, dict[str, str]] = {}
    for form in manifest.forms:
        for spec in form["fields"]:
            key = spec["id"].removeprefix("match_")
            if spec["id"].startswith("match_") or spec["id"] in ("profession", "hours"):
                labels.setdefault(key, str(spec.get("label") or key))
                for option in spec.get("options") or []:
                    options.setdefault(key, {})[str(option["value"])] = str(option["label"])
    lines = []
    for key, value in profile.items():
        if value in (None, "", []):
            continue
        words = options.get(key, {})
        shown = ", ".join(words.get(str(v), str(v)) for v in value) if isinstance(value, list) else words.get(
            str(value), str(value))  # fmt: skip
        lines.append((labels.get(key, key.replace("_", " ").capitalize()), shown))
    return lines
