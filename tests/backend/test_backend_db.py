"""`recruit db`: migrations on both engines, a refusal of older and newer databases, and copying a
region from one database to another with nothing lost."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import sqlite3

import pytest
from backend_support import JSON, NOW, PDF, LiveServer, form_of, good_answers, make_settings, site_client
from click.testing import CliRunner

from forms_backend import auth
from forms_backend.app import create_app
from forms_backend.storage import NewApplication, Outgoing, StoredFile, open_storage
from forms_backend.storage.analytics import PageEvent
from forms_backend.storage.migrations import LATEST, MIGRATIONS
from forms_backend.validation import fingerprint
from generator.cli import main


def recruit(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"RECRUIT_NOW": NOW.isoformat()}).invoke(main, list(args), obj={})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def save_region(url: str, manifest: dict, count: int = 6) -> None:
    """Applications with CVs and their emails, a token, an event: every table holds something."""
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    storage = open_storage(url)
    try:
        for n in range(count):
            answers = good_answers(form, email=f"person{n}@example.com", name=f"Person Nümber {n}")
            app = NewApplication(
                "wolverhampton",
                "come-back-to-care",
                f"person{n}@example.com",
                answers,
                fingerprint("w", str(n), answers),
                NOW + dt.timedelta(minutes=n),
                files={"cv": StoredFile(f"cv{n}.pdf", "application/pdf", PDF + str(n).encode())},
            )
            mail = [
                Outgoing(
                    "applicant", f"person{n}@example.com", f"Subject: {n}\r\n\r\n\x00\xff".encode("latin-1")
                )
            ]
            storage.save(
                app, lambda n=n: f"WOL-COPY{n:03d}", lambda ref, m=mail: m, NOW - dt.timedelta(days=1)
            )
        auth.create_token(storage, "wolverhampton", "HR", NOW)
        storage.log_event(NOW, "honeypot", "wolverhampton", "come-back-to-care", {"field": "website"})
        seen = PageEvent(NOW, "wolverhampton", "come-back-to-care", "landing", None, "facebook", "social",
                         "launch", "m.facebook.com", "phone", "v1")  # fmt: skip
        storage.add_page_events([seen])
        storage.roll_up(NOW.date(), dt.UTC, NOW)
        storage.add_ratings([(NOW.date(), "wolverhampton", "come-back-to-care", 4)])
    finally:
        storage.close()


def snapshot(url: str) -> tuple:
    storage = open_storage(url)
    try:
        apps = storage.applications(None)
        files = [storage.file(a.council, a.reference, "cv") for a in apps]
        mail = storage.due(NOW + dt.timedelta(days=1), limit=10_000)
        since = NOW.date() - dt.timedelta(days=400)
        rollups = [sorted(storage.daily(since)), sorted(storage.report_visitors(since, since, since, None)),
                   sorted(storage.report_steps(since, since, since, None)),
                   sorted(storage.report_ratings(since, None))]  # fmt: skip
        return apps, files, mail, storage.tokens(), storage.events(), storage.outbox_counts(), rollups
    finally:
        storage.close()


def downgrade_to_the_first_schema(path: str) -> None:
    """The database as the release before migrations left it: migration 1's tables (verbatim
    that release's schema), `meta` at version 1, no migrations table, none of the later indexes."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # outbox as migration 1 made it: a column with a foreign key cannot be dropped in SQLite
        db.execute("PRAGMA foreign_keys = OFF")
        columns = [r[1] for r in db.execute("PRAGMA table_info(outbox)") if r[1] != "bank_person_id"]
        first = next(m for m in MIGRATIONS if m.version == 1).sqlite
        outbox = first[first.index("CREATE TABLE IF NOT EXISTS outbox") :].split(";")[0]
        db.execute("ALTER TABLE outbox RENAME TO outbox_later")
        db.execute(outbox)
        db.execute(f"INSERT INTO outbox SELECT {', '.join(columns)} FROM outbox_later")
        db.execute("DROP TABLE outbox_later")
        db.execute("CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, failed_at, next_attempt_at)")
        for name in (
            "applications_created",
            "outbox_application",
            "outbox_waiting",
            "applications_stage",
            "applications_source",
        ):
            db.execute(f"DROP INDEX IF EXISTS {name}")  # outbox's went with its rebuild
        for table in (
            "bank_words",
            "bank_contacts",
            "bank_consents",
            "bank_applications",
            "bank_people",
            "ratings",
            "daily_steps",
            "daily_visitors",
            "daily_views",
            "page_events",
            "visit_salts",
            "audit",
            "stage_moves",
            "sessions",
            "sign_in_links",
            "users",
            "migrations",
        ):
            db.execute(f"DROP TABLE {table}")
        for column in ("stage", "stage_at", "source", "medium", "source_tag"):
            db.execute(f"ALTER TABLE applications DROP COLUMN {column}")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    finally:
        db.close()


