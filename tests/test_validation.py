"""The validation layer: every mistake a comms officer can make, and what they are told.

Each test writes a small project into tmp_path (tests/projects.py), changes one or two files,
and checks the file, line, field path and the words of the message and hint.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest
from click.testing import CliRunner
from projects import COMEBACK, COUNCIL, COUNCIL_YAML, JOBS, LOGO_SVG, SHARED, write_project

from generator.cli import main
from generator.problems import Problem, ProblemsFound
from generator.project import load_project

# --- helpers -----------------------------------------------------------------------------------


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


def yaml(text: str) -> str:
    return dedent(text).lstrip("\n")


# --- the defaults ------------------------------------------------------------------------------


def test_the_default_test_project_is_valid(tmp_path):
    project = load_project(write_project(tmp_path))

    assert [c.slug for c in project.councils] == ["testshire"]
    assert sorted(c.slug for c in project.campaigns) == ["come-back", "jobs"]
    come_back = next(c for c in project.campaigns if c.slug == "come-back")
    assert come_back.model.title == "Come back to care in Testshire"  # the council's own title
    assert come_back.model.audience == "People who used to work in care."  # from _shared
    # a shared campaign's image is found next to the shared file, not the council's
    assert come_back.images[("hero", "image")] == (tmp_path.resolve() / "campaigns/_shared/assets/hero.svg")


def test_leaving_out_council_yaml_is_reported(tmp_path):
    """Guards the helper: leaving a file out really leaves it out."""
    root = write_project(tmp_path, {COUNCIL: None})
    [problem] = problems_in(root)
    assert where(problem, tmp_path) == (COUNCIL, 1, "")
    assert "testshire/ has no council.yaml" in problem.message


# --- unknown keys ------------------------------------------------------------------------------


def test_misspelt_top_level_key_suggests_the_right_one_and_only_once(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        titel: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        sharing:
          text: Care jobs
    """)
        },
    )

    # one problem: not also "'title' is required" for the same slip of the finger
    assert where(problem, tmp_path) == (JOBS, 1, "titel")
    assert problem.column == 1
    assert problem.message == "unknown key 'titel'; did you mean 'title'?"
    assert problem.hint == "rename it to 'title'"


def test_misspelt_key_under_hero(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          hedline: Care is a career
          intro: Join us.
        body: We are hiring.
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 6, "hero.hedline")
    assert problem.column == 3
    assert "did you mean 'headline'?" in problem.message


def test_unknown_key_with_no_close_match_lists_the_allowed_keys(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
          background: green
        body: We are hiring.
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 8, "hero.background")
    assert problem.message == "unknown key 'background'"
    assert problem.hint == "allowed here: headline, image, intro"


def test_unknown_key_deep_inside_the_second_role(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        roles:
          - slug: care-worker
            title: Care Worker
            employment_type: full-time
            hours: 37 hours a week
            salary: {min: 24000}
            location: {name: County Hall, postcode: TE1 1ST}
            description: Help people live well at home.
          - slug: nurse
            title: Nurse
            employment_type: part-time
            hours: 20 hours a week
            salary:
              min: 30000
              perod: year
            location: {name: County Hall, postcode: TE1 1ST}
            description: Nursing.
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 23, "roles[1].salary.perod")
    assert problem.column == 7
    assert "did you mean 'period'?" in problem.message


# --- wrong types -------------------------------------------------------------------------------

ONE_ROLE = """\
title: Care jobs
audience: Carers
opens: 2026-04-01
closes: 2026-09-30
hero:
  headline: Care is a career
  intro: Join us.
body: We are hiring.
roles:
  - slug: care-worker
    title: Care Worker
    employment_type: {employment_type}
    hours: 37 hours a week
    salary:
      min: {salary}
    location:
      name: County Hall, Testford
      postcode: TE1 1ST
    description: Help people live well at home.
sharing:
  text: Care jobs
"""


def one_role(salary: str = "24000", employment_type: str = "full-time") -> str:
    return ONE_ROLE.replace("{salary}", salary).replace("{employment_type}", employment_type)


@pytest.mark.parametrize(("written", "read_as"), [('"£32,000"', "'£32,000'"), ("32,000", "'32,000'")])
def test_salary_with_pound_sign_or_commas(tmp_path, written, read_as):
    problem = the_problem(tmp_path, {JOBS: one_role(salary=written)})

    assert where(problem, tmp_path) == (JOBS, 15, "roles[0].salary.min")
    assert problem.column == 12
    assert problem.message == f"expected a number, got {read_as}"
    assert problem.hint == "write numbers without £ or commas, e.g. 32000 or 12.71"


def test_employment_type_typo_lists_the_choices_and_guesses(tmp_path):
    problem = the_problem(tmp_path, {JOBS: one_role(employment_type="fulltime")})

    assert where(problem, tmp_path) == (JOBS, 12, "roles[0].employment_type")
    assert problem.message.startswith("expected one of full-time, part-time, temporary")
    assert problem.message.endswith("got 'fulltime'")
    assert problem.hint == "did you mean 'full-time'?"


