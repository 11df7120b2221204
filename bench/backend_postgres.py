"""Backend throughput on PostgreSQL: durable applications per second, beside raw psycopg.

The same load as bench/backend.py (the example region, `recruit backend serve --workers N`, 100
applications a second for latency, then 64 clients in a closed loop, the outbox timed after the
burst), against a throwaway PostgreSQL cluster made for the run (tests/postgres_cluster.py) in
/var/tmp, on the machine's disk: not in a RAM folder, where a commit would cost nothing.
The server keeps PostgreSQL's durable defaults (fsync=on, synchronous_commit=on), so an
application is acknowledged only once its commit is on the disk.

The raw rate, in the same run and on the same cluster, is psycopg alone doing the same writes
with the backend's own schema (its migrations): one transaction per application holding one
applications row and its outbox rows, of the sizes the backend stored. Two figures: one
connection committing in turn (`raw_psycopg_per_s`, the goal's baseline, as the SQLite row's),
and as many connections as the backend's pools hold together, each committing in turn
(`raw_psycopg_pooled_per_s`), where PostgreSQL can flush several commits with one write.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg

from forms_backend.storage import open_storage
from forms_backend.storage.postgres import OPTIONS

from .backend import ROOT, WAITING, build_example, serve_and_load

# On the machine's disk (FHS: kept across reboots, so never a RAM folder), and open to the
# postgres user that runs the cluster.
DISK = Path("/var/tmp")


def cluster_module() -> ModuleType:
    """tests/postgres_cluster.py: the suite's throwaway cluster, shared with the bench."""
    spec = importlib.util.spec_from_file_location("postgres_cluster", ROOT / "tests" / "postgres_cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_postgres(measure: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """`measure(cluster)` on a throwaway cluster on the machine's disk, or why there is none."""
    clusters = cluster_module()
    reason = clusters.why_unavailable()
    if reason:
        return {"missing": f"no PostgreSQL here: {reason}"}
    with clusters.Cluster(parent=DISK if DISK.is_dir() else None) as cluster:
        return measure(cluster)


def postgres_waiting(url: str) -> Callable[[], int]:
    def waiting() -> int:
        with psycopg.connect(url, autocommit=True) as db:
            return db.execute(WAITING).fetchone()[0]  # type: ignore[index]

    return waiting


def stored_shape(url: str) -> tuple[int, int, list[int]]:
    """(applications stored, mean answers bytes, outbox message bytes of one application)."""
    with psycopg.connect(url, autocommit=True) as db:
        count, answers = db.execute(
            "SELECT COUNT(*), AVG(OCTET_LENGTH(answers::text)) FROM applications"
        ).fetchone()  # type: ignore[misc]
        first = db.execute("SELECT MIN(id) FROM applications").fetchone()[0]  # type: ignore[index]
        sizes = db.execute("SELECT OCTET_LENGTH(message) FROM outbox WHERE application_id = %s", (first,))
        messages = [r[0] for r in sizes]
    return count, int(answers or 0), messages


def raw_psycopg_rate(
    url: str, answers_bytes: int, messages: list[int], *, connections: int = 1, seconds: float = 5.0
) -> float:
    """Durable transactions per second with the backend's schema, psycopg and nothing else:
    `connections` threads, each with its own connection, each committing one application at a
    time (prepared statements, as the backend's pool prepares them)."""
    open_storage(url).close()  # the backend's schema, by its own migrations
    answers = json.dumps({"about": "x" * max(0, answers_bytes - 12)})
    bodies = [b"m" * size for size in messages]
    done = [0] * connections
    start = threading.Barrier(connections + 1)
    stop = threading.Event()

    def write(n: int) -> None:
        with psycopg.connect(url, autocommit=True, prepare_threshold=0) as db:
            start.wait()
            while not stop.is_set():
                key = f"{n}-{done[n]}"
                with db.transaction():
                    (application_id,) = db.execute(
                        "INSERT INTO applications (reference, council, campaign, email, answers, "
                        "content_hash, idempotency_key, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                        "now()) RETURNING id",
                        (
                            f"RAW-{key}",
                            "dudley",
                            "come-back-to-care",
                            f"a{key}@example.com",
                            answers,
                            f"hash-{key}",
                            f"key-{key}",
                        ),  # fmt: skip
                    ).fetchone()  # type: ignore[misc]
                    for i, body in enumerate(bodies):
                        db.execute(
                            "INSERT INTO outbox (application_id, reference, kind, recipient, message, "
                            "created_at, next_attempt_at) VALUES (%s, %s, %s, %s, %s, now(), now())",
                            (
                                application_id,
                                f"RAW-{key}",
                                "council" if i else "applicant",
                                "hr@example.com",
                                body,
                            ),  # fmt: skip
                        )
                done[n] += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def measure(
    work: Path,
    *,
    seconds: float = 10.0,
    count: int = 60000,
    concurrency: int = 64,
    workers: int = os.cpu_count() or 1,
) -> dict[str, Any]:
    """A cluster on disk, the backend on it under load, then raw psycopg: backend.postgres."""
    dist, _manifest = build_example(work)
    return on_postgres(lambda cluster: _measured(cluster, work, dist, seconds, count, concurrency, workers))


def _measured(
    cluster: Any, work: Path, dist: Path, seconds: float, count: int, concurrency: int, workers: int
) -> dict[str, Any]:
    url = cluster.create_database("bench")
    served = serve_and_load(
        work,
        dist,
        url,
        postgres_waiting(url),
        seconds=seconds,
        count=count,
        concurrency=concurrency,
        workers=workers,
    )
    stored, answers_bytes, messages = stored_shape(url)
    pooled = workers * int(OPTIONS["pool_size"])
    raw = raw_psycopg_rate(cluster.create_database("raw"), answers_bytes, messages)
    raw_pooled = raw_psycopg_rate(cluster.create_database("raw"), answers_bytes, messages, connections=pooled)
    with cluster.connect() as db:
        server = {
            name: db.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method")
        }
    rate = served["submissions_per_s"]
    return {
        "submissions_per_s": rate,
        "raw_psycopg_per_s": round(raw, 1),
        "ratio": round(rate / raw, 3) if raw else None,
        "raw_psycopg_pooled_per_s": round(raw_pooled, 1),
        "pooled_connections": pooled,
        "ratio_to_pooled": round(rate / raw_pooled, 3) if raw_pooled else None,
        **served,
        "stored": stored,
        "stored_matches": stored == served["acknowledged"],
        "outbox_rows_per_application": len(messages),
        "server": server,
    }