def test_a_database_from_before_migrations_is_refused_then_migrates_with_nothing_lost(
    tmp_path, dist, manifest
) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'recruit.db'}"
    save_region(url, manifest)
    before = snapshot(url)
    downgrade_to_the_first_schema(str(tmp_path / "recruit.db"))

    code, out = recruit("backend", "serve", "--database", url, "--dist", str(dist))
    assert code == 1 and "schema version 1" in out and "recruit db migrate" in out, out
    code, out = recruit("db", "status", "--database", url)
    assert code == 0 and f"Schema version: 1; this release: {LATEST}" in out and "2  indexes" in out, out
    assert "waiting" in out and "Run `recruit db migrate`" in out

    code, out = recruit("db", "migrate", "--database", url)
    assert code == 0 and "Applied migration 2" in out and f"now at schema version {LATEST}" in out, out
    assert f"Applied migration {LATEST}" in out
    assert snapshot(url)[:6] == before[:6]  # every application, CV, token and event read back
    code, out = recruit("db", "migrate", "--database", url)
    assert code == 0 and "Applied" not in out and f"already at schema version {LATEST}" in out
    with sqlite3.connect(tmp_path / "recruit.db") as db:
        recorded = [r[0] for r in db.execute("SELECT version FROM migrations ORDER BY version")]
        assert recorded == [m.version for m in MIGRATIONS]
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"applications_created", "outbox_application", "outbox_waiting"} <= names


def test_a_newer_database_is_refused_by_the_server_and_by_migrate(database_url, dist) -> None:  # noqa: ANN001
    open_storage(database_url).close()
    storage = open_storage(database_url, check_schema=False)
    with storage.transaction() as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(LATEST + 1),))
    storage.close()
    for command in (("backend", "serve", "--dist", str(dist)), ("db", "migrate"), ("tokens", "list")):
        code, out = recruit(*command, "--database", database_url)
        assert code == 1 and f"schema version {LATEST + 1}, newer than this release" in out, (command, out)
        assert "Traceback" not in out


def test_a_new_database_is_made_once_by_workers_opening_it_together(postgres) -> None:  # noqa: ANN001
    """Made in one transaction: a worker opening it meanwhile sees no tables or all of them,
    never a version part way (which it would refuse, asking for `recruit db migrate`)."""
    for n in range(4):
        url = postgres.create_database(f"together{n}")
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            opened = list(pool.map(lambda _, url=url: open_storage(url), range(6)))
        for storage in opened:
            storage.ping()
            storage.close()
        with postgres.connect(f"together{n}") as db:
            recorded = [r[0] for r in db.execute("SELECT version FROM migrations ORDER BY version")]
        assert recorded == [m.version for m in MIGRATIONS]


def test_copy_moves_a_region_from_sqlite_to_postgresql_and_back(tmp_path, postgres, manifest) -> None:  # noqa: ANN001
    source = f"sqlite:///{tmp_path / 'one.db'}"
    save_region(source, manifest, count=450)  # more than one batch of rows
    target = postgres.create_database("moved")
    code, out = recruit("db", "copy", "--from", source, "--to", target)
    assert code == 0 and "the counts match" in out and "applications: 450" in out and "files: 450" in out, out
    assert snapshot(target) == snapshot(source)
    assert all(snapshot(target)[-1]), "the rollups and the ratings were copied too"

    code, out = recruit("db", "copy", "--from", source, "--to", target)
    assert code == 1 and "is not empty (450 applications" in out, out

    # The copy's ids are taken: new rows in the target come after them.
    storage = open_storage(target)
    try:
        assert auth.create_token(storage, "dudley", "more", NOW)[0] == 2
    finally:
        storage.close()

    back = f"sqlite:///{tmp_path / 'back.db'}"
    code, out = recruit("db", "copy", "--from", target, "--to", back)
    assert code == 0 and "applications: 450" in out, out
    assert snapshot(back) == snapshot(target)


def test_copy_refuses_a_source_that_is_not_migrated(tmp_path, manifest) -> None:  # noqa: ANN001
    source = f"sqlite:///{tmp_path / 'old.db'}"
    save_region(source, manifest, count=1)
    downgrade_to_the_first_schema(str(tmp_path / "old.db"))
    code, out = recruit("db", "copy", "--from", source, "--to", f"sqlite:///{tmp_path / 'new.db'}")
    assert code == 1 and "run `recruit db migrate --database" in out, out


@pytest.mark.parametrize("url", ["mysql://db.example/recruit", "postgresql://x@127.0.0.1:1/x?pool_size=0"])
def test_db_commands_explain_a_bad_url(url) -> None:  # noqa: ANN001
    code, out = recruit("db", "status", "--database", url)
    assert code == 1 and "Traceback" not in out and ("unknown database URL" in out or "pool_size" in out), out


def test_the_export_reads_the_same_after_a_copy(tmp_path, postgres, dist, manifest) -> None:  # noqa: ANN001
    """An application taken by the server on SQLite, moved, and exported from PostgreSQL."""
    settings = make_settings(dist, tmp_path)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        r = client.post("/apply/wolverhampton/come-back-to-care", data=good_answers(form), headers=JSON)
        assert r.status_code == 201, r.text
    target = postgres.create_database("exported")
    assert recruit("db", "copy", "--from", settings.database_url, "--to", target)[0] == 0
    exports = [
        recruit(
            "applications",
            "export",
            "--council",
            "wolverhampton",
            "--format",
            "json",
            "--database",
            url,
            "--manifest",
            str(settings.manifest_path),
        )
        for url in (settings.database_url, target)
    ]
    assert exports[0] == exports[1] and exports[0][0] == 0 and r.json()["reference"] in exports[0][1]
