"""Answers that pass a form's rules, made from the manifest's field definitions alone.

A campaign can add any question from the field library; verify fills it in without knowing the
campaign, so a new campaign YAML needs no change here.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from typing import Any

Answer = str | list[str] | bool | None
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class CannotAnswer(Exception):
    """A field whose rules verify cannot satisfy on its own (say which, and why)."""


# ---------------------------------------------------------------------------------------------
# An answer to a question's `pattern:` (a Python regular expression; the schema asks only that
# it compiles). A small reader of what a form's pattern is written with, on nothing private:
# literals and escapes, `.`, character classes, groups (capturing, (?:...), (?P<name>...),
# inline and scoped flags; lookarounds and comments read and left out), `|`, anchors, and the
# quantifiers * + ? {m} {m,} {,n} {m,n}, lazy too. The shortest answer is made: each class or
# \d-style escape is matched against candidate characters by `re` itself, under the flags in
# force, and the answer is checked with re.fullmatch. What it cannot answer (back-references,
# conditional groups, a lookaround, atomic group or possessive quantifier the shortest answer
# breaks) is a CannotAnswer naming it, so the form checks say so instead of passing.

CANDIDATES = "aA1 -_." + string.ascii_letters + string.digits + string.punctuation
ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
CODEPOINT = {"x": 2, "u": 4, "U": 8}
QUANTIFIER = re.compile(r"\{(\d*)(,(\d*))?\}")
FLAGS = re.compile(r"\(\?([aiLmsux]*)(?:-([imsx]+))?([:)])")

# ("text", c), ("set", class source, flags), ("empty",), ("group", branches),
# ("repeat", node, least), ("cannot", what): the pattern read as nodes.
Node = tuple[Any, ...]


class _Reader:
    """The pattern as nodes: a group is its branches, each a list of nodes."""

    def __init__(self, pattern: str) -> None:
        self.p, self.i = pattern, 0
        self.flags = ""  # the inline flags in force ((?i) and the like), which decide a class

    def branches(self) -> list[list[Node]]:
        found: list[list[Node]] = [[]]
        while self.i < len(self.p) and self.p[self.i] != ")":
            if self.p[self.i] == "|":
                self.i += 1
                found.append([])
                continue
            found[-1].append(self.quantified(self.atom()))
        return found

    def quantified(self, node: Node) -> Node:
        p, i = self.p, self.i
        least = None
        if i < len(p) and p[i] in "*+?":
            least, self.i = (1 if p[i] == "+" else 0), i + 1
        elif (m := QUANTIFIER.match(p, i)) and (m.group(1) or m.group(2)):
            least, self.i = int(m.group(1) or 0), m.end()
        if least is None:
            return node
        if self.i < len(p) and p[self.i] in "?+":  # lazy or possessive: the same answers
            self.i += 1
        return ("repeat", node, least)

    def atom(self) -> Node:
        p, i = self.p, self.i
        c = p[i]
        self.i = i + 1
        if c == "(":
            return self.group()
        if c == "[":
            end = i + 1 + (p[i + 1 : i + 2] == "^")
            end += p[end : end + 1] == "]"  # a ] first is one of the class's characters
            while p[end] != "]":
                end += 2 if p[end] == "\\" else 1
            self.i = end + 1
            return ("set", p[i : end + 1], self.flags)
        if c == "\\":
            return self.escape()
        if c == ".":
            return ("set", ".", self.flags)
        return ("empty",) if c in "^$" else ("text", c)

    def group(self) -> Node:
        p, i = self.p, self.i
        if p.startswith("?#", i):
            self.i = p.index(")", i) + 1
            return ("empty",)
        if p.startswith("?P=", i):
            self.i = p.index(")", i) + 1
            return ("cannot", "back-references")
        if p.startswith("?(", i):
            self.i = p.index(")", i) + 1
            self.branches()
            self.i += 1
            return ("cannot", "conditional groups")
        flags = FLAGS.match(p, i - 1)
        if flags and flags.group(3) == ")":  # (?i) for the whole pattern
            self.i = flags.end()
            self.flags += flags.group(1)
            return ("empty",)
        look = p.startswith(("?=", "?!", "?<=", "?<!"), i)
        outside = self.flags
        if flags:
            self.i = flags.end()
            off = flags.group(2) or ""
            self.flags = "".join(f for f in self.flags if f not in off) + flags.group(1)
        elif p.startswith("?P<", i):
            self.i = p.index(">", i) + 1
        elif p.startswith(("?:", "?>"), i):
            self.i = i + 2
        elif look:
            self.i = i + (3 if p[i + 1] == "<" else 2)
        inside = self.branches()
        self.i += 1  # the ")"
        self.flags = outside
        return ("empty",) if look else ("group", inside)

    def escape(self) -> Node:
        p, i = self.p, self.i
        e = p[i]
        self.i = i + 1
        if e == "0" or re.match(r"[0-7]{3}", p[i : i + 3]):
            digits = re.match(r"0[0-7]{0,2}|[0-7]{3}", p[i:]).group()  # type: ignore[union-attr]
            self.i = i + len(digits)
            return ("text", chr(int(digits, 8)))
        if e.isdigit():
            self.i = i + 1 + (p[i + 1 : i + 2].isdigit())
            return ("cannot", "back-references")
        if e in "dDsSwW":
            return ("set", "\\" + e, self.flags)
        if e in "bBAZz":
            return ("empty",)
        if e in CODEPOINT:
            self.i = i + 1 + CODEPOINT[e]
            return ("text", chr(int(p[i + 1 : self.i], 16)))
        if e == "N":
            self.i = p.index("}", i) + 1
            return ("text", unicodedata.lookup(p[i + 2 : self.i - 1]))
        return ("text", ESCAPED.get(e, e))


def _sample(nodes: list[Node]) -> str:
    """The shortest answer the nodes make, preferring letters and digits."""
    out = []
    for node in nodes:
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "set":
            out.append(_one_of(node[1], node[2]))
        elif kind == "repeat":
            out.append(_sample([node[1]]) * node[2] if node[2] else "")
        elif kind == "group":
            out.append(_first(node[1]))
        elif kind == "cannot":
            raise CannotAnswer(node[1])
    return "".join(out)


def _first(branches: list[list[Node]]) -> str:
    """The first branch of an alternation that can be answered."""
    for branch in branches[:-1]:
        try:
            return _sample(branch)
        except CannotAnswer:
            continue
    return _sample(branches[-1])


def _one_of(source: str, flags: str) -> str:
    """A character the class (or `.`, or \\d and its kind) matches under the inline flags in force
    (a letter or digit if it can)."""
    test = re.compile(f"(?{''.join(sorted(set(flags)))}:{source})" if flags else source)
    for c in CANDIDATES + source:  # then what the class names itself, as in [éè]
        if test.fullmatch(c):
            return c
    raise CannotAnswer(f"the character class {source}")


def matching(pattern: str) -> str:
    """A value that fully matches `pattern`; CannotAnswer when verify cannot make one."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:  # the schema refuses these; the manifest could still be edited
        raise CannotAnswer(f"the pattern {pattern!r} is not a regular expression ({exc})") from None
    reader = _Reader(pattern)
    try:
        value = _first(reader.branches())
    except (IndexError, ValueError) as exc:  # cut short, or a name unicodedata does not know
        raise CannotAnswer(f"the pattern {pattern!r} ({exc})") from None
    if reader.i < len(pattern) or not compiled.fullmatch(value):
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
