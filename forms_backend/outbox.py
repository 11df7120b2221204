"""The outbox sent: each message to an SMTP server (retried with a doubling back-off, never
dropped) or, with no SMTP server configured, written as a .eml file under data/mail/.

`drain` sends what is due once (`recruit outbox send`, Lambda's timer); in a server, Outbox
drains in the background, woken as soon as an application's mail is stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import anyio

from .notify import DRAIN_LIMIT, drain
from .settings import Settings
from .storage import Storage

log = logging.getLogger("forms_backend.outbox")

# Applicants are answered before mail is sent: while applications are being taken in, the outbox
# waits (looking again this often, at most the outbox interval), so a burst is taken in at full
# speed and its mail follows it; between applications (a steady trickle) mail goes at once.
QUIET_SECONDS = 0.01


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
        self._wake = anyio.Event()
        more = False
        try:
            while True:
                if not more:
                    with anyio.move_on_after(interval):
                        await self._wake.wait()
                # A fresh event before the drain, not after it: an application stored while this
                # drain runs wakes the next one at once instead of waiting out the interval.
                self._wake = anyio.Event()
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
