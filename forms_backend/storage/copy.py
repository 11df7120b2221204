"""Moving a region's data from one database to another (`recruit db copy`), and checking it.

Every table is copied in id order, ids kept, and the evaluation's daily rollups (which outlive
the raw page views they were counted from) in key order, in one transaction on the target: a
copy that fails leaves the target empty. Values travel in a neutral form (timestamps as UTC
text, JSON as text, files as bytes), which both engines take. The target must be at the latest
schema and empty.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from .interface import StorageError
from .rollups import ROLLUPS
from .sql import TABLES, SQLStorage
from .staff import stamp

BATCH = 200


def neutral(value: Any) -> Any:
    """A value read from either engine, as either engine can write it."""
    if isinstance(value, dt.datetime):
        return stamp(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


COPIED = (*TABLES, *ROLLUPS)


def counts(storage: SQLStorage) -> dict[str, int]:
    return {table: int(storage.query(f"SELECT COUNT(*) FROM {table}")[0][0]) for table in COPIED}


def rows(storage: SQLStorage, table: str) -> Iterator[Sequence[Any]]:
    """Every row of one of TABLES, in id order (a table without ids: a rollup, a few thousand
    rows a day at most, or links: in their columns' order), columns as `storage.columns(table)`
    names them."""
    names = storage.columns(table)
    columns = ", ".join(names)
    if names[0] != "id":  # a rollup, or a table of links (bank_applications)
        yield from storage.query(f"SELECT {columns} FROM {table} ORDER BY {columns}")
        return
    last = 0
    while True:
        batch = storage.query(f"SELECT {columns} FROM {table} WHERE id > ? ORDER BY id LIMIT 500", (last,))
        yield from batch
        if len(batch) < 500:
            return
        last = batch[-1][0]


def copy(source: SQLStorage, target: SQLStorage) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`; the rows copied per table, checked
    against both databases' counts afterwards (StorageError if they differ)."""
    already = {table: n for table, n in counts(target).items() if n}
    if already:
        held = ", ".join(f"{n:,} {table}" for table, n in already.items())
        raise StorageError(f"the target database {target.where} is not empty ({held}): copy into a new one")
    copied = dict.fromkeys(COPIED, 0)
    with target.transaction() as db:
        for table in COPIED:
            columns = source.columns(table)
            missing = set(columns) - set(target.columns(table))
            if missing:
                raise StorageError(
                    f"the target's {table} table lacks {sorted(missing)}: run `recruit db migrate` on it"
                )
            insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            batch: list[Sequence[Any]] = []
            for row in rows(source, table):
                batch.append([neutral(v) for v in row])
                if len(batch) == BATCH:
                    db.executemany(insert, batch)
                    copied[table] += len(batch)
                    batch = []
            if batch:
                db.executemany(insert, batch)
                copied[table] += len(batch)
            if columns[0] == "id":
                target.after_copy(db, table)
    after = (counts(source), counts(target))
    if not after[0] == after[1] == copied:
        raise StorageError(f"the counts differ after the copy: source {after[0]}, target {after[1]}")
    return copied
