"""A POSTed body (already read, at most 10 MB) into fields and files: strict UTF-8, bounded.

Pure: bytes in, a Submission or a BadRequest out. Browsers send UTF-8 for pages declared UTF-8;
anything else is refused with 400 rather than guessed at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
JSON = "application/json"


class BadRequest(Exception):
    """The body cannot be read as a form; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Submission:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[Upload]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.fields.get(name) or [""]
        return values[0]

    def count(self) -> int:
        return sum(map(len, self.fields.values())) + sum(map(len, self.files.values()))


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    kind, params = parse_options_header(content_type or "")
    decoded = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in params.items()}
    return kind.decode("latin-1").lower(), decoded


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(
            f"The {what} is not valid UTF-8. Send the form from the page, or encode it as UTF-8."
        ) from None


def parse_body(body: bytes, content_type: str | None, max_fields: int) -> Submission:
    kind, params = media_type(content_type)
    if kind == URLENCODED:
        return _urlencoded(body, max_fields)
    if kind == MULTIPART:
        boundary = params.get("boundary")
        if not boundary:
            raise BadRequest("The multipart body has no boundary in its Content-Type header.")
        return _multipart(body, boundary.encode("latin-1"), max_fields)
    if kind == JSON:
        return _json(body, max_fields)
    raise BadRequest(
        f"Send the form as {URLENCODED}, {MULTIPART} or {JSON}, not {kind or 'no Content-Type'}.",
        status=415,
    )


def _too_many(max_fields: int) -> BadRequest:
    return BadRequest(f"The form has too many fields (at most {max_fields}).")


def _urlencoded(body: bytes, max_fields: int) -> Submission:
    text = _utf8(body, "form body")
    if text.count("&") + 1 > max_fields:
        raise _too_many(max_fields)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("A value in the form is not valid UTF-8 once decoded.") from None
    except ValueError as exc:
        raise BadRequest(f"The form body is malformed ({exc}).") from None
    sub = Submission()
    for name, value in pairs:
        sub.fields.setdefault(name, []).append(value)
    return sub


def _json(body: bytes, max_fields: int) -> Submission:
    """A JSON object of answers: each a string, or a list of strings for checkboxes (no files)."""
    text = _utf8(body, "JSON body")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"The JSON body is malformed ({exc.msg} at line {exc.lineno}).") from None
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply: send an object of answers.") from None
    except ValueError:  # an integer longer than Python reads (sys.get_int_max_str_digits)
        raise BadRequest(
            "The JSON body holds a number with too many digits to read: send answers as text."
        ) from None
    if not isinstance(data, dict):
        raise BadRequest('The JSON body must be an object of answers, e.g. {"full_name": "Ada Lovelace"}.')
    sub = Submission()
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise BadRequest(
                f"The answer {_shown(name)} must be text or a list of texts; "
                "send numbers and dates as text, and files as multipart/form-data."
            )
        if not all(map(_encodes, [name, *values])):
            # A lone surrogate escape such as "\ud800" is valid JSON but not text: refuse it
            # here rather than fail later when it is stored, hashed or shown.
            raise BadRequest(
                f"The answer {_shown(name)} holds a \\u escape that is not a character "
                "(a lone surrogate); send the text as UTF-8."
            )
        sub.fields[name] = list(values)
        if sub.count() > max_fields:
            raise _too_many(max_fields)
    return sub


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(name: str) -> str:
    """A field name for a message, safe to encode even when it is not (a lone surrogate)."""
    return repr(name.encode("utf-8", "backslashreplace").decode("utf-8"))


class _Collector:
    """Callbacks for python-multipart's low-level parser: each part's headers and data."""

    def __init__(self, max_fields: int) -> None:
        self.max_fields = max_fields
        self.parts: list[tuple[dict[str, bytes], bytearray]] = []
        self._headers: dict[str, bytes] = {}
        self._name = bytearray()
        self._value = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.part_begin,
            "on_part_data": self.part_data,
            "on_header_field": lambda data, start, end: self._name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._value.extend(data[start:end]),
            "on_header_end": self.header_end,
        }

    def part_begin(self) -> None:
        if len(self.parts) >= self.max_fields:
            raise _too_many(self.max_fields)
        self._headers = {}
        self.parts.append((self._headers, bytearray()))

    def part_data(self, data: bytes, start: int, end: int) -> None:
        self.parts[-1][1].extend(data[start:end])

    def header_end(self) -> None:
        self._headers[bytes(self._name).decode("latin-1").lower()] = bytes(self._value)
        self._name.clear()
        self._value.clear()


def _multipart(body: bytes, boundary: bytes, max_fields: int) -> Submission:
    collector = _Collector(max_fields)
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        parser.write(body)
        parser.finalize()
    except FormParserError as exc:  # the base of every error python-multipart means to raise
        raise BadRequest(f"The multipart body is malformed ({exc}).") from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:  # one it did not mean to
        raise BadRequest(f"The multipart body cannot be read ({type(exc).__name__}).") from None
    if not collector.parts and body.strip():
        raise BadRequest("The multipart body has no parts: is the boundary right?")
    sub = Submission()
    for headers, data in collector.parts:
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise BadRequest("A part of the multipart body has no Content-Disposition header.")
        _kind, options = parse_options_header(disposition)
        if b"name" not in options:
            raise BadRequest("A part of the multipart body has no field name.")
        name = _utf8(options[b"name"], "field name")
        if b"filename" in options:
            filename = _utf8(options[b"filename"], "file name")
            ctype = headers.get("content-type", b"application/octet-stream").decode("latin-1")
            sub.files.setdefault(name, []).append(Upload(filename, ctype, bytes(data)))
        else:
            sub.fields.setdefault(name, []).append(_utf8(bytes(data), f"value of {name!r}"))
    return sub
