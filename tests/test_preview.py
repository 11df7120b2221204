"""Live preview in `recruit serve`: the reload script only in served pages, the watcher's choice of
files, what open tabs are told after each rebuild, and an edit reaching an open Chromium page."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from projects import JOBS, JOBS_YAML, write_project
from watchfiles import Change

from generator.build import build
from generator.cache import BuildCache
from generator.preview import CLIENT_PATH, HEADING, ContentFilter, Preview, insert_script
from generator.problems import ProblemsFound
from generator.serve import combined_app

TODAY = dt.date(2026, 6, 1)
NO_THEME_COPY = {"themes/default/templates/base.html": None}  # use the generator's own theme
RECRUIT = Path(sys.executable).with_name("recruit")
LANDING = "testshire/jobs/"
BROKEN_YAML = JOBS_YAML.replace("opens: 2026-04-01", "opens: [2026-04-01")


def built(tmp_path: Path) -> tuple[Path, Path]:
    root = write_project(tmp_path / "project", NO_THEME_COPY)
    return root, build(root, today=TODAY, clean=True).out


def fetch(app: object, *requests: tuple[str, str]) -> list[httpx.Response]:
    """Responses from the app in-process (no lifespan, so nothing is watched)."""

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            return [await client.request(method, path) for method, path in requests]

    return asyncio.run(go())


def preview_for(root: Path, out: Path, lines: list[str] | None = None) -> Preview:
    def echo(text: str, err: bool = False) -> None:
        if lines is not None:
            lines.append(text)

    cache = BuildCache()  # as `recruit serve` keeps one for all its rebuilds
    return Preview(root, lambda: build(root, out, clean=True, today=TODAY, cache=cache), out, echo=echo)


# The reload script: added to HTML as it is served, never written to dist/.


def test_served_pages_carry_the_script_and_other_files_pass_untouched(tmp_path: Path) -> None:
    root, out = built(tmp_path)
    preview = preview_for(root, out)
    app = combined_app(out, None, preview)
    tag = preview.script_tag().decode()

    pages = ("/", f"/{LANDING}", "/no-such-page/", "/testshire/jobs/apply/thanks/?ref=TST-ABC123")
    for path in pages:
        page, head = fetch(app, ("GET", path), ("HEAD", path))
        assert page.headers["content-type"].startswith("text/html"), path
        assert page.text.count(CLIENT_PATH) == 1 and tag + "</body>" in page.text, path
        assert int(page.headers["content-length"]) == len(page.content), path
        assert page.headers["cache-control"] == "no-store" and "etag" not in page.headers, path
        assert int(head.headers["content-length"]) == len(page.content) and head.content == b"", path
    assert "TST-ABC123" in page.text  # the thank-you page, with its reference filled in

    files = [*out.rglob("*.css"), *out.rglob("*.js"), *out.rglob("*.svg"), out / "_forms/manifest.json"]
    others = [f"/{p.relative_to(out).as_posix()}" for p in files]
    for path, served in zip(others, fetch(app, *(("GET", p) for p in others)), strict=True):
        on_disk = (out / path.lstrip("/")).read_bytes()
        assert served.content == on_disk, path
        assert int(served.headers["content-length"]) == len(on_disk), path

    [script] = fetch(app, ("GET", CLIENT_PATH))
    assert script.headers["content-type"].startswith("text/javascript") and "EventSource" in script.text
    assert not [p for p in out.rglob("*") if p.is_file() and b"_preview" in p.read_bytes()]


def test_serve_watches_unless_told_not_to() -> None:
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"], obj={})
    assert result.exit_code == 0 and "--watch / --no-watch" in result.output


def test_without_a_preview_pages_are_served_as_built(tmp_path: Path) -> None:
    root, out = built(tmp_path)
    [page] = fetch(combined_app(out), ("GET", f"/{LANDING}"))
    assert page.content == (out / LANDING / "index.html").read_bytes()


def test_fingerprinted_files_are_cached_for_a_year_and_pages_are_not(tmp_path: Path) -> None:
    root, out = built(tmp_path)
    css = next((out / "testshire" / "_static").glob("site.*.css")).relative_to(out).as_posix()
    page, sheet, missing = fetch(
        combined_app(out), ("GET", f"/{LANDING}"), ("GET", f"/{css}"), ("GET", "/testshire/_static/gone.css")
    )
    assert sheet.status_code == 200
    assert sheet.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in page.headers.get("cache-control", "")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")


def test_the_script_goes_before_the_last_closing_body_tag() -> None:
    tag = b"<script></script>"
    assert insert_script(b"<p>a</p></BODY></html>", tag) == b"<p>a</p><script></script></BODY></html>"
    assert insert_script(b"<p>no body</p>", tag) == b"<p>no body</p><script></script>"


# What the watcher reacts to.


def test_the_watcher_sees_content_and_themes_only(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    seen = ContentFilter(root, root / "dist")
    for name in (
        "site.toml",
        "campaigns/dudley/jobs.yaml",
        "campaigns/dudley/assets/hero.jpg",
        "campaigns/_shared/come-back-to-care.yaml",
        "themes/default/templates/landing.html",
        "themes/harbour/static/site.css",
    ):
        assert seen(Change.modified, str(root / name)), name
    for name in (
        "campaigns/dudley/.jobs.yaml.swp",
        "campaigns/dudley/jobs.yaml~",
        "campaigns/dudley/.#jobs.yaml",
        "campaigns/dudley/4913",
        "campaigns/.git/index",
        "dist/dudley/jobs/index.html",
        "data/recruit.db",
        "README.md",
        "site.toml.swp",
    ):
        assert not seen(Change.modified, str(root / name)), name
    assert not ContentFilter(root, root / "campaigns/out")(Change.added, str(root / "campaigns/out/x.html"))
    assert not seen(Change.modified, str(tmp_path.parent / "elsewhere" / "site.toml"))


# What open tabs are told.


async def events(stream: AsyncIterator[str], count: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    while len(found) < count:
        chunk = await asyncio.wait_for(anext(stream), 5)
        event = re.search(r"^event: (\w+)\ndata: (.*)$", chunk, re.M)
        if event:
            found.append((event.group(1), event.group(2)))
    return found


def test_tabs_reload_after_a_change_and_see_problems_until_fixed(tmp_path: Path) -> None:
    root, out = built(tmp_path)
    lines: list[str] = []
    preview = preview_for(root, out, lines)
    jobs = root / JOBS

    async def scenario() -> None:
        tab = preview.stream(preview.build_id)
        assert await asyncio.wait_for(anext(tab), 5) == "retry: 1000\n\n"
        first = preview.build_id

        await preview.rebuild_now([JOBS])  # nothing changed: nothing written, no reload
        jobs.write_text(JOBS_YAML.replace("Care jobs in Testshire", "Care work in Testshire"))
        await preview.rebuild_now([JOBS])
        assert await events(tab, 1) == [("reload", preview.build_id)] and preview.build_id != first

        jobs.write_text(BROKEN_YAML)
        await preview.rebuild_now([JOBS])
        with pytest.raises(ProblemsFound) as caught:
            build(root, tmp_path / "check", today=TODAY)
        [(kind, data)] = await events(tab, 1)
        problem = json.loads(data)
        assert kind == "problem" and problem["heading"] == HEADING
        assert problem["text"] == caught.value.format(root) and problem["text"].startswith(f"{JOBS}:3:")
        assert "Care work in Testshire" in (out / LANDING / "index.html").read_text()  # the last good site

        late = preview.stream("an-old-build")  # a tab opened while the problem stands sees it at once
        assert (await events(late, 1))[0][0] == "problem"

        jobs.write_text(JOBS_YAML.replace("Care jobs in Testshire", "Care work in Testshire"))
        await preview.rebuild_now([JOBS])  # the same as the last good site, yet the overlay must go
        assert await events(tab, 1) == [("reload", preview.build_id)] and preview.problem is None
        preview.close()
        assert [chunk async for chunk in tab] == []
        await late.aclose()

    asyncio.run(scenario())
    assert any(line.startswith(f"{JOBS} changed: Built 1 council") for line in lines)
    assert any(line.startswith(f"{JOBS}:3:") for line in lines)


def test_an_unexpected_failure_is_shown_and_the_preview_carries_on(tmp_path: Path) -> None:
    root, out = built(tmp_path)
    lines: list[str] = []

    def broken() -> None:
        raise KeyError("hero")

    preview = Preview(root, broken, out, echo=lambda text, err=False: lines.append(text))
    asyncio.run(preview.rebuild_now([JOBS]))
    assert preview.problem is not None and "KeyError: 'hero'" in preview.problem["text"]
    assert any("Traceback" in line for line in lines)


# An edit reaching an open page, through the real command.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    pytest.fail(f"recruit serve did not answer at {url}:\n{log.read_text()}")


@pytest.mark.browser
def test_an_edit_reaches_an_open_page_without_a_reload(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from generator.browser import launch

    root = write_project(tmp_path / "project", NO_THEME_COPY)
    jobs = root / JOBS
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    backend_env = ("DATABASE_URL", "RECRUIT_DIST", "RECRUIT_MAIL_DIR", "RECRUIT_MANIFEST", "SMTP_HOST")
    env = {k: v for k, v in os.environ.items() if k not in backend_env}  # the backend's data: under root
    env["RECRUIT_TODAY"] = TODAY.isoformat()
    log = tmp_path / "serve.log"
    command = [str(RECRUIT), "--project", str(root), "serve", "--port", str(port)]
    with (
        log.open("w") as output,
        subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=tmp_path) as server,
    ):
        try:
            wait_until_serving(url, server, log)
            with sync_playwright() as p:
                browser = launch(p)
                page = browser.new_page()
                page.goto(url + LANDING)
                expect(page.locator("h1")).to_have_text("Care is a career")

                jobs.write_text(
                    JOBS_YAML.replace("headline: Care is a career", "headline: Care is a calling")
                )
                expect(page.locator("h1")).to_have_text("Care is a calling", timeout=10_000)

                jobs.write_text(BROKEN_YAML)
                dialog = page.get_by_role("alertdialog", name=HEADING)
                expect(dialog).to_be_visible(timeout=10_000)
                with pytest.raises(ProblemsFound) as caught:
                    build(root, tmp_path / "check", today=TODAY)
                expect(dialog.locator("pre")).to_have_text(caught.value.format(root))
                expect(dialog).to_be_focused()
                assert "Care is a calling" in (root / "dist" / LANDING / "index.html").read_text()

                fixed = JOBS_YAML.replace("title: Care jobs in Testshire", "title: Caring jobs in Testshire")
                jobs.write_text(fixed)
                expect(page.get_by_role("alertdialog")).to_have_count(0, timeout=10_000)
                expect(page).to_have_title(re.compile("Caring jobs in Testshire"))
                expect(page.locator("h1")).to_have_text("Care is a career")

                # The form backend answers from the new manifest once a rebuild has written it.
                def forms() -> int:
                    return page.request.get(url + "api/health").json()["forms"]

                before = forms()
                (root / "campaigns/testshire/more-jobs.yaml").write_text(fixed)
                deadline = time.monotonic() + 10
                while forms() != before + 1:
                    assert time.monotonic() < deadline, "the backend did not see the new campaign's form"
                    time.sleep(0.1)
                assert (root / "data" / "recruit.db").is_file()  # the backend's data stays in the project

                server.send_signal(signal.SIGINT)  # Ctrl-C with a tab still listening
                assert server.wait(10) == 0
                browser.close()
        finally:
            if server.poll() is None:
                server.kill()
    terminal = log.read_text()
    assert "Watching site.toml, campaigns/, themes/ for changes" in terminal
    assert f"{JOBS} changed: Built 1 council" in terminal
    assert caught.value.format(root) in terminal
    assert "timeout graceful shutdown exceeded" not in terminal
    dist = root / "dist"
    assert not [p for p in dist.rglob("*") if p.is_file() and b"_preview" in p.read_bytes()]
