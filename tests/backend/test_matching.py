"""Matching that explains itself (forms_backend/matching/), on fixed cases and as a property.

The routes are the example region's (campaigns/_shared/routes.yaml, as the build ships them in
the manifest); the day is always given. The reasons are data: each case asserts on the outcome
and the steps left, and on the words only where the words are the point.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forms_backend.matching import (
    Profile,
    Routes,
    explain,
    fit,
    load_routes,
    plan,
    profile_of,
    rank,
    steps_left,
)
from forms_backend.matching.profile import BODY_OF, HOURS, OET_GRADES, PARTS, PROFESSION_NAMES, STATES, STEPS
from forms_backend.parsing import Submission
from forms_backend.validation import validate

TODAY = dt.date(2026, 11, 23)


def role(professions: list[str], body: str, **needs: Any) -> dict[str, Any]:
    """Requirements as the manifest carries them: registered with `body` (essential), and `needs`."""
    registration = {"body": body, "state": "registered", "within_years": None, "essential": True}
    empty = {"english_test": None, "driving_licence": None, "hours": None, "soc_2020": None}
    return {"profession": professions, "registration": registration, **empty, **needs}


# the example's nurse pathway, with the registration and the English test essential
NURSE_ROLE = role(["registered-nurse", "midwife"], "NMC", english_test={"essential": True}, hours="full-time")
SOCIAL_WORKER = role(["social-worker"], "SWE", driving_licence={"essential": True}, soc_2020="2461")
DOCTOR = role(["doctor"], "GMC", english_test={"essential": True}, hours="either")
OSCE = "Book and pass the OSCE, the NMC's practical test, at a UK test centre"


@pytest.fixture(scope="module")
def routes(manifest: dict) -> Routes:
    return load_routes(manifest)


def ielts(date: str, overall: str, **parts: str) -> dict[str, str]:
    bands = {"listening": "7.5", "reading": "7.5", "writing": "7.0", "speaking": "7.5", **parts}
    answers = {"match_english_test": "ielts-academic", "match_english_test_date": date}
    return answers | {"match_ielts_overall": overall} | {f"match_ielts_{p}": b for p, b in bands.items()}


def oet(date: str, **grades: str) -> dict[str, str]:
    answers = {"match_english_test": "oet", "match_english_test_date": date}
    return answers | {f"match_oet_{p}": grades.get(p, "B") for p in PARTS}


def nurse_abroad(**answers: str) -> dict[str, str]:
    return {"match_profession": "registered-nurse", "match_registration_state": "qualified-abroad", **answers}


def by_requirement(reasons: list) -> dict[str, Any]:
    return {r.requirement: r for r in reasons}


# --- the routes, as the manifest ships them -----------------------------------------------------


def test_the_manifest_ships_every_regulators_standard_and_routes(routes: Routes) -> None:
    assert set(routes.english) == {"NMC", "HCPC", "SWE", "GMC"}
    kinds = {(r.body, r.kind) for r in routes.routes}
    assert {("NMC", "international"), ("GMC", "international"), ("SWE", "return-to-practice")} <= kinds
    sites = {
        "NMC": "nmc.org.uk",
        "HCPC": "hcpc-uk.org",
        "SWE": "socialworkengland.org.uk",
        "GMC": "gmc-uk.org",
    }
    for route in routes.routes:
        assert sites[route.body] in route.source and route.support
    for body, standard in routes.english.items():
        assert sites[body] in standard.source


def test_a_manifest_without_routes_gives_none() -> None:
    empty = load_routes({})
    assert empty.routes == () and empty.english == {}
    reasons = explain(NURSE_ROLE, profile_of(nurse_abroad()), empty, TODAY)
    assert by_requirement(reasons)["english_test"].outcome == "unknown"


# --- fixed cases --------------------------------------------------------------------------------


def test_a_lapsed_social_work_england_registration_3_years_ago_needs_return_to_practice(
    routes: Routes,
) -> None:
    person = profile_of(
        {
            "match_profession": "social-worker",
            "match_registration_state": "lapsed",
            "match_lapsed_year": "2023",
            "match_driving_licence": "yes",
        }
    )
    registration = by_requirement(explain(SOCIAL_WORKER, person, routes, TODAY))["registration"]
    assert registration.outcome == "on-a-route" and registration.essential
    assert (
        registration.text == "Lapsed Social Work England registration 3 years ago: return to practice needed"
    )
    assert registration.steps_left[0].startswith("Complete return to practice updating")
    assert registration.steps_left[-1].startswith("Apply to Social Work England for restoration")
    assert steps_left(person, routes, TODAY) == registration.steps_left
    assert "return to social work programme" in (plan(person, routes, TODAY).support or "")


def test_a_registration_lapsed_last_year_can_be_restored(routes: Routes) -> None:
    person = profile_of({"profession": "social-worker", "registration_state": "lapsed", "lapsed_year": 2025})
    registration = by_requirement(explain(SOCIAL_WORKER, person, routes, TODAY))["registration"]
    assert registration.outcome == "on-a-route"  # a bank entry's fields, without the prefix
    assert registration.text.endswith("1 year ago: can restore")
    assert registration.steps_left == [
        "Apply to Social Work England for restoration through your online account"
    ]
    restorable = {
        **SOCIAL_WORKER,
        "registration": {**SOCIAL_WORKER["registration"], "state": "eligible-to-restore", "within_years": 2},
    }
    assert by_requirement(explain(restorable, person, routes, TODAY))["registration"].outcome == "met"


def test_an_nmc_route_half_done_is_on_a_route_with_the_osce_left(routes: Routes) -> None:
    person = profile_of(nurse_abroad(match_nmc_cbt="passed", match_nmc_osce="not-yet") | oet("2026-01-10"))
    reasons = by_requirement(explain(NURSE_ROLE, person, routes, TODAY))
    registration = reasons["registration"]
    assert registration.outcome == "on-a-route" and registration.essential
    assert registration.text == "Registered nurse abroad: NMC CBT passed, OSCE not yet booked"
    assert registration.steps_left == [OSCE]
    assert reasons["english_test"].outcome == "met"
    assert steps_left(person, routes, TODAY) == [OSCE]
    support = plan(person, routes, TODAY).support or ""
    assert "OET or IELTS fee" in support and "CBT fee" in support


def test_a_role_that_takes_people_on_a_route_counts_the_route_as_met(routes: Routes) -> None:
    pathway = {**NURSE_ROLE, "registration": {**NURSE_ROLE["registration"], "state": "on-a-route"}}
    person = profile_of(nurse_abroad(match_nmc_cbt="passed", match_nmc_osce="booked"))
    registration = by_requirement(explain(pathway, person, routes, TODAY))["registration"]
    assert registration.outcome == "met"
    assert registration.text == "Registered nurse abroad: NMC CBT passed, OSCE booked"
    assert registration.steps_left[-1] == OSCE and len(registration.steps_left) == 2  # and the English test


def test_an_ielts_older_than_two_years_is_expired(routes: Routes) -> None:
    person = profile_of(nurse_abroad() | ielts("2023-05-01", "7.5"))
    english = by_requirement(explain(NURSE_ROLE, person, routes, TODAY))["english_test"]
    assert english.outcome == "not-met" and english.essential
    assert english.text == "IELTS taken 2023-05-01: expired (valid two years)"
    assert english.steps_left == ["Take IELTS Academic or OET at NMC's standard"]
    # the same result the day before it is two years old still counts
    fresh = by_requirement(explain(NURSE_ROLE, person, routes, dt.date(2025, 4, 30)))["english_test"]
    assert fresh.outcome == "met" and fresh.steps_left == []


def test_ielts_writing_below_65_does_not_meet_the_nmcs_standard(routes: Routes) -> None:
    person = profile_of(nurse_abroad() | ielts("2026-05-01", "7.0", writing="6.0"))
    english = by_requirement(explain(NURSE_ROLE, person, routes, TODAY))["english_test"]
    assert english.outcome == "not-met"
    assert english.text == "IELTS 7.0 overall but writing 6.0: below NMC's 6.5"
    just = profile_of(nurse_abroad() | ielts("2026-05-01", "7.0", writing="6.5"))
    assert by_requirement(explain(NURSE_ROLE, just, routes, TODAY))["english_test"].outcome == "met"


def test_oet_b_with_c_plus_in_writing_meets_the_nmcs_standard(routes: Routes) -> None:
    person = profile_of(nurse_abroad() | oet("2025-12-01", writing="C+"))
    english = by_requirement(explain(NURSE_ROLE, person, routes, TODAY))["english_test"]
    assert english.outcome == "met" and english.steps_left == []
    assert "meets NMC's standard until 2027-12-01" in english.text
    low = profile_of(nurse_abroad() | oet("2025-12-01", writing="C"))
    below = by_requirement(explain(NURSE_ROLE, low, routes, TODAY))["english_test"]
    assert (below.outcome, below.text) == ("not-met", "OET writing C: below NMC's C+")
    # the GMC asks for B in writing too
    doctor = profile_of(
        {"match_profession": "doctor", "match_registration_state": "qualified-abroad"}
        | oet("2025-12-01", writing="C+")
    )
    assert by_requirement(explain(DOCTOR, doctor, routes, TODAY))["english_test"].outcome == "not-met"


def test_ielts_general_and_no_test_are_not_met_and_a_missing_date_is_unknown(routes: Routes) -> None:
    general = nurse_abroad() | ielts("2026-05-01", "8.0") | {"match_english_test": "ielts-general"}
    english = by_requirement(explain(NURSE_ROLE, profile_of(general), routes, TODAY))["english_test"]
    assert english.outcome == "not-met" and "not a test NMC accepts" in english.text
    none = by_requirement(
        explain(NURSE_ROLE, profile_of(nurse_abroad(match_english_test="none")), routes, TODAY)
    )
    assert none["english_test"].outcome == "not-met"
    undated = nurse_abroad() | ielts("", "8.0")
    assert (
        by_requirement(explain(NURSE_ROLE, profile_of(undated), routes, TODAY))["english_test"].outcome
        == "unknown"
    )


def test_a_speech_and_language_therapist_needs_80(routes: Routes) -> None:
    role = {
        "profession": ["speech-and-language-therapist"],
        "english_test": {"essential": True},
        "registration": {"body": "HCPC", "state": "registered", "within_years": None, "essential": True},
    }
    answers = {
        "match_profession": "speech-and-language-therapist",
        "match_registration_state": "qualified-abroad",
    }
    seven = by_requirement(explain(role, profile_of(answers | ielts("2026-01-01", "7.5")), routes, TODAY))
    assert seven["english_test"].outcome == "not-met" and "below HCPC's 8.0" in seven["english_test"].text
    therapist = {**answers, "match_profession": "occupational-therapist"}
    role_ot = {**role, "profession": ["occupational-therapist"]}
    met = by_requirement(explain(role_ot, profile_of(therapist | ielts("2026-01-01", "7.5")), routes, TODAY))
    assert met["english_test"].outcome == "met"


def test_a_gmc_candidate_with_plab_1_only_has_plab_2_left(routes: Routes) -> None:
    answers = {
        "match_profession": "doctor",
        "match_registration_state": "qualified-abroad",
        "match_gmc_plab1": "passed",
        "match_gmc_plab2": "not-yet",
    }
    person = profile_of(answers | ielts("2026-02-01", "7.5", writing="7.0"))
    reasons = by_requirement(explain(DOCTOR, person, routes, TODAY))
    registration = reasons["registration"]
    assert registration.outcome == "on-a-route"
    assert registration.text == "Doctor abroad: GMC PLAB 1 passed, PLAB 2 not yet booked"
    assert registration.steps_left == ["Book and pass PLAB 2, the practical test in Manchester"]
    assert reasons["english_test"].outcome == "met" and reasons["hours"].outcome == "met"


def test_the_wrong_regulator_or_no_registration_is_not_met(routes: Routes) -> None:
    physio = profile_of({"match_profession": "physiotherapist", "match_registration_state": "registered"})
    reasons = by_requirement(explain(NURSE_ROLE, physio, routes, TODAY))
    assert reasons["profession"].outcome == "not-met" and reasons["registration"].outcome == "not-met"
    assert reasons["registration"].text == "Registered with HCPC; the role needs NMC"
    unregistered = profile_of({"match_profession": "registered-nurse", "match_registration_state": "none"})
    assert (
        by_requirement(explain(NURSE_ROLE, unregistered, routes, TODAY))["registration"].outcome == "not-met"
    )
    assert [r.outcome for r in explain(NURSE_ROLE, Profile(), routes, TODAY)] == ["unknown"] * 4


def test_a_uk_registered_nurse_meets_everything(routes: Routes) -> None:
    person = profile_of(
        {
            "match_profession": "registered-nurse",
            "match_registration_body": "NMC",
            "match_registration_state": "registered",
            "match_hours": "either",
        }
    )
    reasons = explain(NURSE_ROLE, person, routes, TODAY)
    assert [r.requirement for r in reasons] == ["profession", "registration", "english_test", "hours"]
    assert {r.outcome for r in reasons} == {"met"} and steps_left(person, routes, TODAY) == []


def test_a_role_without_requirements_explains_nothing(routes: Routes) -> None:
    assert explain(None, profile_of(nurse_abroad()), routes, TODAY) == []
    assert rank(None, [("a", Profile()), ("b", Profile())], routes, TODAY) == [("a", []), ("b", [])]


def test_answers_arrive_structured_through_the_forms_own_rules(manifest: dict, routes: Routes) -> None:
    """The example's overseas form asks the matching questions; the backend's validation keeps
    their values, refuses what is not one, and the profile reads what it kept."""
    form = next(f for f in manifest["forms"] if f["campaign"] == "overseas-qualified-nurses")
    fields = [f for f in form["fields"] if f["id"].startswith("match_")]
    assert len(fields) == 23 and not any(f["required"] for f in fields)
    sent = nurse_abroad(match_nmc_cbt="passed", match_nmc_osce="not-yet") | ielts("", "7.5", writing="6.5")
    del sent["match_english_test_date"]
    day = {
        "match_english_test_date-day": "2",
        "match_english_test_date-month": "3",
        "match_english_test_date-year": "2026",
    }
    result = validate(fields, Submission({k: [v] for k, v in (sent | day).items()}))
    assert result.ok, result.errors
    assert result.answers["match_english_test_date"] == "2026-03-02"
    person = profile_of(result.answers)
    assert person.english is not None and person.english.parts["writing"] == 6.5
    assert by_requirement(explain(NURSE_ROLE, person, routes, TODAY))["registration"].steps_left == [OSCE]
    wrong = validate(
        fields,
        Submission(
            {"match_ielts_writing": ["6.3"], "match_oet_reading": ["F"], "match_profession": ["nurse"]}
        ),
    )
    assert (
        wrong.errors["match_ielts_writing"] == "Your IELTS writing score must be 0 to 9 in halves, like 6.5"
    )
    assert {fid for fid, _ in wrong.tampering} == {"match_oet_reading", "match_profession"}


# --- the order: an essential not met never above one met ------------------------------------------

profiles = st.builds(
    Profile,
    profession=st.one_of(st.none(), st.sampled_from(sorted(PROFESSION_NAMES))),
    body=st.one_of(st.none(), st.sampled_from(["NMC", "HCPC", "SWE", "GMC", "none"])),
    state=st.one_of(st.none(), st.sampled_from(STATES)),
    lapsed_year=st.one_of(st.none(), st.integers(1990, 2026)),
    cbt=st.one_of(st.none(), st.sampled_from(["passed", "not-yet"])),
    osce=st.one_of(st.none(), st.sampled_from(STEPS)),
    plab1=st.one_of(st.none(), st.sampled_from(STEPS)),
    plab2=st.one_of(st.none(), st.sampled_from(STEPS)),
    international_application=st.one_of(st.none(), st.booleans()),
    english=st.one_of(
        st.none(),
        st.builds(
            profile_of,
            st.fixed_dictionaries(
                {
                    "english_test": st.sampled_from(["ielts-academic", "ielts-general", "oet", "none"]),
                    "english_test_date": st.dates(dt.date(2020, 1, 1), dt.date(2027, 1, 1)).map(str),
                    "ielts_overall": st.integers(8, 18).map(lambda n: str(n / 2)),
                    **{f"ielts_{p}": st.integers(8, 18).map(lambda n: str(n / 2)) for p in PARTS},
                    **{f"oet_{p}": st.sampled_from(OET_GRADES) for p in PARTS},
                }
            ),
        ).map(lambda p: p.english),
    ),
    driving_licence=st.one_of(st.none(), st.booleans()),
    hours=st.one_of(st.none(), st.sampled_from(HOURS)),
)


@st.composite
def requirements(draw: st.DrawFn) -> dict[str, Any]:
    professions = draw(
        st.lists(st.sampled_from(sorted(PROFESSION_NAMES)), min_size=1, max_size=3, unique=True)
    )
    bodies, registration = {BODY_OF.get(p) for p in professions}, None
    if len(bodies) == 1 and None not in bodies and draw(st.booleans()):
        body = bodies.pop()
        state = draw(
            st.sampled_from(["registered", "on-a-route"] + ["eligible-to-restore"] * (body != "GMC"))
        )
        within = draw(st.integers(1, 6)) if state == "eligible-to-restore" else None
        registration = {
            "body": body,
            "state": state,
            "within_years": within,
            "essential": draw(st.booleans()),
        }
    need = st.one_of(st.none(), st.builds(lambda e: {"essential": e}, st.booleans()))
    return {
        "profession": professions,
        "registration": registration,
        "english_test": draw(need) if registration else None,
        "driving_licence": draw(need),
        "hours": draw(st.one_of(st.none(), st.sampled_from(HOURS))),
        "soc_2020": None,
    }


def blocked(reasons: list) -> bool:
    return any(r.essential and r.outcome == "not-met" for r in reasons)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    role=requirements(),
    people=st.lists(profiles, min_size=2, max_size=8),
    today=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
)
def test_an_essential_not_met_is_never_ranked_above_one_met(
    routes: Routes, role: dict[str, Any], people: list[Profile], today: dt.date
) -> None:
    ranked = rank(role, list(enumerate(people)), routes, today)
    assert sorted(key for key, _ in ranked) == list(range(len(people)))
    flags = [blocked(reasons) for _, reasons in ranked]
    assert flags == sorted(flags), [
        (k, [(r.requirement, r.outcome, r.essential) for r in rs]) for k, rs in ranked
    ]
    keys = [fit(reasons) for _, reasons in ranked]
    assert keys == sorted(keys)
    for _, reasons in ranked:
        for reason in reasons:
            assert reason.outcome in ("met", "not-met", "on-a-route", "unknown") and reason.text
            assert reason.outcome != "met" or reason.requirement == "registration" or not reason.steps_left


def test_the_generator_and_the_matching_name_each_professions_regulator_alike() -> None:
    """Written twice (the generator and the backend do not import each other): kept equal here."""
    from forms_backend.matching import profile
    from generator import requirements_models

    assert {k: v for k, v in requirements_models.BODY_OF.items() if v} == {
        k: v for k, v in profile.BODY_OF.items() if v
    }
