"""The validation layer: every mistake a comms officer can make, and what they are told.

Each case writes the small valid project (tests/projects.py) with one or two of its files
changed, and names the problems that must come of it as `recruit validate` prints them:
file:line:column, the field path, the message and the hint. One row of a table is one case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent, indent

import pytest
from click.testing import CliRunner
from projects import (
    COMEBACK,
    COUNCIL,
    COUNCIL_YAML,
    JOBS,
    LOGO_SVG,
    SHARED,
    SHARED_YAML,
    SITE_TOML,
    after,
    edit,
    write_project,
)

from generator.cli import main
from generator.problems import Problem, ProblemsFound
from generator.project import load_project

# --- what a case expects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """A message or hint that must start with, end with or hold these words, not be them exactly."""

    starts: str = ""
    ends: str = ""
    has: tuple[str, ...] = ()

    def __eq__(self, text: object) -> bool:
        return (
            isinstance(text, str)
            and (not self.starts or text.startswith(self.starts))
            and (not self.ends or text.endswith(self.ends))
            and all(words in text for words in self.has)
        )


def starts(prefix: str, *has: str, ends: str = "") -> Words:
    return Words(prefix, ends, has)


def has(*words: str, ends: str = "") -> Words:
    return Words("", ends, words)


@dataclass(frozen=True)
class Expect:
    """One problem as `recruit validate` prints it; a message or hint left None is not checked."""

    file: str
    line: int
    column: int
    path: str
    message: str | Words | None = None
    hint: str | Words | None = None


def told(problem: Problem, root: Path, like: Expect) -> Expect:
    """`problem` in the terms of `like`: what `like` leaves unchecked is left out."""
    return Expect(
        problem.file.relative_to(root).as_posix(),
        problem.line,
        problem.column,
        problem.path,
        problem.message if like.message is not None else None,
        problem.hint if like.hint is not None else None,
    )


def case(name: str, files: dict[str, str | None], *expected: Expect):  # noqa: ANN201 - pytest.param
    return pytest.param(files, list(expected), id=name)


def check(tmp_path: Path, files: dict[str, str | None], expected: list[Expect]) -> None:
    """The project written with `files` has the expected problems and no other, in that order."""
    root = write_project(tmp_path, files).resolve()
    with pytest.raises(ProblemsFound) as info:
        load_project(root)
    found = info.value.problems  # sorted by file, line and column
    listing = "\n".join(p.format(root) for p in found)
    assert len(found) == len(expected), listing
    assert [told(p, root, e) for p, e in zip(found, expected, strict=True)] == expected, listing


# --- the files the cases start from --------------------------------------------------------------

# The smallest campaign: the keys one needs and no other, on lines 1 to 10.
CAMPAIGN = dedent(
    """\
    title: Care jobs
    audience: Carers
    opens: 2026-04-01
    closes: 2026-09-30
    hero:
      headline: Care is a career
      intro: Join us.
    body: We are hiring.
    sharing:
      text: Care jobs
    """
)
ROLE = """\
  - slug: care-worker
    title: Care Worker
    employment_type: full-time
    hours: 37 hours a week
    salary:
      min: 24000
    location:
      name: County Hall, Testford
      postcode: TE1 1ST
    description: Help people live well at home.
"""
BRIEF_ROLE = """\
  - slug: care-worker
    title: Care Worker
    employment_type: full-time
    hours: 37 hours a week
    salary: {min: 24000}
    location: {name: County Hall, postcode: TE1 1ST}
    description: Help people live well at home.
"""


def with_roles(*roles: str) -> str:
    """CAMPAIGN with `roles:` after its body, on line 9: the first role's slug is on line 10."""
    return edit(CAMPAIGN, after("body: We are hiring.", "roles:", *roles))


ONE_ROLE = with_roles(ROLE)  # its employment_type on line 12, salary.min on line 15


def with_form(fields: str) -> str:
    """CAMPAIGN with a form at its end: the first field is on line 13."""
    return CAMPAIGN + "form:\n  fields:\n" + indent(fields, "    ")


HERO = "hero:\n  headline: Care is a career\n  intro: Join us.\n"


def with_hero_image(image: str) -> str:
    """CAMPAIGN with its hero last, and `image` (YAML under hero:) from line 11."""
    return edit(CAMPAIGN, (HERO, "")) + HERO + indent(image, "  ")


# A council's brand: in COUNCIL_YAML from line 5; last, from line 14, in BRAND_LAST.
BRAND = 'brand:\n  primary: "#00573f"\n  secondary: "#00573f"\n  logo: assets/logo.svg\n'
BRAND += "  logo_alt: Testshire County Council\n"
BRAND_LAST = edit(COUNCIL_YAML, (BRAND, "")) + BRAND
PALE_SECONDARY = edit(COUNCIL_YAML, ('secondary: "#00573f"', 'secondary: "#99cc99"'))

