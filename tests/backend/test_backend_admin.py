"""Admin: tokens (a matrix over every council pair), exports safe for Excel, purge and erase."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import time
from itertools import product

import pytest
from backend_support import (
    JSON,
    NOW,
    PDF,
    LiveServer,
    form_of,
    free_port,
    good_answers,
    make_settings,
    site_client,
)
from click.testing import CliRunner

from forms_backend import auth
from forms_backend.app import create_app
from forms_backend.export import neutralise
from forms_backend.storage import NewApplication, StoredFile, open_storage
from forms_backend.validation import fingerprint
from generator.cli import main


def cli(*args: str, now: dt.datetime = NOW) -> tuple[int, str]:
    result = CliRunner(env={"RECRUIT_NOW": now.isoformat()}).invoke(main, list(args), obj={})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def region(tmp_path_factory, dist, manifest):  # noqa: ANN001, ANN201
    """A live backend with one application per council and a token per council, plus a regional one."""
    folder = tmp_path_factory.mktemp("region")
    settings = make_settings(dist, folder)
    storage = open_storage(settings.database_url)
    tokens = {slug: auth.create_token(storage, slug, slug, NOW)[1] for slug in manifest["councils"]}
    regional = auth.create_token(storage, None, "region", NOW)[1]
    revoked_id, revoked = auth.create_token(storage, "dudley", "old", NOW)
    storage.revoke_token(revoked_id, NOW)
    storage.close()
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        refs = {}
        for slug in manifest["councils"]:
            form = next(f for f in manifest["forms"] if f["council"] == slug and f["closes"] >= "2026-11-23")
            r = client.post(
                f"/apply/{slug}/{form['campaign']}",
                data=good_answers(form, email=f"{slug}@example.com"),
                headers=JSON,
            )
            assert r.status_code == 201
            refs[slug] = r.json()["reference"]
        yield {"client": client, "tokens": tokens, "regional": regional, "revoked": revoked, "refs": refs}


def test_token_matrix_over_every_council_pair(region, manifest, openapi) -> None:  # noqa: ANN001
    client, refs = region["client"], region["refs"]
    councils = sorted(manifest["councils"])
    for holder, target in product(councils, councils):
        r = openapi.check(
            client.get(
                f"/councils/{target}/applications.json",
                headers={"Authorization": f"Bearer {region['tokens'][holder]}"},
            )
        )
        if holder == target:
            assert r.status_code == 200, (holder, target)
            assert [a["reference"] for a in r.json()["applications"]] == [refs[target]]
        else:
            assert r.status_code == 403, (holder, target)
            assert refs[target] not in r.text and target + "@" not in r.text
    for target in councils:
        r = openapi.check(
            client.get(
                f"/councils/{target}/applications.csv",
                headers={"Authorization": f"Bearer {region['regional']}"},
            )
        )
        assert r.status_code == 200 and refs[target] in r.text


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Basic abc", "Bearer nonsense", "Bearer rc999999_" + "a" * 43, "token"],
)
def test_no_or_bad_token_is_401_and_learns_nothing(region, openapi, header) -> None:  # noqa: ANN001
    headers = {"Authorization": header} if header is not None else {}
    for path in (
        "/councils/dudley/applications.csv",
        "/councils/atlantis/applications.json",
        f"/councils/dudley/applications/{region['refs']['dudley']}/files/cv",
    ):
        r = openapi.check(region["client"].get(path, headers=headers))
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.json() == {"error": "A valid bearer token is needed."}


@pytest.mark.parametrize(
    "since", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "10000-01-01", "yesterday"]
)
def test_a_since_that_is_no_date_is_400(region, openapi, since: str) -> None:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {region['tokens']['dudley']}"}
    for kind in ("json", "csv"):
        r = openapi.check(
            region["client"].get(
                f"/councils/dudley/applications.{kind}", params={"since": since}, headers=headers
            )
        )
        assert r.status_code == 400 and "since must be a date" in r.json()["error"], (since, r.text)
    ok = region["client"].get(
        "/councils/dudley/applications.json", params={"since": "2026-11-23T00:00:00+05:00"}, headers=headers
    )
    assert [a["reference"] for a in ok.json()["applications"]] == [region["refs"]["dudley"]]


def test_wrong_secret_and_revoked_token_are_401(region, openapi) -> None:  # noqa: ANN001
    good = region["tokens"]["dudley"]
    token_id, _, secret = good.partition("_")
    wrong = f"{token_id}_{'x' if secret[0] != 'x' else 'y'}{secret[1:]}"
    for token in (wrong, region["revoked"]):
        r = openapi.check(
            region["client"].get(
                "/councils/dudley/applications.csv", headers={"Authorization": f"Bearer {token}"}
            )
        )
        assert r.status_code == 401


def test_tokens_are_stored_hashed(tmp_path, dist, manifest) -> None:  # noqa: ANN001
    db = f"sqlite:///{tmp_path / 'r.db'}"
    manifest_path = str(dist / "_forms" / "manifest.json")
    code, out = cli("tokens", "create", "--council", "dudley", "--manifest", manifest_path, "--database", db)
    assert code == 0, out
    token = out.strip().splitlines()[0]
    assert auth.TOKEN.fullmatch(token)
    raw = (tmp_path / "r.db").read_bytes()
    assert token.encode() not in raw and token.split("_", 1)[1].encode() not in raw
    code, out = cli(
        "tokens", "create", "--council", "atlantis", "--manifest", manifest_path, "--database", db
    )
    assert code != 0 and "no council 'atlantis'" in out
    code, out = cli("tokens", "revoke", token, "--database", db)
    assert code == 0 and "Revoked token" in out
    code, out = cli("tokens", "revoke", token, "--database", db)
    assert code != 0 and "no active token" in out


def test_uploaded_cv_is_readable_with_the_councils_token_only(database_url, dist, tmp_path, manifest) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    storage = open_storage(settings.database_url)
    mine = auth.create_token(storage, "wolverhampton", "w", NOW)[1]
    theirs = auth.create_token(storage, "dudley", "d", NOW)[1]
    storage.close()
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        ref = client.post(
            "/apply/wolverhampton/come-back-to-care",
            data=good_answers(form),
            files={"cv": ("cv.pdf", PDF, "application/pdf")},
            headers=JSON,
        ).json()["reference"]
        path = f"/councils/wolverhampton/applications/{ref}/files/cv"
        ok = client.get(path, headers={"Authorization": f"Bearer {mine}"})
        assert ok.status_code == 200 and ok.content == PDF and ok.headers["content-type"] == "application/pdf"
        assert client.get(path, headers={"Authorization": f"Bearer {theirs}"}).status_code == 403


NAMES = [
    '=HYPERLINK("http://evil.example","x")',
    "+44 7911 123456",
    "-2+3",
    "@SUM(A1)",
    "\tTabbed",
    "\rReturn",
    "Zoë Ñúñez-Brontë",
    "李小龍",
    "Олена Шевченко",
    "محمد علي",
    'O\'Brien, "Jr"',
]


def test_csv_is_safe_for_excel_and_round_trips(database_url, dist, tmp_path, manifest, openapi) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    storage = open_storage(settings.database_url)
    token = auth.create_token(storage, "wolverhampton", "w", NOW)[1]
    storage.close()
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        for i, name in enumerate(NAMES):
            r = client.post(
                "/apply/wolverhampton/come-back-to-care",
                data=good_answers(form, name=name, email=f"p{i}@example.com"),
                headers=JSON,
            )
            assert r.status_code == 201, (name, r.text)
        response = openapi.check(
            client.get(
                "/councils/wolverhampton/applications.csv", headers={"Authorization": f"Bearer {token}"}
            )
        )
        as_json = client.get(
            "/councils/wolverhampton/applications.json", headers={"Authorization": f"Bearer {token}"}
        )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    stored = [n.strip() for n in NAMES]  # leading/trailing whitespace is trimmed, as the page script does
    assert [r["full_name"] for r in rows] == [neutralise(n) for n in stored]
    for row in rows:
        assert not row["full_name"].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert row["phone"] == "0121 303 1111"
    assert rows[6]["full_name"] == "Zoë Ñúñez-Brontë" and rows[7]["full_name"] == "李小龍"
    assert [a["answers"]["full_name"] for a in as_json.json()["applications"]] == stored


def test_cli_export_is_that_councils_only(database_url, dist, tmp_path, manifest) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    with LiveServer(create_app(settings)) as server, site_client(server.url) as client:
        for slug, campaign in (("wolverhampton", "come-back-to-care"), ("dudley", "come-back-to-care")):
            form = form_of(manifest, slug, campaign)
            client.post(
                f"/apply/{slug}/{campaign}",
                data=good_answers(form, email=f"{slug}@example.com"),
                headers=JSON,
            )
    base = ["--manifest", str(dist / "_forms/manifest.json"), "--database", settings.database_url]
    code, out = cli("applications", "export", "--council", "dudley", "--format", "json", *base)
    assert code == 0, out
    apps = json.loads(out)["applications"]
    assert [a["council"] for a in apps] == ["dudley"] and apps[0]["answers"]["email"] == "dudley@example.com"
    out_file = tmp_path / "w.csv"
    code, out = cli("applications", "export", "--council", "wolverhampton", "-o", str(out_file), *base)
    assert code == 0 and "Wrote 1 application" in out
    assert "wolverhampton@example.com" in out_file.read_text(encoding="utf-8-sig")
    assert "dudley" not in out_file.read_text(encoding="utf-8-sig")
    code, out = cli(
        "applications", "export", "--council", "dudley", "--since", "2026-11-24", "--format", "json", *base
    )
    assert json.loads(out)["applications"] == []
    code, out = cli("applications", "export", "--council", "dudley", "--since", "yesterday", *base)
    assert code == 2 and "YYYY-MM-DD" in out
    for since in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"):
        code, out = cli("applications", "export", "--council", "dudley", "--since", since, *base)
        assert code == 2 and "outside the years 1 to 9999" in out and "Traceback" not in out


def test_purge_and_erase(database_url, dist, tmp_path, manifest) -> None:  # noqa: ANN001
    settings = make_settings(dist, tmp_path, database_url=database_url)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    storage = open_storage(settings.database_url)
    refs = {}
    try:
        for label, when, email in (
            ("old", NOW - dt.timedelta(days=400), "old@example.com"),
            ("new", NOW, "new@example.com"),
            ("gone", NOW, "Gone@Example.com"),
        ):
            answers = good_answers(form, email=email)
            app = NewApplication(
                "wolverhampton",
                "come-back-to-care",
                email,
                answers,
                fingerprint("wolverhampton", label, answers),
                when,
            )
            refs[label] = storage.save(
                app,
                lambda label=label: f"WOL-{label.upper():X<8}",
                lambda ref: [],
                when - dt.timedelta(days=1),
            ).reference
    finally:
        storage.close()
    settings.mail_dir.mkdir(parents=True)
    (settings.mail_dir / f"{refs['gone']}-applicant-9.eml").write_text("x")
    (settings.mail_dir / f"{refs['new']}-applicant-8.eml").write_text("x")
    base = ["--database", settings.database_url, "--mail-dir", str(settings.mail_dir)]
    code, out = cli("applications", "purge", "--manifest", str(dist / "_forms/manifest.json"), *base)
    assert code == 0, out
    assert f"removed {refs['old']}" in out and "Removed 1 application " in out and refs["new"] not in out
    code, out = cli("applications", "erase", "--email", "gone@example.COM", *base)
    assert code == 0, out
    assert f"removed {refs['gone']}" in out and "Removed 1 application" in out and "1 saved email" in out
    assert [p.name for p in settings.mail_dir.iterdir()] == [f"{refs['new']}-applicant-8.eml"]
    storage = open_storage(settings.database_url)
    try:
        assert [a.reference for a in storage.applications(None)] == [refs["new"]]
    finally:
        storage.close()


def test_every_backend_command_has_help() -> None:
    for command in (
        ["backend"],
        ["backend", "serve"],
        ["tokens"],
        ["tokens", "create"],
        ["tokens", "revoke"],
        ["tokens", "list"],
        ["applications"],
        ["applications", "export"],
        ["applications", "purge"],
        ["applications", "erase"],
        ["outbox"],
        ["outbox", "send"],
        ["outbox", "retry-failed"],
    ):
        code, out = cli(*command, "--help")
        assert code == 0 and "Usage:" in out, command


def test_token_create_needs_exactly_one_scope(tmp_path) -> None:  # noqa: ANN001
    code, out = cli("tokens", "create", "--database", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 2 and "either --council SLUG or --region" in out
    code, out = cli("tokens", "create", "--region", "--database", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 0 and auth.TOKEN.fullmatch(out.splitlines()[0])


def test_a_locked_database_is_a_clear_cli_error(tmp_path) -> None:  # noqa: ANN001
    """Another program holds the write lock: the command waits RECRUIT_BUSY_TIMEOUT, then says so."""
    db = tmp_path / "r.db"
    open_storage(f"sqlite:///{db}").close()
    locker = sqlite3.connect(db, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        result = CliRunner(env={"RECRUIT_BUSY_TIMEOUT": "0.2"}).invoke(
            main, ["tokens", "create", "--region", "--database", f"sqlite:///{db}"], obj={}
        )
        assert time.monotonic() - started < 10  # RECRUIT_BUSY_TIMEOUT, not the 30 s default
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert result.exit_code == 1 and "database is locked" in result.output, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, sqlite3.Error)


def test_an_unreachable_postgresql_is_reported_not_crashed(tmp_path) -> None:  # noqa: ANN001
    port = free_port()  # nothing listens there
    code, out = cli("tokens", "list", "--database", f"postgresql://recruit:s3cret@127.0.0.1:{port}/recruit")
    assert code == 1 and f"cannot open the database 127.0.0.1:{port}/recruit" in out, out
    assert "Traceback" not in out and "s3cret" not in out


def test_an_erased_applicant_leaves_no_trace_in_the_database_files(tmp_path, manifest) -> None:  # noqa: ANN001
    """UK GDPR erasure: the answers are gone from the database file and its write-ahead log,
    not only from what queries return."""
    path = tmp_path / "recruit.db"
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    storage = open_storage(f"sqlite:///{path}")
    try:
        for n, (name, email) in enumerate(
            [("Xanthippe Quarrington", "xq@example.com"), ("Ada B", "ab@example.com")]
        ):
            answers = good_answers(form, email=email, name=name)
            app = NewApplication(
                "wolverhampton", "come-back-to-care", email, answers, fingerprint("w", name, answers), NOW
            )
            storage.save(app, lambda n=n: f"WOL-ERASE{n}XX", lambda ref: [], NOW - dt.timedelta(days=1))
        assert [r.reference for r in storage.erase("XQ@example.com")] == ["WOL-ERASE0XX"]
        files = [p for p in tmp_path.iterdir() if p.name.startswith("recruit.db")]
        assert not [p.name for p in files if b"Quarrington" in p.read_bytes()]
        assert any(b"Ada B" in p.read_bytes() for p in files)  # the other applicant is kept
    finally:
        storage.close()


def _pages_holding(db, marker: bytes) -> list[str]:  # noqa: ANN001
    """Every page of our tables (and their TOAST tables) whose bytes, or any tuple in it, dead
    or alive, hold `marker`: what pageinspect, a query, can read."""
    found = []
    relations = db.execute(
        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relname IN ('applications', 'files', 'outbox') "
        "UNION SELECT c.reltoastrelid::regclass::text FROM pg_class c "
        "WHERE c.relname IN ('applications', 'files', 'outbox') AND c.reltoastrelid <> 0"
    ).fetchall()
    for (relation,) in relations:
        pages = db.execute("SELECT pg_relation_size(%s) / 8192", (relation,)).fetchone()[0]
        for page in range(pages):
            raw = bytes(db.execute("SELECT get_raw_page(%s, %s)", (relation, page)).fetchone()[0])
            tuples = db.execute("SELECT t_data FROM heap_page_items(get_raw_page(%s, %s))", (relation, page))
            if marker in raw or any(t[0] and marker in bytes(t[0]) for t in tuples):
                found.append(f"{relation} page {page}")
    return found


def test_an_erased_applicant_leaves_no_tuple_postgresql_can_read(postgres, manifest) -> None:  # noqa: ANN001
    """On PostgreSQL a deleted row stays in its page as a dead tuple until VACUUM, and a CV in the
    TOAST table: erase vacuums, so not even pageinspect finds the person any more."""
    from conftest import emptied

    url = emptied(postgres)
    form = form_of(manifest, "wolverhampton", "come-back-to-care")
    cv = {  # incompressible, so that the CV is stored out of line in the TOAST table
        name: StoredFile(
            "cv.pdf", "application/pdf", PDF + name.encode() + os.urandom(20_000) + name.encode()
        )
        for name in ("Xanthippe Quarrington", "Ada Bee")
    }
    storage = open_storage(url)
    try:
        for n, (name, email) in enumerate(
            [("Xanthippe Quarrington", "xq@example.com"), ("Ada Bee", "ab@example.com")]
        ):
            answers = good_answers(form, email=email, name=name)
            app = NewApplication(
                "wolverhampton",
                "come-back-to-care",
                email,
                answers,
                fingerprint("w", name, answers),
                NOW,
                files={"cv": cv[name]},
            )
            storage.save(app, lambda n=n: f"WOL-ERASE{n}XX", lambda ref: [], NOW - dt.timedelta(days=1))
        with postgres.connect("recruit") as db:
            db.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            assert _pages_holding(db, b"Quarrington")  # the probe sees a stored person
            assert [r.reference for r in storage.erase("XQ@example.com")] == ["WOL-ERASE0XX"]
            assert _pages_holding(db, b"Quarrington") == []
            assert _pages_holding(db, b"Ada Bee")  # the other applicant is kept
        assert storage.file("wolverhampton", "WOL-ERASE1XX", "cv") == cv["Ada Bee"]
    finally:
        storage.close()