def test_true_where_text_is_expected_gets_the_quotes_hint(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        faq:
          - question: Can I work part time?
            answer: true
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 11, "faq[0].answer")
    assert problem.column == 13
    assert problem.message == "expected text, got True"
    # says why: a bare true is a yes/no switch to YAML, not the word
    assert "true" in problem.hint
    assert problem.hint.endswith("put the value in quotes")


# --- missing required fields -------------------------------------------------------------------


def test_campaign_without_title(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 1, "title")
    assert problem.message == "'title' is required at the top level"
    assert problem.hint == "add `title:`"


def test_council_without_logo_alt_points_at_brand(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COUNCIL: yaml("""
        name: Testshire County Council
        short_name: Testshire
        code: TST
        website: https://www.testshire.example
        brand:
          primary: "#00573f"
          secondary: "#00573f"
          logo: assets/logo.svg
        contact:
          email: jobs@testshire.example
          phone: "01234 567890"
        data_controller:
          name: Testshire County Council
          address: County Hall, Testford TE1 1ST
          dpo_email: dpo@testshire.example
        notifications:
          - hr@testshire.example
    """)
        },
    )

    # the line of `brand:`, the mapping the key belongs in
    assert where(problem, tmp_path) == (COUNCIL, 5, "brand.logo_alt")
    assert problem.message == "'logo_alt' is required under 'brand'"
    assert problem.hint.startswith("add `logo_alt:`")
    assert "screen readers" in problem.hint  # the field's description tells them what to write


# --- dates -------------------------------------------------------------------------------------


def campaign_dates(opens: str, closes: str) -> str:
    return yaml(f"""
        title: Care jobs
        audience: Carers
        opens: {opens}
        closes: {closes}
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        sharing:
          text: Care jobs
    """)


def test_closes_before_opens(tmp_path):
    problem = the_problem(tmp_path, {JOBS: campaign_dates("2026-04-01", "2026-03-01")})

    assert where(problem, tmp_path) == (JOBS, 4, "closes")
    assert problem.column == 9
    assert problem.message == "closes (2026-03-01) is before opens (2026-04-01)"


def test_date_written_day_first(tmp_path):
    problem = the_problem(tmp_path, {JOBS: campaign_dates("2026-04-01", "31/03/2026")})

    assert where(problem, tmp_path) == (JOBS, 4, "closes")
    assert problem.message == "expected a date written YYYY-MM-DD, got '31/03/2026'"
    assert problem.hint == "e.g. 2026-03-31"


def test_a_date_that_does_not_exist_is_a_problem_not_a_crash(tmp_path):
    problem = the_problem(tmp_path, {JOBS: campaign_dates("2026-02-30", "2026-09-30")})

    assert where(problem, tmp_path) == (JOBS, 3, "opens")
    assert problem.column == 8
    assert problem.message.startswith("2026-02-30 is not a real date")
    assert "check the day and the month" in problem.hint


def test_role_closing_after_the_campaign_closes(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        roles:
          - slug: care-worker
            title: Care Worker
            employment_type: full-time
            hours: 37 hours a week
            salary: {min: 24000}
            location: {name: County Hall, postcode: TE1 1ST}
            description: Help people live well at home.
            closes: 2026-12-31
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 17, "roles[0].closes")
    assert problem.message == ("the role closes (2026-12-31) after the campaign closes (2026-09-30)")
    assert "closing date earlier" in problem.hint


# --- duplicates and form fields ----------------------------------------------------------------


def test_duplicate_role_slug_points_at_the_second_role(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: We are hiring.
        roles:
          - slug: care-worker
            title: Care Worker
            employment_type: full-time
            hours: 37 hours a week
            salary: {min: 24000}
            location: {name: County Hall, postcode: TE1 1ST}
            description: Days.
          - slug: care-worker
            title: Care Worker, nights
            employment_type: part-time
            hours: 20 hours a week
            salary: {min: 25000}
            location: {name: County Hall, postcode: TE1 1ST}
            description: Nights.
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 17, "roles[1].slug")
    assert problem.column == 11
    assert problem.message == "role slug 'care-worker' is used twice (also roles[0])"
    assert "URL" in problem.hint


def campaign_with_form(fields: str) -> str:
    head = yaml("""
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
        form:
          fields:
    """)
    return head + indent(dedent(fields), "    ")  # the first field is on line 13


def test_duplicate_form_field_id(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_with_form("""\
            - id: dbs_number
              type: text
              label: Your DBS certificate number
            - id: dbs_number
              type: date
              label: When was it issued?
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 16, "form.fields[1].id")
    assert problem.message == "field id 'dbs_number' is used twice"
    assert problem.hint == "give each question its own id"


def test_form_field_id_clashing_with_a_standard_field(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_with_form("""\
            - id: dbs_number
              type: text
              label: Your DBS certificate number
            - id: email
              type: email
              label: Your work email
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 16, "form.fields[1].id")
    assert problem.column == 11
    assert "'email' is a standard field every form already has" in problem.message


def test_select_without_options(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_with_form("""\
            - id: shift
              type: select
              label: Which shift would you like?
    """)
        },
    )

    # the list item itself: its first line
    assert where(problem, tmp_path) == (JOBS, 13, "form.fields[0]")
    assert problem.message == "a select field needs `options:` (a list of choices)"


