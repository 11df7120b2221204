"""An application's answers against its form's rules from the manifest. Pure: no I/O.

The rules and messages are the manifest's own, the same the page's script checks and shows, so
an applicant reads the same words with or without JavaScript. Unknown fields are dropped; a
value outside a fixed option list is an error and is reported as tampering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from .addresses import email_ok
from .documents import sniff
from .parsing import Submission, Upload

Answer = str | list[str] | bool | dict[str, Any]
Spec = dict[str, Any]

# C0 and C1 controls, and the two Unicode separators str.splitlines() also cuts lines at. No one
# types them: they come from a paste or a program, and in a mail header a line break starts a
# header of the sender's choosing.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# In a textarea a person means these as line breaks (Word pastes its manual ones as \v).
TEXTAREA_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n", "\u2028": "\n", "\u2029": "\n"})
ONE_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
TEXT_TYPES = ("text", "textarea", "email", "tel", "postcode", "number")
CHOICE_TYPES = ("radios", "select")
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}


@dataclass
class Result:
    answers: dict[str, Answer] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)
    tampering: list[tuple[str, str]] = field(default_factory=list)  # (field id, value sent)

    @property
    def ok(self) -> bool:
        return not self.errors


def message(spec: Spec, rule: str) -> str:
    """The manifest's message for a rule, falling back to the nearest one it has."""
    messages = spec.get("messages") or {}
    for key in (rule, "format", "required"):
        if messages.get(key):
            return messages[key]
    label = str(spec.get("label") or spec["id"]).rstrip("?")
    if rule == "required":
        return f"Enter {label[:1].lower()}{label[1:]}"
    return f"Enter a valid answer for {label[:1].lower()}{label[1:]}"


def _label(spec: Spec) -> str:
    label = str(spec.get("label") or spec["id"]).rstrip("?")
    return label[:1].upper() + label[1:]


def controls(spec: Spec, value: str) -> tuple[str, str | None]:
    """The value with the control characters a person could have meant normalised (a tab in a
    one-line answer is a space; \\r, \\v and the Unicode separators in a textarea are line breaks),
    and the message for the field when any other is left."""
    messages = spec.get("messages") or {}
    if spec["type"] == "textarea":
        value = value.translate(TEXTAREA_BREAKS)
        left = [ch for ch in CONTROL.findall(value) if ch not in "\n\t"]
    else:
        value = value.replace("\t", " ")
        left = CONTROL.findall(value)
        if any(ONE_LINE_BREAKS.match(ch) for ch in left):
            return value, messages.get("one_line") or f"{_label(spec)} must be on one line"
    if left:
        return value, messages.get("characters") or (
            f"{_label(spec)} must not include control characters: type it in again rather than pasting it"
        )
    return value, None


def phone_ok(value: str) -> bool:
    """A UK number (or an international one with its country code), checked by phonenumbers.

    Ofcom keeps ranges for drama and examples (07700 900xxx, 01632 960xxx); they are
    well-formed but unallocated, so a well-formed 10-digit UK number is accepted too.
    """
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return False
    # Valid for GB implies valid (GB is the first region of +44), and costs a third as much as
    # finding the number's region first.
    if phonenumbers.is_valid_number_for_region(number, "GB") or phonenumbers.is_valid_number(number):
        return True
    return (
        number.country_code == 44
        and phonenumbers.is_possible_number(number)
        and len(str(number.national_number)) == 10
    )


def postcode(value: str, pattern: str | None) -> str | None:
    """'wv11sh', ' WV1  1SH ' -> 'WV1 1SH' (capitals, one space before the last three characters)
    when the postcode field's pattern, the manifest's UK postcode rule, accepts that; else None.

    The rule is the manifest's alone (the schema requires a postcode field's pattern); without
    one, or with one Python cannot read, the answer is kept as normalised."""
    compact = "".join(value.split()).upper()
    normal = f"{compact[:-3]} {compact[-3:]}"
    try:
        return normal if pattern is None or re.fullmatch(pattern, normal) else None
    except re.error:
        return normal


def _text(spec: Spec, raw: str, result: Result) -> None:
    kind, fid = spec["type"], spec["id"]
    value = raw.replace("\r\n", "\n").strip()
    if not value:
        if spec.get("required"):
            result.errors[fid] = message(spec, "required")
        return
    if CONTROL.search(value):
        value, refused = controls(spec, value)
        if refused:
            result.errors[fid] = refused
            return
        value = value.strip()
    if kind == "postcode":
        normal = postcode(value, spec.get("pattern"))
        if normal is None:
            result.errors[fid] = message(spec, "format")
        else:
            result.answers[fid] = normal
        return
    limit = spec.get("max_length")
    if limit and len(value) > limit:
        result.errors[fid] = message(spec, "too_long")
        return
    if kind == "email" and not email_ok(value):
        result.errors[fid] = message(spec, "format")
        return
    if kind == "tel" and not phone_ok(value):
        result.errors[fid] = message(spec, "format")
        return
    if kind == "number":
        compact = value.replace(",", "")
        if not NUMBER.fullmatch(compact) or not math.isfinite(float(compact)):
            result.errors[fid] = message(spec, "format")
            return
        number = float(compact)
        if spec.get("min") is not None and number < spec["min"]:
            result.errors[fid] = message(spec, "min")
            return
        if spec.get("max") is not None and number > spec["max"]:
            result.errors[fid] = message(spec, "max")
            return
    pattern = spec.get("pattern")
    if pattern:
        try:
            matched = re.fullmatch(pattern, value) is not None
        except re.error:
            matched = True  # a pattern Python cannot read is the page script's to check
        if not matched:
            result.errors[fid] = message(spec, "pattern")
            return
    result.answers[fid] = value


