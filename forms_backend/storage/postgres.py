"""Storage in PostgreSQL: for a region on Lambda, a container platform or several servers.

The queries are sql.py's, shared with SQLite. Each process (or Lambda container) keeps one small
pool of connections (psycopg_pool), reused between requests. Nothing relies on session state:
every connection is in autocommit between transactions, locks are taken per transaction
(advisory transaction locks, `FOR UPDATE SKIP LOCKED`), and no `SET` outlives a transaction, so
the backend runs behind PgBouncer in transaction mode or RDS Proxy. psycopg prepares a
statement on the server once a connection has run it `prepare_threshold` times (5); behind a
pooler that cannot keep prepared statements, add `?prepare_threshold=none` to the URL.

Commits are durable as the server is configured (`synchronous_commit=on`, the default). A
connection the server dropped (a restart, `pg_terminate_backend`, a failover) is noticed, the
pool's idle connections are checked, and the call is made once more on a fresh one: a
transaction never commits half, and one that did commit before its answer was lost is found
again by the duplicate check instead of being stored twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import psycopg_pool

from . import migrations
from .interface import SaveRequest, StorageError
from .sql import PUBLIC_METHODS, SQLStorage

# Options of ours in the URL's query string (the rest is libpq's, such as sslmode).
OPTIONS = {"pool_size": 4, "prepare_threshold": 5}


def split_url(url: str) -> tuple[str, dict[str, Any]]:
    """'postgresql://u@h/db?sslmode=require&pool_size=2' -> (libpq's URL, our options)."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    theirs, ours = [], dict(OPTIONS)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "pool_size":
            if not value.isdigit() or int(value) < 1:
                raise StorageError(f"pool_size={value!r} in the database URL must be a whole number from 1")
            ours[key] = int(value)
        elif key == "prepare_threshold":
            if value.lower() not in ("none", "off") and not value.isdigit():
                raise StorageError(f"prepare_threshold={value!r} in the database URL: a number, or none")
            ours[key] = None if value.lower() in ("none", "off") else int(value)
        else:
            theirs.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(theirs))), ours


