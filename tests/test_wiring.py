"""Wiring in one place: the generator never imports the backend, and the CLI hands verify its own.

DESIGN.md: "The generator never imports the backend. The CLI is the only place that wires both."
The core raises its own errors (the CLI turns them into click's), and nothing leans on CPython's
private regular-expression parser.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projects import JOBS, JOBS_YAML, write_project
from support import ROOT

from generator import cli
from generator.build import BuildResult, build
from generator.verify import Backend, static_only
from generator.verify.answers import CannotAnswer, matching, valid_answers
from generator.verify.sites import for_local_backend

GENERATOR = ROOT / "generator"
PRIVATE_RE = {"re._parser", "re._constants", "re._compiler", "sre_parse", "sre_constants", "sre_compile"}


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, by absolute name (relative imports resolved), with its line."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


def modules() -> list[Path]:
    return sorted(GENERATOR.rglob("*.py"))


def test_the_imports_are_read_from_every_module() -> None:
    """The walk below sees the generator's modules and their imports (it would pass on none)."""
    names = {p.relative_to(GENERATOR).as_posix() for p in modules()}
    assert {"cli.py", "build.py", "verify/server.py", "verify/answers.py"} <= names
    assert any(name == "forms_backend.app.create_app" for _, name in imports(GENERATOR / "cli.py"))


CLI = {GENERATOR / "cli.py", GENERATOR / "cli_support.py", GENERATOR / "__main__.py"}


def importers(of: set[str], allowed: set[Path] = frozenset()) -> list[str]:
    """Where a generator module outside `allowed` imports one of the modules `of` (or theirs)."""
    return [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in modules()
        if path not in allowed
        for line, name in imports(path)
        if any(name == m or name.startswith(m + ".") for m in of)
    ]


def test_only_the_cli_imports_the_backend() -> None:
    assert importers({"forms_backend"}, CLI) == []


def test_only_the_cli_imports_click() -> None:
    assert importers({"click"}, CLI) == []


def test_nothing_below_the_cli_imports_it() -> None:
    """verify takes its backend from the CLI, never the CLI from verify."""
    assert importers({"generator.cli"}, CLI) == []


def test_nothing_imports_the_private_regular_expression_parser() -> None:
    assert importers(PRIVATE_RE) == []


# ---------------------------------------------------------------------------------------------
# A question's `pattern:` still gets an answer that matches it, without the private parser.

ATOMS = [re.escape(c) for c in "aZ09-_.@ /#+()[]{}|^$*?\\"] + [
    *(r"\d", r"\w", r"\s", r"\D", r"\W", r"\S", ".", r"\x41", r"\u00e9", r"\N{EM DASH}", r"\t"),
    *("[A-Z]", "[^a-z]", "[0-9a-f]", r"[\w.-]", "[]x]", "[^]x]", r"[^@\s]", r"[\]\\-]", "[éè]", "[-a]"),
]
QUANTIFIERS = ["", "", "*", "+", "?", "{2}", "{1,3}", "{,2}", "{2,}", "*?", "+?", "??", "{2,3}?"]


def sequences(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    quantified = st.tuples(inner, st.sampled_from(QUANTIFIERS)).map("".join)
    return st.lists(quantified, min_size=1, max_size=4).map("".join)


def alternations(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(sequences(inner), min_size=1, max_size=3).map("|".join)


PATTERNS = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.tuples(st.sampled_from(["(", "(?:", "(?i:", "(?-i:"]), alternations(inner)).map(
        lambda t: f"{t[0]}{t[1]})"
    ),
    max_leaves=12,
)


@settings(max_examples=400, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(st.sampled_from(["", "^", "(?i)", r"\A"]), alternations(PATTERNS), st.sampled_from(["", "$"]))
)
def test_any_pattern_of_the_syntax_verify_reads_gets_a_matching_answer(parts: tuple[str, str, str]) -> None:
    pattern = "".join(parts)
    assert re.fullmatch(pattern, matching(pattern)), pattern


@pytest.mark.parametrize(
    ("pattern", "answer"),
    [
        (r"^[A-Z]{2}\d{6}$", "AA111111"),
        (r"(HCPC|NMC)-[0-9]{4,8}", "HCPC-1111"),
        (r"(?P<body>[a-z]+)@(?:nhs|gov)\.uk", "a@nhs.uk"),
        (r"(?#a comment)x{}", "x{}"),  # {} is two characters, not a quantifier
        (r"(?!0)\d{3}", "111"),
        (r"a(?<=a)b", "ab"),
        (r"(x)(\1y|ok)", "xok"),  # the branch it can answer
        (r"\0\101", "\x00A"),  # octal
    ],
)
def test_a_pattern_answer_is_short_and_plain(pattern: str, answer: str) -> None:
    assert matching(pattern) == answer


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (r"(a)\1", "back-references"),
        (r"(?P<n>a)(?P=n)", "back-references"),
        (r"(a)?(?(1)b|c)", "conditional groups"),
        (r"[^\s\S]", r"the character class [^\s\S]"),
        (r"(?=\d)[a-z]", "no sample answer found"),
        (r"(?x) a b", "no sample answer found"),
        (r"(", "is not a regular expression"),
    ],
)
def test_a_pattern_verify_cannot_answer_says_what_it_cannot(pattern: str, says: str) -> None:
    with pytest.raises(CannotAnswer, match=re.escape(says)):
        matching(pattern)


