"""The outbox sent: each message to an SMTP server (retried with a doubling back-off, never
dropped) or, with no SMTP server configured, written as a .eml file under data/mail/.

`drain` sends what is due once (`recruit outbox send`, Lambda's timer); in a server, Outbox
drains in the background, woken as soon as an application's mail is stored. The messages were
composed by mail.py when the application was stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

import anyio

from .settings import Settings
from .storage import Storage

log = logging.getLogger("forms_backend.outbox")

DRAIN_LIMIT = 100  # messages a drain takes at once

# Applicants are answered before mail is sent: while applications are being taken in, the outbox
# waits (looking again this often, at most the outbox interval), so a burst is taken in at full
# speed and its mail follows it; between applications (a steady trickle) mail goes at once.
QUIET_SECONDS = 0.01


@dataclass
class DrainReport:
    taken: int = 0  # messages this drain claimed: as many as its limit means more may be due
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"sent {self.sent}, to retry {self.retried}, failed {self.failed}"
        return text + "".join(f"\n  {e}" for e in self.errors)


def _write_emls(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Write the files durably, all or none under their names: each is written in full to a
    temporary name, then all are flushed to disk, renamed, and the folder's entries flushed.
    Flushing after all the writes lets the first fsync carry the whole batch to disk (one
    journal commit), where an fsync after each file would wait for the disk once a file."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[int, str, str]] = []
    try:
        for name, data in files:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".eml")
            written.append((fd, tmp, name))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        for fd, _tmp, _name in written:
            os.fsync(fd)
        for _fd, tmp, name in written:
            os.replace(tmp, folder / name)
        _fsync_folder(folder)
    except BaseException:
        for _fd, tmp, _name in written:
            Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        for fd, _tmp, _name in written:
            os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make renames in `folder` durable (where the system can open a folder: not Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def eml_name(reference: str, kind: str, item_id: int) -> str:
    return f"{reference}-{kind}-{item_id}.eml"


def drain(storage: Storage, settings: Settings, limit: int = DRAIN_LIMIT) -> DrainReport:
    """Send what is due in the outbox once: to SMTP when configured, else to .eml files."""
    report = DrainReport()
    now = settings.now()
    items = storage.claim(now, now + dt.timedelta(seconds=settings.outbox_lease), limit)
    report.taken = len(items)
    if not items:
        return report
    if not settings.smtp_host:
        # Files first, then one commit marks them all sent: a crash in between rewrites the same
        # files (their names are fixed by the message) on the next drain, and loses nothing.
        _write_emls(
            settings.mail_dir,
            [(eml_name(item.reference, item.kind, item.id), item.message) for item in items],
        )
        storage.mark_sent_many([item.id for item in items], settings.now())
        report.sent += len(items)
        return report

    def retry(item_id: int, attempts: int, error: str) -> None:
        delay = settings.retry_delay(attempts + 1)
        storage.mark_retry(item_id, error, settings.now() + dt.timedelta(seconds=delay))
        report.retried += 1
        report.errors.append(f"message {item_id}: {error} (next try in {delay:.0f}s)")

    try:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    except (OSError, smtplib.SMTPException) as exc:
        for item in items:
            retry(
                item.id,
                item.attempts,
                f"SMTP server {settings.smtp_host}:{settings.smtp_port} unreachable ({exc})",
            )
        log.warning("outbox: %s", report.errors[-1])
        return report
    try:
        for n, item in enumerate(items):
            envelope_from = parseaddr(settings.mail_from or "")[1] or _sender_of(item.message)
            try:
                client.sendmail(envelope_from, [item.recipient], item.message)
            except smtplib.SMTPRecipientsRefused as exc:
                # One recipient per message: 5xx is for good; 4xx (greylisting, a full mailbox,
                # a server busy) is temporary and retried with the same back-off as the rest.
                refusals = exc.recipients.values() or [(450, b"refused")]
                detail = "; ".join(f"{code} {_text(reply)}" for code, reply in refusals)
                if all(code >= 500 for code, _reply in refusals):
                    storage.mark_failed(item.id, f"recipient refused: {detail}", settings.now())
                    report.failed += 1
                    report.errors.append(
                        f"message {item.id} to {item.recipient}: refused for good ({detail})"
                    )
                else:
                    retry(item.id, item.attempts, f"recipient {item.recipient} refused for now: {detail}")
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    storage.mark_failed(item.id, f"{exc.smtp_code} {exc.smtp_error!r}", settings.now())
                    report.failed += 1
                    report.errors.append(f"message {item.id}: refused for good ({exc.smtp_code})")
                else:
                    retry(item.id, item.attempts, f"{exc.smtp_code} {exc.smtp_error!r}")
            except (OSError, smtplib.SMTPException) as exc:
                retry(item.id, item.attempts, str(exc) or type(exc).__name__)
                # The connection is gone: the rest wait for the next drain, not for the lease.
                storage.release([i.id for i in items[n + 1 :]], settings.now())
                break
            else:
                storage.mark_sent(item.id, settings.now())
                report.sent += 1
    finally:
        try:
            client.quit()
        except (TimeoutError, OSError, smtplib.SMTPException):
            client.close()
    return report


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _sender_of(message: bytes) -> str:
    for line in message.split(b"\r\n"):
        if not line:
            break
        if line.lower().startswith(b"from:"):
            return parseaddr(line[5:].decode("utf-8", "replace").strip())[1]
    return ""


class Outbox:
    """A server's outbox in the background: drained every outbox interval, at once when woken by
    an application stored, batch after batch through a backlog, and held back while
    applications are being taken in."""

    def __init__(self, settings: Settings, storage: Callable[[], Storage]) -> None:
        self.settings = settings
        self._storage = storage  # the app's storage, opened on first use (blocking)
        self.taking = 0  # applications being taken in (posts in progress)
        self._wake: anyio.Event | None = None  # set while run() runs

    def wake(self) -> None:
        """An application's mail was stored: drain now, not at the end of the interval."""
        if self._wake is not None:
            self._wake.set()

    async def quiet(self, longest: float) -> None:
        """Wait until no application is being taken in, or `longest` seconds."""
        give_up = time.monotonic() + longest
        while self.taking and (wait := min(QUIET_SECONDS, give_up - time.monotonic())) > 0:
            await anyio.sleep(wait)

    async def run(self) -> None:
        """Drain until cancelled (the app's lifespan runs it)."""
        interval = self.settings.outbox_interval
        woken = self._wake = anyio.Event()
        more = False
        try:
            while True:
                if not more:
                    with anyio.move_on_after(interval):
                        await woken.wait()
                # A fresh event before the drain, not after it: an application stored while this
                # drain runs wakes the next one at once instead of waiting out the interval.
                woken = self._wake = anyio.Event()
                await self.quiet(interval)
                more = False
                try:
                    report = await anyio.to_thread.run_sync(lambda: drain(self._storage(), self.settings))
                    if report.sent or report.retried or report.failed:
                        log.info("outbox: %s", report.summary())
                    more = report.taken >= DRAIN_LIMIT  # a backlog: the next batch now, not next interval
                except Exception:  # noqa: BLE001 - the loop must outlive one bad drain
                    log.exception("outbox drain failed; trying again in %ss", interval)
        finally:
            self._wake = None
