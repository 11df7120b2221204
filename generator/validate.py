"""Turn pydantic's errors into problems a comms officer can fix, pointing at file:line:column."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .formats import EMAIL_PATTERN, Text
from .loading import WHOLE, Document
from .problems import Loc, Problem, did_you_mean, format_path, shown

PATTERN_HELP = {
    "^#[0-9a-fA-F]{6}$": (
        'expected a colour like "#1d4f91"',
        "write the colour in quotes: a bare # starts a YAML comment",
    ),
    "^[a-z0-9]+(?:-[a-z0-9]+)*$": (
        "expected lower-case letters, digits and hyphens, e.g. social-worker-adults",
        "no spaces, capitals or underscores",
    ),
    EMAIL_PATTERN: (
        "expected an email address like recruitment@council.example",
        "write the address alone: no name, quotes or angle brackets",
    ),
    "^https?://[^\\s/]+(/\\S*)?$": (
        "expected a full web address starting https://",
        "e.g. https://www.council.example",
    ),
    "^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$": (
        "expected a UK postcode like WV1 1SH",
        None,
    ),
    "^[A-Z]{2,4}$": ("expected 2 to 4 capital letters, e.g. WOL", None),
    "^#?[A-Za-z][A-Za-z0-9_]*$": (
        "expected a hashtag of letters and digits, e.g. ComeBackToCare",
        "leave out the # or put the value in quotes: a bare # starts a YAML comment",
    ),
}

TYPE_HELP: dict[str, tuple[str, str | None]] = {
    "string_type": ("expected text", "put the value in quotes"),
    "string_too_short": ("must not be empty", None),
    "int_type": ("expected a whole number", "write numbers without £ or commas, e.g. 32000"),
    "int_parsing": ("expected a whole number", "write numbers without £ or commas, e.g. 32000"),
    "int_from_float": ("expected a whole number", "round it, e.g. 32000"),
    "float_type": ("expected a number", "write numbers without £ or commas, e.g. 32000 or 12.71"),
    "float_parsing": ("expected a number", "write numbers without £ or commas, e.g. 32000 or 12.71"),
    "bool_type": ("expected true or false", None),
    "bool_parsing": ("expected true or false", None),
    "date_type": ("expected a date written YYYY-MM-DD", "e.g. 2026-03-31"),
    "date_parsing": ("expected a date written YYYY-MM-DD", "e.g. 2026-03-31"),
    "date_from_datetime_parsing": ("expected a date written YYYY-MM-DD", "e.g. 2026-03-31"),
    "date_from_datetime_inexact": ("expected a date without a time", "e.g. 2026-03-31"),
    "list_type": ("expected a list", "write each item on its own line starting with '- '"),
    "dict_type": ("expected a group of keys indented under this one", None),
    "model_type": ("expected a group of keys indented under this one", None),
    "model_attributes_type": ("expected a group of keys indented under this one", None),
}


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that describes the mapping at `loc` (list indexes skipped)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _find_model(info.annotation)
    return current


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _find_model(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _find_model(arg)
            if found:
                return found
    return None


def _field_help(model: type[BaseModel], loc: Loc) -> str | None:
    parent = model_at(model, loc[:-1])
    if parent is None or not loc or not isinstance(loc[-1], str):
        return None
    info = parent.model_fields.get(loc[-1])
    return info.description if info else None


def problems_from_error(
    exc: ValidationError | list[Any],
    doc: Document,
    model: type[BaseModel],
    *,
    skip_missing: bool = False,
) -> list[Problem]:
    """Every pydantic error as a Problem with position, path, expectation and hint."""
    problems = []
    errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else exc
    # a misspelt key already says "did you mean 'title'?": don't also say 'title' is missing
    misspelt = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            parent = model_at(model, tuple(err["loc"][:-1]))
            guess = did_you_mean(str(err["loc"][-1]), sorted(parent.model_fields) if parent else [])
            misspelt.add(tuple(err["loc"][:-1]) + (guess,))
    for err in errors:
        loc: Loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "missing" and (skip_missing or loc in misspelt):
            continue
        path = format_path(loc)
        hint: str | None = None
        if kind == "extra_forbidden":
            key = str(loc[-1])
            mark = doc.mark_for(loc, key=True)
            parent = model_at(model, loc[:-1])
            allowed = sorted(parent.model_fields) if parent else []
            guess = did_you_mean(key, allowed)
            message = f"unknown key {shown(key)}"
            if guess:
                message += f"; did you mean '{guess}'?"
                hint = f"rename it to '{guess}'"
            elif allowed:
                hint = "allowed here: " + ", ".join(allowed)
        elif kind == "missing":
            parent_loc = loc[:-1]
            mark = doc.mark_for(parent_loc, key=True)
            where = f"under '{format_path(parent_loc)}'" if parent_loc else "at the top level"
            message = f"'{loc[-1]}' is required {where}"
            hint = f"add `{loc[-1]} = ...`" if doc.file.suffix == ".toml" else f"add `{loc[-1]}:`"
            described = _field_help(model, loc)
            if described:
                hint += f" ({described})"
            if len(doc.texts) > 1 and any(part in WHOLE for part in parent_loc):
                hint += (
                    "; an image given here replaces the shared campaign's as a whole: give its src and alt"
                )
        else:
            # a check on a whole group (brand colours) points at its key, not its first line
            group = kind == "value_error" and isinstance(err.get("input"), dict)
            mark = doc.mark_for(loc, key=group)
            message, hint = _describe(err, model, loc)
            if err.get("input") is None and kind in ("string_type", "string_pattern_mismatch"):
                message = "is empty"
                line = doc.line(mark.line, mark.file)
                if "#" in line.split(":", 1)[-1]:
                    hint = 'a bare # starts a YAML comment: put the value in quotes, e.g. "#00205b"'
                else:
                    hint = "give a value, or remove the key"
        problems.append(Problem(mark.file, mark.line, mark.column, path, message, hint))
    return problems


def _describe(err: Any, model: type[BaseModel], loc: Loc) -> tuple[str, str | None]:
    kind = err["type"]
    got = err.get("input")
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        expected, hint = PATTERN_HELP.get(pattern, (f"does not match the pattern {pattern}", None))
        return f"{expected}, got {shown(got)}", hint
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        guess = None if isinstance(got, list | dict) else did_you_mean(str(got), choices)
        message = f"expected one of {', '.join(choices)}; got {shown(got)}"
        return message, f"did you mean '{guess}'?" if guess else None
    if kind == "value_error":
        text = err["msg"].removeprefix("Value error, ")
        if " (hint: " in text:
            text, hint = text.split(" (hint: ", 1)
            return text, hint.rstrip(")")
        return text, None
    if kind in ("model_type", "dict_type") and loc and loc[-1] == "image":
        return (
            "an image needs a src and alt text",
            'write it as image: {src: assets/photo.jpg, alt: "What the photo shows"}',
        )
    if kind in TYPE_HELP:
        expected, hint = TYPE_HELP[kind]
        if kind.startswith("string") and isinstance(got, bool):
            hint = "true and false are read as yes/no switches: put the value in quotes"
        return f"{expected}, got {shown(got)}", hint
    if kind == "too_short":
        return err["msg"].replace("List", "list"), "add at least one item"
    return err["msg"][0].lower() + err["msg"][1:], _field_help(model, loc)


def _under(loc: Loc, bad: Iterable[Loc]) -> bool:
    """Whether any of `bad` is `loc` itself or inside it."""
    return any(b[: len(loc)] == loc for b in bad)


# the kinds the cross-field checks read values as, made once (another kind gets its own each time)
ADAPTERS: types.MappingProxyType[Any, TypeAdapter] = types.MappingProxyType(
    {kind: TypeAdapter(kind) for kind in (Any, str, Text, dt.date)}
)


def _adapter(kind: Any) -> TypeAdapter:
    return ADAPTERS.get(kind) or TypeAdapter(kind)


def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter:
    """One field of a model on its own (made only for a document with mistakes in it)."""
    return TypeAdapter(model.model_fields[name].rebuild_annotation())


@dataclass
class Checked:
    """A document checked against a model: the model if it is valid, every problem, and which
    values were rejected, so semantic checks can still run on the rest."""

    doc: Document
    model: BaseModel | None
    problems: list[Problem]
    bad: frozenset[Loc]  # where pydantic (or the loader) rejected a value, or found one missing

    def get(self, loc: Loc, kind: Any = Any) -> Any:
        """The value at `loc` as `kind` (e.g. dt.date), or None when it is absent or rejected."""
        if _under(loc, self.bad):
            return None
        data = _at(self.doc.data, loc)
        try:
            return _adapter(kind).validate_python(data)
        except ValidationError:
            return None

    def count(self, loc: Loc) -> int:
        """How many items the list at `loc` has (0 when it is not a list), even when some are
        wrong: each item's parts are then checked on their own."""
        items = _at(self.doc.data, loc)
        return len(items) if isinstance(items, list) else 0


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        inside = (
            isinstance(data, list) and 0 <= part < len(data)
            if isinstance(part, int)
            else isinstance(data, dict) and part in data
        )
        if not inside:
            return None
        data = data[part]
    return data


