"""Answers that pass a form's rules, made from the manifest's field definitions alone.

A campaign can add any question from the field library; verify fills it in without knowing the
campaign, so a new campaign YAML needs no change here.
"""

from __future__ import annotations

import datetime as dt
import re
import re._constants as C  # noqa: N812
import re._parser as sre
from typing import Any

Answer = str | list[str] | bool | None
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class CannotAnswer(Exception):
    """A field whose rules verify cannot satisfy on its own (say which, and why)."""


def _sample(tree: Any) -> str:
    """One short string a parsed regular expression matches (prefers letters and digits)."""
    out = []
    for op, arg in tree:
        if op is C.LITERAL:
            out.append(chr(arg))
        elif op is C.ANY:
            out.append("a")
        elif op is C.IN:
            out.append(_in_class(arg))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, _high, sub = arg
            out.append(_sample(sub) * low)
        elif op is C.NOT_LITERAL:
            out.append("b" if chr(arg) == "a" else "a")
        elif op is C.SUBPATTERN:
            out.append(_sample(arg[-1]))
        elif op is C.BRANCH:
            out.append(_sample(arg[1][0]))
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        elif op is C.CATEGORY:
            out.append({C.CATEGORY_DIGIT: "1", C.CATEGORY_SPACE: " "}.get(arg, "a"))
        elif op is C.GROUPREF:
            raise CannotAnswer("back-references")
        else:
            raise CannotAnswer(f"the {op} construct")
    return "".join(out)


def _in_class(items: list[tuple[Any, Any]]) -> str:
    negated = bool(items) and items[0][0] is C.NEGATE
    for ch in "aA1 -_.":
        if _member(items, ch) != negated:
            return ch
    raise CannotAnswer("a character class")


def _member(items: list[tuple[Any, Any]], ch: str) -> bool:
    categories = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"}
    for op, arg in items:
        if op is C.LITERAL and chr(arg) == ch:
            return True
        if op is C.RANGE and arg[0] <= ord(ch) <= arg[1]:
            return True
        if op is C.CATEGORY and arg in categories and re.fullmatch(categories[arg], ch):
            return True
    return False


def matching(pattern: str) -> str:
    """A value that fully matches `pattern`; CannotAnswer when verify cannot make one."""
    value = _sample(sre.parse(pattern))
    if not re.fullmatch(pattern, value):
        raise CannotAnswer(f"no sample answer found for the pattern {pattern!r}")
    return value


def _text(field: dict[str, Any], default: str) -> str:
    if field.get("pattern"):
        return matching(field["pattern"])
    limit = field.get("max_length") or len(default)
    return default[:limit]


def valid_answers(fields: list[dict[str, Any]], unique: str, today: dt.date) -> dict[str, Answer]:
    """An answer to every question that passes its rules (optional ones answered too, files aside)."""
    answers: dict[str, Answer] = {}
    for f in fields:
        kind, fid = f["type"], f["id"]
        options = [o["value"] for o in f.get("options") or []]
        if kind == "email":
            answers[fid] = f"verify.{unique}@example.com"
        elif kind == "tel":
            answers[fid] = "07700 900982"
        elif kind == "postcode":
            answers[fid] = "WV1 1SH"
        elif kind == "number":
            low, high = f.get("min"), f.get("max")
            value = low if low is not None else min(1, high) if high is not None else 1
            answers[fid] = str(int(value)) if float(value).is_integer() else str(value)
        elif kind in ("radios", "select"):
            answers[fid] = options[0] if options else None
        elif kind == "checkboxes":
            answers[fid] = options[:1]
        elif kind == "consent":
            answers[fid] = True
        elif kind == "date":
            answers[fid] = (today - dt.timedelta(days=365)).isoformat()
        elif kind == "file":
            answers[fid] = "cv.pdf" if f.get("required") else None
        elif kind == "textarea":
            answers[fid] = _text(f, "I worked in a care home for three years before university.")
        elif fid == "full_name":
            answers[fid] = _text(f, "Verify Applicant")
        else:
            answers[fid] = _text(f, "Verify answer")
    return answers
