"""The talent bank's calendar, run with the rollups (a server's background task every
`rollup_interval`, Lambda's minute timer, or `recruit bank sweep` from cron): reminders a month
before a consent ends, through the outbox; entries hidden at the end; deleted 30 days later."""

from __future__ import annotations

from ..manifest import Manifest
from ..settings import Settings
from ..storage import Storage
from . import mail


def sweep(storage: Storage, settings: Settings, manifest: Manifest) -> tuple[int, int, int]:
    """(reminded, hidden, deleted)."""
    now = settings.now()
    secret = storage.bank_secret()

    def compose(email: str, name: str, expires: str) -> bytes:
        return mail.reminder(manifest, secret, email, name, expires, now, settings.mail_from)

    return storage.sweep_bank(now, compose)
