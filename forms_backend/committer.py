"""Group commit: applications (or page events) arriving while one commit is on its way to disk
share the next.

One wait for the disk, and one trip to a worker thread, acknowledges every application that
waited together; each still hears its own outcome (stored, a duplicate, or a StorageError).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from .storage import Saved, SaveRequest, Storage


class Committer:
    """The applications of one app waiting for storage, and the task committing them."""

    def __init__(
        self,
        storage: Callable[[], Awaitable[Storage]],
        commit: Callable[[Storage, list[Any]], list[Any]] = lambda storage, items: storage.save_many(items),
    ) -> None:
        self._storage = storage  # the storage, opened on first use
        self._commit = commit  # one commit of a batch: an outcome (or an exception) per item
        self._waiting: list[tuple[Any, asyncio.Future[Any]]] = []
        self._task: asyncio.Task | None = None

    async def save(self, request: SaveRequest | Any) -> Saved | Any:
        """Store the application, sharing a commit with the others waiting (group commit).

        While one commit is on its way to disk (in a worker thread), the applications that
        arrive wait together; the next commit takes them all. Raises StorageError when it could
        not be stored. A request given up on before its commit began is not kept."""
        future = asyncio.get_running_loop().create_future()  # uvicorn and Mangum run asyncio
        self._waiting.append((request, future))
        if self._task is None:
            self._task = asyncio.create_task(self._commit_waiting())
        return await future

    async def _commit_waiting(self) -> None:
        try:
            while self._waiting:
                batch = [(r, f) for r, f in self._waiting if not f.done()]
                self._waiting = []
                try:
                    storage = await self._storage()
                    outcomes = await anyio.to_thread.run_sync(self._commit, storage, [r for r, _ in batch])
                except Exception as exc:  # noqa: BLE001 - every request waiting on it hears of it
                    outcomes = [exc] * len(batch)
                except BaseException:  # cancelled: the server is stopping
                    for _, future in batch:
                        future.cancel()
                    raise
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # its client went away while the commit ran
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self._task = None