# The shared campaign without its image, `body` misspelt on line 8.
SHARED_IMAGE = "  image:\n    src: assets/hero.svg\n    alt: A carer and an older man, smiling\n"
SHARED_WITH_A_TYPO = edit(SHARED_YAML, (SHARED_IMAGE, ""), ("body:", "bdy:"))

# The council's come-back campaign, its own hero (from line 4) to follow.
COMEBACK_HERO = "extends: come-back-to-care\ntitle: Come back to care in Testshire\nhero:\n"

# site.toml: [brand] on line 7, its primary colour the last line.
SITE = edit(SITE_TOML, ('text = "#ffffff"\n', ""))
PALE_REGION = edit(SITE, ('primary = "#1d4f91"', 'primary = "#ffbf47"'))

WESTSHIRE = {
    "campaigns/westshire/council.yaml": COUNCIL_YAML.replace("Testshire", "Westshire"),
    "campaigns/westshire/assets/logo.svg": LOGO_SVG,
}
OTHERTON_COMES_BACK = {
    "campaigns/otherton/council.yaml": COUNCIL_YAML.replace("TST", "OTH"),
    "campaigns/otherton/assets/logo.svg": LOGO_SVG,
    "campaigns/otherton/come-back.yaml": "extends: come-back-to-care\n",
}
SITE_FILE = "site.toml"
WESTSHIRE_COUNCIL = "campaigns/westshire/council.yaml"

NO_POUNDS = "write numbers without £ or commas, e.g. 32000 or 12.71"
CONTRAST = "below the WCAG AA minimum of 4.5:1"
INDENTATION = "check the indentation of this line and the one above it"
MISSING_IMAGE = "image 'assets/{}' does not exist"

# --- one mistake, one problem --------------------------------------------------------------------

