"""Keeping the rollups current: today counted again every few minutes (and yesterday once more
after midnight, for the views that came in late), raw page views past the keeping period
deleted. A server does it in the background (`rollup_interval`); Lambda's timer does it with
the outbox's drain; `recruit events rollup` does it on demand or from cron.

Days are the region's days (Europe/London), as the reports show them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import anyio

from ..backend import LONDON
from ..settings import Settings
from ..storage import Storage

log = logging.getLogger("forms_backend.evaluation")


@dataclass
class Counted:
    days: int
    rows: int
    deleted: int


def catch_up(storage: Storage, settings: Settings, days: int | None = None) -> Counted:
    """Count `days` days into the rollups, today included (None: today, and yesterday too when
    it was last counted before today's end); delete raw views older than `keep_days`."""
    now = settings.now()
    today = now.astimezone(LONDON).date()
    if days is None:
        last = storage.rolled_up_at()
        days = 1 if last is not None and last.astimezone(LONDON).date() == today else 2
    rows = sum(storage.roll_up(today - dt.timedelta(days=n), LONDON, now) for n in range(days))
    deleted = storage.purge_page_events(now - dt.timedelta(days=settings.keep_days))
    return Counted(days, rows, deleted)


def due(storage: Storage, settings: Settings) -> bool:
    """Whether the rollups are older than the interval (Lambda's timer asks every minute)."""
    last = storage.rolled_up_at()
    return last is None or (settings.now() - last).total_seconds() >= settings.rollup_interval


async def run(storage_of, settings: Settings, manifest_of) -> None:  # noqa: ANN001 - the Backend's getters
    """Count every `rollup_interval` seconds until cancelled (the app's lifespan runs it), and
    keep the talent bank's calendar (bank/sweep.py). Two workers counting the same day take
    turns; a run that fails is logged and tried again."""
    from ..bank.sweep import sweep

    def once() -> None:
        catch_up(storage_of(), settings)
        sweep(storage_of(), settings, manifest_of())

    while True:
        try:
            await anyio.to_thread.run_sync(once)
        except Exception:  # noqa: BLE001 - the loop must outlive one bad run
            log.warning("rollup failed; trying again in %ss", settings.rollup_interval, exc_info=True)
        await anyio.sleep(settings.rollup_interval)
