"""Backend throughput: durable applications per second through uvicorn, beside raw SQLite.

The example region is built into a temporary folder for its form manifest; `recruit backend
serve --workers N` (N = the machine's cores) runs it on a free loopback port (rate limit off,
mail to .eml files, the outbox drained in the background as in production) with a fresh SQLite
database. bench/loadgen.py, in a second process, then runs an open loop at 100 applications a
second (latency) and a closed loop of 64 clients at the most the server sustains (throughput).
64, not fewer: an application waits for its commit to reach the disk, and with 16 clients the
two workers sat idle through those waits (about 2,000 a second against 2,900, and a figure that
swung with how the connections fell between the workers). Afterwards the database must hold
exactly the applications acknowledged.

The outbox lets applicants come first: during the closed loop the mail waits (at most the
outbox interval), so the bench also times how long the server takes, once the burst is over,
to send all of it (`mail_after_burst_s`), and checks every message went.

The ceiling, in the same run: the same load generator against bench/noop_app.py, an empty
endpoint on the same uvicorn and Starlette that stores nothing, so the figure can be read
against what the HTTP stack (and the load generator beside it on the same cores) allows.

The raw rate, in the same run, is SQLite alone doing the same writes: the storage layer's own
schema and PRAGMAs (WAL, synchronous=FULL), one transaction per application holding one
applications row and the outbox rows, of the sizes the backend actually stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from forms_backend.storage import SCHEMA
from forms_backend.storage.migrations import statements

from .throughput import RECRUIT, TODAY

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the backend exited ({proc.returncode}): {proc.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the backend did not answer /health within 30 s")


def _loadgen(url: str, manifest: Path, *extra: str) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        url,
        "--manifest",
        str(manifest),
        "--today",
        TODAY,
        *extra,
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def stored_shape(db: Path) -> tuple[int, int, list[int]]:
    """(applications stored, mean answers bytes, outbox message bytes of one application)."""
    with sqlite3.connect(db) as conn:
        count, answers = conn.execute("SELECT COUNT(*), AVG(LENGTH(answers)) FROM applications").fetchone()
        first = conn.execute("SELECT MIN(id) FROM applications").fetchone()[0]
        messages = [
            r[0]
            for r in conn.execute("SELECT LENGTH(message) FROM outbox WHERE application_id = ?", (first,))
        ]
    return count, int(answers or 0), messages


def raw_sqlite_rate(path: Path, answers_bytes: int, messages: list[int], seconds: float = 5.0) -> float:
    """Durable transactions per second with the backend's schema and PRAGMAs, nothing else."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
        conn.execute(f"PRAGMA {pragma}")
    for statement in statements(SCHEMA):  # split as the migrations are (triggers whole)
        conn.execute(statement)
    answers = json.dumps({"about": "x" * max(0, answers_bytes - 12)})
    bodies = [b"m" * size for size in messages]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        now = f"2026-11-23T12:00:00.{done:06d}+00:00"
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.execute(
            "INSERT INTO applications (reference, council, campaign, email, answers, content_hash, "
            "idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"RAW-{done:08d}",
                "dudley",
                "come-back-to-care",
                f"a{done}@example.com",
                answers,
                f"{done:064x}",
                f"key-{done}",
                now,
            ),
        )
        for i, body in enumerate(bodies):
            conn.execute(
                "INSERT INTO outbox (application_id, reference, kind, recipient, message, created_at, "
                "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    cursor.lastrowid,
                    f"RAW-{done:08d}",
                    "council" if i else "applicant",
                    "hr@example.com",
                    body,
                    now,
                    now,
                ),
            )
        conn.execute("COMMIT")
        done += 1
    rate = done / (time.perf_counter() - started)
    conn.close()
    return rate


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def empty_endpoint_rate(manifest: Path, seconds: float, count: int, concurrency: int) -> float:
    """Closed-loop requests per second against bench/noop_app.py (same stack, no work)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.noop_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server)
        return _loadgen(
            url, manifest, "--count", str(count), "--seconds", str(seconds), "--concurrency", str(concurrency)
        )["per_s"]
    finally:
        _stop(server)


def mail_sent(waiting: Callable[[], int], timeout: float = 120.0) -> tuple[float, int]:
    """Seconds until the outbox has nothing waiting (the server sending it), and what still
    waits if that takes longer than `timeout`. `waiting` counts the unsent, unfailed rows."""
    started = time.perf_counter()
    while True:
        left = waiting()
        if not left or time.perf_counter() - started > timeout:
            return round(time.perf_counter() - started, 2), left
        time.sleep(0.1)


WAITING = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"


def sqlite_waiting(db: Path) -> Callable[[], int]:
    def waiting() -> int:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
            return conn.execute(WAITING).fetchone()[0]

    return waiting


def build_example(work: Path) -> tuple[Path, Path]:
    """The example region built into `work`/dist: (dist, its form manifest)."""
    work.mkdir(parents=True, exist_ok=True)
    dist = work / "dist"
    subprocess.run(
        [str(RECRUIT), "build", "--out", str(dist), "--today", TODAY],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return dist, dist / "_forms" / "manifest.json"


@contextlib.contextmanager
def running(work: Path, dist: Path, database_url: str, workers: int = 1, **env: str) -> Iterator[str]:
    """`recruit backend serve --workers N` on a free loopback port, on `database_url` (rate limit
    off, mail to .eml files in `work`, the clock pinned), until the block ends: its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "RECRUIT_RATE_LIMIT": "off", "RECRUIT_NOW": f"{TODAY}T12:00:00+00:00", **env}
    environment.pop("SMTP_HOST", None)
    command = [str(RECRUIT), "backend", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--manifest", str(dist / "_forms" / "manifest.json"), "--database", database_url,
               "--dist", str(dist), "--mail-dir", str(work / "mail"), "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        _stop(server)


def serve_and_load(
    work: Path,
    dist: Path,
    database_url: str,
    waiting: Callable[[], int],
    *,
    seconds: float,
    count: int,
    concurrency: int,
    workers: int,
) -> dict[str, Any]:
    """`recruit backend serve` on `database_url`, loaded paced then closed; the outbox timed."""
    manifest = dist / "_forms" / "manifest.json"
    with running(work, dist, database_url, workers) as url:
        # Three seconds at the paced rate first, not counted in the latency: the workers' pools
        # open their connections and PostgreSQL plans the statements (its p99 at 100/s over the
        # first ten seconds was 18 ms against 6 ms over the next ten).
        warm = _loadgen(url, manifest, "--rate", "100", "--seconds", "3", "--count", "300",
                        "--concurrency", "32", "--start", str(20 * count))  # fmt: skip
        # Paced first, in the steady state it measures (the outbox drained as it fills); the
        # closed loop afterwards leaves a backlog of mail that would otherwise land in it.
        paced = _loadgen(
            url,
            manifest,
            "--rate",
            "100",
            "--seconds",
            str(seconds),
            "--count",
            str(int(100 * seconds)),
            "--concurrency",
            "32",
            "--start",
            str(10 * count),
        )
        closed = _loadgen(
            url, manifest, "--count", str(count), "--seconds", str(seconds), "--concurrency", str(concurrency)
        )
        mail_s, mail_waiting = mail_sent(waiting)
    return {
        "submissions_per_s": closed["per_s"],
        "p99_ms": paced["p99_ms"],
        "p50_ms": paced["p50_ms"],
        "paced_per_s": paced["per_s"],
        "closed_p99_ms": closed["p99_ms"],
        "concurrency": concurrency,
        "workers": workers,
        "mail_after_burst_s": mail_s,
        "mail_waiting_after": mail_waiting,
        "acknowledged": warm["acknowledged"] + closed["acknowledged"] + paced["acknowledged"],
        "errors": warm["errors"] + closed["errors"] + paced["errors"],
        "statuses": {"warm_up": warm["statuses"], "closed": closed["statuses"], "paced": paced["statuses"]},
    }


def measure(
    work: Path,
    *,
    seconds: float = 10.0,
    count: int = 60000,
    concurrency: int = 64,
    workers: int = os.cpu_count() or 1,
) -> dict[str, Any]:
    """Run the backend, load it, check the database, and time raw SQLite: the backend section."""
    dist, manifest = build_example(work)
    db = work / "bench.db"
    for stale in (db, work / "bench.db-wal", work / "bench.db-shm", work / "raw.db"):
        stale.unlink(missing_ok=True)
    served = serve_and_load(
        work,
        dist,
        f"sqlite:///{db}",
        sqlite_waiting(db),
        seconds=seconds,
        count=count,
        concurrency=concurrency,
        workers=workers,
    )
    stored, answers_bytes, messages = stored_shape(db)
    raw = raw_sqlite_rate(work / "raw.db", answers_bytes, messages)
    ceiling = empty_endpoint_rate(manifest, seconds, 4 * count, concurrency)
    rate = served["submissions_per_s"]
    return {
        "submissions_per_s": rate,
        "raw_sqlite_per_s": round(raw, 1),
        "ratio": round(rate / raw, 3) if raw else None,
        "empty_endpoint_per_s": ceiling,
        "share_of_ceiling": round(rate / ceiling, 3) if ceiling else None,
        **served,
        "stored": stored,
        "stored_matches": stored == served["acknowledged"],
        "outbox_rows_per_application": len(messages),
    }
