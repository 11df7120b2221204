"""The evaluation report on both engines, from a region whose every figure is known: three
visitors to one campaign (from Facebook, LinkedIn and direct), one to another council's, their
applications and one person placed; the councils add up to the region; the four published
figures; the files `recruit report` writes and its clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from backend_support import NOW
from click.testing import CliRunner

from forms_backend.evaluation import charts, report_files
from forms_backend.evaluation.report import STEPS, build
from forms_backend.evaluation.rollup import catch_up
from forms_backend.manifest import Manifest
from forms_backend.settings import Settings
from forms_backend.storage import NewApplication, Storage, open_storage
from forms_backend.storage.analytics import PageEvent
from generator.cli import main

CAMPAIGN = "come-back-to-care"
TODAY = NOW.date()


def view(
    at: dt.datetime, council: str, page: str, source: str, visitor: str, campaign: str = CAMPAIGN
) -> PageEvent:
    medium = {"facebook": "social", "linkedin": "social"}.get(source, source)
    return PageEvent(at, council, campaign, page, "social-worker" if page == "role" else None, source, medium,
                     None, None, "phone", visitor)  # fmt: skip


def known_region(storage: Storage, other: str) -> None:
    """Yesterday: Facebook's visitor sees the landing page, a role and the form, and applies; today
    LinkedIn's sees the landing page and the form, and applies, and a direct visitor only looks.
    A visitor to `other`'s campaign applies too. Facebook's applicant is placed today."""
    yesterday = NOW - dt.timedelta(days=1)
    storage.add_page_events([
        view(yesterday, "dudley", "landing", "facebook", "a"),
        view(yesterday, "dudley", "role", "facebook", "a"),
        view(yesterday, "dudley", "apply", "facebook", "a"),
        view(NOW, "dudley", "landing", "linkedin", "b"), view(NOW, "dudley", "apply", "internal", "b"),
        view(NOW, "dudley", "landing", "direct", "c"), view(NOW, None, "hub", "direct", "c", None),
        view(NOW, other, "landing", "direct", "d", "step-up-now"),
        view(NOW, other, "apply", "direct", "d", "step-up-now"),
    ])  # fmt: skip
    for n, (council, campaign, source, at) in enumerate([
        ("dudley", CAMPAIGN, "facebook", yesterday), ("dudley", CAMPAIGN, "linkedin", NOW),
        (other, "step-up-now", "unknown", NOW),
    ]):  # fmt: skip
        medium = "social" if source != "unknown" else "unknown"
        app = NewApplication(council, campaign, f"p{n}@example.com", {"role": "social-worker"}, f"h{n}", at,
                             source=source, medium=medium)  # fmt: skip
        storage.save(app, lambda n=n: f"REF-{n}", lambda ref: [], at - dt.timedelta(days=1))
    for stage in ("screening", "interview", "offer", "placed"):
        storage.move(None, ["REF-0"], stage, "hr@dudley.gov.uk", NOW)
    storage.add_ratings([(TODAY, "dudley", CAMPAIGN, 5), (TODAY, "dudley", CAMPAIGN, 2)])


@pytest.fixture
def region(database_url: str, dist: Path, tmp_path: Path, manifest: dict) -> Any:
    other = (
        "walsall"
        if any(f["council"] == "walsall" and f["campaign"] == "step-up-now" for f in manifest["forms"])
        else None
    )
    assert other, "the example region has walsall's step-up-now"
    storage = open_storage(database_url)
    known_region(storage, other)
    settings = Settings(dist=dist, database_url=database_url, mail_dir=tmp_path, clock=lambda: NOW)
    catch_up(storage, settings, days=2)
    spent = json.loads(json.dumps(manifest))
    for form in spent["forms"]:
        if form["council"] == "dudley" and form["campaign"] == CAMPAIGN:
            form["spend"], form["applications_elsewhere"] = {"facebook": 300, "linkedin": 100}, {"paper": 2}
    yield storage, Manifest(spent), other
    storage.close()


def test_the_figures_of_a_known_region_add_up(region: Any) -> None:
    storage, manifest, other = region
    since = TODAY - dt.timedelta(days=1)
    whole = build(storage, manifest, None, None, since, TODAY)
    assert {s: whole.total[s] for s in STEPS} == {
        "visits": 5, "landing": 4, "role": 1, "apply": 3, "applied": 3,
        "screening": 1, "interview": 1, "offer": 1, "placed": 1,
    }  # fmt: skip
    assert whole.total.counts["visits"] == [4, 5, 5]  # today, 7 days, since: yesterday only a came
    by_site = {line.key: line for line in whole.sites}
    assert set(by_site) == {"dudley", other, ""}  # "": the region's home page (c visited it)
    for step in STEPS:  # the region's figures are the sums of its councils' (and its home page's)
        assert [sum(line.counts[step][n] for line in whole.sites) for n in range(3)] == whole.total.counts[
            step
        ]
    sources = {line.key: line for line in whole.sources}
    assert (sources["facebook"]["visits"], sources["facebook"]["role"], sources["facebook"]["placed"]) == (
        1,
        1,
        1,
    )
    assert (sources["linkedin"]["apply"], sources["linkedin"]["applied"]) == (
        1,
        1,
    )  # its internal step: LinkedIn's
    assert sources["direct"]["visits"] == 3 and sources["unknown"]["applied"] == 1

    dudley = build(storage, manifest, ["dudley"], None, since, TODAY)
    assert dudley.scope == "Dudley Council" or "Dudley" in dudley.scope
    assert [line.key for line in dudley.sites] == [CAMPAIGN]  # its campaigns side by side
    assert {s: dudley.total[s] for s in ("visits", "landing", "apply", "applied", "placed")} == {
        "visits": 3, "landing": 3, "apply": 2, "applied": 2, "placed": 1}  # fmt: skip
    ((total, rows),) = dudley.campaigns
    assert total["visits"] == 3 and sum(r["visits"] for r in rows) == 3
    figures = {f.name: f for f in dudley.figures}
    assert figures["Cost per application"].value == "£100"  # £400 for 2 + 2 on paper
    assert figures["Cost per placement"].value == "£400"
    assert figures["Completion rate"].value == "100.0%"  # 2 applications from 2 views of the form
    assert figures["User satisfaction"].value == "50.0%" and "1 of 2" in figures["User satisfaction"].detail
    assert figures["Digital take-up"].value == "50.0%"  # 2 through the site, 2 on paper
    assert "facebook £300 (£300 an application)" in figures["Cost per application"].detail

    one = build(storage, manifest, ["dudley"], CAMPAIGN, TODAY, TODAY)
    assert (one.total["visits"], one.total["applied"], one.total["placed"]) == (2, 1, 1)
    assert dict(one.per_day) == {"linkedin": [1]}


def test_the_report_files_and_charts(region: Any, tmp_path: Path) -> None:
    storage, manifest, _ = region
    found = build(storage, manifest, None, None, TODAY - dt.timedelta(days=1), TODAY)
    funnel = charts.funnel(found)
    assert [(b.label, b.value) for b in funnel.bars][:2] == [("Visits", 5), ("Landing page views", 4)]
    assert max(b.width for b in funnel.bars) == charts.BARS  # the longest bar fills the room
    days = charts.per_day(found)
    assert sorted(r[0] for r in days.rows) == ["facebook", "linkedin", "unknown"]
    assert len(days.bars) == 3  # one bar for each source's day with applications
    written = report_files.write(found, tmp_path / "out", "West Midlands", {})
    assert [p.name for p in written] == ["report.html", "report.csv", "report.json"]
    page = written[0].read_text(encoding="utf-8")
    assert "<script" not in page and "<svg" in page and "From visit to placed" in page
    data = json.loads(written[2].read_text(encoding="utf-8"))
    assert data["total"]["applied"] == {"today": 2, "week": 3, "launch": 3}
    assert "not counted or added up" in data["notes"]["visits"]
    csv_rows = written[1].read_text(encoding="utf-8-sig").splitlines()
    assert csv_rows[0] == "table,name,key,step,today,week,launch"
    assert "total,The region,,placed,1,1,1" in csv_rows


def test_recruit_report_writes_the_files_and_explains_mistakes(
    database_url: str, dist: Path, tmp_path: Path
) -> None:
    storage = open_storage(database_url)
    known_region(storage, "walsall")
    storage.close()
    env = {"RECRUIT_NOW": NOW.isoformat(), "DATABASE_URL": database_url, "RECRUIT_DIST": str(dist)}
    runner = CliRunner(env=env)
    out = tmp_path / "report"
    result = runner.invoke(main, ["report", "--council", "dudley", "--out", str(out)], obj={})
    assert result.exit_code == 0, result.output
    assert "3 visits, 2 applications, 1 placed" in result.output  # rolled up first
    assert sorted(p.name for p in out.iterdir()) == ["report.csv", "report.html", "report.json"]
    for args, said in (
        (["--council", "atlantis"], "the region has no council 'atlantis'"),
        (["--campaign", "nope"], "the region has no campaign 'nope'"),
        (["--since", "last week"], "'last week' is not a date: write it like 2026-11-01"),
        (["--since", (TODAY + dt.timedelta(days=1)).isoformat()], "is after today"),
    ):
        result = runner.invoke(main, ["report", *args, "--out", str(out)], obj={})
        assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output, (
            result.output
        )
