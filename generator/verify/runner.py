"""`recruit verify`: build, serve on loopback, and check every site in Chromium, several at a time."""

from __future__ import annotations

import datetime as dt
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..browser import ARGS, launch
from ..opening import default_today
from . import checks as static
from .answers import CannotAnswer, valid_answers
from .formflow import FormContext, submit_invalid, submit_valid
from .keyboard import keyboard_only
from .model import FAIL, NA, PASS, CheckResult, Finding, Site, SiteResult, empty_checks
from .server import (
    Backend,
    BackendFactory,
    HostHeaders,
    Server,
    UnderBasePath,
    free_port,
    no_backend,
    parse_headers_file,
)
from .sites import base_path, discover, for_local_backend, public_bases, read_manifest
from .sweep import DESKTOP, Camera, PageEvents, first_line, guard, sweep

AXE_PATH = Path("node_modules") / "axe-core" / "axe.min.js"
# A form backend on another host is played from loopback, and Chromium's guard against public
# pages reaching loopback would block what in production is public to public. Chromium reads one
# --disable-features switch, so the features Playwright turns off are repeated here.
PLAYWRIGHT_DISABLED = [
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
]


def launch_options(backend_url: str) -> dict[str, Any]:
    if "://" not in backend_url:
        return {}
    features = [
        *PLAYWRIGHT_DISABLED,
        "LocalNetworkAccessChecks",
        "PrivateNetworkAccessRespectPreflightResults",
    ]
    return {"args": [*ARGS, "--disable-features=" + ",".join(features)]}


Echo = Callable[[str], None]


class VerifyError(Exception):
    """verify could not run at all (not: a site failed). The message says how to fix it."""


@dataclass
class Options:
    root: Path
    dist: Path
    report: Path
    only: str | None = None
    jobs: int = 0  # 0: one per CPU
    today: dt.date | None = None
    backend: BackendFactory = no_backend  # the CLI passes the real one; tests a stub


@dataclass
class Outcome:
    results: list[SiteResult]
    seconds: float
    jobs: int
    backend: str
    report_html: Path
    junit: Path
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


def axe_source(root: Path) -> str:
    """axe-core as npm installed it (never a copy in the repository)."""
    candidates = [Path(os.environ["RECRUIT_AXE"])] if os.environ.get("RECRUIT_AXE") else []
    candidates += [root / AXE_PATH, Path(__file__).resolve().parents[2] / AXE_PATH]
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise VerifyError(
        f"axe-core is not installed ({root / AXE_PATH} is missing): run `npm install` in {root} "
        "(`make test` does it), or set RECRUIT_AXE to an axe.min.js"
    )


@dataclass
class Env:
    """What every worker shares: where things are and what to check them with."""

    dist: Path
    local: str
    report: Path
    axe: str
    manifest: dict[str, Any]
    backend: Backend
    today: dt.date


def static_checks(
    env: Env, site: Site, checks: dict[str, CheckResult], external: dict[str, list[str]]
) -> None:
    """Links, the open/closed state and JSON-LD, read from the built files."""
    linker = static.LinkChecker(env.dist, public_bases(env.manifest), env.manifest["region"]["backend_url"])
    references = 0
    roles = 0
    council = env.manifest["councils"].get(site.id.split("/")[0], {}).get("name")
    for path in site.pages:
        file = static.target_file(env.dist, path)
        if file is None:
            checks["pages"].fail(Finding("pages", "is listed but its file is missing", path))
            continue
        doc = static.parse(file.read_text(encoding="utf-8", errors="replace"))
        references += linker.check(path, doc, checks["links"], external)
        if site.kind == "campaign" and site.form is not None:
            for problem in static.form_state(path, doc, site.status or "open", site.form["action"]):
                checks["form-state"].fail(Finding("form-state", problem, path))
            if static.is_role_page(path):
                roles += 1
                closed = site.status != "open" or static.role_closed(doc, env.today)
                for problem in static.job_posting(doc, council, closed):
                    checks["jsonld"].fail(Finding("jsonld", problem, path))
    checks["links"].note = f"{references} references, {len(external)} external"
    if site.kind == "campaign":
        checks["form-state"].note = site.status or ""
        if roles == 0 and checks["jsonld"].status == PASS:
            checks["jsonld"].status = NA
        else:
            checks["jsonld"].note = f"{roles} role page{'s' * (roles != 1)}"


