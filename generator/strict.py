"""The base of every content model: unknown keys are errors, and checks across fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must never be silently ignored.

    Checks that look at several fields of one group (colour contrast, a form field's options)
    live in `cross_checks`, which reads a dict of the group's valid fields. It runs when the whole
    group is valid, and the validator runs it again on the valid part of a group in which
    another field is wrong, so one slip never hides an unrelated mistake.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        """What is wrong across fields, given the fields known to be valid (an unknown one is left
        out, so each check runs only when what it reads is there). A message may end with
        ' (hint: ...)'."""
        return []

    @model_validator(mode="after")
    def _cross_checked(self) -> Strict:
        problems = self.cross_checks(dict(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self