def _choice(spec: Spec, values: list[str], result: Result) -> None:
    fid = spec["id"]
    allowed = [o["value"] for o in spec.get("options") or []]
    chosen = [v for v in values if v != ""]
    if spec["type"] != "checkboxes" and len(chosen) > 1:
        result.tampering.append((fid, " | ".join(chosen)))
        result.errors[fid] = message(spec, "option")
        return
    outside = [v for v in chosen if v not in allowed]
    if outside:
        result.tampering.extend((fid, v) for v in outside)
        result.errors[fid] = message(spec, "option")
        return
    if not chosen:
        if spec.get("required"):
            result.errors[fid] = message(spec, "required")
        return
    if spec["type"] == "checkboxes":
        result.answers[fid] = [v for v in allowed if v in chosen]
    else:
        result.answers[fid] = chosen[0]


def _consent(spec: Spec, values: list[str], result: Result) -> None:
    fid = spec["id"]
    given = [v for v in values if v != ""]
    if any(v != "yes" for v in given):
        result.tampering.extend((fid, v) for v in given if v != "yes")
        result.errors[fid] = message(spec, "option")
        return
    ticked = bool(given)
    if spec.get("required") and not ticked:
        result.errors[fid] = message(spec, "required")
    elif ticked or not spec.get("required"):
        result.answers[fid] = ticked


def _date(spec: Spec, sub: Submission, result: Result) -> None:
    fid = spec["id"]
    parts = [sub.first(f"{fid}-{p}").strip() for p in ("day", "month", "year")]
    if not "".join(parts):
        if spec.get("required"):
            result.errors[fid] = message(spec, "required")
        return
    day, month, year = parts
    try:
        if not (
            re.fullmatch(r"\d{1,2}", day) and re.fullmatch(r"\d{1,2}", month) and re.fullmatch(r"\d{4}", year)
        ):
            raise ValueError
        result.answers[fid] = dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        result.errors[fid] = message(spec, "format")


def _file(spec: Spec, uploads: list[Upload], result: Result) -> None:
    fid = spec["id"]
    chosen = [u for u in uploads if u.filename or u.data]
    if not chosen:
        if spec.get("required"):
            result.errors[fid] = message(spec, "required")
        return
    upload = chosen[0]
    name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    allowed = spec.get("extensions") or list(FILE_TYPES)
    if ext not in allowed:
        result.errors[fid] = message(spec, "format")
    elif not upload.data:
        result.errors[fid] = message(spec, "empty")
    elif len(upload.data) > (spec.get("max_bytes") or 5 * 1024 * 1024):
        result.errors[fid] = message(spec, "too_big")
    elif sniff(upload.data) != ext:
        result.errors[fid] = message(spec, "format")
    else:
        kept = Upload(name, FILE_TYPES.get(ext, "application/octet-stream"), upload.data)
        result.files[fid] = kept
        result.answers[fid] = {
            "filename": name,
            "content_type": kept.content_type,
            "size": len(upload.data),
            "sha256": hashlib.sha256(upload.data).hexdigest(),
        }


def validate(fields: list[Spec], sub: Submission) -> Result:
    """Every question's answer checked by its rules; fields the form does not ask are dropped."""
    result = Result()
    for spec in fields:
        kind, fid = spec["type"], spec["id"]
        values = sub.fields.get(fid, [])
        if kind in TEXT_TYPES:
            _text(spec, values[0] if values else "", result)
        elif kind in CHOICE_TYPES or kind == "checkboxes":
            _choice(spec, values, result)
        elif kind == "consent":
            _consent(spec, values, result)
        elif kind == "date":
            _date(spec, sub, result)
        elif kind == "file":
            _file(spec, sub.files.get(fid, []), result)
        else:
            _text({**spec, "type": "text"}, values[0] if values else "", result)
    return result


def fingerprint(council: str, campaign: str, answers: dict[str, Answer]) -> str:
    """The same answers to the same campaign hash alike (a double click, a retried POST)."""
    canonical = json.dumps([council, campaign, answers], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def raw_answers(fields: list[Spec], sub: Submission) -> dict[str, list[str]]:
    """What the applicant sent for each question the form asks, as sent (for showing it again)."""
    kept: dict[str, list[str]] = {}
    for spec in fields:
        fid = spec["id"]
        if spec["type"] == "date":
            for part in ("day", "month", "year"):
                kept[f"{fid}-{part}"] = sub.fields.get(f"{fid}-{part}", [])[:1]
        elif spec["type"] != "file":
            kept[fid] = sub.fields.get(fid, [])
    return kept