def describe(conninfo: str) -> str:
    """Where the database is, for messages: host and database name, never the password."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "(an unreadable PostgreSQL URL)"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


class Session:
    """A connection inside a transaction, spoken to with the shared SQL's `?` placeholders."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    @staticmethod
    def translate(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self.conn.execute(self.translate(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(self.translate(sql), rows)


def _retrying(method: Callable) -> Callable:
    """One more try on a fresh connection when the server dropped the one used; then
    StorageError (the app answers 503, the CLI a clear message)."""

    @functools.wraps(method)
    def wrapper(self: PostgresStorage, *args: Any, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            try:
                return method(self, *args, **kwargs)
            except psycopg_pool.PoolTimeout as exc:
                raise StorageError(f"the database {self.where} cannot be reached right now: {exc}") from None
            except psycopg.OperationalError as exc:
                if attempt == 2:
                    raise StorageError(f"the database {self.where} cannot be used right now: {exc}") from None
                self._pool.check()  # let go of every idle connection the server has dropped too
            except psycopg.Error as exc:
                raise StorageError(f"the database {self.where} cannot be used right now: {exc}") from None
        raise AssertionError("unreachable")

    return wrapper


def _retry_public_methods(cls: type) -> type:
    for name in PUBLIC_METHODS:
        method = getattr(cls, name, None)
        if method is not None and not getattr(method, "__isabstractmethod__", False):
            setattr(cls, name, _retrying(method))
    return cls


@_retry_public_methods
class PostgresStorage(SQLStorage):
    """A pool of connections to one database; `pool_size` (4) at most per process."""

    engine = "postgresql"
    errors = (psycopg.Error,)
    claim_locks = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, busy_timeout: float = 30.0, check_schema: bool = True) -> None:
        conninfo, options = split_url(url)
        self.where = describe(conninfo)
        self._lock_timeout = f"SET LOCAL lock_timeout = {max(1, int(busy_timeout * 1000))}"
        settings = {"autocommit": True, "prepare_threshold": options["prepare_threshold"]}
        connect_timeout = max(2, int(busy_timeout))
        try:  # one connection first, for a clear error now (a wrong password, no such database)
            with psycopg.connect(conninfo, connect_timeout=connect_timeout, **settings):
                pass
        except psycopg.Error as exc:
            raise StorageError(f"cannot open the database {self.where}: {str(exc).strip()}") from None
        self._pool = psycopg_pool.ConnectionPool(
            conninfo,
            min_size=1,
            max_size=options["pool_size"],
            kwargs=settings,
            timeout=busy_timeout,
            open=False,
            name="recruit",
        )
        # The first connection ready before any request waits for one: the busy timeout is for
        # a free connection and a lock, and may be shorter than opening a connection takes.
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except psycopg.Error as exc:
            self._pool.close()
            raise StorageError(f"cannot open the database {self.where}: {str(exc).strip()}") from None
        if check_schema:
            try:
                self._checked_schema()
            except StorageError:
                self.close()
                raise

    @_retrying
    def _checked_schema(self) -> None:
        migrations.check(self, self.where, dt.datetime.now(dt.UTC))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction that waits for a lock (a purge's VACUUM FULL, a migration) at
        most the busy timeout; SET LOCAL lasts only as long as the transaction."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(self._lock_timeout)
            yield Session(conn)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._pool.connection() as conn:
            return conn.execute(Session.translate(sql), params).fetchall()

    def moment(self, value: dt.datetime) -> dt.datetime:
        return value

    def json_text(self, column: str, key: str) -> str:
        return f"({column} ->> '{key}')"

    def has_table(self, db: Session, name: str) -> bool:
        # A catalog query, not to_regclass(): that reads a cache a waiting migrator may not have
        # refreshed, and would miss the tables another one has just committed.
        found = db.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?)",
            (name,),
        )
        return found.fetchone()[0]

    def lock_schema(self, db: Session) -> None:
        """Migrations take turns: several workers opening a new database create it once."""
        db.execute("SELECT pg_advisory_xact_lock(?)", (_lock_key("recruit schema"),))

    def insert_many(self, db: Session, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> None:
        with (
            db.conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def take_turns(self, db: Session, name: str) -> None:
        db.execute("SELECT pg_advisory_xact_lock(?)", (_lock_key(name),))

    def serialise(self, db: Session, requests: list[SaveRequest]) -> None:
        """The same application posted twice at once (a double click, two workers) is stored
        once: each save holds a lock on its key and its answers' hash until it commits, taken in
        one order so that two groups of saves never wait for each other."""
        keys = set()
        for request in requests:
            app = request.app
            keys.add(_lock_key(f"hash {app.council} {app.campaign} {app.content_hash}"))
            if app.idempotency_key:
                keys.add(_lock_key(f"key {app.council} {app.campaign} {app.idempotency_key}"))
        db.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(?::bigint[]) AS k", (sorted(keys),))

    def after_delete(self) -> None:
        """A deleted row stays in its table's pages, and a large file in its TOAST table, until
        the space is reused: plain VACUUM frees the space but leaves the bytes in it, which
        pageinspect can still read. VACUUM FULL writes the three tables anew and removes the old
        files. It holds their lock meanwhile: a save waiting longer than the busy timeout is
        refused with 503 (nothing kept), so run purges at a quiet hour."""
        try:
            with self._pool.connection() as conn:
                conn.execute("VACUUM (FULL) applications, files, outbox, stage_moves")
        except psycopg.Error as exc:  # not retried: the rows are already deleted
            raise StorageError(
                f"the rows were deleted, but VACUUM FULL failed ({exc}): their bytes stay in the "
                "tables' free space until it runs; run VACUUM (FULL) applications, files, outbox, stage_moves"
            ) from None

    def after_copy(self, db: Session, table: str) -> None:
        db.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), "
            f"MAX(id) IS NOT NULL) FROM {table}"
        )

    def words_match(self, words: list[str]) -> tuple[str, str]:
        """The talent bank's full-text search: every word, as a word or its start (tsquery)."""
        return "to_tsvector('simple', p.search_text) @@ to_tsquery('simple', ?)", " & ".join(
            f"{w}:*" for w in words
        )

    def columns(self, table: str) -> list[str]:
        rows = self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [r[0] for r in rows]

    def close(self) -> None:
        self._pool.close()


def _lock_key(text: str) -> int:
    """A signed 64-bit advisory lock key for a text."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)
