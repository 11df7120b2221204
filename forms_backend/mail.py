"""Mail composed when an application is stored, as the bytes the outbox will send. Pure: no I/O.

The council's notification addresses get the answers; the applicant gets a confirmation with
the reference and a copy of their answers. Sending them is outbox.py's.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import secrets
from email.charset import QP, Charset
from email.header import Header
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import urlsplit

from .addresses import ascii_address
from .manifest import Manifest
from .storage import Outgoing


def shown(spec: dict[str, Any], answer: Any) -> str:
    labels = {o["value"]: o["label"] for o in spec.get("options") or []}
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    if isinstance(answer, list):
        return "; ".join(labels.get(a, a) for a in answer)
    if isinstance(answer, dict):
        return f"{answer['filename']} ({max(1, answer['size'] // 1024)} KB)"
    return labels.get(answer, str(answer))


def answer_lines(fields: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    lines = []
    for spec in fields:
        if spec["id"] in answers:
            label = str(spec.get("label") or spec["id"])
            value = shown(spec, answers[spec["id"]])
            lines.append(f"{label}\n    {value.replace(chr(10), chr(10) + '    ')}")
    return lines


# Messages are written out here rather than through the email package's generator, which spends
# most of its time folding headers that need no folding: the bytes are those
# of email.mime.text.MIMEText rendered with the compat32 policy and CRLF line ends, as SMTP sends
# them (tests/backend/test_backend_mail_bytes.py holds them to that, header by header). A header
# that is not ASCII, or too long for one line, is folded by email.header.Header, as there.
_CRLF = "\r\n"
_MAX_LINE = 78
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in a mail file's source, unlike base64
_LONGEST_WORDS = 900  # a header line may be 998 characters: room for "Reply-To: ", <, > and CRLF
_LINE_ENDS = re.compile(r"\r\n|\r|\n")
_MIME = 'Content-Type: text/plain; charset="{}"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: {}\r\n'
_MIME_ASCII = _MIME.format("us-ascii", "7bit")
_MIME_UTF8 = _MIME.format("utf-8", "quoted-printable")


# Nothing that reaches a header may start a new line: C0 and C1 controls and the Unicode line
# and paragraph separators become spaces (the form refuses them in answers; this holds for
# whatever else a header is made of, such as a title from a campaign file).
_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# A display name written as it is (or quoted by formataddr) reads back as written; any other is
# sent as RFC 2047 encoded words, which keep every character and space (runs of spaces, a long
# name folded over lines, a name that looks like an address or a header).
_PLAIN_WORD = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~().,;:@\[\]<>-]+"
_PLAIN_NAME = re.compile(rf"{_PLAIN_WORD}(?: {_PLAIN_WORD})*")


def one_line(text: str) -> str:
    return _BREAKING.sub(" ", text) if _BREAKING.search(text) else text


@functools.lru_cache(maxsize=1024)  # the sender and the councils' addresses recur
def _address(name: str, address: str) -> str:
    """`Name <address>`: the name RFC 2047-encoded unless it is plain ASCII, the domain in IDNA."""
    address = ascii_address(address)
    if not name:
        return address
    name = one_line(name)
    if _PLAIN_NAME.fullmatch(name) and "=?" not in name:  # not one a reader would decode
        plain = formataddr((name, address))
        # on one line with its header's name: folded, a quoted name would break inside its quotes
        if len(plain) + len("Reply-To: ") <= _MAX_LINE:
            return plain
    words = _UTF8.header_encode(name)  # one encoded word, as formataddr writes a name not in ASCII
    if len(words) + len(address) > _LONGEST_WORDS:
        # Too long for a line of its own (a name of 200 characters in Chinese script): several
        # words of at most 75 characters, which a reader joins back as they were (RFC 2047).
        words = " ".join(Header(name, _UTF8).encode(linesep="\n", maxlinelen=75).split())
    return f"{words} <{address}>"


def _folded(name: str, value: str) -> str:
    """`Name: value` as compat32 writes it; `value` holds no line break."""
    fits = len(name) + 2 + len(value) <= _MAX_LINE
    if fits and value.isascii() and value.isprintable() and value == value.strip():
        return f"{name}: {value}{_CRLF}"
    folded = Header(value, header_name=name)  # UTF-8 encoded words where it is not ASCII
    return f"{name}: {folded.encode(linesep=_CRLF, maxlinelen=_MAX_LINE)}{_CRLF}"


@functools.lru_cache(maxsize=512)  # the sender, and the council as Reply-To, recur in every message
def _header(name: str, value: str) -> str:
    return _folded(name, one_line(value))


_shape = functools.lru_cache(maxsize=512)(_folded)  # a value with its token stood in for
_SPLITS = frozenset(";, \t")  # where compat32 may fold an ASCII header; a reference holds none


def _header_around(name: str, value: str, token: str) -> str:
    """`_header(name, value)` for an ASCII value holding `token` once (a reference, a Message-ID):
    where the folding breaks depends on the token's length, never its characters, so each shape
    is folded once and cached, and the token is put back. Other values are folded as they are."""
    value = one_line(value)  # so it holds no NUL but the stand-in's
    if not (value.isascii() and token.isprintable()) or _SPLITS & set(token):
        return _header(name, value)
    before, found, after = value.partition(token)
    if not found or token in after:
        return _header(name, value)
    stand_in = "\0" * len(token)
    return _shape(name, before + stand_in + after).replace(stand_in, token)


@functools.lru_cache(maxsize=64)
def _date_of_second(second: dt.datetime) -> str:
    return format_datetime(second)


def _date(when: dt.datetime) -> str:
    """The Date header's value (to the second, as format_datetime writes it; applications
    arriving in the same second share it)."""
    return _date_of_second(when.replace(microsecond=0))


def _message(
    sender: str,
    to: str,
    subject: str,
    body: str,
    reply_to: str | None,
    date: str,
    message_id: str,
    reference: str = "",
) -> bytes:
    """One message's bytes; `date` as format_datetime writes it. `reference`, when the subject
    holds it, lets the subject's folding be reused."""
    if body.isascii() and _longest_line(body) <= 998:
        mime, payload = _MIME_ASCII, body
    else:
        mime, payload = _MIME_UTF8, _UTF8.body_encode(body)
    head = [
        mime,
        _header("From", sender),
        _header("To", to),
        _header_around("Subject", subject, reference) if reference else _header("Subject", subject),
        _header("Date", date),
        _header_around("Message-ID", message_id, message_id),
    ]
    if reply_to:
        head.append(_header("Reply-To", reply_to))
    payload = payload.replace("\n", _CRLF) if "\r" not in payload else _LINE_ENDS.sub(_CRLF, payload)
    return ("".join(head) + _CRLF + payload).encode("ascii")


