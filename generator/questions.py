"""The matching questions: campaigns/_shared/questions.yaml's wording, and which of them a
campaign's form asks (`form: {matching_questions: true}`, or a list of groups).

What each question is (its id, its type, the values its options post, its range) is fixed here,
because the backend's matching reads the answers by those ids and values
(forms_backend/matching/profile.py). What an applicant reads (each label, hint, option label and
the words errors name it by) is content, in questions.yaml, reviewed like any campaign. On the
form each question's id is `match_` and its name, and every one is optional: the form has no
questions shown only after another answer, so each hint says who it is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, WithJsonSchema, create_model
from pydantic_core import InitErrorDetails, PydanticCustomError

from .formats import Text
from .problems import did_you_mean, shown
from .requirements_models import PROFESSIONS
from .strict import Strict

PREFIX = "match_"
# An IELTS band: 0 to 9 in halves ("6", "6.5", "9.0").
BANDS = r"[0-8](\.[05])?|9(\.0)?"
STEPS = ("passed", "booked", "not-yet")
YES_NO = ("yes", "no")
OET_GRADES = ("A", "B", "C+", "C", "D", "E")
IELTS_PARTS = ("listening", "reading", "writing", "speaking")


@dataclass(frozen=True)
class Kind:
    """What a matching question is, whatever its wording."""

    type: Literal["radios", "number", "date"]
    values: tuple[str, ...] = ()  # what its options post, in the order they are shown
    inline: bool = False  # short options side by side
    min: float | None = None
    max: float | None = None
    this_year: bool = False  # a year: at most the build's year
    pattern: str | None = None
    pattern_message: str = ""  # "{Name}" is the question's error name, capitalised


BAND = Kind(
    "number", min=0, max=9, pattern=BANDS, pattern_message="{Name} must be 0 to 9 in halves, like 6.5"
)
QUESTIONS: dict[str, Kind] = {
    "profession": Kind("radios", PROFESSIONS),
    "registration_body": Kind("radios", ("NMC", "HCPC", "SWE", "GMC", "none", "not-sure")),
    "registration_state": Kind("radios", ("registered", "lapsed", "qualified-abroad", "training", "none")),
    "lapsed_year": Kind(
        "number",
        min=1950,
        this_year=True,
        pattern="[0-9]{4}",
        pattern_message="{Name} must be a year, like 2021",
    ),
    "nmc_cbt": Kind("radios", ("passed", "not-yet"), inline=True),
    "nmc_cbt_date": Kind("date"),
    "nmc_osce": Kind("radios", STEPS),
    "gmc_plab1": Kind("radios", STEPS),
    "gmc_plab2": Kind("radios", STEPS),
    "international_application": Kind("radios", YES_NO, inline=True),
    "english_test": Kind("radios", ("ielts-academic", "ielts-general", "oet", "none")),
    "english_test_date": Kind("date"),
    "ielts_overall": BAND,
    **{f"ielts_{part}": BAND for part in IELTS_PARTS},
    **{f"oet_{part}": Kind("radios", OET_GRADES, inline=True) for part in IELTS_PARTS},
    "driving_licence": Kind("radios", YES_NO, inline=True),
    "hours": Kind("radios", ("full-time", "part-time", "either")),
}
# What a campaign can ask for: each group's questions, in the order the form asks them.
GROUPS: dict[str, tuple[str, ...]] = {
    "profession": ("profession",),
    "registration": ("registration_body", "registration_state", "lapsed_year"),
    "overseas_routes": (
        "nmc_cbt",
        "nmc_cbt_date",
        "nmc_osce",
        "gmc_plab1",
        "gmc_plab2",
        "international_application",
    ),
    "english_test": (
        "english_test",
        "english_test_date",
        "ielts_overall",
        *(f"ielts_{part}" for part in IELTS_PARTS),
        *(f"oet_{part}" for part in IELTS_PARTS),
    ),
    "driving_licence": ("driving_licence",),
    "hours": ("hours",),
}
assert [q for group in GROUPS.values() for q in group] == list(QUESTIONS)  # each asked once, in order
Group = Literal["profession", "registration", "overseas_routes", "english_test", "driving_licence", "hours"]


def _groups(value: Any) -> Any:
    """true: every group; false or nothing: none; one name: that group."""
    if value is True:
        return list(GROUPS)
    if value is False or value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        repeated = sorted({v for v in value if isinstance(v, str) and value.count(v) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is listed twice (hint: list each group once)")
    return value


MatchingQuestions = Annotated[
    list[Group],
    BeforeValidator(_groups),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {"type": "array", "items": {"enum": list(GROUPS)}, "uniqueItems": True},
            ]
        }
    ),
    Field(
        description=(
            "Add the matching questions of campaigns/_shared/questions.yaml to the form (their answers "
            "are matched against roles' requirements): true for all, or a list of groups: "
            + ", ".join(GROUPS)
            + "."
        )
    ),
]


class Question(Strict):
    label: Text = Field(description="The question, as the form asks it.")
    hint: str | None = Field(None, description="Shown under the question: say who it is for.")
    error_name: str | None = Field(
        None, description="How error messages name the answer, e.g. 'your IELTS writing score'."
    )


class ChoiceQuestion(Question):
    options: dict[str, Text] = Field(
        description="Each option's value (fixed: the matching reads it) and the words shown for it."
    )


def _error(loc: tuple[str, ...], message: str) -> InitErrorDetails:
    reason = PydanticCustomError("value_error", "{reason}", {"reason": message})
    return InitErrorDetails(type=reason, loc=loc, input={})  # a dict: the problem points at the key


def _fixed_values(name: str) -> Any:
    """A check that a choice question's options are exactly the values the matching reads."""
    values = QUESTIONS[name].values

    def check(question: ChoiceQuestion) -> ChoiceQuestion:
        errors = []
        missing = [v for v in values if v not in question.options]
        for value in question.options:
            if value not in values:
                guess = did_you_mean(value, missing) or (missing[0] if len(missing) == 1 else None)
                hint = f"did you mean '{guess}'?" if guess else "the values are " + ", ".join(values) + "."
                message = (
                    f"{shown(value)} is not one of {name}'s values "
                    f"(hint: {hint} Only the words after the colon can change)"
                )
                errors.append(_error(("options", value), message))
        if missing and not errors:
            listed = ", ".join(missing)
            errors.append(
                _error(("options",), f"{listed} missing (hint: give every value its words: {listed})")
            )
        if errors:
            raise ValidationError.from_exception_data(name, errors)
        return question

    return check


def _field(name: str, kind: Kind) -> tuple[Any, Any]:
    described = Field(description=f"The {name.replace('_', ' ')} question ({kind.type}).")
    if kind.type == "radios":
        return Annotated[ChoiceQuestion, AfterValidator(_fixed_values(name))], described
    return Question, described


QuestionLibrary = create_model(  # type: ignore[call-overload]
    "QuestionLibrary",
    __base__=Strict,
    __doc__="campaigns/_shared/questions.yaml: the words of the matching questions.",
    **{name: _field(name, kind) for name, kind in QUESTIONS.items()},
)


def chosen_questions(groups: list[str]) -> list[str]:
    """The questions a campaign's groups ask, in the form's order."""
    return [q for group, questions in GROUPS.items() if group in groups for q in questions]