# --- extends and shared campaigns --------------------------------------------------------------


def test_extends_a_shared_campaign_that_does_not_exist(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COMEBACK: yaml("""
        title: Come back to care in Testshire
        extends: come-back-to-cair
    """)
        },
    )

    assert where(problem, tmp_path) == (COMEBACK, 2, "extends")
    assert problem.column == 10
    assert problem.message == "there is no shared campaign 'come-back-to-cair'"
    assert problem.hint == "did you mean 'come-back-to-care'?"


def test_extends_with_nothing_like_it_lists_the_shared_campaigns(tmp_path):
    problem = the_problem(tmp_path, {COMEBACK: "extends: winter-pressures\n"})

    assert where(problem, tmp_path) == (COMEBACK, 1, "extends")
    assert problem.hint == "shared campaigns: come-back-to-care"


SHARED_WITH_A_TYPO = yaml("""
    title: Come back to care
    audience: People who used to work in care.
    opens: 2026-04-01
    closes: 2027-03-31
    hero:
      headline: Your skills are needed again
      intro: Councils would love to welcome you back.
    bdy: Come back to care.
    sharing:
      text: Come back to care
""")


def test_error_inside_a_shared_campaign_points_at_the_shared_file(tmp_path):
    # two councils extend it: the mistake is still reported once, in the shared file
    problem = the_problem(
        tmp_path,
        {
            SHARED: SHARED_WITH_A_TYPO,
            "campaigns/otherton/council.yaml": COUNCIL_YAML.replace("TST", "OTH"),
            "campaigns/otherton/assets/logo.svg": LOGO_SVG,
            "campaigns/otherton/come-back.yaml": "extends: come-back-to-care\n",
        },
    )

    assert where(problem, tmp_path) == (SHARED, 8, "bdy")
    assert "did you mean 'body'?" in problem.message


def test_a_shared_campaign_may_leave_required_fields_to_the_councils(tmp_path):
    root = write_project(
        tmp_path,
        {
            SHARED: yaml("""
            audience: People who used to work in care.
            opens: 2026-04-01
            closes: 2027-03-31
            body: Come back to care.
        """),
            COMEBACK: yaml("""
            extends: come-back-to-care
            title: Come back to care in Testshire
            hero:
              headline: Your skills are needed again
              intro: We would love to welcome you back.
        """),
        },
    )
    [problem] = problems_in(root)

    # `sharing` is missing from both: the council's file is where it is needed
    assert where(problem, tmp_path) == (COMEBACK, 1, "sharing")
    assert problem.message == "'sharing' is required at the top level"


def test_a_wrong_value_merged_from_the_shared_file_points_at_the_shared_file(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            SHARED: yaml("""
        title: Come back to care
        audience: People who used to work in care.
        opens: 2026-04-01
        closes: 2027-03-31
        hero:
          headline: Your skills are needed again
          intro: Councils would love to welcome you back.
          image:
            src: assets/hreo.svg
            alt: A carer and an older man, smiling
        body: Come back to care.
        sharing:
          text: Come back to care
    """)
        },
    )

    # only the merged campaign checks images: still, the line is the shared file's
    assert where(problem, tmp_path) == (SHARED, 9, "hero.image.src")
    assert problem.message.startswith("image 'assets/hreo.svg' does not exist")
    assert "campaigns/_shared/assets" in problem.message  # looked next to the shared file
    assert problem.hint == "did you mean 'hero.svg'?"


def test_a_wrong_value_overridden_in_the_council_file_points_at_the_council_file(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COMEBACK: yaml("""
        extends: come-back-to-care
        title: Come back to care in Testshire
        hero:
          image:
            src: assets/team.jpg
            alt: Our home care team
    """)
        },
    )

    # the shared file's image is fine; the council's replacement is what is missing
    assert where(problem, tmp_path) == (COMEBACK, 5, "hero.image.src")
    assert problem.message.startswith("image 'assets/team.jpg' does not exist")
    assert "campaigns/testshire/assets" in problem.message


def test_a_wrong_type_overridden_in_the_council_file_points_at_the_council_file(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COMEBACK: yaml("""
        extends: come-back-to-care
        title: Come back to care in Testshire
        hero:
          intro: false
    """)
        },
    )

    assert where(problem, tmp_path) == (COMEBACK, 4, "hero.intro")
    assert problem.message == "expected text, got False"


# --- images ------------------------------------------------------------------------------------


def campaign_with_hero_image(image: str) -> str:
    head = yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        body: We are hiring.
        sharing:
          text: Care jobs
        hero:
          headline: Care is a career
          intro: Join us.
    """)
    return head + indent(dedent(image), "  ")  # the image starts on line 11


def test_hero_image_that_does_not_exist(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_with_hero_image("""\
          image:
            src: assets/photo.jpg
            alt: A carer and an older man, smiling
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 12, "hero.image.src")
    assert problem.column == 10
    assert problem.message.startswith("image 'assets/photo.jpg' does not exist")
    assert problem.hint == "put the file there, or correct the path"


