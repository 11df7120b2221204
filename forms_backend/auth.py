"""Bearer tokens for the admin API: one per council, or regional (reads every council).

A token is `rc<id>_<secret>`; only the SHA-256 of the secret is stored, and it is compared in
constant time. A missing, malformed, unknown, wrong or revoked token is told 401 and nothing
else; a good token for another council is told 403.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from .storage import Storage, Token

TOKEN = re.compile(r"rc([0-9]{1,12})_([A-Za-z0-9_-]{20,100})")
_DUMMY = hashlib.sha256(b"no such token").hexdigest()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass
class Principal:
    token_id: int
    council: str | None  # None: regional

    def may_read(self, council: str) -> bool:
        return self.council is None or self.council == council


def create_token(storage: Storage, council: str | None, label: str, now) -> tuple[int, str]:  # noqa: ANN001
    """Store a new token's hash; return (id, the token), the only time the token is seen."""
    secret = secrets.token_urlsafe(32)
    token_id = storage.add_token(label, council, digest(secret), now)
    return token_id, f"rc{token_id}_{secret}"


def token_id_of(text: str) -> int | None:
    """The id in a token (rc12_...) or a bare id ('12')."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    match = TOKEN.fullmatch(text)
    return int(match.group(1)) if match else None


def check(storage: Storage, presented: str) -> Principal | None:
    """The principal a token stands for, or None. The same work is done for unknown ids."""
    match = TOKEN.fullmatch(presented.strip())
    if not match:
        return None
    token: Token | None = storage.token(int(match.group(1)))
    stored = token.hash if token else _DUMMY
    same = hmac.compare_digest(stored.encode(), digest(match.group(2)).encode())
    if not token or not same or token.revoked_at:
        return None
    return Principal(token.id, token.council)


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
