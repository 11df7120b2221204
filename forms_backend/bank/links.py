"""Private links to a person's talent bank page: no account, no cookie. A link carries the
digest of the person's email (never the address), when it stops working, and an HMAC-SHA256 of
both with the region's bank key (storage.bank_secret): changed by one character it is refused,
and so is one past its time, or one whose person has left or been erased (nothing is found)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

LIFETIME = dt.timedelta(days=180)


class LinkRefused(ValueError):
    """A link that cannot be used: `reason` is "tampered" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _signature(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def make(secret: str, digest: str, now: dt.datetime, lifetime: dt.timedelta = LIFETIME) -> str:
    body = f"{digest}.{int((now + lifetime).timestamp())}"
    return f"{body}.{_signature(secret, body)}"


def read(secret: str, token: str, now: dt.datetime) -> str:
    """The email digest a link carries; LinkRefused when it is not one of ours, or too old."""
    digest, _, rest = token.partition(".")
    until, _, signature = rest.partition(".")
    body = f"{digest}.{until}"
    genuine = hmac.compare_digest(signature, _signature(secret, body))
    if len(token) > 200 or not until.isdigit() or not genuine:
        raise LinkRefused("tampered")
    if dt.datetime.fromtimestamp(int(until), dt.UTC) < now:
        raise LinkRefused("expired")
    return digest