# fmt: off
ONE_MISTAKE = [
    case("leaving out council.yaml (the helper really leaves a file out)", {COUNCIL: None},
         Expect(COUNCIL, 1, 1, "", has("testshire/ has no council.yaml"))),
    # unknown keys
    case("a misspelt top-level key suggests the right one, once (not also 'title' is required)",
         {JOBS: edit(CAMPAIGN, ("title:", "titel:"))},
         Expect(JOBS, 1, 1, "titel", "unknown key 'titel'; did you mean 'title'?", "rename it to 'title'")),
    case("a misspelt key under hero", {JOBS: edit(CAMPAIGN, ("headline:", "hedline:"))},
         Expect(JOBS, 6, 3, "hero.hedline", has("did you mean 'headline'?"))),
    case("an unknown key with no close match lists the allowed keys",
         {JOBS: edit(CAMPAIGN, after("  intro: Join us.", "  background: green"))},
         Expect(JOBS, 8, 3, "hero.background", "unknown key 'background'",
                "allowed here: headline, image, intro")),
    case("an unknown key deep inside the second role",
         {JOBS: with_roles(BRIEF_ROLE, "  - slug: nurse\n    title: Nurse\n    employment_type: part-time\n"
                           "    hours: 20 hours a week\n    salary:\n      min: 30000\n      perod: year\n"
                           "    location: {name: County Hall, postcode: TE1 1ST}\n"
                           "    description: Nursing.\n")},
         Expect(JOBS, 23, 7, "roles[1].salary.perod", has("did you mean 'period'?"))),
    # wrong types
    case("a salary with a pound sign", {JOBS: edit(ONE_ROLE, ("min: 24000", 'min: "£32,000"'))},
         Expect(JOBS, 15, 12, "roles[0].salary.min", "expected a number, got '£32,000'", NO_POUNDS)),
    case("a salary with commas", {JOBS: edit(ONE_ROLE, ("min: 24000", "min: 32,000"))},
         Expect(JOBS, 15, 12, "roles[0].salary.min", "expected a number, got '32,000'", NO_POUNDS)),
    case("an employment type typo lists the choices and guesses",
         {JOBS: edit(ONE_ROLE, ("full-time", "fulltime"))},
         Expect(JOBS, 12, 22, "roles[0].employment_type",
                starts("expected one of full-time, part-time, temporary", ends="got 'fulltime'"),
                "did you mean 'full-time'?")),
    case("true where text is expected gets the quotes hint, saying why",
         {JOBS: edit(CAMPAIGN, after("body: We are hiring.", "faq:", "  - question: Can I work part time?",
                                     "    answer: true"))},
         Expect(JOBS, 11, 13, "faq[0].answer", "expected text, got True",
                has("true", ends="put the value in quotes"))),
    # missing required fields
    case("a campaign without a title", {JOBS: edit(CAMPAIGN, ("title: Care jobs\n", ""))},
         Expect(JOBS, 1, 1, "title", "'title' is required at the top level", "add `title:`")),
    case("a council without logo_alt points at brand, and says what to write",
         {COUNCIL: edit(COUNCIL_YAML, ("  logo_alt: Testshire County Council\n", ""))},
         Expect(COUNCIL, 5, 1, "brand.logo_alt", "'logo_alt' is required under 'brand'",
                starts("add `logo_alt:`", "screen readers"))),
    # dates
    case("closes before opens", {JOBS: edit(CAMPAIGN, ("closes: 2026-09-30", "closes: 2026-03-01"))},
         Expect(JOBS, 4, 9, "closes", "closes (2026-03-01) is before opens (2026-04-01)")),
    case("a date written day first", {JOBS: edit(CAMPAIGN, ("closes: 2026-09-30", "closes: 31/03/2026"))},
         Expect(JOBS, 4, 9, "closes", "expected a date written YYYY-MM-DD, got '31/03/2026'",
                "e.g. 2026-03-31")),
    case("a date that does not exist is a problem, not a crash",
         {JOBS: edit(CAMPAIGN, ("opens: 2026-04-01", "opens: 2026-02-30"))},
         Expect(JOBS, 3, 8, "opens", starts("2026-02-30 is not a real date"),
                has("check the day and the month"))),
    case("a role closing after the campaign closes", {JOBS: with_roles(BRIEF_ROLE, "    closes: 2026-12-31")},
         Expect(JOBS, 17, 13, "roles[0].closes",
                "the role closes (2026-12-31) after the campaign closes (2026-09-30)",
                has("closing date earlier"))),
    # duplicates and form fields
    case("a duplicate role slug points at the second role", {JOBS: with_roles(BRIEF_ROLE, BRIEF_ROLE)},
         Expect(JOBS, 17, 11, "roles[1].slug", "role slug 'care-worker' is used twice (also roles[0])",
                has("URL"))),
    case("a duplicate form field id",
         {JOBS: with_form("- id: dbs_number\n  type: text\n  label: Your DBS certificate number\n"
                          "- id: dbs_number\n  type: date\n  label: When was it issued?\n")},
         Expect(JOBS, 16, 11, "form.fields[1].id", "field id 'dbs_number' is used twice",
                "give each question its own id")),
    case("a form field id clashing with a standard field",
         {JOBS: with_form("- id: dbs_number\n  type: text\n  label: Your DBS certificate number\n"
                          "- id: email\n  type: email\n  label: Your work email\n")},
         Expect(JOBS, 16, 11, "form.fields[1].id",
                has("'email' is a standard field every form already has"))),
    case("a select without options, at the first line of its list item",
         {JOBS: with_form("- id: shift\n  type: select\n  label: Which shift would you like?\n")},
         Expect(JOBS, 13, 7, "form.fields[0]", "a select field needs `options:` (a list of choices)")),
    # extends and shared campaigns
    case("extends a shared campaign that does not exist",
         {COMEBACK: "title: Come back to care in Testshire\nextends: come-back-to-cair\n"},
         Expect(COMEBACK, 2, 10, "extends", "there is no shared campaign 'come-back-to-cair'",
                "did you mean 'come-back-to-care'?")),
    case("extends with nothing like it lists the shared campaigns", {COMEBACK: "extends: winter-pressures\n"},
         Expect(COMEBACK, 1, 10, "extends", hint="shared campaigns: come-back-to-care")),
    case("extends that is not a name is reported once",
         {COMEBACK: "extends: [come-back-to-care]\ntitle: Come back\n"},
         Expect(COMEBACK, 1, 10, "extends", "extends names one shared campaign")),
    case("a mistake in a shared campaign two councils extend is reported once, in the shared file",
         {SHARED: SHARED_WITH_A_TYPO, **OTHERTON_COMES_BACK},
         Expect(SHARED, 8, 1, "bdy", has("did you mean 'body'?"))),
    case("a shared campaign may leave required fields to the councils (needed where both lack it)",
         {SHARED: "audience: People who used to work in care.\nopens: 2026-04-01\ncloses: 2027-03-31\n"
                  "body: Come back to care.\n",
          COMEBACK: COMEBACK_HERO + "  headline: Your skills are needed again\n"
                    "  intro: We would love to welcome you back.\n"},
         Expect(COMEBACK, 1, 1, "sharing", "'sharing' is required at the top level")),
    case("a wrong value merged from the shared file points at the shared file, and looks beside it",
         {SHARED: edit(SHARED_YAML, ("src: assets/hero.svg", "src: assets/hreo.svg"))},
         Expect(SHARED, 9, 10, "hero.image.src",
                starts(MISSING_IMAGE.format("hreo.svg"), "campaigns/_shared/assets"),
                "did you mean 'hero.svg'?")),
    case("a wrong value overridden in the council file points at the council file",
         {COMEBACK: COMEBACK_HERO + "  image:\n    src: assets/team.jpg\n    alt: Our home care team\n"},
         Expect(COMEBACK, 5, 10, "hero.image.src",
                starts(MISSING_IMAGE.format("team.jpg"), "campaigns/testshire/assets"))),
    case("a wrong type overridden in the council file points at the council file",
         {COMEBACK: COMEBACK_HERO + "  intro: false\n"},
         Expect(COMEBACK, 4, 10, "hero.intro", "expected text, got False")),
    case("a new image src without alt is reported, not given the shared alt",
         {COMEBACK: COMEBACK_HERO + "  image:\n    src: assets/logo.svg\n"},
         Expect(COMEBACK, 4, 3, "hero.image.alt", "'alt' is required under 'hero.image'",
                has("replaces the shared campaign's as a whole: give its src and alt"))),
    # images
    case("a hero image that does not exist",
         {JOBS: with_hero_image("image:\n  src: assets/photo.jpg\n  alt: A carer and an older man, smiling\n"
                                )},
         Expect(JOBS, 12, 10, "hero.image.src", starts(MISSING_IMAGE.format("photo.jpg")),
                "put the file there, or correct the path")),
    case("an image without alt", {JOBS: with_hero_image("image:\n  src: assets/logo.svg\n")},
         Expect(JOBS, 11, 3, "hero.image.alt", "'alt' is required under 'hero.image'",
                has("screen readers"))),
    case("an image given as a bare string", {JOBS: with_hero_image("image: assets/logo.svg\n")},
         Expect(JOBS, 11, 10, "hero.image", "an image needs a src and alt text",
                starts("write it as image: {src: "))),
    case("a council logo that does not exist",
         {"campaigns/testshire/assets/logo.svg": None,
          "campaigns/testshire/assets/logo.png": "not really a png"},
         Expect(COUNCIL, 8, 9, "brand.logo", starts(MISSING_IMAGE.format("logo.svg")),
                "did you mean 'logo.png'?")),
    # brand colours: at the line of `brand:`, not of a colour that is fine
    case("a secondary colour too pale on white",
         {COUNCIL: edit(BRAND_LAST, ('secondary: "#00573f"', 'secondary: "#99cc99"'))},
         Expect(COUNCIL, 14, 1, "brand", f"secondary #99cc99 against white has contrast 1.83:1, {CONTRAST}",
                has("darker colours", "webaim.org"))),
    case("a primary colour against its text colour",
         {COUNCIL: edit(BRAND_LAST, ('primary: "#00573f"', 'primary: "#4c9be8"'),
                        after('  secondary: "#00573f"', '  text: "#ffffff"'))},
         Expect(COUNCIL, 14, 1, "brand",
                Words("primary #4c9be8 against text colour #ffffff has contrast ", CONTRAST))),
    case("an unquoted colour is a YAML comment",
         {COUNCIL: edit(BRAND_LAST, ('primary: "#00573f"', "primary: #00573f"))},
         Expect(COUNCIL, 15, 11, "brand.primary", "is empty",
                starts("a bare # starts a YAML comment: put the value in quotes"))),
    case("the region's primary too pale under white text, and so for links on white (one pair)",
         {SITE_FILE: PALE_REGION},
         Expect(SITE_FILE, 7, 1, "brand",
                f"primary #ffbf47 against text colour #ffffff has contrast 1.64:1, {CONTRAST}",
                has("contrastchecker"))),
    case("the region's primary readable under its text but not on white",
         {SITE_FILE: PALE_REGION + 'text = "#0b0c0c"\n'},
         Expect(SITE_FILE, 7, 1, "brand", f"primary #ffbf47 against white has contrast 1.64:1, {CONTRAST}")),
    # YAML syntax
    case("a key indented too far: an indentation mistake, not a value that needs quotes",
         {JOBS: edit(CAMPAIGN, ("  intro:", "   intro:"))},
         Expect(JOBS, 7, 9, "", starts("invalid YAML:"),
                starts(INDENTATION, "'headline: Care is a career'"))),
    case("a key indented too little: the hint quotes the line above, to compare with",
         {JOBS: edit(ONE_ROLE, ("    hours:", "   hours:"))},
         Expect(JOBS, 13, 4, "", starts("invalid YAML:"),
                has("check the indentation", "'employment_type: full-time'"))),
    case("an unclosed bracket points at the bracket", {JOBS: edit(CAMPAIGN, ("body: We", "body: [We"))},
         Expect(JOBS, 8, 7, "", starts("invalid YAML: the '[' here is not closed (line 9:"),
                has("close it"))),
    case("an unclosed quote points at the quote",
         {JOBS: edit(CAMPAIGN, ("title: Care jobs", 'title: "Care jobs'))},
         Expect(JOBS, 1, 8, "", has("the quote here is not closed"),
                "add the closing quote at the end of the value")),
    case("a value with colon space needs quotes",
         {JOBS: edit(CAMPAIGN, ("title: Care jobs", "title: Care: a career for you"))},
         Expect(JOBS, 1, 12, "", "invalid YAML: mapping values are not allowed here",
                starts("a value containing ': ' must be in quotes"))),
    case("a tab used for indentation", {JOBS: edit(CAMPAIGN, ("  intro: Join us.", "\tintro: Join us."))},
         Expect(JOBS, 7, 1, "", "a tab is used for indentation", has("replace the tab with spaces"))),
    case("a key given twice", {JOBS: CAMPAIGN + "title: Care jobs, again\n"},
         Expect(JOBS, 11, 1, "title", "'title' is given twice (first on line 1)",
                has("silently use the last"))),
    case("a control character pasted into the text",
         {JOBS: edit(CAMPAIGN, ("We are hiring.", "We are\x0b hiring."))},
         Expect(JOBS, 8, 13, "", has("control character (#x000b)"))),
    case("a value starting with an exclamation mark",
         {JOBS: edit(CAMPAIGN, ("body: We are hiring.", "body: !Important we are hiring"))},
         Expect(JOBS, 8, 7, "body", "unknown YAML tag '!Important'", has("must be in quotes"))),
    # site.toml
    case("a site.toml syntax error",
         {SITE_FILE: edit(SITE, ('organisation = "Testshire Employers"',
                                 "organisation = Testshire Employers"))},
         Expect(SITE_FILE, 2, 16, "", starts("invalid TOML:"),
                'text values need quotes, e.g. name = "West Midlands"')),
    case("an unknown key in site.toml",
         {SITE_FILE: edit(SITE, after('contact_email = "careers@testshire.example"', "retention = 30"))},
         Expect(SITE_FILE, 6, 1, "retention", "unknown key 'retention'; did you mean 'retention_days'?")),
    case("an unknown key in a table of site.toml", {SITE_FILE: SITE + 'txt = "#ffffff"\n'},
         Expect(SITE_FILE, 9, 1, "brand.txt", has("did you mean 'text'?"))),
    case("a key missing from site.toml is hinted in TOML",
         {SITE_FILE: edit(SITE, ('organisation = "Testshire Employers"\n', ""))},
         Expect(SITE_FILE, 1, 1, "organisation", hint=starts("add `organisation = ...`"))),
    case("site.toml names a theme that does not exist",
         {SITE_FILE: edit(SITE, ('theme = "default"', 'theme = "defualt"'))},
         Expect(SITE_FILE, 4, 9, "theme", "there is no theme 'defualt' under themes/",
                "did you mean 'default'?")),
    # across councils, and folders
    case("two councils with the same code: read in name order, the second is the duplicate", WESTSHIRE,
         Expect(WESTSHIRE_COUNCIL, 3, 7, "code", "code 'TST' is also used by testshire",
                has("its own code"))),
    case("a folder named council.yaml is reported, not a crash",
         {COUNCIL: None, f"{COUNCIL}/notes.txt": "x\n"},
         Expect(COUNCIL, 1, 1, "", "'council.yaml' is a folder, but a name ending .yaml is for a file")),
]
# fmt: on


