"""One app's state (Backend): settings, manifest, storage opened on first use, rate limiter,
committers (applications, page views, the survey's ratings) and outbox. Made by create_app,
found by the routes through `backend_of(request)`."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

import anyio
from starlette.requests import Request

from . import guards
from .committer import Committer
from .manifest import ManifestSource
from .outbox import Outbox
from .settings import Settings
from .storage import Storage, StorageError, open_storage

log = logging.getLogger("forms_backend")

try:
    from zoneinfo import ZoneInfo

    LONDON: dt.tzinfo = ZoneInfo("Europe/London")
except Exception:  # noqa: BLE001 - no time zone data: UTC is within an hour
    LONDON = dt.UTC


class Backend:
    """What one app holds between requests; none of it is global."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.settings = settings
        self.manifests = ManifestSource(settings.manifest_path)
        self._storage = storage
        self._lock = threading.Lock()
        limit = settings.rate_limit
        self.limiter = guards.RateLimiter(*limit) if limit else None
        self.committer = Committer(self.opened)
        self.events = Committer(self.opened, lambda storage, events: storage.add_page_events(events))
        self.ratings = Committer(self.opened, lambda storage, ratings: storage.add_ratings(ratings))
        self.salts: dict[dt.date, str] = {}  # the day's visitor salt, once read (evaluation/intake.py)
        self.bank_key: str | None = None  # the talent bank's link key, once read (bank/links.py)
        self.outbox = Outbox(settings, lambda: self.storage)

    @property
    def storage(self) -> Storage:
        with self._lock:
            if self._storage is None:
                self._storage = open_storage(self.settings.database_url, self.settings.busy_timeout)
            return self._storage

    async def opened(self) -> Storage:
        """The storage, opened in a worker thread if this is its first use."""
        return self._storage or await anyio.to_thread.run_sync(lambda: self.storage)

    async def call(self, method: str, *args: Any) -> Any:
        """A storage method in a worker thread (the first opens the storage there too).
        Raises StorageError when the database cannot be opened or used."""
        return await anyio.to_thread.run_sync(lambda: getattr(self.storage, method)(*args))

    async def call_with(self, work: Callable[[Storage], Any]) -> Any:
        """`work(storage)` in a worker thread: several storage calls that belong together."""
        return await anyio.to_thread.run_sync(lambda: work(self.storage))

    async def bank_secret(self) -> str:
        """The key the talent bank's private links are signed with (read once a process)."""
        if self.bank_key is None:
            self.bank_key = await self.call("bank_secret")
        return self.bank_key

    async def log_tampering(self, council: str, campaign: str, tampering: list[tuple[str, str]],
                            form: str = "apply") -> None:  # fmt: skip
        """A value no option of the form offers, or longer than it allows: logged and recorded."""
        for field_id, value in tampering:
            log.warning("tampering: %s/%s %s field %s got %r", council, campaign, form, field_id, value[:200])
            await self.log_event(self.settings.now(), "tampering", council, campaign,
                                 {"field": field_id, "value": value[:200]})  # fmt: skip

    async def log_event(self, *args: Any) -> None:
        """Record a honeypot or tampering event; a storage failure is logged, never answered."""
        try:
            await self.call("log_event", *args)
        except StorageError as exc:
            log.error("storage: could not record a %s event: %s", args[1], exc)

    def close(self) -> None:
        with self._lock:
            if self._storage is not None:
                self._storage.close()
                self._storage = None

    def today(self) -> dt.date:
        return self.settings.now().astimezone(LONDON).date()


def backend_of(request: Request) -> Backend:
    return request.app.state.backend
