"""When a campaign and its roles take applications: the one rule the build, the form's role
question and `recruit verify` share, and the day it is in the region.

The backend has its own copy of the campaign rule (`is_open` beside its manifest reader: it
imports nothing from the generator); tests/test_manifest_contract.py holds the two equal.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from .problems import UsageProblem

# The region's clock: a campaign that closes on 31 March takes applications until midnight in
# England, whatever time zone the machine that builds it keeps.
REGION_TIME = ZoneInfo("Europe/London")


def campaign_status(opens: dt.date, closes: dt.date, today: dt.date) -> str:
    """'upcoming' before the opening day, 'closed' after the closing day, else 'open' (both days
    included)."""
    if today < opens:
        return "upcoming"
    return "closed" if today > closes else "open"


def role_closes(role_closes: dt.date | None, campaign_closes: dt.date) -> dt.date:
    """A role closes on its own date when it has one, else with its campaign."""
    return role_closes or campaign_closes


def role_closed(closes: dt.date, today: dt.date) -> bool:
    """A role takes applications up to and including its closing day."""
    return today > closes


def default_today() -> dt.date:
    """Today in the region (England), unless RECRUIT_TODAY pins it (reproducible builds and tests).

    A RECRUIT_TODAY that is not a date written YYYY-MM-DD is a UsageProblem (the CLI prints one
    line and exits 2, as it does for a bad --today), never a traceback.
    """
    pinned = os.environ.get("RECRUIT_TODAY", "").strip()
    if not pinned:
        return dt.datetime.now(REGION_TIME).date()
    try:
        if len(pinned) == 10:  # fromisoformat also reads 20260331 and 2026-W13-2
            return dt.date.fromisoformat(pinned)
    except ValueError:
        pass
    raise UsageProblem(
        f"RECRUIT_TODAY={pinned!r} is not a date written YYYY-MM-DD, e.g. 2026-03-31 "
        "(set it to a real date, or unset it to build as of today)"
    )