@pytest.mark.parametrize(("files", "expected"), ONE_MISTAKE)
def test_one_mistake_is_one_problem_saying_where_it_is_and_how_to_fix_it(
    tmp_path: Path, files: dict[str, str | None], expected: list[Expect]
) -> None:
    check(tmp_path, files, expected)


# --- many mistakes, every one reported in one run ------------------------------------------------

# In one campaign file: a loader problem (a duplicate key, an impossible date), a misspelt key and
# wrong values do not hide the semantic checks (dates, duplicate slugs and ids, images, fields);
# the impossible date is reported once, not again as "expected a date".
CAMPAIGN_OF_MISTAKES = dedent(
    """\
    titel: Care jobs
    audience: Carers
    audience: People who want to work in care.
    opens: 2026-04-01
    closes: 2026-09-31
    hero:
      headline: Care is a career
      intro: Join us.
      image:
        src: assets/photo.jpg
    body: We are hiring.
    roles:
      - slug: care-worker
        title: Care Worker
        employment_type: fulltime
        hours: 37 hours a week
        salary:
          min: 24000
        location:
          name: County Hall, Testford
          postcode: TE1 1ST
        description: Help people live well at home.
        closes: 2026-03-01
      - slug: care-worker
        title: Senior Care Worker
        employment_type: full-time
        hours: 37 hours a week
        salary:
          min: 26000
        location:
          name: County Hall, Testford
          postcode: TE1 1ST
        description: Lead a team.
    form:
      fields:
        - id: shift
          type: select
          label: Which shift suits you?
          hint: [mornings]
        - id: shift
          type: text
          label: Anything else?
    sharing:
      text: Care jobs
    """
)
# In one council file: the misspelt `primery` is still checked as the primary colour it means,
# and the broken brand does not stop its logo being looked for.
COUNCIL_OF_MISTAKES = edit(
    COUNCIL_YAML,
    ("short_name: Testshire\n", "shortname: Testshire\n"),
    ("code: TST\n", "code: TST\ncode: TSC\n"),
    ('  primary: "#00573f"\n  secondary: "#00573f"\n', '  primery: "#ffff00"\n  secondary: "#99cc99"\n'),
    ("logo.svg", "logo.png"),
    ("email: jobs@testshire.example", "email: jobs@testshire"),
)
# Checked on its own: what the shared campaign would fill in (audience, hero.headline, ...) is not
# asked for, but a role (lists replace whole) still needs all its keys.
BAD_EXTENDS = dedent(
    """\
    extends: come-back-to-kare
    titel: Come back to care in Testshire
    hero:
      intro: We would love to welcome you back.
    roles:
      - slug: social-worker
        title: Social Worker
    """
)
ROLE_KEYS = ("description", "employment_type", "hours", "location", "salary")

