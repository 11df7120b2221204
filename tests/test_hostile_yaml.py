"""Hostile YAML: alias bombs, values nested or written far too long.

A few hundred bytes of nested aliases stand for millions of values; a pasted list can hold
50,000 items. Each is reported like any other mistake (file, line, column, a hint) within a
second and a few MB, and no message echoes more of a value than fits on a line.
"""

from __future__ import annotations

import gc
import json
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import COMEBACK, COMEBACK_YAML, COUNCIL, COUNCIL_YAML, JOBS, JOBS_YAML, write_project

from generator import loading
from generator.aliases import MAX_ALIAS_CHARS, MAX_ALIAS_VALUES
from generator.cli import main
from generator.loading import load_yaml
from generator.problems import Problem, ProblemsFound
from generator.project import load_project


def problems_in(root: Path, only: str | None = None) -> list[Problem]:
    with pytest.raises(ProblemsFound) as info:
        load_project(root, only)
    return info.value.problems


def listing(root: Path, problems: list[Problem]) -> str:
    return "\n".join(p.format(root.resolve()) for p in problems)


def the_problem(tmp_path: Path, files: dict[str, str | None]) -> Problem:
    """The one and only problem the project has (fails, listing them, if there are more)."""
    root = write_project(tmp_path, files)
    found = problems_in(root)
    assert len(found) == 1, listing(root, found)
    return found[0]


def where(problem: Problem, tmp_path: Path) -> tuple[str, int, str]:
    """(file relative to the project, line, field path): what the user reads first."""
    return problem.file.relative_to(tmp_path.resolve()).as_posix(), problem.line, problem.path


MB = 1024 * 1024

# The issue's bomb: nine levels, each repeating the one below nine times (9**9 strings).
ISSUE_BOMB = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + below] * 9)}]\n"
    for below, name in zip("abcdefgh", "bcdefghi", strict=True)
)


class TooCostly(BaseException):
    """Raised in the middle of whatever runs too long (a BaseException: no `except Exception`
    on the way out catches it)."""


@contextmanager
def cheaply(max_mb: float = 20, max_seconds: float = 2) -> Iterator[None]:
    """Fail, rather than hang or swap, when the block holds more than `max_mb` of memory at once
    or runs longer than `max_seconds` (checked every 20 ms, so a runaway stops early)."""
    started = time.perf_counter()

    def check(_signum: int, _frame: object) -> None:
        peak, spent = tracemalloc.get_traced_memory()[1] / MB, time.perf_counter() - started
        if peak > max_mb or spent > max_seconds:
            signal.setitimer(signal.ITIMER_REAL, 1, 1)  # again only if this one is swallowed
            raise TooCostly(f"stopped after {spent:.1f} s, holding {peak:.0f} MB")

    tracemalloc.start()
    previous = signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
    try:
        yield
    except TooCostly as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    assert peak < max_mb, f"{peak:.1f} MB at the peak"


def replace_value(text: str, key: str, value: str) -> str:
    """`text` (a YAML file) with the top-level `key` given `value` (a block of lines under it)."""
    kept, skipping = [], False
    for line in text.splitlines():
        if line and not line.startswith((" ", "-")):
            skipping = line.startswith(f"{key}:")
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + f"\n{key}:\n" + value


def refuse(text: str) -> None:
    """In place of libyaml: a parse error, so the pure-Python loader reads the file."""
    raise yaml.YAMLError("refused")


def at(text: str, problem: Problem) -> str:
    """The text from the problem's line and column on."""
    return text.splitlines()[problem.line - 1][problem.column - 1 :]


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """Load a valid project once, so the checks below measure loading, not importing."""
    with tempfile.TemporaryDirectory() as folder:
        load_project(write_project(Path(folder)))


# --- alias bombs -------------------------------------------------------------------------------


