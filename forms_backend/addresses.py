"""Applicants' email addresses, checked as a mail server reads them. Pure: no I/O.

email-validator decides: it refuses what no mail server would deliver (control characters,
angle brackets, quotes, bracketed IP addresses, special-use domains such as .invalid or
.localhost) and a local part that is not ASCII, which few mail servers accept. One more is
refused here: an address holding "=?", which some mail programs (Python's among them) misread
as an RFC 2047 encoded word.

email-validator parses each address in full, which is slow beside a regular expression, so
the addresses nearly everyone has (dot-separated letters, digits, _ + -, at a plain domain) are
accepted by one regular expression first: a strict subset of what email-validator accepts, which
tests/backend/test_backend_hostile_mail.py holds it to.
"""

from __future__ import annotations

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

_ATOM = r"[A-Za-z0-9_+-]+"  # no "=": see email_ok
_LABEL = r"[A-Za-z0-9]{1,63}(?:-[A-Za-z0-9]{1,62})*"
PLAIN = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]{{2,63}})")
_SPECIAL = tuple(SPECIAL_USE_DOMAIN_NAMES)


def _plain(value: str) -> bool:
    match = PLAIN.fullmatch(value)
    if match is None or len(value) > 254 or len(match["local"]) > 64:
        return False
    domain = match["domain"].lower()
    if any(len(label) > 63 for label in domain.split(".")):
        return False
    return not any(domain == name or domain.endswith("." + name) for name in _SPECIAL)


def ascii_address(value: str) -> str:
    """The address as mail servers take it: a domain not in ASCII as email-validator converts it
    (IDNA 2008, as it was checked), so the message goes where the applicant said. ValueError when
    it is not an address email_ok accepts."""
    if value.isascii():
        return value
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email
    except EmailNotValidError as exc:
        raise ValueError(f"not an email address mail can be sent to: {exc}") from None


def email_ok(value: str) -> bool:
    """An address mail can be sent to: name@domain, the name in ASCII, the domain ASCII or IDNA."""
    if _plain(value):
        return True
    if "=?" in value:  # RFC 2047 forbids encoded words in addresses, but some mail programs decode them
        return False
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return False
    return True