def probe_not_found(context: Any, env: Env, checks: dict[str, CheckResult]) -> None:
    """A missing page answers 404 with the region's own 'Page not found' page."""
    url = f"{env.local}/verify-{uuid.uuid4().hex[:8]}/"
    page = context.new_page()
    events = PageEvents(env.local, ignore_status={url})
    events.attach(page)
    response = page.goto(url)
    if response is None or response.status != 404:
        checks["pages"].fail(
            Finding("pages", f"a missing page answered {response and response.status}, not 404", url)
        )
    elif page.locator("h1").count() == 0:
        checks["pages"].fail(Finding("pages", "a missing page answered 404 without the 404 page", url))
    for problem in events.take():
        checks["pages"].fail(Finding("pages", problem, "(missing page)"))
    page.close()


def verify_site(browser: Any, env: Env, site: Site) -> SiteResult:
    started = time.perf_counter()
    checks = empty_checks(site)
    result = SiteResult(site, checks)
    camera = Camera(env.report, site.id)
    try:
        static_checks(env, site, checks, result.external)
        offhost: list[str] = []
        context = browser.new_context(viewport=DESKTOP, service_workers="block")
        context.add_init_script(env.axe)
        guard(context, env.local, offhost, env.manifest["region"]["backend_url"])
        try:
            sweep(context, env.local, site.pages, checks, camera, offhost)
            if site.kind == "region":
                probe_not_found(context, env, checks)
        finally:
            context.close()
        if site.kind == "region" and env.backend.workspace is not None:
            workspace(browser, env, checks, camera, offhost)
        if site.applies and site.form is not None:
            forms(browser, env, site, checks, camera, offhost)
        pages = len(site.pages)
        for key in ("pages", "axe-desktop", "axe-mobile", "mobile-layout"):
            checks[key].note = checks[key].note or f"{pages} page{'s' * (pages != 1)}"
    except Exception as exc:  # noqa: BLE001 - one site's crash must not hide the others' results
        checks["pages"].fail(Finding("pages", f"verify could not finish this site: {first_line(exc)}"))
    result.shots = camera.shots
    result.seconds = time.perf_counter() - started
    return result


def workspace(
    browser: Any, env: Env, checks: dict[str, CheckResult], camera: Camera, offhost: list[str]
) -> None:
    """The staff workspace's pages, as the region's: the sign-in page signed out, the rest signed
    in as the backend's demo coordinator (on its throwaway database)."""
    assert env.backend.workspace is not None
    cookie, pages = env.backend.workspace()
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    context.add_init_script(env.axe)
    guard(context, env.local, offhost, env.manifest["region"]["backend_url"])
    try:
        sweep(context, env.local, ["/workspace/sign-in"], checks, camera, offhost)
        context.add_cookies([{"name": "recruit_session", "value": cookie, "domain": "127.0.0.1",
                              "path": "/workspace"}])  # fmt: skip
        sweep(context, env.local, pages, checks, camera, offhost)
    finally:
        context.close()


def forms(
    browser: Any, env: Env, site: Site, checks: dict[str, CheckResult], camera: Camera, offhost: list[str]
) -> None:
    """The apply form sent with JavaScript, by keyboard, without JavaScript, and wrongly."""
    form = site.form or {}
    try:
        answers = valid_answers(form["fields"], site.id.replace("/", "-"), env.today)
    except CannotAnswer as exc:
        for key in ("form-js", "form-nojs", "keyboard"):
            checks[key].fail(Finding(key, f"verify cannot make a valid answer: {exc}", form["form_path"]))
        return
    ctx = FormContext(env.local, form, answers, camera, env.backend.lookup, env.backend.missing)
    token = uuid.uuid4().hex[:6]
    email = f"verify.{site.id.replace('/', '.')}.{{}}.{token}@example.com"
    before = len(offhost)
    for js in (True, False):
        context = browser.new_context(viewport=DESKTOP, java_script_enabled=js, service_workers="block")
        guard(context, env.local, offhost, env.manifest["region"]["backend_url"])
        try:
            page = context.new_page()  # one page for the context's checks, each from a fresh load
            if js:
                submit_valid(page, ctx, True, checks["form-js"], email.format("js"))
                submit_invalid(page, ctx, True, checks["form-errors"])
                keyboard_only(page, ctx, checks["keyboard"], email.format("keys"))
            else:
                submit_valid(page, ctx, False, checks["form-nojs"], email.format("nojs"))
                submit_invalid(page, ctx, False, checks["form-errors"])
        finally:
            context.close()
    for url in offhost[before:]:
        checks["form-js"].fail(
            Finding("form-js", f"requested {url}, which leaves 127.0.0.1 (refused)", form["form_path"])
        )


