"""The evaluation report: from the daily rollups, for a council or the region (or one campaign),
how many people came from each channel, how many applied, and how many reached each stage
through to placed, today, in the last 7 days and since launch; and the four figures every UK
public service publishes. The workspace shows it live, `recruit report` writes it to files.

Counts add up: a council's are the sums of its campaigns' (and its own pages'), the region's the
sums of its councils' (and its home page's). People are counted as visits: one person on one
council's site on one day, as the visitor key allows (it changes every day and differs between
sites, so that no one can follow a person); unique people across days or councils are not known,
by design, and never added up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..manifest import Manifest
from ..storage import Storage

STEPS = ("visits", "landing", "role", "apply", "applied", "screening", "interview", "offer", "placed")
STEP_NAMES = {
    "visits": "Visits", "landing": "Landing page views", "role": "Role page views",
    "apply": "Apply form views", "applied": "Applications", "screening": "Screening",
    "interview": "Interview", "offer": "Offer", "placed": "Placed",
}  # fmt: skip
PERIODS = ("today", "week", "launch")
PAGE_STEPS = {"landing": "landing", "role": "role", "apply": "apply"}
SATISFIED = 4  # "Satisfied" or "Very satisfied" on the thank-you page's 1-5 scale
HUB = ""  # the region's own pages, as the rollups name their council


def counts() -> dict[str, list[int]]:
    """Per step, [today, last 7 days, since launch]."""
    return {step: [0, 0, 0] for step in STEPS}


@dataclass
class Line:
    """A row of a table: its name, its slug, and its counts."""

    name: str
    key: str
    counts: dict[str, list[int]] = field(default_factory=counts)

    def add(self, step: str, periods: tuple[int, int, int]) -> None:
        for n, value in enumerate(periods):
            self.counts[step][n] += value

    def __getitem__(self, step: str) -> int:  # since launch
        return self.counts[step][2]


@dataclass
class Figure:
    """One of the four published figures: its name, its value as read, how it was worked out."""

    name: str
    value: str
    detail: str


@dataclass
class Report:
    scope: str  # "the region", a council's name, or a campaign's with its council's
    councils: list[str] | None
    campaign: str | None
    since: dt.date
    today: dt.date
    as_of: dt.datetime | None
    total: Line
    sites: list[Line]  # the councils side by side (the region), or the council's campaigns
    sources: list[Line]  # since launch, by the source people came from
    campaigns: list[tuple[Line, list[Line]]]  # per campaign: its total, and its rows by source
    days: list[dt.date]
    per_day: list[tuple[str, list[int]]]  # (source, applications on each of `days`)
    figures: list[Figure]
    ratings: list[int] = field(default_factory=lambda: [0] * 5)  # very dissatisfied .. very satisfied
    bank: dict[str, int] = field(default_factory=dict)  # in_bank, contacted, accepted, placed (from it)

    @property
    def period_names(self) -> tuple[str, str, str]:
        return ("Today", "Last 7 days", f"Since {self.since.day} {self.since:%B %Y}")

    def as_json(self) -> dict[str, Any]:
        def line(item: Line) -> dict[str, Any]:
            periods = {step: dict(zip(PERIODS, values, strict=True)) for step, values in item.counts.items()}
            return {"name": item.name, "key": item.key, **periods}

        return {
            "scope": self.scope, "councils": self.councils, "campaign": self.campaign,
            "since": self.since.isoformat(), "today": self.today.isoformat(),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "notes": {"visits": VISITS_NOTE},
            "total": line(self.total), "sites": [line(s) for s in self.sites],
            "sources": [line(s) for s in self.sources],
            "campaigns": [
                {**line(total), "sources": [line(r) for r in rows]} for total, rows in self.campaigns
            ],
            "applications_per_day": {
                "days": [d.isoformat() for d in self.days], **{source: n for source, n in self.per_day}
            },
            "figures": [vars(f) for f in self.figures],
            "ratings": dict(zip(("1", "2", "3", "4", "5"), self.ratings, strict=True)),
            "talent_bank": self.bank,
        }  # fmt: skip


VISITS_NOTE = (
    "A visit is one person on one council's site on one day. The same person on another day, or "
    "on another council's site, is another visit: people are not followed from day to day or "
    "between sites, so unique people are not counted or added up."
)


def build(storage: Storage, manifest: Manifest, councils: list[str] | None, campaign: str | None,
          since: dt.date, today: dt.date) -> Report:  # fmt: skip
    """The report for `councils` (None: the region) and `campaign` (None: all) from `since`."""
    week = today - dt.timedelta(days=6)
    args = (since, week, today, councils, campaign)
    names = {slug: c.get("name", slug) for slug, c in manifest.councils.items()}
    campaign_names = {(f["council"], f["campaign"]): f.get("title", f["campaign"]) for f in manifest.forms}
    whole = Line("The region" if councils is None else "All", "")
    by_site: dict[str, Line] = {}
    by_source: dict[str, Line] = {}
    by_campaign: dict[tuple[str, str], tuple[Line, dict[str, Line]]] = {}

    sites_are_councils = councils is None or len(councils) != 1

    def site(council: str, camp: str) -> Line:
        key = council if sites_are_councils else camp
        if key not in by_site:
            if sites_are_councils:
                name = names.get(council, "The region's home page" if council == HUB else council)
            else:
                name = campaign_names.get((council, camp), camp) if camp else "The council's own pages"
            by_site[key] = Line(name, key)
        return by_site[key]

    def of_campaign(council: str, camp: str, source: str) -> tuple[Line, Line]:
        total, rows = by_campaign.setdefault(
            (council, camp), (Line(campaign_names.get((council, camp), camp), f"{council}/{camp}"), {})
        )
        return total, rows.setdefault(source, Line(source, source))

    def count(council: str, camp: str, source: str, step: str, periods: tuple[int, int, int]) -> None:
        for line in (whole, site(council, camp), by_source.setdefault(source, Line(source, source))):
            line.add(step, periods)
        if camp:
            for line in of_campaign(council, camp, source):
                line.add(step, periods)

    for council, camp, _role, source, _medium, page, *periods in storage.report_views(*args):
        if page in PAGE_STEPS:
            count(council, camp, source, PAGE_STEPS[page], tuple(periods))  # type: ignore[arg-type]
    for council, camp, source, _medium, *periods in storage.report_visitors(*args):
        visits = tuple(periods)  # each site's visits once: its own row, not again per campaign
        lines = []
        if camp == "*":
            if campaign is None:
                lines = [whole, by_source.setdefault(source, Line(source, source))]
                lines += [site(council, "")] if sites_are_councils else []
        else:
            if campaign is not None:
                lines = [whole, by_source.setdefault(source, Line(source, source))]
            if campaign is not None or not sites_are_councils:
                lines.append(site(council, camp))
            if camp:
                lines.extend(of_campaign(council, camp, source))
        for line in lines:
            line.add("visits", visits)  # type: ignore[arg-type]
    for council, camp, _role, source, _medium, step, *periods in storage.report_steps(*args):
        count(council, camp, source, step, tuple(periods))  # type: ignore[arg-type]
    ratings = [0] * 5
    for _council, _camp, score, n in storage.report_ratings(since, councils, campaign):
        ratings[score - 1] += n
    days = [since + dt.timedelta(days=n) for n in range((today - since).days + 1)][-60:]
    per_day: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    position = {d.isoformat(): n for n, d in enumerate(days)}
    for day, source, n in storage.applications_by_day(days[0], councils, campaign):
        if day in position:
            per_day[source][position[day]] += n
    forms = [f for f in manifest.forms if (councils is None or f["council"] in councils)
             and (campaign is None or f["campaign"] == campaign)]  # fmt: skip
    return Report(
        scope=_scope(names, campaign_names, councils, campaign), councils=councils, campaign=campaign,
        since=since, today=today, as_of=storage.rolled_up_at(), total=whole,
        sites=sorted(by_site.values(), key=lambda s: (s.key == HUB, s.name)),
        sources=sorted(by_source.values(), key=lambda s: (-s["applied"], -s["visits"], s.name)),
        campaigns=[(t, sorted(r.values(), key=lambda s: (-s["applied"], -s["visits"], s.name)))
                   for t, r in sorted(by_campaign.values(), key=lambda c: c[0].name)],
        days=days, per_day=sorted(per_day.items(), key=lambda s: (-sum(s[1]), s[0])),
        figures=figures(whole, by_source, forms, ratings), ratings=ratings,
        bank=storage.bank_outcomes(since, councils),
    )  # fmt: skip


def _scope(names: dict, campaign_names: dict, councils: list[str] | None, campaign: str | None) -> str:
    if councils is None or len(councils) != 1:
        return "the region" if campaign is None else f"{campaign} across the region"
    council = names.get(councils[0], councils[0])
    return (
        council if campaign is None else f"{campaign_names.get((councils[0], campaign), campaign)}, {council}"
    )


def pounds(value: float) -> str:
    return f"£{value:,.2f}".replace(".00", "")


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "Not yet known"


def figures(total: Line, by_source: dict[str, Line], forms: list[dict], ratings: list[int]) -> list[Figure]:
    """Cost per application and per placement, completion rate, user satisfaction, digital take-up."""
    spend: dict[str, float] = defaultdict(float)
    elsewhere = 0
    for form in forms:
        for channel, amount in (form.get("spend") or {}).items():
            spend[channel] += float(amount)
        elsewhere += sum(int(n) for n in (form.get("applications_elsewhere") or {}).values())
    spent, applied, placed = sum(spend.values()), total["applied"], total["placed"]
    found = []
    if spent:
        channels = "; ".join(
            f"{channel} {pounds(amount)}"
            + (
                f" ({pounds(amount / by_source[channel]['applied'])} an application)"
                if channel in by_source and by_source[channel]["applied"]
                else ""
            )  # fmt: skip
            for channel, amount in sorted(spend.items(), key=lambda c: -c[1])
        )
        every = applied + elsewhere
        found.append(Figure("Cost per application", pounds(spent / every) if every else "Not yet known",
                            f"{pounds(spent)} spent ({channels}) for {every:,} applications"))  # fmt: skip
        found.append(Figure("Cost per placement", pounds(spent / placed) if placed else "Not yet known",
                            f"{pounds(spent)} spent for {placed:,} people placed"))  # fmt: skip
    else:
        for name in ("Cost per application", "Cost per placement"):
            found.append(Figure(name, "Not known", "No spend is given in the campaign files (`spend:`)"))
    views = total["apply"]
    found.append(Figure("Completion rate", share(applied, views),
                        f"{applied:,} applications from {views:,} views of the apply form"))  # fmt: skip
    rated = sum(ratings)
    satisfied = sum(ratings[SATISFIED - 1 :])
    found.append(Figure("User satisfaction", share(satisfied, rated),
                        f"{satisfied:,} of {rated:,} who answered the thank-you page's question were "
                        "satisfied or very satisfied" if rated else
                        "No one has answered the thank-you page's question yet"))  # fmt: skip
    found.append(Figure("Digital take-up", share(applied, applied + elsewhere),
                        f"{applied:,} applications through the site, {elsewhere:,} received other ways "
                        "(`applications_elsewhere:` in the campaign files)"))  # fmt: skip
    return found