# fmt: off
MANY_MISTAKES = [
    case("every mistake in every file",
         {COUNCIL: PALE_SECONDARY,
          JOBS: edit(ONE_ROLE, ("min: 24000", 'min: "£24,000"'), ("full-time", "fulltime"))},
         Expect(COUNCIL, 5, 1, "brand"),
         Expect(JOBS, 12, 22, "roles[0].employment_type"),
         Expect(JOBS, 15, 12, "roles[0].salary.min")),
    case("a broken council file does not hide its campaigns' problems",
         {COUNCIL: PALE_SECONDARY,
          JOBS: edit(ONE_ROLE, after("      postcode: TE1 1ST", "    closes: 2026-12-31"))},
         Expect(COUNCIL, 5, 1, "brand"),
         Expect(JOBS, 19, 13, "roles[0].closes")),
    case("every independent mistake in one campaign file", {JOBS: CAMPAIGN_OF_MISTAKES},
         Expect(JOBS, 1, 1, "titel", "unknown key 'titel'; did you mean 'title'?"),
         Expect(JOBS, 3, 1, "audience", "'audience' is given twice (first on line 2)"),
         Expect(JOBS, 5, 9, "closes", "2026-09-31 is not a real date (day is out of range for month)"),
         Expect(JOBS, 9, 3, "hero.image.alt", "'alt' is required under 'hero.image'"),
         Expect(JOBS, 10, 10, "hero.image.src",
                "image 'assets/photo.jpg' does not exist (looked in campaigns/testshire/assets/)"),
         Expect(JOBS, 15, 22, "roles[0].employment_type",
                "expected one of full-time, part-time, temporary, contract, intern, volunteer, per-diem, "
                "other; got 'fulltime'"),
         Expect(JOBS, 23, 13, "roles[0].closes",
                "the role closes (2026-03-01) before the campaign opens (2026-04-01)"),
         Expect(JOBS, 24, 11, "roles[1].slug", "role slug 'care-worker' is used twice (also roles[0])"),
         Expect(JOBS, 36, 7, "form.fields[0]", "a select field needs `options:` (a list of choices)"),
         Expect(JOBS, 39, 13, "form.fields[0].hint", "expected text, got ['mornings']"),
         Expect(JOBS, 40, 11, "form.fields[1].id", "field id 'shift' is used twice")),
    case("every independent mistake in one council file", {COUNCIL: COUNCIL_OF_MISTAKES},
         Expect(COUNCIL, 2, 1, "shortname", "unknown key 'shortname'; did you mean 'short_name'?"),
         Expect(COUNCIL, 4, 1, "code", "'code' is given twice (first on line 3)"),
         Expect(COUNCIL, 6, 1, "brand",
                f"primary #ffff00 against text colour #ffffff has contrast 1.07:1, {CONTRAST}; "
                f"secondary #99cc99 against white has contrast 1.83:1, {CONTRAST}"),
         Expect(COUNCIL, 7, 3, "brand.primery", "unknown key 'primery'; did you mean 'primary'?"),
         Expect(COUNCIL, 9, 9, "brand.logo",
                "image 'assets/logo.png' does not exist (looked in campaigns/testshire/assets/)",
                "did you mean 'logo.svg'?"),
         Expect(COUNCIL, 12, 10, "contact.email",
                "expected an email address like recruitment@council.example, got 'jobs@testshire'")),
    case("a bad extends does not hide the rest of the file", {COMEBACK: BAD_EXTENDS},
         Expect(COMEBACK, 1, 10, "extends", "there is no shared campaign 'come-back-to-kare'"),
         Expect(COMEBACK, 2, 1, "titel", "unknown key 'titel'; did you mean 'title'?"),
         *[Expect(COMEBACK, 6, 5, f"roles[0].{key}", f"'{key}' is required under 'roles[0]'")
           for key in ROLE_KEYS]),
    case("a broken shared campaign does not hide the council file's mistakes",
         {SHARED: SHARED_WITH_A_TYPO,
          COMEBACK: "extends: come-back-to-care\ntitel: Come back to care in Testshire\n"},
         Expect(SHARED, 8, 1, "bdy"),
         Expect(COMEBACK, 2, 1, "titel")),
    case("a shared campaign with a loader problem is still checked",
         {SHARED: edit(SHARED_WITH_A_TYPO, after("opens: 2026-04-01", "opens: 2026-04-02"))},
         Expect(SHARED, 4, 1, "opens"),
         Expect(SHARED, 9, 1, "bdy")),
    case("a YAML merge key does not also make its mapping incomplete (no 'headline' is required)",
         {JOBS: edit(CAMPAIGN, ("  headline: Care is a career", "  <<: {headline: Care is a career}"),
                     after("  intro: Join us.", "  colour: green"))},
         Expect(JOBS, 6, 3, "", "YAML merge keys (<<) are not supported"),
         Expect(JOBS, 8, 3, "hero.colour", "unknown key 'colour'")),
    case("a typo in a form field does not hide its options check",
         {JOBS: with_form("- id: shift\n  type: text\n  lable: Which shift?\n"
                          "  options: [Mornings, Evenings]\n  min: 1\n")},
         Expect(JOBS, 13, 7, "form.fields[0]",
                "`options:` only applies to select, radios or checkboxes, not text; "
                "`min:` and `max:` only apply to number fields"),
         Expect(JOBS, 15, 7, "form.fields[0].lable", "unknown key 'lable'; did you mean 'label'?")),
    case("the region's text colour unreadable on its primary, and a typo in the same table",
         {SITE_FILE: SITE + 'text = "#3d6fb1"\ntxt = 1\n'},
         Expect(SITE_FILE, 7, 1, "brand", starts("primary #1d4f91 against text colour #3d6fb1 has contrast")),
         Expect(SITE_FILE, 10, 1, "brand.txt")),
    case("folders named like campaign files are reported, not a crash",
         {"campaigns/testshire/old.yaml/notes.txt": "kept for later\n",
          "campaigns/_shared/draft.yaml/notes.txt": "kept for later\n"},
         Expect("campaigns/_shared/draft.yaml", 1, 1, ""),
         Expect("campaigns/testshire/old.yaml", 1, 1, "",
                "'old.yaml' is a folder, but a name ending .yaml is for a file")),
]
# fmt: on


