"""Incremental builds: only what changed is rebuilt, and the result is the same as a clean build's."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from projects import COMEBACK, COUNCIL, COUNCIL_YAML, JOBS, JOBS_YAML, LOGO_SVG, SHARED, write_project
from support import ROOT, TODAY

from generator.build import build
from generator.cache import BuildCache
from generator.fingerprint import RACY_NS, FileDigests, Unchanged
from generator.incremental import Record, check_overlaps
from generator.output import DuplicateOutput

OTHER = "campaigns/otherton"
OTHER_COUNCIL = (
    COUNCIL_YAML.replace("Testshire", "Otherton").replace("TST", "OTH").replace("testshire", "otherton")
)


def project(tmp_path: Path) -> Path:
    """Two councils, a shared campaign, the real default theme copied in (so edits to it count)."""
    root = write_project(
        tmp_path / "project",
        {
            "themes/default/templates/base.html": None,
            f"{OTHER}/council.yaml": OTHER_COUNCIL,
            f"{OTHER}/assets/logo.svg": LOGO_SVG,
            f"{OTHER}/jobs.yaml": JOBS_YAML.replace("Testshire", "Otherton").replace(
                "closes: 2026-09-30", "closes: 2027-09-30"
            ),
            f"{OTHER}/come-back.yaml": "extends: come-back-to-care\ntitle: Come back to care in Otherton\n",
        },
    )
    shutil.copytree(ROOT / "themes" / "default", root / "themes" / "default", dirs_exist_ok=True)
    return root


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def role(slug: str) -> str:
    """One more role, as an item of JOBS_YAML's roles list."""
    return (
        f"  - slug: {slug}\n"
        f"    title: Role {slug}\n"
        "    employment_type: part-time\n"
        "    hours: 20 hours a week\n"
        "    salary:\n"
        "      min: 12.5\n"
        "      period: hour\n"
        "    location:\n"
        "      name: Testford Library\n"
        "      postcode: TE1 2AB\n"
        f"    description: Work with **people** in {slug}.\n"
    )


