"""What the loader hands on: a region's councils and campaigns, validated, with where their files are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from .models import Campaign, Council, Region
from .opening import campaign_status
from .problems import Loc
from .routes_models import RoutesFile

SHARED = "_shared"


@dataclass
class CampaignSite:
    """One campaign of one council, validated, with where its images really are."""

    slug: str
    council: CouncilSite
    model: Campaign
    file: Path
    shared: str | None
    images: dict[Loc, Path] = field(default_factory=dict)
    source_digest: str = ""  # of the file's bytes as loaded (what the build's fingerprints use)

    def image_path(self, loc: Loc) -> Path:
        return self.images[loc]

    def is_open(self, today: dt.date) -> bool:
        return self.status(today) == "open"

    def status(self, today: dt.date) -> str:
        """'open', 'upcoming' or 'closed' on the given day."""
        return campaign_status(self.model.opens, self.model.closes, today)


@dataclass
class CouncilSite:
    slug: str
    model: Council
    folder: Path
    logo: Path
    campaigns: list[CampaignSite] = field(default_factory=list)


@dataclass
class Project:
    root: Path
    region: Region
    councils: list[CouncilSite]
    questions: BaseModel | None = None  # campaigns/_shared/questions.yaml (a questions.QuestionLibrary)
    routes: RoutesFile | None = None  # campaigns/_shared/routes.yaml

    @property
    def campaigns(self) -> list[CampaignSite]:
        return [c for council in self.councils for c in council.campaigns]