@pytest.mark.parametrize(("files", "expected"), MANY_MISTAKES)
def test_every_mistake_is_reported_in_one_run_none_hiding_another(
    tmp_path: Path, files: dict[str, str | None], expected: list[Expect]
) -> None:
    check(tmp_path, files, expected)


# --- the small project, and how extends merges ---------------------------------------------------


def test_the_default_test_project_is_valid(tmp_path: Path) -> None:
    project = load_project(write_project(tmp_path))

    assert [c.slug for c in project.councils] == ["testshire"]
    assert sorted(c.slug for c in project.campaigns) == ["come-back", "jobs"]
    come_back = next(c for c in project.campaigns if c.slug == "come-back")
    assert come_back.model.title == "Come back to care in Testshire"  # the council's own title
    assert come_back.model.audience == "People who used to work in care."  # from _shared
    # a shared campaign's image is found next to the shared file, not the council's
    assert come_back.images[("hero", "image")] == (tmp_path.resolve() / "campaigns/_shared/assets/hero.svg")


def test_extends_merges_mappings_key_by_key_and_replaces_lists_and_images_whole(tmp_path: Path) -> None:
    from generator.loading import load_yaml, merge

    base_file, over_file = tmp_path / "base.yaml", tmp_path / "over.yaml"
    base_file.write_text(
        dedent(
            """\
            title: Shared title
            hero:
              headline: Shared headline
              intro: Shared intro
              image:
                src: assets/shared.jpg
                alt: A carer and an older man
            roles:
              - slug: a
              - slug: b
            faq:
              - question: Shared?
            """
        )
    )
    over_file.write_text(
        dedent(
            """\
            extends: shared
            hero:
              intro: Our intro
              image:
                src: assets/ours.jpg
            roles:
              - slug: c
            """
        )
    )
    base, _ = load_yaml(base_file)
    over, _ = load_yaml(over_file)
    merged = merge(base, over)

    assert merged.data == {
        "title": "Shared title",
        "extends": "shared",
        "hero": {
            "headline": "Shared headline",  # a mapping merges key by key
            "intro": "Our intro",
            "image": {"src": "assets/ours.jpg"},  # an image replaces whole: no stale alt
        },
        "roles": [{"slug": "c"}],  # a list replaces whole
        "faq": [{"question": "Shared?"}],
    }
    # marks follow the data: each value points at the file it came from
    assert merged.mark_for(("hero", "headline")).file == base_file
    assert merged.mark_for(("hero", "intro")).file == over_file
    assert merged.mark_for(("roles", 0, "slug")).file == over_file
    assert ("roles", 1) not in merged.marks and ("hero", "image", "alt") not in merged.marks