def _longest_line(text: str) -> int:
    """The longest of text.splitlines(): lines split at \\n alone when those are short enough,
    since splitlines only cuts them shorter."""
    longest = max(map(len, text.split("\n")))
    return longest if longest <= 998 else max(map(len, text.splitlines()), default=0)


@functools.lru_cache(maxsize=16)
def _domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "recruit.invalid"


def compose(
    manifest: Manifest,
    form: dict[str, Any],
    reference: str,
    answers: dict[str, Any],
    when: dt.datetime,
    mail_from: str | None = None,
    bank_note: str = "",
) -> list[Outgoing]:
    """The council's notifications and the applicant's confirmation for one application (with
    `bank_note`, what it says of the talent bank the applicant joined, and their private link)."""
    region = manifest.region
    council = manifest.councils.get(form["council"], {})
    council_name = council.get("name", form["council"])
    domain = _domain(region.get("base_url", ""))
    sender = mail_from or _address(
        region.get("name", "Recruitment"), region.get("contact_email") or f"no-reply@{domain}"
    )
    lines = answer_lines(form["fields"], answers)
    name = str(answers.get("full_name", "")).strip() or "An applicant"
    applicant = str(answers.get("email", ""))
    applicant_address = _address(name, applicant) if applicant else None
    files = [spec["id"] for spec in form["fields"] if spec["type"] == "file" and spec["id"] in answers]
    file_note = (
        "\nThe uploaded file is kept with the application: export the council's applications, or "
        f"GET /api/councils/{form['council']}/applications/{reference}/files/{files[0]} with your token.\n"
        if files
        else ""
    )
    date = _date(when)  # one Date header for all of the application's messages
    # Message-IDs: the reference is unique to the application, the token to this composing of
    # its mail (a reference drawn again after a collision gets new ones).
    token = secrets.token_hex(8)
    ids = (f"<{reference}.{n}.{token}@{domain}>" for n in itertools.count(1))
    council_body = (
        f"A new application for {form['title']} ({council_name}).\n\n"
        f"Reference: {reference}\nReceived: {when.astimezone(dt.UTC):%d %B %Y %H:%M} UTC\n\n"
        + "\n".join(lines)
        + "\n"
        + file_note
    )
    out = [
        Outgoing(
            "council",
            ascii_address(address),
            _message(
                sender,
                _address("", address),
                f"New application {reference}: {form['title']}",
                council_body,
                applicant_address,
                date,
                next(ids),
                reference=reference,
            ),
        )
        for address in (form.get("notifications") or council.get("notifications") or [])
    ]
    if applicant:
        contact = council.get("contact_email") or region.get("contact_email")
        body = (
            f"Dear {name},\n\n"
            f"Thank you for applying to {form['title']}. We have received your application.\n\n"
            f"Your reference is {reference}. Quote it if you contact us.\n\n"
            f"Someone from {council_name} will contact you within 10 working days to talk about "
            "your application.\n\n"
            + (f"If you have a question, email {contact}.\n\n" if contact else "")
            + bank_note
            + "A copy of your answers:\n\n"
            + "\n".join(lines)
            + "\n"
        )
        out.append(
            Outgoing(
                "applicant",
                ascii_address(applicant),
                _message(
                    sender,
                    applicant_address,
                    f"Application received: {reference}",
                    body,
                    _address("", contact) if contact else None,
                    date,
                    next(ids),
                    reference=reference,
                ),
            )
        )
    return out