def check_model(
    model: type[BaseModel],
    doc: Document,
    *,
    skip_missing: bool | Callable[[Loc], bool] = False,
    reported: Iterable[Loc] = (),
) -> Checked:
    """Validate a document against a model; never raises for bad content.

    `skip_missing` (all, or those a function picks) leaves out required fields that are missing
    (another file will fill them in); `reported` are values already reported otherwise, about
    which nothing more is said.
    """
    data = doc.data
    if not isinstance(data, dict):
        mark = doc.mark_for(())
        return Checked(
            doc,
            None,
            [
                Problem(
                    mark.file,
                    mark.line,
                    mark.column,
                    "",
                    "expected keys and values (a mapping)",
                    "start the file with lines like `title: ...`",
                )
            ],
            frozenset({()}),
        )
    known_bad = set(doc.unreadable) | set(reported)
    try:
        return Checked(doc, model.model_validate(data), [], frozenset(known_bad))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    missing_ok = skip_missing if callable(skip_missing) else (lambda _loc: bool(skip_missing))
    reportable = [
        err
        for err in errors
        if not _under(tuple(err["loc"]), known_bad)
        and not (
            err["type"] == "missing"
            and (tuple(err["loc"][:-1]) in doc.incomplete or missing_ok(tuple(err["loc"])))
        )
    ]
    bad = frozenset(known_bad | {tuple(err["loc"]) for err in errors})
    problems = problems_from_error(reportable, doc, model, skip_missing=bool(skip_missing is True))
    problems += _partial_cross_checks(model, data, (), bad, doc)
    return Checked(doc, None, problems, bad)


