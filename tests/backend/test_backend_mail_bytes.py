"""The notifications' bytes are those the email package would write (MIMEText, compat32, CRLF),
header by header, for names, subjects and answers of every kind an applicant or council gives."""

from __future__ import annotations

import datetime as dt
import email
import itertools
from email.charset import QP, Charset
from email.mime.text import MIMEText
from email.policy import compat32, default
from email.utils import format_datetime

import pytest

from forms_backend.mail import _address, _header, _header_around, _message

WHEN = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
MESSAGE_ID = "<179621451519.6185.469009331701613562@recruit.example.gov.uk>"


def by_the_email_package(sender, to, subject, body, reply_to) -> bytes:  # noqa: ANN001
    plain = body.isascii() and max(map(len, body.splitlines()), default=0) <= 998
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    msg = MIMEText(body, "plain", "us-ascii" if plain else utf8)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(WHEN)
    msg["Message-ID"] = MESSAGE_ID
    if reply_to:
        msg["Reply-To"] = reply_to
    return msg.as_bytes(policy=compat32.clone(linesep="\r\n"))


NAMES = [
    ("Ada Lovelace", "ada@example.com"),
    ("Zoë Ñúñez", "zoe@example.com"),
    ("محمد عبد الله", "m@example.com"),
    ("Siobhán Ní Bhriain-O'Súilleabháin Mac Giolla Phádraig", "siobhan.ni.bhriain@example.co.uk"),
    ('Smith, "Jo"', "jo@example.com"),
    ("Dudley Metropolitan Borough Council Recruitment and Workforce Team", "jobs@dudley.gov.uk"),
    ("", "hr@wolverhampton.gov.uk"),
    ("Łukasz Żółć", "lukasz@bücher.example"),  # the domain goes as IDNA
]
SUBJECTS = [
    "Application received: WOL-7K3Q9XAB",
    "New application DUD-7K3Q9XAB: Come back to care — social workers and care staff, Black Country",
    "New application SAN-7K3Q9XAB: Social work and occupational therapy roles in Sandwell Council",
    "Cais wedi dod i law: Gofal cymdeithasol – Zoë",
    "  spaced  ",
]
BODIES = [
    "Thank you.\n\nReference: WOL-7K3Q9XAB\n",
    "Full name\n    Zoë Ñúñez\nAbout you\n    Je suis infirmière; 看护\n",
    "From now on\nFrom: me\n>From before\nno newline at the end",
    "Windows\r\nline ends\rand old Mac ones\n",
    "x" * 1200 + "\n",
    "trailing spaces   \nand\ttabs\t\n",
    "",
    "=20 looks encoded =\n",
]


@pytest.mark.parametrize(
    "name,subject,body",
    [(n, s, b) for (n, s), b in zip(itertools.product(NAMES, SUBJECTS), itertools.cycle(BODIES))]
    + [(NAMES[1], SUBJECTS[0], b) for b in BODIES],
)
def test_message_bytes_match_the_email_package(name, subject, body) -> None:  # noqa: ANN001
    sender = _address("West Midlands Care Careers", "jobs@recruit.example.gov.uk")
    to = _address(*name)
    reply_to = _address("Dudley Council", "hr@dudley.gov.uk") if name[0] else None
    ours = _message(sender, to, subject, body, reply_to, format_datetime(WHEN), MESSAGE_ID)
    assert ours.split(b"\r\n") == by_the_email_package(sender, to, subject, body, reply_to).split(b"\r\n")
    parsed = email.message_from_bytes(ours, policy=default)  # and a mail program reads it back
    assert " ".join(str(parsed["Subject"]).split()) == " ".join(subject.split())
    assert parsed["To"].addresses[0].display_name == name[0]
    assert parsed.get_content().replace("\r\n", "\n") == "\n".join(body.splitlines()) + (
        "\n" if body.endswith(("\n", "\r")) else ""
    )


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_subject_folded_around_its_reference_matches_the_email_package(subject) -> None:  # noqa: ANN001
    """compose folds each subject's shape once and puts the reference back: same bytes."""
    sender = _address("West Midlands Care Careers", "jobs@recruit.example.gov.uk")
    to = _address(*NAMES[0])
    body = BODIES[0]
    for reference in ("WOL-7K3Q9XAB", "DUD-22222222"):
        text = subject.replace("WOL-7K3Q9XAB", reference).replace("DUD-7K3Q9XAB", reference)
        ours = _message(sender, to, text, body, None, format_datetime(WHEN), MESSAGE_ID, reference=reference)
        assert ours == by_the_email_package(sender, to, text, body, None)


def test_folding_around_a_token_is_the_same_at_every_length() -> None:
    """Titles and Message-IDs of every length about the 78-column fold, as Header folds them."""
    words = "Come back to care, social work; occupational therapy and\tcare staff in the Black Country"
    for cut in range(len(words) + 1):
        for reference in ("WOL-7K3Q9XAB", "SAN-2345"):
            subject = f"New application {reference}: {words[:cut]}"
            assert _header_around("Subject", subject, reference) == _header.__wrapped__("Subject", subject)
    for digits in range(1, 80):
        message_id = f"<{'7' * digits}.6185.469009331701613562@recruit.example.gov.uk>"
        assert _header_around("Message-ID", message_id, message_id) == _header.__wrapped__(
            "Message-ID", message_id
        )