@st.composite
def bombs(draw: st.DrawFn) -> tuple[str, str]:
    """(anchor name prefix, lines) of a bomb: levels of anchors, each repeating the one below
    `width` times as a list or a mapping, over a short or long string, a list or a mapping."""
    width = draw(st.integers(2, 12))
    leaf = draw(st.sampled_from(["scalar", "long text", "list", "mapping"]))
    prefix = draw(st.sampled_from(["a", "level", "x_"]))
    if leaf == "long text":
        length = draw(st.integers(1_000, 60_000))
        leaf_text, unit, limit = '"' + "y" * length + '"', length, MAX_ALIAS_CHARS
    else:
        leaf_text = {"scalar": "Care", "list": "[one, two, three]", "mapping": "{a: 1, b: two}"}[leaf]
        unit, limit = 1, MAX_ALIAS_VALUES
    # just enough levels for the repeated leaves alone to go over the limit, and maybe two more
    depth, reach = 1, width * unit
    while reach <= limit:
        depth, reach = depth + 1, reach * width
    depth += draw(st.integers(0, 2))
    as_list = draw(st.booleans())
    lines = [f"- &{prefix}0 {leaf_text}" if as_list else f"  {prefix}0: &{prefix}0 {leaf_text}"]
    for level in range(1, depth + 1):
        below = f"*{prefix}{level - 1}"
        if draw(st.booleans()):
            value = "[" + ", ".join([below] * width) + "]"
        else:
            value = "{" + ", ".join(f"k{i}: {below}" for i in range(width)) + "}"
        anchor = f"&{prefix}{level}"
        lines.append(f"- {anchor} {value}" if as_list else f"  {prefix}{level}: {anchor} {value}")
    return prefix, "\n".join("  " + line if as_list else line for line in lines) + "\n"


@given(
    bomb=bombs(),
    parser=st.sampled_from(["libyaml", "pure Python"]),
    where_to=st.sampled_from(
        [(JOBS, JOBS_YAML, key) for key in ("title", "hero", "body", "roles", "sharing", "faq")]
        + [(COUNCIL, COUNCIL_YAML, key) for key in ("name", "brand", "contact", "notifications")]
    ),
)
@settings(derandomize=True, max_examples=40, deadline=None)
def test_an_alias_bomb_anywhere_is_one_problem_at_the_alias_quickly(bomb, parser, where_to):
    prefix, lines = bomb
    name, valid, key = where_to
    text = replace_value(valid, key, lines)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        if parser == "pure Python":
            patch.setattr(loading, "_compose_fast", refuse)
        root = write_project(Path(folder), {name: text})
        with cheaply():
            found = problems_in(root)
        assert len(found) == 1, listing(root, found)
        [problem] = found
        assert where(problem, Path(folder))[0] == name
    assert re.match(rf"\*{prefix}\d+", at(text, problem)), problem  # the alias use, *name
    assert problem.path.startswith(key)
    assert re.search(r"aliases would add [\d,]+ (values|characters of text) to this file", problem.message)
    assert "at most" in problem.message
    assert "write the values out" in problem.hint and "extends:" in problem.hint


@pytest.mark.parametrize("parser", ["libyaml", "pure Python"])
def test_the_issues_bomb_says_how_far_it_would_expand(tmp_path, monkeypatch, parser):
    if parser == "pure Python":  # what a file libyaml rejects is parsed with
        monkeypatch.setattr(loading, "_compose_fast", refuse)
    with cheaply(max_seconds=1):
        problem = the_problem(tmp_path, {JOBS: ISSUE_BOMB})
    assert where(problem, tmp_path)[:2] == (JOBS, 5)  # the first *d that goes over
    assert at(ISSUE_BOMB, problem).startswith("*d")
    assert problem.message == (
        "aliases would add 490,329,036 values to this file (*d here adds 7,381); "
        f"at most {MAX_ALIAS_VALUES:,} may come from aliases"
    )