def host_headers(dist: Path) -> Path:
    """dist/_headers: every page is checked under the policy a host sends, or not at all."""
    headers = dist / "_headers"
    if not headers.is_file():
        raise VerifyError(
            f"{headers} is missing, so the pages cannot be checked under their Content-Security-Policy: "
            "build the whole region first (`recruit build`, or `recruit verify` without --no-build)"
        )
    return headers


def _weight(site: Site) -> int:
    return len(site.pages) + (12 if site.applies else 0)


def run(options: Options, echo: Echo = print) -> Outcome:
    """Verify the built sites in options.dist; writes the report and returns every result."""
    started = time.perf_counter()
    today = options.today or default_today()
    dist = options.dist.resolve()
    manifest = read_manifest(dist)
    sites = discover(dist, manifest, today, options.only)
    axe = axe_source(options.root)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise VerifyError(
            "Playwright for Python is not installed: run `make install` (or pip install -e '.[test]')"
        ) from None
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(sites)))
    report = options.report.resolve()
    shutil.rmtree(report / "screenshots", ignore_errors=True)
    report.mkdir(parents=True, exist_ok=True)
    from .report import write_html, write_junit

    with tempfile.TemporaryDirectory(prefix="recruit-verify-") as work:
        port = free_port()
        local = f"http://127.0.0.1:{port}"
        backend = options.backend(dist, Path(work), for_local_backend(manifest, local + "/"))
        rules = parse_headers_file(host_headers(dist).read_text(encoding="utf-8"))
        env = Env(dist, local, report, axe, manifest, backend, today)
        pages = sum(len(s.pages) for s in sites)
        echo(
            f"Verifying {len(sites)} site{'s' * (len(sites) != 1)} ({pages} pages) "
            f"with {jobs} browser{'s' * (jobs != 1)} at {local}; backend: {backend.description}"
        )
        if backend.missing:
            echo(f"warning: {backend.missing}; the form checks will fail")
        with Server(UnderBasePath(HostHeaders(backend.app, rules), base_path(manifest)), port):
            results = _in_parallel(env, sites, jobs, echo)
    outcome = Outcome(
        results,
        time.perf_counter() - started,
        jobs,
        backend.description,
        report / "index.html",
        report / "junit.xml",
    )
    write_html(outcome, outcome.report_html)
    write_junit(outcome, outcome.junit)
    return outcome


def _in_parallel(env: Env, sites: list[Site], jobs: int, echo: Echo) -> list[SiteResult]:
    todo: queue.Queue[Site] = queue.Queue()
    for site in sorted(sites, key=_weight, reverse=True):
        todo.put(site)
    done: dict[str, SiteResult] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    options = launch_options(env.manifest["region"]["backend_url"])

    def worker() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = launch(p, **options)
                while True:
                    try:
                        site = todo.get_nowait()
                    except queue.Empty:
                        break
                    if not browser.is_connected():
                        browser = launch(p, **options)
                    result = verify_site(browser, env, site)
                    with lock:
                        done[site.id] = result
                        echo(_progress(len(done), len(sites), result))
                browser.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, name=f"verify-{i}", daemon=True) for i in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors and not done:
        raise VerifyError(str(errors[0]))
    for site in sites:
        if site.id not in done:
            checks = empty_checks(site)
            checks["pages"] = CheckResult(
                "pages",
                FAIL,
                findings=[Finding("pages", f"not verified: {errors[0] if errors else 'no browser'}")],
            )
            done[site.id] = SiteResult(site, checks)
    return [done[s.id] for s in sites]


def _progress(k: int, n: int, result: SiteResult) -> str:
    site = result.site
    verdict = "ok" if result.passed else "FAILED"
    line = f"[{k}/{n}] {site.id}: {verdict} ({len(site.pages)} pages, {result.seconds:.1f}s)"
    failures = result.failures()
    for finding in failures[:5]:
        line += f"\n      {finding.check}: {finding.line()}"
    if len(failures) > 5:
        line += f"\n      … and {len(failures) - 5} more in the report"
    return line
