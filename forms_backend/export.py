"""Applications out as CSV (safe to open in Excel) or JSON.

CSV: UTF-8 with a byte-order mark so Excel reads accents and non-Latin names right; a cell that
starts with = + - @ tab or carriage return gets a leading apostrophe so Excel shows it as text
instead of running it as a formula. Everything else is exactly what the applicant typed.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .manifest import Manifest
from .storage import Application

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
FIXED = ["reference", "council", "campaign", "received_at", "stage", "stage_changed_at", "source", "medium"]


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(DANGEROUS) else cell


def cell(answer: Any) -> str:
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, list):
        return "; ".join(str(a) for a in answer)
    if isinstance(answer, dict):
        return str(answer.get("filename", ""))
    return str(answer)


def columns(manifest: Manifest, applications: list[Application]) -> list[str]:
    """Every question asked, in form order (forms of the councils exported), then any others."""
    seen: dict[str, None] = {}
    wanted = {(a.council, a.campaign) for a in applications}
    for form in manifest.forms:
        if (form["council"], form["campaign"]) in wanted:
            for spec in form["fields"]:
                seen.setdefault(spec["id"], None)
    for app in applications:
        for key in app.answers:
            seen.setdefault(key, None)
    return list(seen)


def to_csv(manifest: Manifest, applications: list[Application]) -> bytes:
    names = columns(manifest, applications)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIXED + names)
    for app in applications:
        row = [app.reference, app.council, app.campaign, app.created_at, app.stage, app.stage_at or ""]
        row += [app.source, app.medium]
        row += [cell(app.answers.get(name)) for name in names]
        writer.writerow([neutralise(c) for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_json(applications: list[Application]) -> bytes:
    items = [
        {
            "reference": a.reference,
            "council": a.council,
            "campaign": a.campaign,
            "received_at": a.created_at,
            "stage": a.stage,
            "stage_changed_at": a.stage_at,
            "source": a.source,
            "medium": a.medium,
            "answers": a.answers,
        }
        for a in applications
    ]
    return (json.dumps({"applications": items}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