def test_image_without_alt(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_with_hero_image("""\
          image:
            src: assets/logo.svg
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 11, "hero.image.alt")
    assert problem.message == "'alt' is required under 'hero.image'"
    assert "screen readers" in problem.hint


def test_image_given_as_a_bare_string(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_with_hero_image("""\
          image: assets/logo.svg
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 11, "hero.image")
    assert problem.message == "an image needs a src and alt text"
    assert problem.hint.startswith("write it as image: {src: ")


def test_council_logo_that_does_not_exist(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            "campaigns/testshire/assets/logo.svg": None,
            "campaigns/testshire/assets/logo.png": "not really a png",
        },
    )

    assert where(problem, tmp_path) == (COUNCIL, 8, "brand.logo")
    assert problem.message.startswith("image 'assets/logo.svg' does not exist")
    assert problem.hint == "did you mean 'logo.png'?"


# --- brand colours -----------------------------------------------------------------------------


def council_brand(brand: str) -> str:
    head = yaml("""
        name: Testshire County Council
        short_name: Testshire
        code: TST
        website: https://www.testshire.example
        contact:
          email: jobs@testshire.example
          phone: "01234 567890"
        data_controller:
          name: Testshire County Council
          address: County Hall, Testford TE1 1ST
          dpo_email: dpo@testshire.example
        notifications:
          - hr@testshire.example
    """)
    return head + dedent(brand).lstrip("\n")  # `brand:` is line 14


def test_secondary_colour_too_pale_on_white(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COUNCIL: council_brand("""\
        brand:
          primary: "#00573f"
          secondary: "#99cc99"
          logo: assets/logo.svg
          logo_alt: Testshire County Council
    """)
        },
    )

    # the line of `brand:` (not of `primary:`, which is fine)
    assert where(problem, tmp_path) == (COUNCIL, 14, "brand")
    assert problem.message == (
        "secondary #99cc99 against white has contrast 1.83:1, below the WCAG AA minimum of 4.5:1"
    )
    assert "darker colours" in problem.hint
    assert "webaim.org" in problem.hint


def test_primary_colour_against_its_text_colour(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COUNCIL: council_brand("""\
        brand:
          primary: "#4c9be8"
          secondary: "#00573f"
          text: "#ffffff"
          logo: assets/logo.svg
          logo_alt: Testshire County Council
    """)
        },
    )

    assert where(problem, tmp_path) == (COUNCIL, 14, "brand")
    assert problem.message.startswith("primary #4c9be8 against text colour #ffffff has contrast ")
    assert problem.message.endswith("below the WCAG AA minimum of 4.5:1")
    assert "secondary" not in problem.message


def test_unquoted_colour_is_a_yaml_comment(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            COUNCIL: council_brand("""\
        brand:
          primary: #00573f
          secondary: "#00573f"
          logo: assets/logo.svg
          logo_alt: Testshire County Council
    """)
        },
    )

    assert where(problem, tmp_path) == (COUNCIL, 15, "brand.primary")
    assert problem.message == "is empty"
    assert problem.hint.startswith("a bare # starts a YAML comment: put the value in quotes")


# --- YAML syntax -------------------------------------------------------------------------------


def test_a_key_indented_too_far(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
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
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 7, "")
    assert problem.message.startswith("invalid YAML:")
    # an indentation mistake, not a value that needs quotes
    assert problem.hint.startswith("check the indentation of this line and the one above it")
    assert "'headline: Care is a career'" in problem.hint


def test_a_key_indented_too_little(tmp_path):
    problem = the_problem(tmp_path, {JOBS: one_role().replace("    hours:", "   hours:")})

    assert where(problem, tmp_path) == (JOBS, 13, "")
    assert problem.message.startswith("invalid YAML:")
    assert "check the indentation" in problem.hint
    assert "'employment_type: full-time'" in problem.hint  # the line above, to compare with


