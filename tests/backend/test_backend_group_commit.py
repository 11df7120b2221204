"""Applications saved at the same moment share commits, and each is still stored exactly once."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from forms_backend.storage import NewApplication, Outgoing, SQLiteStorage, StorageError

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


def test_concurrent_saves_each_stored_once_with_their_mail(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "recruit.db")
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


def test_one_failing_application_does_not_fail_the_others_in_its_commit(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "recruit.db")
    taken = storage.save(application(1), lambda: "DUD-TAKEN", lambda ref: [], NOW)
    assert taken.created
    outcomes: dict[int, object] = {}
    start = threading.Barrier(8)

    def save(n: int) -> None:
        start.wait()
        new_reference = (lambda: "DUD-TAKEN") if n == 0 else (lambda n=n: f"DUD-{n:04d}")
        try:
            outcomes[n] = storage.save(application(100 + n), new_reference, lambda ref: [], NOW)
        except StorageError as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(outcomes[0], StorageError)  # every reference it drew was taken
    assert all(outcomes[n].created for n in range(1, 8))  # type: ignore[union-attr]
    assert len(storage.applications("dudley")) == 8
    storage.close()
