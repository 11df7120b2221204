"""The schema, as the numbered migrations that make it, each in both engines' SQL.

migrations.py applies them. Append a new one with the next number (in the module of its
subject); never edit one that has shipped (a database that applied it would not be changed
again).

core.py        1-3: applications, files, outbox, tokens, events; the workspace's staff and stages
evaluation.py  4-7: page views counted without cookies, rollups, ratings
bank.py        8-: the regional talent bank
"""

from __future__ import annotations

from .bank import BANK
from .core import CORE
from .evaluation import EVALUATION
from .migration import Migration

MIGRATIONS: tuple[Migration, ...] = (*CORE, *EVALUATION, *BANK)
assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))

__all__ = ["MIGRATIONS", "Migration"]
