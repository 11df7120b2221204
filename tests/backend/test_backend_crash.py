"""kill -9 the server mid-stream: every reference a client was given is in the database."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from backend_support import JSON, form_of, free_port, good_answers, site_client
from backend_support import start_server as start

from forms_backend.storage import open_storage

N = 40


def test_kill_9_loses_no_acknowledged_application(database_url, dist, manifest, tmp_path) -> None:  # noqa: ANN001
    db = database_url
    port = free_port()
    form = form_of(manifest, "walsall", "come-back-to-care")
    received: list[str] = []
    lock = threading.Lock()
    half = threading.Event()

    def submit(i: int) -> None:
        try:
            with site_client(timeout=20) as client:
                r = client.post(
                    f"http://127.0.0.1:{port}/apply/walsall/come-back-to-care",
                    data=good_answers(form, email=f"p{i}@example.com"),
                    headers=JSON,
                )
        except httpx.TransportError:
            return  # the server died first: this client was told nothing
        if r.status_code == 201:
            with lock:
                received.append(r.json()["reference"])
                if len(received) >= N // 2:
                    half.set()

    server = start(dist, db, port, tmp_path)
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(submit, i) for i in range(N)]
            assert half.wait(30), "no answers from the server"
            server.send_signal(signal.SIGKILL)
            server.wait(10)
            for f in futures:
                f.result()
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(10)
        server.stderr.close()
    assert len(received) >= N // 2
    restarted = start(dist, db, port, tmp_path)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/health").json()["storage"] == "ok"
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(10)
        restarted.stderr.close()
    storage = open_storage(db)
    try:
        stored = {a.reference for a in storage.applications("walsall")}
    finally:
        storage.close()
    missing = set(received) - stored
    assert not missing, f"{len(missing)} acknowledged references lost: {sorted(missing)}"


def _stat(pid: int) -> list[str]:
    """State, parent, ... of a process (/proc/PID/stat after its name); [] once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def children(pid: int) -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and _stat(int(e))[1:2] == [str(pid)]]


def running(pid: int) -> bool:
    return _stat(pid)[:1] not in ([], ["Z"])  # a zombie has exited, only not been reaped


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="finds the workers through /proc")
def test_workers_share_the_database_and_stop_together(database_url, dist, manifest, tmp_path) -> None:  # noqa: ANN001
    """`recruit backend serve --workers 2`: two processes take applications into one database,
    every acknowledged one is stored once, and Ctrl-C/SIGTERM stops them all."""
    db = database_url
    port = free_port()
    form = form_of(manifest, "walsall", "come-back-to-care")
    server = start(dist, db, port, tmp_path, "--workers", "2")
    try:
        workers = [w for w in children(server.pid) if "spawn_main" in Path(f"/proc/{w}/cmdline").read_text()]
        assert len(workers) == 2

        def submit(i: int) -> str:
            with site_client(timeout=20) as client:
                r = client.post(
                    f"http://127.0.0.1:{port}/apply/walsall/come-back-to-care",
                    data=good_answers(form, email=f"w{i}@example.com"),
                    headers=JSON,
                )
            assert r.status_code == 201, r.text
            return r.json()["reference"]

        with ThreadPoolExecutor(16) as pool:
            references = list(pool.map(submit, range(60)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        server.stderr.close()
    assert not [w for w in workers if running(w)], "a worker outlived the server"
    storage = open_storage(db)
    try:
        stored = [a.reference for a in storage.applications("walsall")]
    finally:
        storage.close()
    assert sorted(stored) == sorted(references) and len(set(references)) == 60


def test_workers_are_given_the_commands_settings(tmp_path) -> None:  # noqa: ANN001
    """What `--workers` hands each worker through the environment gives back the same settings."""
    from forms_backend.settings import Settings

    for smtp, rate in ((None, (30, 600.0)), ("mail.example", None), ("mail.example", (5, 60.0))):
        given = Settings(
            dist=tmp_path / "dist",
            database_url=f"sqlite:///{tmp_path / 'x.db'}",
            mail_dir=tmp_path / "mail",
            smtp_host=smtp,
            smtp_port=2525,
            rate_limit=rate,
        )
        back = Settings.from_env(env=given.environment())
        for name in ("dist", "manifest_path", "database_url", "mail_dir", "smtp_host", "rate_limit"):
            assert getattr(back, name) == getattr(given, name), name
        assert back.smtp_port == (2525 if smtp else 25)
