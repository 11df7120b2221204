"""Applications arriving at the same moment share commits, and each is still stored exactly once.

Every test runs on both engines (the `database_url` fixture): its own SQLite file, and the
session's PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from backend_support import JSON, LiveServer, form_of, good_answers, make_settings, site_client

from forms_backend.app import create_app
from forms_backend.storage import NewApplication, Outgoing, SaveRequest, Storage, StorageError, open_storage

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def application(n: int, key: str | None = None) -> NewApplication:
    return NewApplication(
        council="dudley",
        campaign="come-back-to-care",
        email=f"a{n}@example.com",
        answers={"full_name": f"Applicant {n}"},
        content_hash=f"hash-{n}",
        created_at=NOW,
        idempotency_key=key,
    )


def test_concurrent_saves_each_stored_once_with_their_mail(database_url: str) -> None:
    storage = open_storage(database_url)
    counter = itertools.count()
    lock = threading.Lock()

    def reference() -> str:
        with lock:
            return f"DUD-{next(counter):06d}"

    def save(n: int) -> tuple[int, str, bool]:
        saved = storage.save(
            application(n % 100, key=f"key-{n % 100}"),
            reference,
            lambda ref: [Outgoing("council", "hr@dudley.example", f"about {ref}".encode())],
            NOW - dt.timedelta(days=1),
        )
        return n % 100, saved.reference, saved.created

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(save, range(300)))  # each applicant three times
    by_applicant: dict[int, set[str]] = {}
    for n, ref, _created in results:
        by_applicant.setdefault(n, set()).add(ref)
    assert all(len(refs) == 1 for refs in by_applicant.values())
    assert sum(created for _, _, created in results) == 100
    stored = storage.applications("dudley")
    assert len(stored) == 100
    assert storage.outbox_counts()["waiting"] == 100
    mails = {item.reference: item.message for item in storage.due(NOW, limit=1000)}
    assert all(mails[a.reference] == f"about {a.reference}".encode() for a in stored)
    storage.close()


def test_one_failing_application_does_not_fail_the_others_in_its_commit(database_url: str) -> None:
    storage = open_storage(database_url)
    taken = storage.save(application(1), lambda: "DUD-TAKEN", lambda ref: [], NOW)
    assert taken.created
    batch = [
        SaveRequest.prepare(
            application(100 + n),
            (lambda: "DUD-TAKEN") if n == 0 else (lambda n=n: f"DUD-{n:04d}"),
            lambda ref: [],
            NOW,
        )
        for n in range(8)
    ]
    outcomes = storage.save_many(batch)
    assert isinstance(outcomes[0], StorageError)  # every reference it drew was taken
    assert all(outcome.created for outcome in outcomes[1:])  # type: ignore[union-attr]
    assert len(storage.applications("dudley")) == 8
    storage.close()


def counting_commits(storage: Storage) -> list[int]:
    """The real storage, counting its commits of applications: the size of each, in order."""
    commits: list[int] = []
    save_many = storage.save_many

    def counted(requests: list[SaveRequest]) -> list:
        commits.append(len(requests))
        return save_many(requests)

    storage.save_many = counted  # type: ignore[method-assign]
    return commits


def test_posts_arriving_together_share_commits_and_each_is_stored_once(
    dist, manifest, tmp_path: Path, database_url: str
) -> None:  # noqa: ANN001
    """64 applicants at once through a real server: every one acknowledged with its own
    reference and stored with its mail, in fewer commits than applications."""
    settings = make_settings(dist, tmp_path, database_url=database_url)
    storage = open_storage(database_url)
    commits = counting_commits(storage)
    form = form_of(manifest, "dudley", "come-back-to-care")
    with LiveServer(create_app(settings, storage)) as live:

        def post(n: int) -> str:
            with site_client(live.url) as client:
                answers = good_answers(form, email=f"applicant{n}@example.com", name=f"Applicant {n}")
                response = client.post("/apply/dudley/come-back-to-care", data=answers, headers=JSON)
                assert response.status_code == 201, response.text
                return response.json()["reference"]

        with ThreadPoolExecutor(32) as pool:
            references = list(pool.map(post, range(64)))
    assert len(set(references)) == 64
    reopened = open_storage(database_url)
    stored = {a.reference for a in reopened.applications("dudley")}
    assert stored == set(references)
    assert reopened.outbox_counts()["waiting"] >= 64
    reopened.close()
    assert sum(commits) == 64 and len(commits) < 64, commits


def test_two_workers_on_one_database_wait_for_each_other_instead_of_failing(database_url: str) -> None:
    """Two backend processes share one database, with a busy timeout far shorter than the
    other's commits take: neither gives up while the other writes. On SQLite their commits take
    turns (a lock file beside the database) instead of failing with 'database is locked'; on
    PostgreSQL they write side by side, each locking only its own applications."""
    open_storage(database_url).close()  # the schema, made before the race
    workers = [open_storage(database_url, busy_timeout=0.001) for _ in range(2)]
    start = threading.Barrier(2)
    failures: list[Exception] = []

    def write(w: int) -> None:
        start.wait()
        for n in range(150):
            request = SaveRequest.prepare(
                application(w * 1000 + n),
                lambda w=w, n=n: f"DUD-{w}{n:07d}",
                lambda ref: [Outgoing("council", "hr@dudley.example", b"x" * 4000)],
                NOW,
            )
            try:
                workers[w].save_many([request])
            except StorageError as exc:
                failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(workers[0].applications("dudley")) == 300
    for worker in workers:
        worker.close()


def failing_once(storage: Storage) -> Storage:
    """The real storage, whose first commit of applications fails with an unexpected error."""
    save_many = storage.save_many
    failed: list[bool] = []

    def fails_first(requests: list[SaveRequest]) -> list:
        if not failed:
            failed.append(True)
            raise RuntimeError("a bug in storage")
        return save_many(requests)

    storage.save_many = fails_first  # type: ignore[method-assign]
    return storage


def test_an_unexpected_error_in_a_commit_answers_its_requests_and_the_next_commit_works(
    dist, manifest, tmp_path: Path, database_url: str
) -> None:  # noqa: ANN001
    """The applicants waiting on a commit that failed hear so (500, nothing kept) instead of
    waiting forever, and the applications after them are stored as usual."""
    settings = make_settings(dist, tmp_path, database_url=database_url)
    storage = failing_once(open_storage(database_url))
    form = form_of(manifest, "dudley", "come-back-to-care")
    with LiveServer(create_app(settings, storage)) as live:
        with site_client(live.url, timeout=10) as client:
            first = client.post("/apply/dudley/come-back-to-care", data=good_answers(form), headers=JSON)
        assert first.status_code == 500 and "Nothing was kept" in first.json()["error"]
        with site_client(live.url, timeout=10) as client:  # uvicorn closes a connection after a 500
            second = client.post("/apply/dudley/come-back-to-care", data=good_answers(form), headers=JSON)
        assert second.status_code == 201
    reopened = open_storage(database_url)
    assert [a.reference for a in reopened.applications("dudley")] == [second.json()["reference"]]
    reopened.close()
