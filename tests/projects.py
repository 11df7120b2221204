"""Small recruitment projects written inline into a temporary folder.

Each test starts from VALID_FILES, a tiny project that validates cleanly, and replaces or adds
the one file it is about (``None`` as a value leaves a default file out), often as an edit of
the default::

    root = write_project(tmp_path, {JOBS: edit(JOBS_YAML, ("min: 24000", "min: £24,000"))})
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<rect width="10" height="10" fill="#1d4f91"/></svg>\n'
)

SITE_TOML = dedent(
    """\
    name = "Testshire Care Careers"
    organisation = "Testshire Employers"
    base_url = "https://careers.testshire.example/"
    theme = "default"
    contact_email = "careers@testshire.example"

    [brand]
    primary = "#1d4f91"
    text = "#ffffff"
    """
)

COUNCIL_YAML = dedent(
    """\
    name: Testshire County Council
    short_name: Testshire
    code: TST
    website: https://www.testshire.example
    brand:
      primary: "#00573f"
      secondary: "#00573f"
      logo: assets/logo.svg
      logo_alt: Testshire County Council
    contact:
      email: jobs@testshire.example
      phone: "01234 567890"
    data_controller:
      name: Testshire County Council
      address: County Hall, Testford TE1 1ST
      dpo_email: dpo@testshire.example
    notifications:
      - hr@testshire.example
    """
)

JOBS_YAML = dedent(
    """\
    title: Care jobs in Testshire
    audience: People who want to work in care.
    opens: 2026-04-01
    closes: 2026-09-30
    hero:
      headline: Care is a career
      intro: Join our adult social care teams.
    body: We are hiring.
    roles:
      - slug: care-worker
        title: Care Worker
        employment_type: full-time
        hours: 37 hours a week
        salary:
          min: 24000
          max: 26000
        location:
          name: County Hall, Testford
          postcode: TE1 1ST
        description: Help people live well at home.
    sharing:
      text: Care jobs in Testshire
    """
)

SHARED_YAML = dedent(
    """\
    title: Come back to care
    audience: People who used to work in care.
    opens: 2026-04-01
    closes: 2027-03-31
    hero:
      headline: Your skills are needed again
      intro: Councils would love to welcome you back.
      image:
        src: assets/hero.svg
        alt: A carer and an older man, smiling
    body: Come back to care.
    sharing:
      text: Come back to care
    """
)

COMEBACK_YAML = dedent(
    """\
    extends: come-back-to-care
    title: Come back to care in Testshire
    """
)

VALID_FILES: dict[str, str] = {
    "site.toml": SITE_TOML,
    "themes/default/templates/base.html": "<!doctype html>\n",
    "campaigns/testshire/council.yaml": COUNCIL_YAML,
    "campaigns/testshire/assets/logo.svg": LOGO_SVG,
    "campaigns/testshire/jobs.yaml": JOBS_YAML,
    "campaigns/testshire/come-back.yaml": COMEBACK_YAML,
    "campaigns/_shared/come-back-to-care.yaml": SHARED_YAML,
    "campaigns/_shared/assets/hero.svg": LOGO_SVG,
}

COUNCIL = "campaigns/testshire/council.yaml"
JOBS = "campaigns/testshire/jobs.yaml"
COMEBACK = "campaigns/testshire/come-back.yaml"
SHARED = "campaigns/_shared/come-back-to-care.yaml"


def edit(text: str, *changes: tuple[str, str]) -> str:
    """`text` with each (old, new) change made; each old must be there, once, so no edit is lost."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} is in the text {text.count(old)} times, not once"
        text = text.replace(old, new)
    return text


def after(line: str, *added: str) -> tuple[str, str]:
    """A change for edit(): the lines (or blocks of lines) `added` right after `line`."""
    return line + "\n", "".join(x if x.endswith("\n") else x + "\n" for x in (line, *added))


def write_project(root: Path, files: dict[str, str | None] | None = None) -> Path:
    """Write VALID_FILES overridden by `files` under `root`; a None value leaves a file out."""
    merged: dict[str, str | None] = {**VALID_FILES, **(files or {})}
    for name, text in merged.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
