"""Fixtures for verify's tests: the form backend to verify against, the example region verified, and
a region built on purpose broken, verified.

Verifying the whole example region is most of the suite's time (minutes on two cores): it is done
once a session, and every test that needs it shares the outcome. Tests that need one campaign
verify that one (`only=`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from textwrap import dedent

import pytest
from projects import COUNCIL_YAML, JOBS_YAML, LOGO_SVG, SITE_TOML, write_project
from stub_backend import stub_backend
from support import ROOT, TODAY

from generator.build import BuildResult, build
from generator.cli import verify_backend
from generator.verify import Outcome, run_verify
from generator.verify.server import BackendFactory


def real_backend_exists() -> bool:
    try:
        return importlib.util.find_spec("forms_backend.app") is not None
    except ImportError:
        return False


@pytest.fixture(scope="session")
def backend() -> BackendFactory:
    """The real form backend, as `recruit verify` gets it from the CLI, once forms_backend.app
    exists; else the stub."""
    return verify_backend if real_backend_exists() else stub_backend()


def campaign(slug: str, *, closed: bool = False, body: str = "We are hiring.") -> str:
    text = JOBS_YAML.replace("title: Care jobs in Testshire", f"title: {slug.title()} jobs in Testshire")
    text = text.replace("body: We are hiring.", f"body: {body}")
    if closed:
        text = text.replace("opens: 2026-04-01", "opens: 2026-01-05").replace(
            "closes: 2026-09-30", "closes: 2026-03-31"
        )
    else:
        text = text.replace("closes: 2026-09-30", "closes: 2027-09-30")
    return text


# One council, one campaign per fault, each the way a comms officer or a council's template
# override could really get it wrong; `jobs` is right and must pass.
BROKEN_FILES: dict[str, str | None] = {
    "themes/default/templates/base.html": None,  # the real theme
    # forms post to a backend on its own host (as with GitHub Pages and a Lambda backend)
    "site.toml": SITE_TOML.replace(
        'theme = "default"\n', 'theme = "default"\nbackend_url = "https://forms.testshire.example/api"\n'
    ),
    "campaigns/testshire/come-back.yaml": None,
    "campaigns/testshire/jobs.yaml": campaign("jobs"),
    "campaigns/testshire/labels.yaml": campaign("labels"),
    "campaigns/testshire/alt.yaml": campaign("alt", closed=True),
    "campaigns/testshire/links.yaml": campaign(
        "links", closed=True, body="Read [how we train you](../training/) before you apply."
    ),
    "campaigns/testshire/contrast.yaml": campaign("contrast", closed=True),
    # an override that shows the logo again and forgets its alt text
    "campaigns/testshire/templates/landing-alt.html": dedent(
        """\
        {% extends "!default/landing.html" %}
        {% block content %}<img src="{{ rel(site.logo) }}" width="48" height="48">{{ super() }}{% endblock %}
        """
    ),
    "campaigns/testshire/offhost.yaml": campaign("offhost", closed=True),
    "campaigns/testshire/wide.yaml": campaign("wide", closed=True),
    # an override that pulls a banner from a CDN and styles a line inline (the CSP refuses it)
    "campaigns/testshire/templates/landing-offhost.html": dedent(
        """\
        {% extends "!default/landing.html" %}
        {% block content %}
        <img src="https://cdn.example.com/banner.png" alt="Now hiring" width="48" height="48">
        <p style="font-weight: bold">Open day on 3 March</p>{{ super() }}{% endblock %}
        """
    ),
    # an override with a table too wide for a phone
    "campaigns/testshire/templates/landing-wide.html": dedent(
        """\
        {% extends "!default/landing.html" %}
        {% block content %}<table><caption>Pay bands</caption><tr>{% for n in range(12) -%}
        <th scope="col">Band&nbsp;{{ n }}&nbsp;salary&nbsp;range</th>{%- endfor %}</tr></table>
        {{ super() }}{% endblock %}
        """
    ),
    # an override that writes its own JSON-LD for an open day, a comment opener in it: Chromium
    # takes the rest of the page for script (Python's parser, stopping at </script>, does not)
    "campaigns/testshire/cut.yaml": campaign("cut", closed=True),
    "campaigns/testshire/templates/landing-cut.html": dedent(
        """\
        {% extends "!default/landing.html" %}
        {% block head %}{{ super() }}<script type="application/ld+json">
        {"@type": "Event", "name": "Open day <!--<script> on 3 March"}
        </script>{% endblock %}
        """
    ),
    # a second council, whose stylesheet will lose the focus styles of its inputs (below)
    "campaigns/plainshire/council.yaml": COUNCIL_YAML.replace("Testshire", "Plainshire")
    .replace("testshire", "plainshire")
    .replace("code: TST", "code: PLN"),
    "campaigns/plainshire/assets/logo.svg": LOGO_SVG,
    "campaigns/plainshire/jobs.yaml": campaign("jobs"),
    # an override that puts grey text on the council's dark green header
    "campaigns/testshire/templates/landing-contrast.html": dedent(
        """\
        {% extends "!default/landing.html" %}
        {% block header_extra %}<p class="rc-secondary-text">Now hiring</p>{% endblock %}
        """
    ),
}


@pytest.fixture(scope="session")
def broken_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The broken region, built; then one form loses a label, as a bad edit of dist/ would do."""
    root = write_project(tmp_path_factory.mktemp("broken"), BROKEN_FILES)
    result = build(root, today=TODAY)
    apply_page = result.out / "testshire" / "labels" / "apply" / "index.html"
    html = apply_page.read_text(encoding="utf-8")
    label = '<label class="rc-label" for="full_name">Full name</label>'
    assert label in html
    apply_page.write_text(html.replace(label, ""), encoding="utf-8")
    # and a council's stylesheet is "tidied" of the yellow outline on its text boxes
    (stylesheet,) = (result.out / "plainshire" / "_static").glob("site.*.css")
    stylesheet.write_text(
        stylesheet.read_text(encoding="utf-8")
        + ".rc-input:focus, .rc-input:focus-visible, .rc-textarea:focus, .rc-textarea:focus-visible,"
        " .rc-select:focus, .rc-select:focus-visible { outline: none; box-shadow: none; }\n",
        encoding="utf-8",
    )
    return result


@pytest.fixture(scope="session")
def broken_root(broken_build: BuildResult) -> Path:
    return broken_build.out.parent


@pytest.fixture(scope="session")
def example(dist: Path, backend: BackendFactory, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The whole example region verified once a session, as CI verifies it before publishing."""
    report = tmp_path_factory.mktemp("report")
    return run_verify(ROOT, dist, report, jobs=2, today=TODAY, backend=backend, echo=lambda _: None)


@pytest.fixture(scope="session")
def broken(broken_build: BuildResult, broken_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The broken region verified once a session, against the stub backend (its forms post off-host)."""
    report = tmp_path_factory.mktemp("broken-report")
    quiet = {"jobs": 2, "today": TODAY, "echo": lambda _: None}
    return run_verify(broken_root, broken_build.out, report, backend=stub_backend(), **quiet)
