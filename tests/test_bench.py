"""The benchmark harness's logic, without timing anything: same pages for Hugo as for us, the
results file's keys, what counts as rewriting only one site, and applications the backend takes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from forms_backend.parsing import parse_body
from forms_backend.validation import validate
from generator.build import build

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/ is a folder of scripts beside the packages, not installed

from bench import backend_postgres, hugo, incremental, loadgen, results, synth, throughput, workspace  # noqa: E402
from bench.procs import Run, run_measured  # noqa: E402

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 councils x 4 campaigns (three shared, one their own) x 2 roles."""
    return synth.write_region(tmp_path_factory.mktemp("bench") / "region", 2, 4, 2)


def html_paths(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}


def test_hugo_content_has_one_page_per_page_we_build(region: Path, tmp_path: Path) -> None:
    ours = build(region, tmp_path / "ours", today=TODAY)
    expected = hugo.write_site(region, tmp_path / "site", TODAY)
    # each council's three shared campaigns offer the talent bank: two pages more each
    assert expected == ours.pages == len(html_paths(tmp_path / "ours")) == 2 + 2 + 2 * 4 * (7 + 2) + 2 * 3 * 2


@pytest.mark.skipif(
    not shutil.which("hugo"), reason="hugo is not installed (make bench installs Debian's hugo)"
)
def test_hugo_builds_the_same_pages_at_the_same_addresses(region: Path, tmp_path: Path) -> None:
    build(region, tmp_path / "ours", today=TODAY)
    hugo.write_site(region, tmp_path / "site", TODAY)
    done = subprocess.run(
        hugo.build_command(tmp_path / "site", tmp_path / "hugo"), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert html_paths(tmp_path / "hugo") == html_paths(tmp_path / "ours")
    role = (tmp_path / "hugo" / "council-000" / "campaign-3" / "roles" / "role-1" / "index.html").read_text()
    assert '"@type": "JobPosting"' in role and "Care role 1 (3)" in role


def _run(seconds: float, rss: float) -> Run:
    return Run(seconds=seconds, peak_rss_mb=rss, peak_pss_mb=rss / 2, returncode=0, stdout="", stderr="")


def test_results_file_has_every_required_key_nested(tmp_path: Path) -> None:
    ours = throughput.Side(runs=[_run(2.0, 100), _run(4.0, 120)], pages=[1000, 1000])
    theirs = throughput.Side(runs=[_run(1.0, 200), _run(1.0, 210)], pages=[1000, 1000])
    build_section = throughput.figures(ours, theirs, "2 runs each")
    assert build_section["ours_pages_per_s"] == 375.0 and build_section["ratio"] == 0.375
    assert build_section["ours_peak_rss_mb"] == 120 and build_section["hugo_peak_rss_mb"] == 210
    sections = {
        "build": build_section,
        "incremental": {"ms": 150.0, "cli_ms": 600.0},
        "pages": {"max_first_render_bytes_gzip": 9000, "required_js_bytes": 0},
        "lighthouse": {"performance": 99, "accessibility": 100, "best_practices": 100, "seo": 100},
        "backend": {
            "submissions_per_s": 900.0,
            "raw_sqlite_per_s": 1500.0,
            "ratio": 0.6,
            "p99_ms": 12.0,
            "postgres": {"submissions_per_s": 800.0, "raw_psycopg_per_s": 999.0, "ratio": 0.8, "p99_ms": 9.0},
        },  # fmt: skip
        "workspace": {"sqlite": {"list_p95_ms": 20.0}, "postgres": {"list_p95_ms": 30.0}},
    }
    found = results.document(sections, "hugo v0", 1.0)
    path, previous = tmp_path / "results.json", tmp_path / "results.previous.json"
    assert results.write(found, path, previous) is None
    assert results.write(found, path, previous) == json.loads(previous.read_text())
    written = json.loads(path.read_text())
    for key in results.REQUIRED:
        assert results.lookup(written, key) is not None, key
    assert written["machine"]["cpus"] >= 1 and written["machine"]["hugo"] == "hugo v0"


def test_a_section_that_did_not_run_is_missing_not_zero() -> None:
    found = results.document({"backend": {"missing": "bench/backend.py failed"}}, None, 0.1)
    row = next(line for line in results.table(found, None).splitlines() if line.startswith("backend.ratio"))
    assert "missing" in row and " 0 " not in row


def test_postgres_figures_missing_say_why() -> None:
    sqlite_only = {"ratio": 0.6, "postgres": {"missing": "no PostgreSQL here: not installed"}}
    shown = results.table(results.document({"backend": sqlite_only}, None, 1.0), None).splitlines()
    row = next(line for line in shown if line.startswith("backend.postgres.ratio"))
    assert "missing: no PostgreSQL here" in row
    assert next(line for line in shown if line.startswith("backend.ratio ")).split()[1] == "0.6"


def test_the_workspace_bench_spreads_applications_over_every_form(manifest: dict) -> None:
    made = workspace.rows(manifest, 3300)
    assert len(made) == 3300 and len({r[0] for r in made}) == 3300
    assert {(r[1], r[2]) for r in made} == {(f["council"], f["campaign"]) for f in manifest["forms"]}
    assert [r[7] for r in made] == sorted(r[7] for r in made)
    stages = {r[8] for r in made}
    assert stages == set(workspace.STAGES) and sum(r[8] == "received" for r in made) == 2200
    assert all(json.loads(r[4])["role"] for r in made if r[1] == "dudley")


def test_raw_psycopg_writes_one_application_and_its_mail_per_transaction(postgres) -> None:  # noqa: ANN001
    url = postgres.create_database("bench_raw")
    rate = backend_postgres.raw_psycopg_rate(url, 400, [900, 1200], connections=2, seconds=0.3)
    with postgres.connect("bench_raw") as db:
        (applications,) = db.execute("SELECT COUNT(*) FROM applications").fetchone()
        per_application = db.execute(
            "SELECT COUNT(*) FROM outbox GROUP BY application_id HAVING COUNT(*) <> 2"
        ).fetchall()
    assert rate > 0 and applications > 0 and per_application == []
    stored, answers_bytes, messages = backend_postgres.stored_shape(url)
    assert stored == applications and abs(answers_bytes - 400) < 20 and sorted(messages) == [900, 1200]


def test_only_the_edited_site_and_its_listings_count_as_that_site() -> None:
    site = ["council-000/campaign-9/index.html", "council-000/campaign-9/roles/role-0/index.html"]
    listings = ["council-000/index.html", "index.html", "_forms/manifest.json"]
    assert incremental.verdict(site + listings, "council-000", "campaign-9")["only_site"] is True
    other = incremental.verdict([*site, "council-001/campaign-9/index.html"], "council-000", "campaign-9")
    assert other["only_site"] is False and other["outside_site"] == ["council-001/campaign-9/index.html"]
    assert incremental.verdict(listings, "council-000", "campaign-9")["only_site"] is False


def test_editing_a_title_twice_keeps_one_valid_title(region: Path) -> None:
    file = region / "campaigns" / "council-001" / "campaign-3.yaml"
    incremental.edit_title(file, "one")
    incremental.edit_title(file, "two")
    titles = [line for line in file.read_text().splitlines() if line.startswith("title:")]
    assert titles == ["title: Campaign 3 in Council 1 (edit two)"]


def test_the_tree_sampler_sees_a_childs_memory() -> None:
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'x = bytearray(50_000_000)'])"
    run = run_measured([sys.executable, "-c", code])
    assert run.returncode == 0 and run.peak_rss_mb >= 45