# ---------------------------------------------------------------------------------------------
# The factory the CLI passes: the real backend, and applications looked up through its storage.


@pytest.fixture(scope="module")
def open_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The small test region, its jobs campaign open today (the backend judges by the real clock)."""
    today = dt.date.today()
    jobs = JOBS_YAML.replace("opens: 2026-04-01", f"opens: {today - dt.timedelta(days=30)}")
    jobs = jobs.replace("closes: 2026-09-30", f"closes: {today + dt.timedelta(days=300)}")
    root = write_project(
        tmp_path_factory.mktemp("wiring") / "p",
        {"themes/default/templates/base.html": None, JOBS: jobs},
    )
    return build(root, root / "dist", today=today)


def as_posted(form: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """verify's answers as the page's form sends them (a date in three boxes, a ticked box 'yes')."""
    body: dict[str, Any] = {}
    kinds = {f["id"]: f["type"] for f in form["fields"]}
    for fid, value in answers.items():
        if value in (None, False, [], "") or kinds[fid] == "file":
            continue
        if kinds[fid] == "date":
            year, month, day = str(value).split("-")
            body.update({f"{fid}-day": day, f"{fid}-month": month, f"{fid}-year": year})
        else:
            body[fid] = "yes" if value is True else value
    return body


def test_the_cli_backend_serves_the_real_backend_and_finds_what_it_stored(
    open_build: BuildResult, tmp_path: Path
) -> None:
    import httpx

    from generator.verify.server import Server, free_port

    dist, port = open_build.out, free_port()
    local = f"http://127.0.0.1:{port}"
    manifest = json.loads((dist / "_forms" / "manifest.json").read_text(encoding="utf-8"))
    backend = cli.verify_backend(dist, tmp_path, for_local_backend(manifest, local + "/"))
    assert backend.description.startswith("forms_backend, SQLite")
    assert backend.lookup is not None and not backend.missing
    form = next(f for f in manifest["forms"] if f["campaign"] == "jobs")
    answers = valid_answers(form["fields"], "wiring", dt.date.today())
    with Server(backend.app, port), httpx.Client(base_url=local, timeout=30) as client:
        assert client.get("/testshire/jobs/").status_code == 200
        response = client.post(
            form["action"],
            data=as_posted(form, answers),
            headers={"Accept": "application/json", "Origin": local},
        )
        assert response.status_code == 201, response.text
        reference = response.json()["reference"]
    assert backend.lookup("testshire", "jobs", reference)
    assert not backend.lookup("testshire", "come-back", reference)  # not the campaign it was sent to
    assert not backend.lookup("other", "jobs", reference)
    assert not backend.lookup("testshire", "jobs", "TST-NOTSTORED")


def test_verify_serves_the_backend_its_caller_passes(
    open_build: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run() builds its backend with the factory it is given, and serves and reports that one."""
    from generator.verify import runner
    from generator.verify.model import SiteResult, empty_checks

    axe = tmp_path / "axe.min.js"
    axe.write_text("/* not axe: no browser runs here */", encoding="utf-8")
    monkeypatch.setenv("RECRUIT_AXE", str(axe))
    calls: list[tuple[Path, Path, dict[str, Any]]] = []
    made: list[Backend] = []

    def factory(dist: Path, workdir: Path, manifest: dict[str, Any]) -> Backend:
        calls.append((dist, workdir, manifest))
        made.append(static_only(dist, "a test's own backend"))
        made[-1].description = "the test's factory"
        return made[-1]

    served: list[Backend] = []

    def no_browsers(env: runner.Env, sites: list, jobs: int, echo: Any) -> list[SiteResult]:
        served.append(env.backend)
        return [SiteResult(site, empty_checks(site)) for site in sites]

    monkeypatch.setattr(runner, "_in_parallel", no_browsers)
    root, dist = open_build.out.parent, open_build.out
    options = runner.Options(root, dist, tmp_path / "report", backend=factory)
    outcome = runner.run(options, echo=lambda _: None)
    assert len(calls) == 1 and served == made
    given_dist, workdir, manifest = calls[0]
    assert given_dist == dist.resolve() and workdir.name.startswith("recruit-verify-")
    assert manifest["region"]["base_url"].startswith("http://127.0.0.1:")
    assert outcome.backend == "the test's factory"


