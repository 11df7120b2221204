"""The content model: site.toml, council.yaml and campaign YAML, as pydantic models.

Field descriptions become the JSON Schema's help text, which editors show while typing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from .colour import contrast_ratio, parse_hex
from .evaluation_models import ApplicationsElsewhere, Spend
from .formats import Colour, Email, Postcode, Slug, Text, Url
from .questions import PREFIX, MatchingQuestions
from .requirements_models import Requirements
from .stage_messages import StageMessages
from .strict import Strict

AA = 4.5  # WCAG 2.2 AA contrast for body text


HINT_CONTRAST = (
    " (hint: make the pair differ more in lightness (darker colours against white text); "
    "check a pair at https://webaim.org/resources/contrastchecker/)"
)


def contrast_problems(values: dict[str, Any], pairs: list[tuple[str, str, str]]) -> list[str]:
    """One message (with the hint) naming every pair below WCAG AA, e.g. pairs
    [("primary", "text", "text colour"), ("secondary", "#ffffff", "white")]; a pair whose
    colour is not known (misspelt, invalid) is skipped."""
    problems, seen = [], set()
    for name, other, other_name in pairs:
        colour = values.get(name)
        against = other if other.startswith("#") else values.get(other)
        if not isinstance(colour, str) or not isinstance(against, str):
            continue
        if (colour.lower(), against.lower()) in seen:
            continue  # white text on the primary is the same pair as the primary on white
        seen.add((colour.lower(), against.lower()))
        ratio = contrast_ratio(parse_hex(colour), parse_hex(against))
        if ratio < AA:
            shown = other_name if other.startswith("#") else f"{other_name} {against}"
            problems.append(
                f"{name} {colour} against {shown} has contrast {ratio:.2f}:1, "
                "below the WCAG AA minimum of 4.5:1"
            )
    return ["; ".join(problems) + HINT_CONTRAST] if problems else []


# --- site.toml ---------------------------------------------------------------------------------


class RegionBrand(Strict):
    primary: Colour = Field(
        "#1d4f91", description="Header colour of the region's hub page, and its links on white."
    )
    text: Colour = Field("#ffffff", description="Text colour on the primary colour.")

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        # the hub uses the primary colour for its header (under the text colour) and its links
        return contrast_problems(
            values, [("primary", "text", "text colour"), ("primary", "#ffffff", "white")]
        )


class Region(Strict):
    """The region: site.toml at the project root."""

    name: Text = Field(description="The region's name, e.g. 'West Midlands'.")
    organisation: Text = Field(description="The regional body that runs the hub.")
    base_url: Url = Field(description="Public address the sites are published at.")
    backend_url: str = Field(
        "/api",
        description="Where forms post: '/api' (same host) or a full https:// address.",
        pattern=r"^(/|https?://)\S*$",
    )
    theme: Slug = Field("default", description="Theme under themes/ (default: 'default').")
    retention_days: int = Field(
        365, ge=1, le=3650, description="Days an application is kept before it is purged."
    )
    output_dir: str = Field("dist", description="Folder the sites are written to.")
    language: str = Field("en-GB", description="Language of the pages (BCP 47).")
    contact_email: Email = Field(description="Contact for the hub and accessibility issues.")
    brand: RegionBrand = Field(default_factory=RegionBrand)  # type: ignore[arg-type]
    messages: StageMessages = Field(default_factory=StageMessages)  # type: ignore[arg-type]
    analytics: bool = Field(
        True, description="Count page views without cookies (see the privacy notice); false: none at all."
    )
    talent_bank_months: int = Field(
        12, ge=1, le=36, description="Months a talent bank consent lasts (a reminder comes a month before)."
    )
    talent_bank_providers: list[Text] = Field(
        default_factory=list, description="Care providers, besides the councils, who may contact the bank."
    )
    talent_bank_contacts_per_month: int = Field(
        3, ge=1, le=20, description="At most this many councils' messages reach one person in 30 days."
    )

    @field_validator("base_url")
    @classmethod
    def _slash(cls, v: str) -> str:
        return v if v.endswith("/") else v + "/"


# --- council.yaml ------------------------------------------------------------------------------


class Brand(Strict):
    primary: Colour = Field(
        description="Main colour (hex, e.g. '#00205b'): header and buttons, under the text colour."
    )
    secondary: Colour = Field(description="Accent colour for links and borders on white.")
    text: Colour = Field("#ffffff", description="Text colour on the primary colour.")
    logo: Text = Field(description="Logo image, relative to the council folder (e.g. assets/logo.svg).")
    logo_alt: Text = Field(description="What the logo says, for screen readers, e.g. the council's name.")

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        return contrast_problems(
            values, [("primary", "text", "text colour"), ("secondary", "#ffffff", "white")]
        )


class Contact(Strict):
    email: Email = Field(description="Public contact address for applicants.")
    phone: Text = Field(description="Public contact phone number.")


class DataController(Strict):
    name: Text = Field(description="Legal name of the data controller (usually the council).")
    address: Text = Field(description="Postal address of the data controller.")
    dpo_email: Email = Field(description="Data Protection Officer's email address.")
    ico_registration: str | None = Field(
        None, description="ICO registration number, e.g. Z5712345.", pattern=r"^[A-Z0-9]{6,10}$"
    )


class Council(Strict):
    """A council: campaigns/<council>/council.yaml."""

    name: Text = Field(description="Full name, e.g. 'City of Wolverhampton Council'.")
    short_name: Text = Field(description="Short name used in headings, e.g. 'Wolverhampton'.")
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,4}$")] = Field(
        description="2 to 4 capital letters that start application references, e.g. 'WOL'."
    )
    website: Url = Field(description="The council's main website.")
    base_url: Url | None = Field(None, description="Only if this council publishes on its own domain.")
    brand: Brand
    contact: Contact
    data_controller: DataController
    notifications: list[Email] = Field(
        min_length=1, description="Addresses told about each new application (HR team inbox)."
    )
    analytics: bool = Field(True, description="Count page views on this council's sites; false: not at all.")
    messages: StageMessages = Field(
        default_factory=StageMessages,  # type: ignore[arg-type]
        description="This council's emails to applicants on a move, in place of site.toml's for a stage.",
    )

    @field_validator("base_url")
    @classmethod
    def _slash(cls, v: str | None) -> str | None:
        return v if v is None or v.endswith("/") else v + "/"


# --- campaign YAML -----------------------------------------------------------------------------


class Image(Strict):
    src: Text = Field(description="Image file, relative to the council folder (or _shared/).")
    alt: Text = Field(description="What the image shows, for screen readers.")


class Hero(Strict):
    headline: Text = Field(description="The big line at the top of the landing page.")
    intro: Text = Field(description="One or two sentences under the headline.")
    image: Image | None = None


class Salary(Strict):
    min: float = Field(ge=0, description="Lowest pay in pounds, e.g. 36124 or 12.71.")
    max: float | None = Field(None, ge=0, description="Highest pay in pounds (leave out if fixed).")
    period: Literal["year", "hour", "day", "week", "month"] = Field(
        "year", description="What the amounts are per."
    )
    note: str | None = Field(None, description="Shown after the pay, e.g. 'pro rata'.")

    @field_validator("max")
    @classmethod
    def _max(cls, v: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("min")
        if v is not None and low is not None and v < low:
            raise ValueError(f"max ({v}) is less than min ({low})")
        return v


class Location(Strict):
    name: Text = Field(description="Where the job is based, e.g. 'Civic Centre, Wolverhampton'.")
    postcode: Postcode = Field(description="UK postcode of the workplace, e.g. 'WV1 1SH'.")
    town: str | None = Field(None, description="Town or city (default: the last part of name).")
    region: str | None = Field(None, description="County or area, e.g. 'West Midlands'.")

    @field_validator("postcode")
    @classmethod
    def _normal(cls, v: str) -> str:
        v = v.replace(" ", "").upper()
        return f"{v[:-3]} {v[-3:]}"


EmploymentType = Literal[
    "full-time", "part-time", "temporary", "contract", "intern", "volunteer", "per-diem", "other"
]


class Role(Strict):
    slug: Slug = Field(description="Short name for the URL, e.g. 'social-worker-adults'.")
    title: Text
    employment_type: EmploymentType = Field(
        description="full-time, part-time, temporary, contract, intern, volunteer, per-diem, other."
    )
    hours: Text = Field(description="e.g. '37 hours a week' or 'Flexible, 16 to 37 hours'.")
    salary: Salary
    location: Location
    description: Text = Field(description="What the job is (Markdown).")
    essential: list[Text] = Field(default_factory=list, description="What applicants must have.")
    desirable: list[Text] = Field(default_factory=list, description="What would be a bonus.")
    closes: dt.date | None = Field(None, description="Closing date, YYYY-MM-DD (default: campaign's).")
    reference: str | None = Field(None, description="The council's job reference.")
    employer: str | None = Field(
        None, description="Who employs the person, if not the council (e.g. a care provider)."
    )
    requirements: Requirements | None = Field(
        None, description="What the role needs as values applicants are matched against (beside essential:)."
    )


class Faq(Strict):
    question: Text
    answer: Text = Field(description="Markdown.")


class Story(Strict):
    name: Text = Field(description="Whose story, e.g. 'Priya, social worker'.")
    quote: Text
    role: str | None = None
    image: Image | None = None


class Sharing(Strict):
    text: Text = Field(description="Text for social media posts and link previews.")
    image: Image | None = Field(None, description="Picture shown in link previews (1200 x 630).")


FieldType = Literal[
    "text", "textarea", "email", "tel", "number", "date", "select", "radios", "checkboxes", "file"
]
OPTION_TYPES = {"select", "radios", "checkboxes"}
STANDARD_FIELD_IDS = {
    "full_name",
    "email",
    "phone",
    "postcode",
    "right_to_work",
    "role",
    "privacy_consent",
    "talent_bank_consent",
    "website",
}


class FormField(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")] = Field(
        description="Short name for the answer, lower case with underscores, e.g. 'hcpc_number'."
    )
    type: FieldType = Field(
        description="text, textarea, email, tel, number, date, select, radios, checkboxes or file."
    )
    label: Text = Field(description="The question, e.g. 'What is your HCPC number?'.")
    hint: str | None = Field(None, description="Help shown under the question.")
    required: bool = True
    max_length: int | None = Field(None, ge=1, le=10000)
    pattern: str | None = Field(None, description="A regular expression the answer must match.")
    pattern_message: str | None = Field(None, description="Error shown when the pattern fails.")
    options: list[Text] | None = Field(None, description="Choices for select, radios, checkboxes.")
    min: float | None = Field(None, description="Lowest number allowed (number fields).")
    max: float | None = Field(None, description="Highest number allowed (number fields).")
    error_name: str | None = Field(None, description="How errors name the answer, e.g. 'your HCPC number'.")

    @field_validator("id")
    @classmethod
    def _not_standard(cls, v: str) -> str:
        if v in STANDARD_FIELD_IDS:
            raise ValueError(f"'{v}' is a standard field every form already has; choose another id")
        if v.startswith(PREFIX):
            raise ValueError(
                f"ids starting {PREFIX} are the matching questions' (hint: choose another id, or ask "
                "them with matching_questions: true)"
            )
        return v

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"the pattern is not a valid regular expression: {exc}") from None
        return v

    @classmethod
    def cross_checks(cls, values: dict[str, Any]) -> list[str]:
        problems = []
        kind, options = values.get("type"), values.get("options", ...)
        if kind is not None and options is not ...:
            if kind in OPTION_TYPES and not options:
                problems.append(f"a {kind} field needs `options:` (a list of choices)")
            if kind not in OPTION_TYPES and options:
                problems.append(f"`options:` only applies to select, radios or checkboxes, not {kind}")
        limits = [values.get(name, ...) for name in ("min", "max")]
        if kind is not None and kind != "number" and any(v not in (None, ...) for v in limits):
            problems.append("`min:` and `max:` only apply to number fields")
        if isinstance(options, list) and len(set(options)) != len(options):
            problems.append("options are repeated")
        return problems


class Form(Strict):
    fields: list[FormField] = Field(default_factory=list, description="Questions this campaign adds.")
    ask_role: bool = Field(True, description="Ask which of the roles the applicant wants.")
    cv: Literal["required", "optional", "none"] = Field(
        "optional", description="Whether applicants upload a CV (PDF, DOC, DOCX or ODT, 5 MB)."
    )
    matching_questions: MatchingQuestions = Field(default_factory=list)


class TalentBank(Strict):
    wording: Text = Field(description="The opt-in question for the regional talent bank.")
    hint: str | None = None


class Campaign(Strict):
    """One microsite: campaigns/<council>/<campaign>.yaml."""

    extends: str | None = Field(None, description="A shared campaign in campaigns/_shared/ to build on.")
    title: Text
    hashtag: Annotated[str, StringConstraints(pattern=r"^#?[A-Za-z][A-Za-z0-9_]*$")] | None = Field(
        None, description="e.g. ComeBackToCare (the # is added)."
    )
    audience: Text = Field(
        description="Who the campaign is for; finishes the sentence 'This campaign is for: ...'."
    )
    opens: dt.date = Field(description="First day applications are taken, YYYY-MM-DD.")
    closes: dt.date = Field(description="Last day applications are taken, YYYY-MM-DD.")
    hero: Hero
    body: Text = Field(description="The landing page's main copy (Markdown).")
    roles: list[Role] = Field(default_factory=list)
    faq: list[Faq] = Field(default_factory=list)
    stories: list[Story] = Field(default_factory=list)
    form: Form = Field(default_factory=Form)  # type: ignore[arg-type]
    sharing: Sharing
    talent_bank: TalentBank | None = Field(
        None, description="Offer the regional talent bank; leave out to not offer it."
    )
    spend: Spend = Field(default_factory=dict)
    applications_elsewhere: ApplicationsElsewhere = Field(default_factory=dict)

    @field_validator("hashtag")
    @classmethod
    def _hash(cls, v: str | None) -> str | None:
        return v if v is None or v.startswith("#") else "#" + v

    @field_validator("closes")
    @classmethod
    def _after_opens(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        opens = info.data.get("opens")
        if opens is not None and v < opens:
            raise ValueError(f"closes ({v}) is before opens ({opens})")
        return v


MODELS = {"council": Council, "campaign": Campaign, "region": Region}