# --- the command line ----------------------------------------------------------------------------

Printed = str | Words  # what a command prints, exactly or in part; "" for stdout: not checked
PRICED = {JOBS: edit(ONE_ROLE, ("min: 24000", 'min: "£24,000"'))}  # one problem, at jobs.yaml:15:12
WESTSHIRE_BROKEN = {
    **WESTSHIRE,
    WESTSHIRE_COUNCIL: COUNCIL_YAML.replace("TST", "WST"),
    "campaigns/westshire/jobs.yaml": "title: [Care jobs\n",
}
PRICED_PRINTED = (
    "campaigns/testshire/jobs.yaml:15:12: roles[0].salary.min: expected a number, got '£24,000'\n"
    f"    hint: {NO_POUNDS}\n"
    "1 problem in 1 file; nothing was written.\n"
)


# fmt: off
@pytest.mark.parametrize(("files", "args", "code", "out", "err"), [
    pytest.param(PRICED, [], 1, "", PRICED_PRINTED, id="each problem printed, and exit 1"),
    pytest.param({JOBS: edit(CAMPAIGN, ("  intro: Join us.", "\tintro: Join us."))}, [], 1, "",
                 has("campaigns/testshire/jobs.yaml:7:1: a tab is used for indentation\n",
                     "    hint: YAML indents with spaces"), id="a problem without a field path"),
    pytest.param({}, [], 0, starts("OK: 1 council", "2 campaigns"), "", id="a valid project"),
    pytest.param(PRICED, ["--only", "testshire/come-back"], 0,
                 starts("OK: 1 council", "1 campaign", "0 roles"), "",
                 id="--only another campaign of the council"),
    pytest.param(PRICED, ["--only", "testshire/jobs"], 1, "",
                 has("campaigns/testshire/jobs.yaml:15:12: roles[0].salary.min:"),
                 id="--only the campaign in the wrong"),
    pytest.param(WESTSHIRE_BROKEN, [], 1, "", has("campaigns/westshire/jobs.yaml:1:"),
                 id="one council in the wrong"),
    pytest.param(WESTSHIRE_BROKEN, ["--only", "testshire"], 0, starts("OK: 1 council", "2 campaigns"), "",
                 id="--only the council in the right"),
    pytest.param({}, ["--only", "testshir/jobs"], 1, "",
                 has("no council folder 'testshir'", "hint: did you mean 'testshire'?"),
                 id="--only a council that does not exist"),
])
# fmt: on
def test_recruit_validate_prints_what_it_finds_and_exits_cleanly(
    tmp_path: Path, files: dict[str, str | None], args: list[str], code: int, out: Printed, err: Printed
) -> None:
    root = write_project(tmp_path, files)
    result = CliRunner().invoke(main, ["--project", str(root), "validate", *args], catch_exceptions=True)

    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert "Traceback" not in result.output
    assert (result.stdout if out else "", result.stderr) == (out, err)
    assert code == 0 or "OK" not in result.output
