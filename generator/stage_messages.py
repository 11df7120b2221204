"""site.toml's [messages] and council.yaml's messages: what the workspace offers to email an
applicant on a move, by stage, with its placeholders checked at validate time."""

from __future__ import annotations

import string

from pydantic import Field, field_validator

from .formats import Message
from .strict import Strict

MESSAGE_FIELDS = {"name", "reference", "campaign", "council"}


class StageMessages(Strict):
    """What the workspace offers to email an applicant when their application moves to a stage.
    {name}, {reference}, {campaign} and {council} are filled in; a team may edit it before sending."""

    screening: Message | None = Field(None, description="Sent on a move to screening.")
    interview: Message | None = Field(None, description="Sent on a move to interview.")
    offer: Message | None = Field(None, description="Sent on a move to offer.")
    placed: Message | None = Field(None, description="Sent on a move to placed.")
    not_progressed: Message | None = Field(None, description="Sent on a move to not progressed.")
    withdrawn: Message | None = Field(None, description="Sent on a move to withdrawn.")

    @field_validator("*")
    @classmethod
    def _placeholders(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(v) if name is not None}
        except ValueError:
            raise ValueError("a { or } without its pair: write {{ or }} for the character itself") from None
        unknown = sorted(used - MESSAGE_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{unknown[0]}}}: "
                "use {name}, {reference}, {campaign} or {council}"
            )
        return v