def test_recruit_validate_answers_the_issues_bomb_within_seconds(tmp_path):
    """The command itself, as the issue ran it, in a process that may not grow past 1 GB."""
    root = write_project(tmp_path, {JOBS: ISSUE_BOMB})
    recruit = Path(sys.executable).parent / "recruit"

    def at_most_a_gigabyte() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024 * MB, 1024 * MB))

    done = subprocess.run(
        [str(recruit), "--project", str(root), "validate"],
        capture_output=True,
        text=True,
        timeout=5,
        preexec_fn=at_most_a_gigabyte,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "campaigns/testshire/jobs.yaml:5:" in output
    assert "Traceback" not in output and "Error" not in output
    assert "1 problem in 1 file; nothing was written." in output


def test_an_alias_to_the_value_that_holds_it_points_at_the_alias(tmp_path):
    text = replace_value(JOBS_YAML, "sharing", "  text: &loop [Care, {more: [*loop]}]\n")
    problem = the_problem(tmp_path, {JOBS: text})
    assert at(text, problem).startswith("*loop")
    assert problem.path == "sharing.text[1].more[0]"
    assert problem.message == "the alias *loop refers to the value that contains it"


def test_a_file_reusing_anchors_a_few_dozen_times_still_validates(tmp_path):
    """Anchors as comms officers use them: one office, one pay scale, one paragraph, many roles."""
    paragraph = "You will help people live well at home, working with families and nurses. " * 8
    first = (
        "  - slug: care-worker-0\n"
        "    title: Care Worker 0\n"
        "    employment_type: &type full-time\n"
        "    hours: &hours 37 hours a week\n"
        "    salary: &pay {min: 24000, max: 26000}\n"
        "    location: &office {name: 'County Hall, Testford', postcode: TE1 1ST}\n"
        f"    description: &about {paragraph}\n"
    )
    others = "".join(
        f"  - slug: care-worker-{i}\n"
        f"    title: Care Worker {i}\n"
        "    employment_type: *type\n"
        "    hours: *hours\n"
        "    salary: *pay\n"
        "    location: *office\n"
        "    description: *about\n"
        for i in range(1, 40)
    )
    text = replace_value(JOBS_YAML, "roles", first + others)
    with cheaply():
        project = load_project(write_project(tmp_path, {JOBS: text}))
    jobs = next(c for c in project.campaigns if c.slug == "jobs")
    assert len(jobs.model.roles) == 40
    assert {role.location.postcode for role in jobs.model.roles} == {"TE1 1ST"}
    assert {role.description for role in jobs.model.roles} == {paragraph.strip()}


def test_an_alias_to_an_impossible_date_is_reported_as_the_date_each_time(tmp_path):
    text = JOBS_YAML.replace("opens: 2026-04-01", "opens: &start 2026-02-30").replace(
        "closes: 2026-09-30", "closes: *start"
    )
    root = write_project(tmp_path, {JOBS: text})
    messages = {p.path: p.message for p in problems_in(root)}
    expected = "2026-02-30 is not a real date (day is out of range for month)"
    assert messages["opens"] == messages["closes"] == expected


def test_loading_keeps_nothing_of_a_file_once_it_is_read(tmp_path):
    """No YAML node outlives its file: a long `recruit serve` session must not grow."""
    root = write_project(tmp_path)
    for _ in range(3):
        doc, _ = load_yaml(root / JOBS)
    gc.collect()
    assert doc is not None
    assert not [o for o in gc.get_objects() if isinstance(o, yaml.Node)]


@pytest.mark.parametrize("depth", [500, 1_100])
def test_values_nested_hundreds_deep_are_one_problem(tmp_path, depth):
    text = "title: " + "[" * depth + "]" * depth + "\n"
    root = write_project(tmp_path, {JOBS: text})
    with cheaply():
        [problem] = problems_in(root)
    assert problem.message == "the values are nested too deeply to read"


# --- values far too long to echo ---------------------------------------------------------------

HUGE = 100_000
LONG_LIST = "[" + ", ".join(["Care"] * 50_000) + "]"


def test_a_50000_item_list_for_hero_is_named_by_its_length(tmp_path):
    problem = the_problem(tmp_path, {JOBS: replace_value(JOBS_YAML, "hero", f"  {LONG_LIST}\n")})
    assert problem.path == "hero"
    assert problem.message == "expected a group of keys indented under this one, got a list of 50,000 items"


def test_a_100000_character_code_is_cut_in_the_message(tmp_path):
    text = COUNCIL_YAML.replace("code: TST", "code: " + "A" * HUGE)
    problem = the_problem(tmp_path, {COUNCIL: text})
    assert problem.path == "code"
    assert problem.message == (
        "expected 2 to 4 capital letters, e.g. WOL, got '" + "A" * 77 + "…' (100,000 characters)"
    )


def test_recruit_validate_prints_no_line_longer_than_300_characters(tmp_path):
    """Every way a message could echo a huge value, in one run."""
    long = "a" * HUGE
    jobs = (
        JOBS_YAML.replace("title: Care jobs in Testshire", f"title: {LONG_LIST}")
        .replace("opens: 2026-04-01", "opens: 2026-02-30 10:00:00." + "0" * HUGE)
        .replace("  headline: Care is a career", f"  ? {long}\n  : 1\n  ? {long}\n  : 2\n  headline: Care")
        .replace("body: We are hiring.", f"body: !{long} We are hiring.")
        .replace("employment_type: full-time", f"employment_type: {long}")
        .replace("min: 24000", "min: " + "1" * HUGE)
        .replace("text: Care jobs in Testshire", f"text: {{{', '.join(f'k{i}: v' for i in range(5_000))}}}")
    )
    council = COUNCIL_YAML.replace("code: TST", "code: " + "A" * HUGE)
    root = write_project(tmp_path, {JOBS: jobs, COUNCIL: council})
    result = CliRunner().invoke(main, ["--project", str(root), "validate"])
    lines = result.output.splitlines()
    assert result.exit_code == 1
    for path in ("title", "opens", "hero.aaaa", "body", "roles[0].employment_type", "roles[0].salary.min"):
        assert f": {path}" in result.output, path
    assert "sharing.text: expected text, got a group of 5,000 keys" in result.output
    assert "code: expected 2 to 4 capital letters" in result.output
    assert max(len(line) for line in lines) <= 300, max(lines, key=len)[:400]


@pytest.mark.parametrize("name", ["b" * 300, "b" * HUGE])
def test_an_image_path_too_long_to_open_or_echo_is_one_short_problem(tmp_path, name):
    """A path longer than the system takes (OSError: File name too long) is a problem too."""
    text = COUNCIL_YAML.replace("logo: assets/logo.svg", f"logo: assets/{name}.svg")
    problem = the_problem(tmp_path, {COUNCIL: text})
    assert problem.path == "brand.logo" and len(problem.message) < 300
    assert problem.message.startswith(("cannot open image 'assets/bbb", "image 'assets/bbb"))


def test_a_shared_campaign_name_too_long_to_echo_is_cut(tmp_path):
    problem = the_problem(tmp_path, {COMEBACK: COMEBACK_YAML.replace("come-back-to-care", "c" * HUGE)})
    assert problem.path == "extends" and len(problem.message) < 300
    assert problem.message.startswith("there is no shared campaign 'ccc")


@pytest.mark.parametrize(
    "address",
    [
        "<hr@testshire.example>",
        "HR <hr@testshire.example>",
        '"hr"@testshire.example',
        "hr\x01@testshire.example",
        "hr@testshire.example,x@evil.example",
        "hr@testshire.example\nBcc: x@evil.example",
    ],
)
def test_a_council_address_that_would_break_a_mail_header_is_a_problem(tmp_path, address):
    """The council's addresses go into To: and Reply-To: as they are: only an address alone passes."""
    text = COUNCIL_YAML.replace("  - hr@testshire.example", f"  - {json.dumps(address)}")
    assert text != COUNCIL_YAML
    problem = the_problem(tmp_path, {COUNCIL: text})
    assert problem.path == "notifications[0]"
    assert problem.message.startswith("expected an email address like recruitment@council.example, got ")
    assert problem.hint == "write the address alone: no name, quotes or angle brackets"