def _partial_cross_checks(
    model: type[BaseModel], data: Any, loc: Loc, bad: frozenset[Loc], doc: Document
) -> list[Problem]:
    """Run the cross-field checks of each group that failed on something else (so its own
    validator never ran) on the group's valid fields."""
    if not isinstance(data, dict) or not any(len(b) > len(loc) and b[: len(loc)] == loc for b in bad):
        return []  # nothing wrong inside: its validators ran
    problems = []
    checks = getattr(model, "cross_checks", None)
    if checks is not None:
        values: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            if _under(loc + (name,), bad):
                continue  # rejected: unknown, so checks reading it are skipped
            if name in data:
                try:
                    values[name] = _field_adapter(model, name).validate_python(data[name])
                except ValidationError:
                    continue
            elif not info.is_required():
                values[name] = info.get_default(call_default_factory=True)
        for key, value in data.items():  # `primery: "#ffff00"` is checked as the primary it means
            guess = (
                did_you_mean(str(key), sorted(model.model_fields)) if key not in model.model_fields else None
            )
            if guess is not None and guess not in data:
                try:
                    values[guess] = _field_adapter(model, guess).validate_python(value)
                except ValidationError:
                    continue
        found = checks(values)
        if found:  # one problem, worded as the validator words it for a group that is otherwise valid
            problems.append(_group_problem(doc, loc, "; ".join(found)))
    for name, info in model.model_fields.items():
        inner = _find_model(info.annotation)
        if inner is None or name not in data:
            continue
        value = data[name]
        if isinstance(value, list):
            for i, item in enumerate(value):
                problems += _partial_cross_checks(inner, item, loc + (name, i), bad, doc)
        else:
            problems += _partial_cross_checks(inner, value, loc + (name,), bad, doc)
    return problems


def _group_problem(doc: Document, loc: Loc, text: str) -> Problem:
    message, hint = (text.split(" (hint: ", 1) + [""])[:2]
    mark = doc.mark_for(loc, key=True)
    return Problem(mark.file, mark.line, mark.column, format_path(loc), message, hint.rstrip(")") or None)


def validate_model(
    model: type[BaseModel], doc: Document, *, skip_missing: bool = False
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate a document against a model; never raises for bad content."""
    checked = check_model(model, doc, skip_missing=skip_missing)
    return checked.model, checked.problems


def problem_at(
    doc: Document, loc: Loc, message: str, hint: str | None = None, *, key: bool = False
) -> Problem:
    mark = doc.mark_for(loc, key=key)
    return Problem(mark.file, mark.line, mark.column, format_path(loc), message, hint)


def file_problem(file: Path, message: str, hint: str | None = None) -> Problem:
    return Problem(file, 1, 1, "", message, hint)