def test_an_unclosed_bracket_points_at_the_bracket(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          headline: Care is a career
          intro: Join us.
        body: [We are hiring.
        sharing:
          text: Care jobs
    """)
        },
    )

    assert where(problem, tmp_path) == (JOBS, 8, "")
    assert problem.column == 7
    assert problem.message.startswith("invalid YAML: the '[' here is not closed (line 9:")
    assert "close it" in problem.hint


def test_an_unclosed_quote_points_at_the_quote(tmp_path):
    problem = the_problem(
        tmp_path,
        {JOBS: campaign_dates("2026-04-01", "2026-09-30").replace("title: Care jobs", 'title: "Care jobs')},
    )

    assert where(problem, tmp_path) == (JOBS, 1, "")
    assert problem.column == 8
    assert "the quote here is not closed" in problem.message
    assert problem.hint == "add the closing quote at the end of the value"


def test_a_value_with_colon_space_needs_quotes(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_dates("2026-04-01", "2026-09-30").replace(
                "title: Care jobs", "title: Care: a career for you"
            )
        },
    )

    assert where(problem, tmp_path) == (JOBS, 1, "")
    assert problem.column == 12
    assert problem.message == "invalid YAML: mapping values are not allowed here"
    assert problem.hint.startswith("a value containing ': ' must be in quotes")


def test_a_tab_used_for_indentation(tmp_path):
    problem = the_problem(
        tmp_path,
        {JOBS: campaign_dates("2026-04-01", "2026-09-30").replace("  intro: Join us.", "\tintro: Join us.")},
    )

    assert where(problem, tmp_path) == (JOBS, 7, "")
    assert problem.column == 1
    assert problem.message == "a tab is used for indentation"
    assert "replace the tab with spaces" in problem.hint


def test_a_key_given_twice(tmp_path):
    problem = the_problem(
        tmp_path, {JOBS: campaign_dates("2026-04-01", "2026-09-30") + ("title: Care jobs, again\n")}
    )

    assert where(problem, tmp_path) == (JOBS, 11, "title")
    assert problem.message == "'title' is given twice (first on line 1)"
    assert "silently use the last" in problem.hint


def test_a_control_character_pasted_into_the_text(tmp_path):
    problem = the_problem(
        tmp_path,
        {JOBS: campaign_dates("2026-04-01", "2026-09-30").replace("We are hiring.", "We are\x0b hiring.")},
    )

    assert where(problem, tmp_path) == (JOBS, 8, "")
    assert problem.column == 13
    assert "control character (#x000b)" in problem.message


def test_a_value_starting_with_an_exclamation_mark(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            JOBS: campaign_dates("2026-04-01", "2026-09-30").replace(
                "body: We are hiring.", "body: !Important we are hiring"
            )
        },
    )

    assert where(problem, tmp_path) == (JOBS, 8, "body")
    assert problem.message == "unknown YAML tag '!Important'"
    assert "must be in quotes" in problem.hint


# --- site.toml ---------------------------------------------------------------------------------

SITE = """\
name = "Testshire Care Careers"
organisation = "Testshire Employers"
base_url = "https://careers.testshire.example/"
theme = "{theme}"
contact_email = "careers@testshire.example"
{extra}
[brand]
primary = "#1d4f91"
"""


def site(theme: str = "default", extra: str = "") -> str:
    return SITE.replace("{theme}", theme).replace("{extra}", extra)


def test_site_toml_syntax_error(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            "site.toml": site().replace(
                'organisation = "Testshire Employers"', "organisation = Testshire Employers"
            )
        },
    )

    assert where(problem, tmp_path) == ("site.toml", 2, "")
    assert problem.message.startswith("invalid TOML:")
    assert problem.hint == 'text values need quotes, e.g. name = "West Midlands"'


def test_site_toml_unknown_key(tmp_path):
    problem = the_problem(tmp_path, {"site.toml": site(extra="retention = 30\n")})

    assert where(problem, tmp_path) == ("site.toml", 6, "retention")
    assert problem.message == "unknown key 'retention'; did you mean 'retention_days'?"


def test_site_toml_unknown_key_in_a_table(tmp_path):
    problem = the_problem(tmp_path, {"site.toml": site() + 'txt = "#ffffff"\n'})

    assert where(problem, tmp_path) == ("site.toml", 9, "brand.txt")
    assert "did you mean 'text'?" in problem.message


def test_site_toml_missing_key_is_hinted_in_toml(tmp_path):
    problem = the_problem(
        tmp_path, {"site.toml": site().replace('organisation = "Testshire Employers"\n', "")}
    )

    assert where(problem, tmp_path) == ("site.toml", 1, "organisation")
    assert problem.hint.startswith("add `organisation = ...`")


def test_site_toml_names_a_theme_that_does_not_exist(tmp_path):
    problem = the_problem(tmp_path, {"site.toml": site(theme="defualt")})

    assert where(problem, tmp_path) == ("site.toml", 4, "theme")
    assert problem.column == 9
    assert problem.message == "there is no theme 'defualt' under themes/"
    assert problem.hint == "did you mean 'default'?"


# --- across councils ---------------------------------------------------------------------------


def test_two_councils_with_the_same_code(tmp_path):
    problem = the_problem(
        tmp_path,
        {
            "campaigns/westshire/council.yaml": COUNCIL_YAML.replace("Testshire", "Westshire"),
            "campaigns/westshire/assets/logo.svg": LOGO_SVG,
        },
    )

    # councils are read in name order: the second one (westshire) is the duplicate
    assert where(problem, tmp_path) == ("campaigns/westshire/council.yaml", 3, "code")
    assert problem.column == 7
    assert problem.message == "code 'TST' is also used by testshire"
    assert "its own code" in problem.hint


# --- everything at once ------------------------------------------------------------------------


def test_every_mistake_in_every_file_is_reported_in_one_run(tmp_path):
    root = write_project(
        tmp_path,
        {
            COUNCIL: COUNCIL_YAML.replace('secondary: "#00573f"', 'secondary: "#99cc99"'),
            JOBS: one_role(salary='"£24,000"', employment_type="fulltime"),
        },
    )
    found = problems_in(root)

    assert [where(p, tmp_path) for p in found] == [
        (COUNCIL, 5, "brand"),
        (JOBS, 12, "roles[0].employment_type"),
        (JOBS, 15, "roles[0].salary.min"),
    ], listing(root, found)


def test_a_broken_council_file_does_not_hide_its_campaigns_problems(tmp_path):
    root = write_project(
        tmp_path,
        {
            COUNCIL: COUNCIL_YAML.replace('secondary: "#00573f"', 'secondary: "#99cc99"'),
            JOBS: one_role().replace("    description:", "    closes: 2026-12-31\n    description:"),
        },
    )
    found = problems_in(root)

    assert [where(p, tmp_path) for p in found] == [
        (COUNCIL, 5, "brand"),
        (JOBS, 19, "roles[0].closes"),
    ], listing(root, found)


# --- the command line --------------------------------------------------------------------------


def recruit(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def test_cli_validate_prints_each_problem_and_exits_1(tmp_path):
    root = write_project(tmp_path, {JOBS: one_role(salary='"£24,000"')})
    result = recruit("--project", str(root), "validate")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "campaigns/testshire/jobs.yaml:15:12: roles[0].salary.min: expected a number, got '£24,000'",
        "    hint: write numbers without £ or commas, e.g. 32000 or 12.71",
        "1 problem in 1 file; nothing was written.",
    ]
    assert "OK" not in result.output


def test_cli_validate_a_problem_without_a_path(tmp_path):
    root = write_project(
        tmp_path,
        {JOBS: campaign_dates("2026-04-01", "2026-09-30").replace("  intro: Join us.", "\tintro: Join us.")},
    )
    result = recruit("--project", str(root), "validate")

    assert result.exit_code == 1
    assert "campaigns/testshire/jobs.yaml:7:1: a tab is used for indentation\n" in result.stderr
    assert "    hint: YAML indents with spaces" in result.stderr


def test_cli_validate_a_valid_project(tmp_path):
    root = write_project(tmp_path)
    result = recruit("--project", str(root), "validate")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 council")
    assert "2 campaigns" in result.stdout
    assert result.stderr == ""


def test_cli_validate_only_checks_one_campaign(tmp_path):
    root = write_project(tmp_path, {JOBS: one_role(salary='"£24,000"')})

    other = recruit("--project", str(root), "validate", "--only", "testshire/come-back")
    assert other.exit_code == 0, other.output
    assert other.stdout.startswith("OK: 1 council")
    assert "1 campaign" in other.stdout and "0 roles" in other.stdout

    broken = recruit("--project", str(root), "validate", "--only", "testshire/jobs")
    assert broken.exit_code == 1
    assert "campaigns/testshire/jobs.yaml:15:12: roles[0].salary.min:" in broken.stderr


def test_cli_validate_only_checks_one_council(tmp_path):
    root = write_project(
        tmp_path,
        {
            "campaigns/westshire/council.yaml": COUNCIL_YAML.replace("TST", "WST"),
            "campaigns/westshire/assets/logo.svg": LOGO_SVG,
            "campaigns/westshire/jobs.yaml": "title: [Care jobs\n",
        },
    )

    assert recruit("--project", str(root), "validate").exit_code == 1
    result = recruit("--project", str(root), "validate", "--only", "testshire")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 council")
    assert "2 campaigns" in result.stdout


def test_cli_validate_only_a_council_that_does_not_exist(tmp_path):
    root = write_project(tmp_path)
    result = recruit("--project", str(root), "validate", "--only", "testshir/jobs")

    assert result.exit_code == 1
    assert "no council folder 'testshir'" in result.stderr
    assert "hint: did you mean 'testshire'?" in result.stderr


# --- every mistake in one file, in one run -----------------------------------------------------


def messages(root: Path, found: list[Problem]) -> list[tuple[int, str, str]]:
    """(line, field path, message) of each problem, all in one file."""
    assert len({p.file for p in found}) == 1, listing(root, found)
    return [(p.line, p.path, p.message) for p in found]


def test_every_independent_mistake_in_one_campaign_file_is_reported_at_once(tmp_path):
    root = write_project(
        tmp_path,
        {
            JOBS: yaml("""
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
    """)
        },
    )
    found = problems_in(root)

    # a loader problem (duplicate key, impossible date), a misspelt key and wrong values do not
    # hide the semantic checks (dates, duplicate slugs and ids, images, field consistency);
    # the impossible date is reported once, not again as "expected a date"
    assert messages(root, found) == [
        (1, "titel", "unknown key 'titel'; did you mean 'title'?"),
        (3, "audience", "'audience' is given twice (first on line 2)"),
        (5, "closes", "2026-09-31 is not a real date (day is out of range for month)"),
        (9, "hero.image.alt", "'alt' is required under 'hero.image'"),
        (
            10,
            "hero.image.src",
            "image 'assets/photo.jpg' does not exist (looked in campaigns/testshire/assets/)",
        ),
        (
            15,
            "roles[0].employment_type",
            "expected one of full-time, part-time, temporary, contract, intern, volunteer, "
            "per-diem, other; got 'fulltime'",
        ),
        (23, "roles[0].closes", "the role closes (2026-03-01) before the campaign opens (2026-04-01)"),
        (24, "roles[1].slug", "role slug 'care-worker' is used twice (also roles[0])"),
        (36, "form.fields[0]", "a select field needs `options:` (a list of choices)"),
        (39, "form.fields[0].hint", "expected text, got ['mornings']"),
        (40, "form.fields[1].id", "field id 'shift' is used twice"),
    ], listing(root, found)


def test_every_independent_mistake_in_one_council_file_is_reported_at_once(tmp_path):
    root = write_project(
        tmp_path,
        {
            COUNCIL: yaml("""
        name: Testshire County Council
        shortname: Testshire
        code: TST
        code: TSC
        website: https://www.testshire.example
        brand:
          primery: "#ffff00"
          secondary: "#99cc99"
          logo: assets/logo.png
          logo_alt: Testshire County Council
        contact:
          email: jobs@testshire
          phone: "01234 567890"
        data_controller:
          name: Testshire County Council
          address: County Hall, Testford TE1 1ST
          dpo_email: dpo@testshire.example
        notifications:
          - hr@testshire.example
    """)
        },
    )
    found = problems_in(root)

    # the misspelt `primery` is still checked as the primary colour it means, and the broken
    # brand does not stop its logo being looked for
    assert messages(root, found) == [
        (2, "shortname", "unknown key 'shortname'; did you mean 'short_name'?"),
        (4, "code", "'code' is given twice (first on line 3)"),
        (
            6,
            "brand",
            "primary #ffff00 against text colour #ffffff has contrast 1.07:1, below the WCAG AA "
            "minimum of 4.5:1; secondary #99cc99 against white has contrast 1.83:1, below the "
            "WCAG AA minimum of 4.5:1",
        ),
        (7, "brand.primery", "unknown key 'primery'; did you mean 'primary'?"),
        (
            9,
            "brand.logo",
            "image 'assets/logo.png' does not exist (looked in campaigns/testshire/assets/)",
        ),
        (
            12,
            "contact.email",
            "expected an email address like recruitment@council.example, got 'jobs@testshire'",
        ),
    ], listing(root, found)
    assert found[4].hint == "did you mean 'logo.svg'?"


def test_a_bad_extends_does_not_hide_the_rest_of_the_file(tmp_path):
    root = write_project(
        tmp_path,
        {
            COMEBACK: yaml("""
        extends: come-back-to-kare
        titel: Come back to care in Testshire
        hero:
          intro: We would love to welcome you back.
        roles:
          - slug: social-worker
            title: Social Worker
    """)
        },
    )
    found = problems_in(root)

    # checked on its own: what the shared campaign would fill in (audience, hero.headline, ...)
    # is not asked for, but a role (lists replace whole) still needs all its keys
    assert [(p.line, p.path, p.message) for p in found] == [
        (1, "extends", "there is no shared campaign 'come-back-to-kare'"),
        (2, "titel", "unknown key 'titel'; did you mean 'title'?"),
        *[
            (6, f"roles[0].{key}", f"'{key}' is required under 'roles[0]'")
            for key in ("description", "employment_type", "hours", "location", "salary")
        ],
    ], listing(root, found)


def test_extends_that_is_not_a_name_is_reported_once(tmp_path):
    root = write_project(tmp_path, {COMEBACK: "extends: [come-back-to-care]\ntitle: Come back\n"})
    [problem] = problems_in(root)

    assert where(problem, tmp_path) == (COMEBACK, 1, "extends")
    assert problem.message == "extends names one shared campaign"


def test_a_broken_shared_campaign_does_not_hide_the_council_files_mistakes(tmp_path):
    root = write_project(
        tmp_path,
        {
            SHARED: SHARED_WITH_A_TYPO,
            COMEBACK: "extends: come-back-to-care\ntitel: Come back to care in Testshire\n",
        },
    )
    found = problems_in(root)

    assert [where(p, tmp_path) for p in found] == [(SHARED, 8, "bdy"), (COMEBACK, 2, "titel")], listing(
        root, found
    )


def test_a_shared_campaign_with_a_loader_problem_is_still_checked(tmp_path):
    root = write_project(
        tmp_path,
        {SHARED: SHARED_WITH_A_TYPO.replace("opens: 2026-04-01", "opens: 2026-04-01\nopens: 2026-04-02")},
    )
    found = problems_in(root)

    assert [(p.line, p.path) for p in found] == [(4, "opens"), (9, "bdy")], listing(root, found)


def test_a_yaml_merge_key_does_not_also_make_its_mapping_incomplete(tmp_path):
    root = write_project(
        tmp_path,
        {
            JOBS: yaml("""
        title: Care jobs
        audience: Carers
        opens: 2026-04-01
        closes: 2026-09-30
        hero:
          <<: {headline: Care is a career}
          intro: Join us.
          colour: green
        body: We are hiring.
        sharing:
          text: Care jobs
    """)
        },
    )
    found = problems_in(root)

    # no "'headline' is required": it was written, in a form we do not read
    assert [(p.line, p.path, p.message) for p in found] == [
        (6, "", "YAML merge keys (<<) are not supported"),
        (8, "hero.colour", "unknown key 'colour'"),
    ], listing(root, found)


def test_a_typo_in_a_form_field_does_not_hide_its_options_check(tmp_path):
    problem_list = problems_in(
        write_project(
            tmp_path,
            {
                JOBS: campaign_with_form("""\
              - id: shift
                type: text
                lable: Which shift?
                options: [Mornings, Evenings]
                min: 1
            """)
            },
        )
    )

    assert [(p.path, p.message) for p in problem_list] == [
        (
            "form.fields[0]",
            "`options:` only applies to select, radios or checkboxes, not text; "
            "`min:` and `max:` only apply to number fields",
        ),
        ("form.fields[0].lable", "unknown key 'lable'; did you mean 'label'?"),
    ], listing(tmp_path, problem_list)


# --- the region's brand ------------------------------------------------------------------------


def test_region_primary_colour_too_pale_for_links_on_white(tmp_path):
    problem = the_problem(
        tmp_path, {"site.toml": site().replace('primary = "#1d4f91"', 'primary = "#ffbf47"')}
    )

    assert where(problem, tmp_path) == ("site.toml", 7, "brand")  # the [brand] table
    # the hub's header (white text on the primary) and its links (the primary on white): one pair
    assert problem.message == (
        "primary #ffbf47 against text colour #ffffff has contrast 1.64:1, below the WCAG AA minimum of 4.5:1"
    )
    assert "contrastchecker" in problem.hint


def test_region_primary_readable_under_its_text_but_not_on_white(tmp_path):
    problem = the_problem(
        tmp_path,
        {"site.toml": site().replace('primary = "#1d4f91"', 'primary = "#ffbf47"') + 'text = "#0b0c0c"\n'},
    )

    assert where(problem, tmp_path) == ("site.toml", 7, "brand")
    assert problem.message == (
        "primary #ffbf47 against white has contrast 1.64:1, below the WCAG AA minimum of 4.5:1"
    )


def test_region_text_colour_unreadable_on_primary(tmp_path):
    root = write_project(tmp_path, {"site.toml": site() + 'text = "#3d6fb1"\ntxt = 1\n'})
    found = problems_in(root)

    # a typo in the same table does not hide it
    assert [(p.line, p.path) for p in found] == [(7, "brand"), (10, "brand.txt")], listing(root, found)
    assert found[0].message.startswith("primary #1d4f91 against text colour #3d6fb1 has contrast")


# --- folders named like files ------------------------------------------------------------------


def test_a_folder_named_like_a_campaign_file_is_reported_not_a_crash(tmp_path):
    root = write_project(
        tmp_path,
        {
            "campaigns/testshire/old.yaml/notes.txt": "kept for later\n",
            "campaigns/_shared/draft.yaml/notes.txt": "kept for later\n",
        },
    )
    found = problems_in(root)

    assert [where(p, tmp_path) for p in found] == [
        ("campaigns/_shared/draft.yaml", 1, ""),
        ("campaigns/testshire/old.yaml", 1, ""),
    ]
    assert found[1].message == "'old.yaml' is a folder, but a name ending .yaml is for a file"


def test_a_folder_named_council_yaml_is_reported_not_a_crash(tmp_path):
    root = write_project(tmp_path, {COUNCIL: None, f"{COUNCIL}/notes.txt": "x\n"})
    found = problems_in(root)

    assert (COUNCIL, 1, "") in [where(p, tmp_path) for p in found], listing(root, found)
    assert "Traceback" not in listing(root, found)


# --- the merge of extends ----------------------------------------------------------------------


def test_extends_merges_mappings_key_by_key_and_replaces_lists_and_images_whole(tmp_path):
    from generator.loading import load_yaml, merge

    base_file, over_file = tmp_path / "base.yaml", tmp_path / "over.yaml"
    base_file.write_text(
        yaml("""
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
    """)
    )
    over_file.write_text(
        yaml("""
        extends: shared
        hero:
          intro: Our intro
          image:
            src: assets/ours.jpg
        roles:
          - slug: c
    """)
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


def test_a_new_image_src_without_alt_is_reported_not_given_the_shared_alt(tmp_path):
    root = write_project(
        tmp_path,
        {
            COMEBACK: yaml("""
        extends: come-back-to-care
        title: Come back to care in Testshire
        hero:
          image:
            src: assets/logo.svg
    """)
        },
    )
    [problem] = problems_in(root)

    assert where(problem, tmp_path) == (COMEBACK, 4, "hero.image.alt")
    assert problem.message == "'alt' is required under 'hero.image'"
    assert "replaces the shared campaign's as a whole: give its src and alt" in problem.hint
