"""Who is signed in to the workspace: one-time links by email, sessions in a cookie, CSRF tokens.

- A sign-in link holds a random token; only its SHA-256 is stored. It works once, within 15
  minutes, and only for a person still on the list. Opening it shows a button: the link is
  used when the button is pressed, so a mail scanner that fetches links does not spend it.
- Asking for a link answers the same whether or not the address is known. At most 3 links an
  address per 15 minutes (counted in the database, so across workers), and the client's
  asks are limited per process.
- A session is a random token in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS) that
  the browser forgets when it closes, its digest stored; it ends after 8 hours without use, on
  sign-out, or when the person is removed.
- Every form that changes something carries the session's CSRF token, compared in constant time.

Cookies are set here only, for signed-in staff: applicants and visitors never get one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from .. import mail
from ..manifest import Manifest
from ..storage import Storage
from ..storage.staff import StaffSession, User

COOKIE = "recruit_session"
LINK_LIFETIME = dt.timedelta(minutes=15)
LINKS_PER_ADDRESS = 3
IDLE = dt.timedelta(hours=8)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_link(storage: Storage, user: User, now: dt.datetime, workspace_url: str) -> str | None:
    """A sign-in link for `user`, or None when the address has had its links for now."""
    if storage.links_since(user.id, now - LINK_LIFETIME) >= LINKS_PER_ADDRESS:
        return None
    token = secrets.token_urlsafe(32)
    storage.add_sign_in_link(user.id, digest(token), now, now + LINK_LIFETIME)
    return f"{workspace_url.rstrip('/')}/sign-in/{token}"


def email_link(storage: Storage, manifest: Manifest, address: str, link: str, now: dt.datetime,
               mail_from: str | None) -> None:  # fmt: skip
    """Put the email bringing `link` to `address` in the outbox."""
    storage.queue_mail("sign-in", address, mail.sign_in_message(manifest, address, link, now, mail_from), now)


def open_session(storage: Storage, user: User, now: dt.datetime) -> str:
    """A new session for `user`: the token for the cookie."""
    token = secrets.token_urlsafe(32)
    storage.add_session(user.id, digest(token), secrets.token_urlsafe(24), now)
    return token


def current(storage: Storage, request: Request, now: dt.datetime) -> StaffSession | None:
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    return storage.session(digest(token), now, IDLE)


def end(storage: Storage, request: Request, now: dt.datetime) -> None:
    token = request.cookies.get(COOKIE)
    if token and len(token) <= 100:
        storage.end_session(digest(token), now)


def csrf_ok(session: StaffSession, presented: object) -> bool:
    return isinstance(presented, str) and hmac.compare_digest(session.csrf.encode(), presented.encode())


def secure(request: Request, trust_forwarded: bool) -> bool:
    """Served over HTTPS: the connection's scheme, or a trusted proxy's X-Forwarded-Proto."""
    if request.url.scheme == "https":
        return True
    return trust_forwarded and request.headers.get("x-forwarded-proto", "").split(",")[-1].strip() == "https"


def set_cookie(response: Response, token: str, path: str, is_secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path=path,
        httponly=True,
        secure=is_secure,
        samesite="lax",
    )


def clear_cookie(response: Response, path: str, is_secure: bool) -> None:
    response.delete_cookie(COOKIE, path=path, httponly=True, secure=is_secure, samesite="lax")