def test_load_generator_answers_pass_the_backends_validation(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build(ROOT, dist, today=TODAY)
    manifest = json.loads((dist / "_forms" / "manifest.json").read_text())
    forms = loadgen.postable(manifest, TODAY.isoformat())
    assert forms
    for n, form in enumerate(forms):
        body = loadgen.urlencode(loadgen.good_answers(form, n)).encode()
        result = validate(form["fields"], parse_body(body, "application/x-www-form-urlencoded", 300))
        assert result.ok, (form["council"], form["campaign"], result.errors)


def test_the_load_generators_page_views_are_ones_the_backend_counts(tmp_path: Path) -> None:
    from forms_backend.evaluation.classify import is_robot
    from forms_backend.evaluation.intake import page_of
    from forms_backend.manifest import Manifest

    dist = tmp_path / "dist"
    build(ROOT, dist, today=TODAY)
    data = json.loads((dist / "_forms" / "manifest.json").read_text())
    manifest = Manifest(data)
    forms = loadgen.postable(data, TODAY.isoformat())
    for request in loadgen.event_requests(forms, "127.0.0.1:8001", 0, 60):
        head, body = request.split(b"\r\n\r\n", 1)
        fields = json.loads(body)
        assert page_of(manifest, fields)[2] in loadgen.PAGES
        agent = next(line for line in head.decode().splitlines() if line.startswith("User-Agent: "))
        assert not is_robot(agent.removeprefix("User-Agent: "))


def test_the_report_bench_holds_10_million_views_and_100000_applications(manifest: dict) -> None:
    from bench.report import APPLICATIONS, EVENTS, rollups

    tables = rollups(manifest)
    assert sum(row[7] for row in tables["daily_views"]) == EVENTS
    assert all(0 < row[8] <= row[7] for row in tables["daily_views"])  # visitors at most the views
    applied = [row for row in tables["daily_steps"] if row[6] == "applied"]
    assert sum(row[7] for row in applied) == APPLICATIONS
    forms = {(f["council"], f["campaign"]) for f in manifest["forms"]}
    assert {(row[1], row[2]) for row in applied} == forms  # every form of the region
    placed = sum(row[7] for row in tables["daily_steps"] if row[6] == "placed")
    assert 0 < placed < APPLICATIONS // 3


def test_the_bank_bench_spreads_its_people_over_every_search(tmp_path: Path) -> None:
    from bench.bank import SEARCHES, fill, people
    from forms_backend.storage import open_storage

    url = f"sqlite:///{tmp_path / 'bank.db'}"
    fill(url, people(3000))
    storage = open_storage(url)
    try:
        assert storage.bank_people_count() == 3000
        for name, (filters, offset) in SEARCHES.items():
            rows, total = storage.bank_search(filters, 50, offset)
            assert rows and total > 0, name  # every search finds people, so none is timed on nothing
            assert all(r.name is None for r in rows)
    finally:
        storage.close()


def test_raw_sqlite_writes_with_the_backends_whole_schema(tmp_path: Path) -> None:
    """The baseline builds every table of the backend's schema, its triggers included."""
    from bench.backend import raw_sqlite_rate

    assert raw_sqlite_rate(tmp_path / "raw.db", 300, [500, 500], seconds=0.2) > 0