def sign_in_message(
    manifest: Manifest, to: str, link: str, when: dt.datetime, mail_from: str | None = None
) -> bytes:
    """The email that brings a member of staff their link to sign in to the workspace."""
    name = manifest.region.get("name", "Recruitment")
    body = (
        f"Sign in to the {name} workspace:\n\n{link}\n\n"
        "The link works once, within 15 minutes. If you did not ask for it, you can ignore this "
        "email: nobody can sign in without the link.\n"
    )
    return region_message(
        manifest, f"{name} workspace", "", to, "Your sign-in link", body, when, mail_from, "staff"
    )


def region_message(
    manifest: Manifest, sender_name: str, to_name: str, to: str, subject: str, body: str, when: dt.datetime,
    mail_from: str | None = None, kind: str = "region",
) -> bytes:  # fmt: skip
    """A message from the region (its contact address, or `mail_from`) to one person."""
    region = manifest.region
    domain = _domain(region.get("base_url", ""))
    sender = mail_from or _address(sender_name, region.get("contact_email") or f"no-reply@{domain}")
    message_id = f"<{kind}.{secrets.token_hex(12)}@{domain}>"
    return _message(sender, _address(to_name, to), subject, body, None, _date(when), message_id)


def stage_message(
    manifest: Manifest, form: dict[str, Any] | None, app: Any, text: str, when: dt.datetime,
    mail_from: str | None = None,
) -> bytes:  # fmt: skip
    """An email from the council's team to an applicant about a move of their application."""
    region = manifest.region
    council = manifest.councils.get(app.council, {})
    domain = _domain(region.get("base_url", ""))
    sender = mail_from or _address(
        region.get("name", "Recruitment"), region.get("contact_email") or f"no-reply@{domain}"
    )
    contact = council.get("contact_email") or region.get("contact_email")
    title = form["title"] if form else app.campaign
    message_id = f"<{app.reference}.stage.{secrets.token_hex(8)}@{domain}>"
    return _message(
        sender, _address(app.name, app.email), f"Your application {app.reference}: {title}",
        text.rstrip() + "\n", _address("", contact) if contact else None, _date(when), message_id,
        reference=app.reference,
    )  # fmt: skip
