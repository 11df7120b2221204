"""The regions verify's browser tests verify, and the runs themselves, as plain functions: the
suite starts them in a process of their own as soon as the tests are collected (see
tests/conftest.py), so the browsers work while the other tests run.

- the example region against the real form backend, as CI verifies it before publishing;
- a region built on purpose broken, against the stub backend (its forms post off-host);
- its one correct campaign against a stub that loses applications and the errors' summary,
  and against one that answers 500.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from projects import COUNCIL_YAML, JOBS_YAML, LOGO_SVG, SITE_TOML, write_project
from stub_backend import stub_backend
from support import ROOT, TODAY

from generator.build import BuildResult, build
from generator.verify import Outcome, run_verify


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


def build_broken(folder: Path) -> BuildResult:
    """The broken region, built; then one form loses a label, as a bad edit of dist/ would do."""
    root = write_project(folder, BROKEN_FILES)
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


def quiet(_: str) -> None:
    """verify's progress lines, unwanted in a test."""


def verify_example(dist: Path, report: Path) -> Outcome:
    """The whole example region, against the real backend as `recruit verify` gets it."""
    from generator.cli import verify_backend

    return run_verify(ROOT, dist, report, jobs=2, today=TODAY, backend=verify_backend, echo=quiet)


# The stub backends a run of the broken region may use, by name (a factory is made in the process
# that runs it: it holds a closure, which does not travel between processes).
STUBS = {
    "broken": {},
    "forgetful": {"forget": True, "bare_errors": True},
    "failing": {"fail_with": 500},
}


def verify_broken(dist: Path, report: Path, stub: str) -> Outcome:
    """The broken region (all of it against the plain stub; its one correct campaign otherwise)."""
    only = None if stub == "broken" else "testshire/jobs"
    backend = stub_backend(**STUBS[stub])
    return run_verify(dist.parent, dist, report, only=only, jobs=2, today=TODAY, backend=backend, echo=quiet)
