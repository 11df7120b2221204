"""PostgreSQL going wrong under a running backend, with nothing acknowledged lost.

The server stopped hard in the middle of a load and started again; a connection killed from the
server's side in the middle of a transaction; two backends and two scheduled drains on one
database. Each test counts what the clients were told and what the database holds.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from backend_support import JSON, NOW, form_of, free_port, good_answers, site_client, start_server
from conftest import emptied
from test_backend_outbox import SMTPServer

from forms_backend.storage import open_storage

NOTHING_KEPT = "nothing was kept"


def stored(url: str, council: str) -> list[str]:
    storage = open_storage(url)
    try:
        return [a.reference for a in storage.applications(council)]
    finally:
        storage.close()


def post(port: int, form: dict, i: int) -> tuple[int, str | None, str]:
    """One application; (status, reference, body), or status 0 if the connection broke."""
    try:
        with site_client(timeout=30) as client:
            r = client.post(
                f"http://127.0.0.1:{port}/apply/{form['council']}/{form['campaign']}",
                data=good_answers(form, email=f"fault{i}@example.com", name=f"Fault Tester {i}"),
                headers=JSON,
            )
    except httpx.TransportError:
        return 0, None, ""
    reference = r.json().get("reference") if r.status_code == 201 else None
    return r.status_code, reference, r.text


def test_postgresql_stopped_hard_under_load_loses_nothing_acknowledged(
    postgres, dist, manifest, tmp_path
) -> None:  # noqa: ANN001
    url = emptied(postgres)
    port = free_port()
    form = form_of(manifest, "walsall", "come-back-to-care")
    # A second's wait for a connection, so that posts while the database is down hear 503 soon.
    server = start_server(dist, url, port, tmp_path, env={"RECRUIT_BUSY_TIMEOUT": "1"})
    answers: list[tuple[int, str | None, str]] = []
    lock = threading.Lock()
    started, down, up = threading.Event(), threading.Event(), threading.Event()

    def client(worker: int) -> None:
        for n in range(1000):
            outcome = post(port, form, worker * 1000 + n)
            with lock:
                answers.append(outcome)
                if len(answers) >= 40:
                    started.set()
            if up.is_set() and n > 5 and sum(1 for a in answers if a[0] == 201) > 150:
                return
            if down.is_set() and not up.is_set():
                time.sleep(0.05)

    try:
        with ThreadPoolExecutor(8) as pool:
            clients = [pool.submit(client, w) for w in range(8)]
            assert started.wait(30), "no answers from the server"
            postgres.stop("immediate")  # as a crash: no checkpoint, the WAL replayed at start
            down.set()
            time.sleep(3)
            during = len(answers)
            postgres.start()
            up.set()
            for c in clients:
                c.result(120)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
    finally:
        server.terminate()
        server.wait(20)
        server.stderr.close()
    statuses = collections.Counter(a[0] for a in answers)
    acknowledged = [a[1] for a in answers if a[0] == 201]
    refused = [a for a in answers if a[0] == 503]
    print(f"acknowledged {len(acknowledged)}, 503 {len(refused)}, statuses {dict(statuses)}")
    assert set(statuses) <= {201, 503}, statuses  # no 500, no broken connection
    assert refused and all(NOTHING_KEPT in a[2] and "Traceback" not in a[2] for a in refused)
    assert during > 40 and len(acknowledged) > 150  # it took applications again, by itself
    assert health["storage"] == "ok"
    references = stored(url, "walsall")
    assert sorted(references) == sorted(acknowledged), "stored and acknowledged differ"
    assert len(set(references)) == len(references)


def test_a_connection_killed_mid_transaction_is_retried_and_stored_once(
    postgres, dist, manifest, tmp_path
) -> None:  # noqa: ANN001
    url = emptied(postgres)
    port = free_port()
    form = form_of(manifest, "dudley", "come-back-to-care")
    server = start_server(dist, url, port, tmp_path)
    try:
        assert post(port, form, 0)[0] == 201  # the server's connections are open and used
        with postgres.connect("recruit") as blocker:
            blocker.execute("BEGIN")
            blocker.execute("LOCK TABLE applications IN EXCLUSIVE MODE")  # reads go on, inserts wait
            with ThreadPoolExecutor(5) as pool:
                pending = [pool.submit(post, port, form, i) for i in range(1, 6)]
                waiting: list[int] = []
                deadline = time.monotonic() + 20
                while not waiting and time.monotonic() < deadline:
                    time.sleep(0.1)
                    waiting = [
                        r[0]
                        for r in blocker.execute(
                            "SELECT pid FROM pg_stat_activity WHERE datname = 'recruit' "
                            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                        )
                    ]
                assert waiting, "no save waited on the lock"
                for pid in waiting:  # the server's transactions, killed half way
                    blocker.execute("SELECT pg_terminate_backend(%s)", (pid,))
                blocker.execute("ROLLBACK")
                outcomes = [p.result(60) for p in pending]
    finally:
        server.terminate()
        server.wait(20)
        server.stderr.close()
    statuses = [o[0] for o in outcomes]
    assert set(statuses) <= {201, 503}, outcomes
    acknowledged = [o[1] for o in outcomes if o[0] == 201]
    references = stored(url, "dudley")
    assert len(references) == 1 + len(acknowledged) == len(set(references))  # none half-stored, none twice
    assert set(acknowledged) <= set(references)
    assert statuses.count(201) == 5, outcomes  # retried on a fresh connection, not refused


def test_two_backends_and_two_drains_send_each_message_once(postgres, dist, manifest, tmp_path) -> None:  # noqa: ANN001
    url = emptied(postgres)
    smtp_port = free_port()
    form = form_of(manifest, "coventry", "time-to-care")
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "RECRUIT_OUTBOX_INTERVAL": "0.2"}
    ports = [free_port(), free_port()]
    with SMTPServer(smtp_port) as inbox:
        servers = [start_server(dist, url, port, tmp_path / str(port), env=env) for port in ports]
        try:
            with ThreadPoolExecutor(8) as pool:
                outcomes = list(pool.map(lambda i: post(ports[i % 2], form, i), range(60)))
            drains = [
                subprocess.Popen(
                    [str(Path(sys.executable).parent / "recruit"), "outbox", "send", "--database", url],
                    env={**os.environ, **env, "RECRUIT_NOW": NOW.isoformat()},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )
                for _ in range(2)
            ]
            for drain in drains:
                assert drain.wait(60) == 0, drain.stdout.read().decode()
                drain.stdout.close()
            storage = open_storage(url)
            try:
                deadline = time.monotonic() + 60
                while storage.outbox_counts()["waiting"] and time.monotonic() < deadline:
                    time.sleep(0.2)
                counts = storage.outbox_counts()
            finally:
                storage.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(20)
                server.stderr.close()
    assert [o[0] for o in outcomes] == [201] * 60
    assert counts == {"waiting": 0, "sent": counts["sent"], "failed": 0} and counts["sent"] >= 120
    ids = collections.Counter(m["Message-ID"] for _, m in inbox.messages)
    assert len(inbox.messages) == counts["sent"] and max(ids.values()) == 1, ids.most_common(3)


@pytest.fixture(autouse=True)
def _postgres_running(postgres) -> None:  # noqa: ANN001
    """The cluster is left running for the tests after these, whatever happened here."""
    yield
    if not (postgres.data / "postmaster.pid").exists():
        postgres.start()
