"""Spread per-council work over the machine's cores.

Workers are forked, so they inherit what the build has already loaded (the region, the shared
campaigns, the views) without pickling it; only each task's small result comes back. Forking a
process that runs other threads (the preview server) is unsafe, so there, and for small jobs,
the work runs in this process instead.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The task function and its items, set just before the fork so the workers inherit them.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    """Worker processes to use: $RECRUIT_JOBS, else one per CPU this process may run on."""
    pinned = os.environ.get("RECRUIT_JOBS", "")
    if pinned.isdigit() and int(pinned) > 0:
        return int(pinned)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _run(index: int) -> tuple[int, Any]:
    assert _TASK is not None
    fn, items = _TASK
    return index, fn(items[index])


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def map_unordered(
    fn: Callable[[T], R], items: Sequence[T], jobs: int | None = None, *, min_items: int = 4
) -> Iterator[tuple[int, R]]:
    """(index, fn(item)) for every item, as each finishes; in worker processes when it pays."""
    global _TASK
    jobs = min(jobs or default_jobs(), len(items))
    if jobs < 2 or len(items) < min_items or not can_fork():
        for index, item in enumerate(items):
            yield index, fn(item)
        return
    _TASK = (fn, items)
    # Objects that exist before the fork are left out of the workers' garbage collections:
    # scanning them would touch (and so copy) every page the workers share with this process.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap_unordered(_run, range(len(items)), chunksize=1)
    finally:
        _TASK = None
        gc.unfreeze()