def test_recruit_verify_passes_the_cli_backend(
    open_build: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.verify

    given: dict[str, Any] = {}

    def fake_run_verify(*args: Any, **kwargs: Any) -> Any:
        given.update(kwargs)
        raise generator.verify.VerifyError("stopped here by the test")

    monkeypatch.setattr(generator.verify, "run_verify", fake_run_verify)
    root = open_build.out.parent
    result = CliRunner().invoke(
        cli.main, ["--project", str(root), "verify", "--no-build", "--today", "2026-11-23"], obj={}
    )
    assert result.exit_code == 1 and "stopped here by the test" in result.output
    assert given["backend"] is cli.verify_backend


def test_verify_given_no_backend_serves_the_static_files_and_says_why_forms_fail(tmp_path: Path) -> None:
    from generator.verify.server import no_backend

    backend = no_backend(tmp_path, tmp_path, {})
    assert backend.description == "static files only"
    assert backend.lookup is None and "no form backend" in backend.missing


MEMO_DECORATORS = {"cache", "lru_cache"}
MUTATORS = {"append", "add", "update", "setdefault", "pop", "popitem", "clear", "extend", "insert", "remove"}
CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
MADE = {"dict", "list", "set", "defaultdict", "OrderedDict"}
# Not a memo: the task forked workers inherit (so the build's objects are not pickled), set just
# before the fork and cleared after it.
FORKED_TASK = ("parallel.py", "global _TASK")


def module_memos(source: str, name: str = "<module>") -> list[str]:
    """What in a module's source keeps state across calls: a memo decorator on a module-level
    function, a `global` statement, or a module-level container that the module changes."""
    tree = ast.parse(source, name)
    found = []
    containers = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (getattr(called, "id", None) or getattr(called, "attr", None)) in MEMO_DECORATORS:
                    found.append(f"{name}:{node.lineno}: {node.name} is memoised at module level")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            value = node.value
            called = getattr(value.func, "id", None) if isinstance(value, ast.Call) else None
            if isinstance(value, CONTAINERS) or called in MADE:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                containers |= {t.id for t in targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"{name}:{node.lineno}: global {', '.join(node.names)}")
        changed = None
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            changed = [t.value for t in targets if isinstance(t, ast.Subscript)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            changed = [node.func.value] if node.func.attr in MUTATORS else None
        for target in changed or []:
            if isinstance(target, ast.Name) and target.id in containers:
                found.append(f"{name}:{node.lineno}: the module-level {target.id} is changed")
    return found


def test_the_memo_check_finds_each_kind_of_module_level_state() -> None:
    source = """
import functools
from functools import lru_cache
SEEN = {}
ORDER: list = []
TABLE = {"kept": "as it is"}
@functools.cache
def one(x): return x
@lru_cache(maxsize=8)
def two(x): return TABLE[x]
def three(x):
    global COUNT
    SEEN[x] = x
    ORDER.append(x)
    return SEEN.get(x)
"""
    assert module_memos(source) == [
        "<module>:8: one is memoised at module level",
        "<module>:10: two is memoised at module level",
        "<module>:12: global COUNT",
        "<module>:13: the module-level SEEN is changed",
        "<module>:14: the module-level ORDER is changed",
    ]


def test_the_generator_keeps_no_memo_at_module_level() -> None:
    """Every memo lives in a BuildCache (generator/cache.py), so two caches share nothing."""
    found = [m for p in modules() for m in module_memos(p.read_text(encoding="utf-8"), p.name)]
    # by module and what was found, not by line, so an edit above it leaves the test as it is
    assert [(m.split(":")[0], m.split(": ", 1)[1]) for m in found] == [FORKED_TASK]