def edits(root: Path) -> list[tuple[str, Callable[[random.Random], None]]]:
    """Changes a comms officer or a theme author makes, each keeping the project valid."""

    def edit(name: str, old: str, new: str) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def retitle(rng: random.Random) -> None:
        path = root / rng.choice([JOBS, f"{OTHER}/jobs.yaml"])
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[0] = f"title: Care jobs number {rng.randint(1, 10**6)}\n"
        path.write_text("".join(lines), encoding="utf-8")

    def add_role(rng: random.Random) -> None:
        slug = f"extra-{rng.randint(1, 10**6)}"
        edit(JOBS, "sharing:\n", role(slug) + "sharing:\n")

    def drop_role(rng: random.Random) -> None:
        path = root / JOBS
        text = path.read_text(encoding="utf-8")
        if "  - slug: extra-" in text:
            start = text.index("  - slug: extra-")
            end = text.index("sharing:\n", start)
            nxt = text.find("  - slug: ", start + 4)
            path.write_text(text[:start] + text[nxt if 0 < nxt < end else end :], encoding="utf-8")

    def shared_body(rng: random.Random) -> None:
        path = root / SHARED
        text = path.read_text(encoding="utf-8")
        start = text.index("body: ")
        end = text.index("\n", start)
        path.write_text(f"{text[:start]}body: Come back, {rng.randint(1, 10**6)} reasons.{text[end:]}")

    def brand(rng: random.Random) -> None:
        path = root / COUNCIL
        text = path.read_text(encoding="utf-8")
        colour = rng.choice(["#00573f", "#1d4f91", "#6f2c91", "#8a1538"])
        start = text.index('primary: "')
        path.write_text(text[: start + 10] + colour + text[start + 17 :], encoding="utf-8")

    def override(rng: random.Random) -> None:
        path = root / "campaigns/testshire/templates/landing-jobs.html"
        if path.exists() and rng.random() < 0.5:
            path.unlink()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            '{% extends "!default/landing.html" %}\n'
            f'{{% block content %}}<p class="rc-body">Open day {rng.randint(1, 28)} March</p>'
            "{{ super() }}{% endblock %}\n",
            encoding="utf-8",
        )

    def theme(rng: random.Random) -> None:
        edit("themes/default/static/site.css", "box-sizing", f"/* {rng.randint(1, 10**6)} */ box-sizing")

    def template(rng: random.Random) -> None:
        edit("themes/default/templates/base.html", "</footer>", f"<!-- {rng.randint(1, 10**6)} --></footer>")

    def council_name(rng: random.Random) -> None:  # its row and its cards on the hub
        path = root / f"{OTHER}/council.yaml"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        number = rng.randint(1, 10**6)
        lines[0], lines[1] = f"name: Otherton Council {number}\n", f"short_name: Otherton {number}\n"
        path.write_text("".join(lines), encoding="utf-8")

    def hub_template(rng: random.Random) -> None:  # every council's part of the hub
        edit("themes/default/templates/hub_cards.html", "</h3>", f"</h3><!-- {rng.randint(1, 10**6)} -->")

    def region_name(rng: random.Random) -> None:
        name = 'name = "Testshire Care Careers'
        edit("site.toml", name, f"{name} {rng.randint(1, 9)}")

    def remove_campaign(rng: random.Random) -> None:
        path = root / COMEBACK
        if path.exists():
            path.unlink()
        else:
            path.write_text("extends: come-back-to-care\ntitle: Come back to care in Testshire\n")

    def picture(rng: random.Random) -> None:  # the same file name, another picture
        fill = rng.choice(["#00573f", "#1d4f91", "#6f2c91", "#8a1538"])
        (root / f"{OTHER}/assets/logo.svg").write_text(LOGO_SVG.replace("<svg ", f'<svg fill="{fill}" ', 1))

    def touch(rng: random.Random) -> None:
        path = root / JOBS
        path.write_bytes(path.read_bytes())

    return [
        ("retitle", retitle),
        ("add_role", add_role),
        ("drop_role", drop_role),
        ("shared_body", shared_body),
        ("brand", brand),
        ("override", override),
        ("theme", theme),
        ("template", template),
        ("council_name", council_name),
        ("hub_template", hub_template),
        ("region_name", region_name),
        ("remove_campaign", remove_campaign),
        ("picture", picture),
        ("touch", touch),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_builds_equal_clean_builds_after_random_edits(tmp_path: Path, seed: int) -> None:
    root = project(tmp_path)
    rng = random.Random(seed)
    changes = edits(root)
    incremental, cache = tmp_path / "incremental", BuildCache()
    build(root, incremental, today=TODAY, cache=cache)
    days = [TODAY, dt.date(2026, 6, 1)]  # jobs is open on one, closed on the other
    done = set()
    for step in range(16):
        name, change = changes[step % len(changes)] if step < len(changes) else rng.choice(changes)
        done.add(name)
        change(rng)
        assert_as_clean(root, incremental, rng.choice(days), f"step {step}: after {name}", cache)
    assert done == {name for name, _ in changes}


def assert_as_clean(root: Path, incremental: Path, today: dt.date, label: str, cache: BuildCache) -> None:
    """Build into `incremental` with what `cache` remembers, then compare with a clean build."""
    build(root, incremental, today=today, cache=cache)
    clean = incremental.parent / "clean"
    build(root, clean, today=today)  # a fresh cache: as a new process would
    assert tree(incremental) == tree(clean), label
    shutil.rmtree(clean)


def test_the_hub_shows_each_edit_to_a_council_or_to_its_parts(tmp_path: Path) -> None:
    """Each council's part of the hub is reused while it is unchanged (generator/parts.py), on a
    day that is the same from build to build."""
    root = project(tmp_path)
    changes = dict(edits(root))
    rng = random.Random(0)
    incremental, cache = tmp_path / "incremental", BuildCache()
    build(root, incremental, today=TODAY, cache=cache)
    for name in ("retitle", "council_name", "hub_template", "theme", "region_name", "remove_campaign"):
        changes[name](rng)
        assert_as_clean(root, incremental, TODAY, f"after {name}", cache)
    assert "Otherton Council" in (incremental / "index.html").read_text()


def test_one_edited_campaign_rewrites_its_site_and_the_pages_that_list_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    out, cache = tmp_path / "dist", BuildCache()
    first = build(root, out, today=TODAY, cache=cache)
    assert first.rendered == first.pages - 2  # every council and campaign page; the hub and 404 too
    again = build(root, out, today=TODAY, cache=cache)
    assert again.rendered == 0 and again.report.written == 0
    path = root / f"{OTHER}/jobs.yaml"
    path.write_text(path.read_text().replace("title: Care jobs in Otherton", "title: Carers wanted"))
    result = build(root, out, today=TODAY, cache=cache)
    jobs_pages = len([e for e in result.explained if e.page.startswith("/otherton/jobs/")])
    assert result.rendered == jobs_pages + 1  # its pages and Otherton's index
    written = set(result.report.paths)
    assert all(
        p.startswith("otherton/jobs/") or p in {"otherton/index.html", "index.html", "_forms/manifest.json"}
        for p in written
    ), written
    assert "otherton/jobs/index.html" in written and "otherton/index.html" in written
    assert "Carers wanted" in (out / "index.html").read_text()


def test_a_page_changed_by_hand_in_dist_is_put_right(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "dist"
    build(root, out, today=TODAY, cache=BuildCache())
    page = out / "testshire" / "jobs" / "index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"Care is a career", b"Edited by hand"))
    # the next `recruit build` has a new cache; a running preview's trusts what it wrote
    result = build(root, out, today=TODAY, cache=BuildCache())
    assert page.read_bytes() == good
    assert result.report.paths == ["testshire/jobs/index.html"]


def test_a_deleted_role_page_goes_from_dist(tmp_path: Path) -> None:
    root = project(tmp_path)
    out, cache = tmp_path / "dist", BuildCache()
    path = root / JOBS
    original = path.read_text()
    path.write_text(original.replace("sharing:\n", role("night-carer") + "sharing:\n"))
    build(root, out, today=TODAY, cache=cache)
    assert (out / "testshire/jobs/roles/night-carer/index.html").is_file()
    path.write_text(original)
    result = build(root, out, today=TODAY, cache=cache)
    assert not (out / "testshire/jobs/roles/night-carer").exists()
    assert result.report.removed == 1


def test_a_new_process_reuses_the_cache_and_a_missing_cache_costs_one_full_build(tmp_path: Path) -> None:
    root = project(tmp_path)
    out = tmp_path / "dist"
    build(root, out, today=TODAY)
    command = [sys.executable, "-m", "generator", "--project", str(root), "build", "--out", str(out)]
    command += ["--today", TODAY.isoformat()]
    warm = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "(0 files written" in warm
    shutil.rmtree(BuildCache.folder(root))
    cold = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "(0 files written" in cold  # every page rendered again, none of them different


def test_a_council_template_rebuilds_that_council_and_the_theme_rebuilds_all(tmp_path: Path) -> None:
    root = project(tmp_path)
    out, cache = tmp_path / "dist", BuildCache()
    first = build(root, out, today=TODAY, cache=cache)
    testshire = len([e for e in first.explained if e.page.startswith("/testshire/")])
    override = root / "campaigns/testshire/templates/role.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "!default/role.html" %}{% block title %}{{ super() }}{% endblock %}\n')
    assert build(root, out, today=TODAY, cache=cache).rendered == testshire
    theme = root / "themes/default/templates/macros.html"
    theme.write_text(theme.read_text() + "{# a theme author's note #}\n")
    assert build(root, out, today=TODAY, cache=cache).rendered == first.rendered


def test_a_value_kept_for_its_files_is_given_back_only_while_they_are_unchanged(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("one")
    old = time.time_ns() - 10 * RACY_NS
    os.utime(file, ns=(old, old))
    kept, value = Unchanged(FileDigests()), object()
    kept.put("key", value, [str(file)], ["a.yaml"], since_ns=time.time_ns())
    assert kept.get("key", ["a.yaml"]) is value
    assert kept.get("key", ["a.yaml", "b.yaml"]) is None  # another listing
    file.write_text("two")
    assert kept.get("key", ["a.yaml"]) is None
    kept.put("key", value, [str(file)], ["a.yaml"], since_ns=time.time_ns())
    assert kept.get("key", ["a.yaml"]) is None  # modified just now: it may change again unseen


def test_two_units_writing_one_path_are_refused_when_only_one_of_them_changed() -> None:
    a, b = Record("a", {"x/index.html": (1, 1)}), Record("b", {"y/index.html": (1, 1)})
    cache = BuildCache()
    check_overlaps({"t/a/": a, "t/b/": b}, cache)
    with pytest.raises(DuplicateOutput, match="/x/index.html: t/a/ and t/b/"):
        check_overlaps({"t/a/": a, "t/b/": Record("b2", {"x/index.html": (1, 1)})}, cache)
    check_overlaps({"t/a/": a, "t/b/": b}, cache)  # put right
    check_overlaps({"t/b/": Record("b3", {"x/index.html": (1, 1)})}, cache)  # a is gone: its path is free


def test_two_caches_in_one_process_build_independently_and_each_as_a_clean_build(tmp_path: Path) -> None:
    """What one caller's builds remember is its BuildCache alone: two projects with the same
    councils, each built in turn with its own cache, and one of them edited between its builds
    and then built with the other's cache, each come out as a clean build does."""
    one, two = project(tmp_path / "one"), project(tmp_path / "two")
    jobs = two / JOBS
    jobs.write_text(
        jobs.read_text().replace("title: Care jobs in Testshire", "title: Care work in Testshire")
    )
    caches = {one: BuildCache(), two: BuildCache()}

    def as_clean(root: Path, cache: BuildCache, label: str) -> None:
        out = root.parent / "dist"
        build(root, out, today=TODAY, cache=cache)
        clean = root.parent / "clean"
        build(root, clean, today=TODAY)
        assert tree(out) == tree(clean), label
        shutil.rmtree(clean)

    for step in range(3):
        for root, cache in caches.items():
            as_clean(root, cache, f"{root.parent.name}, step {step}")
        path = one / f"{OTHER}/jobs.yaml"
        path.write_text(path.read_text().replace("title: Care jobs in Otherton", f"title: Otherton {step}"))
    assert b"Care work in Testshire" in (tmp_path / "two/dist/testshire/jobs/index.html").read_bytes()
    assert b"Care work" not in (tmp_path / "one/dist/testshire/jobs/index.html").read_bytes()
    as_clean(one, caches[two], "one, with the cache of two")
    assert caches[one].views["testshire"].council is not caches[two].views["testshire"].council
