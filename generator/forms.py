"""An application form as data: the same field rules drive the HTML, the script and the backend.

Every rule carries the message an applicant sees when it fails, in GOV.UK Design System
wording, so the page's script and the backend say exactly the same thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from .formats import UK_POSTCODE
from .models import Campaign, FormField, Role
from .opening import role_closed, role_closes
from .questions import PREFIX, QUESTIONS, chosen_questions

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CV_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}
HONEYPOT = "website"
NOT_SURE = "not-sure"

Spec = dict[str, Any]


def _lower_first(text: str) -> str:
    """'Full name' -> 'full name', but keep acronyms such as 'HCPC number'."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:]


def _opts(values: list[str]) -> list[dict[str, str]]:
    return [{"value": v, "label": v} for v in values]


def open_roles(campaign: Campaign, today: dt.date) -> list[Role]:
    """The roles still taking applications on `today` (a role closes on its own date, else the
    campaign's): the only ones the form offers, so the backend refuses the others."""
    return [r for r in campaign.roles if not role_closed(role_closes(r.closes, campaign.closes), today)]


def standard_fields(campaign: Campaign, privacy_label: str, today: dt.date) -> tuple[list[Spec], list[Spec]]:
    """The questions every application asks: (before the campaign's own, after them).

    The role question offers only the roles open on `today`; with none left, it is not asked."""
    before: list[Spec] = [
        {
            "id": "full_name",
            "type": "text",
            "label": "Full name",
            "required": True,
            "autocomplete": "name",
            "max_length": 200,
            "spellcheck": False,
            "messages": {
                "required": "Enter your full name",
                "too_long": "Full name must be 200 characters or fewer",
            },
        },
        {
            "id": "email",
            "type": "email",
            "label": "Email address",
            "required": True,
            "hint": "We will only use this to contact you about your application.",
            "autocomplete": "email",
            "max_length": 254,
            "spellcheck": False,
            "messages": {
                "required": "Enter your email address",
                "format": "Enter an email address in the correct format, like name@example.com",
                "too_long": "Email address must be 254 characters or fewer",
            },
        },
        {
            "id": "phone",
            "type": "tel",
            "label": "Phone number",
            "required": True,
            "hint": "For international numbers include the country code.",
            "autocomplete": "tel",
            "max_length": 30,
            "messages": {
                "required": "Enter a phone number",
                "format": "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
                "too_long": "Phone number must be 30 characters or fewer",
            },
        },
        {
            "id": "postcode",
            "type": "postcode",
            "label": "Postcode",
            "required": True,
            "autocomplete": "postal-code",
            "max_length": 10,
            "pattern": UK_POSTCODE,  # the backend checks postcodes by this too
            "width": 10,
            "spellcheck": False,
            "messages": {
                "required": "Enter your postcode",
                "format": "Enter a full UK postcode, like WV1 1SH",
                "too_long": "Enter a full UK postcode, like WV1 1SH",
            },
        },
        {
            "id": "right_to_work",
            "type": "radios",
            "label": "Do you have the right to work in the UK?",
            "required": True,
            "inline": True,
            "hint": "You can check at www.gov.uk/prove-right-to-work if you are not sure.",
            "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
            "messages": {
                "required": "Select yes if you have the right to work in the UK",
                "option": "Select yes if you have the right to work in the UK",
            },
        },
    ]
    roles = open_roles(campaign, today)
    if campaign.form.ask_role and roles:
        options = [{"value": r.slug, "label": r.title} for r in roles]
        options.append({"value": NOT_SURE, "label": "I am not sure yet"})
        before.append(
            {
                "id": "role",
                "type": "radios" if len(options) <= 6 else "select",
                "label": "Which role are you interested in?",
                "required": True,
                "hint": "Roles that have closed are not listed."
                if len(roles) < len(campaign.roles)
                else None,
                "options": options,
                "messages": {
                    "required": "Select the role you are interested in",
                    "option": "Select the role you are interested in",
                },
            }
        )
    after: list[Spec] = []
    if campaign.form.cv != "none":
        after.append(
            {
                "id": "cv",
                "type": "file",
                "label": "Upload your CV",
                "required": campaign.form.cv == "required",
                "hint": "A PDF, DOC, DOCX or ODT file, smaller than 5MB.",
                "accept": ",".join(list(CV_TYPES) + list(CV_TYPES.values())),
                "extensions": list(CV_TYPES),
                "max_bytes": MAX_UPLOAD_BYTES,
                "messages": {
                    "required": "Select your CV",
                    "format": "The selected file must be a PDF, DOC, DOCX or ODT",
                    "too_big": "The selected file must be smaller than 5MB",
                    "empty": "The selected file is empty",
                },
            }
        )
    if campaign.talent_bank is not None:
        after.append(
            {
                "id": "talent_bank_consent",
                "type": "consent",
                "required": False,
                "label": campaign.talent_bank.wording,
                "hint": campaign.talent_bank.hint,
                "legend": "Regional talent bank",
                "messages": {},
            }
        )
    after.append(
        {
            "id": "privacy_consent",
            "type": "consent",
            "required": True,
            "label": privacy_label,
            "legend": "Your data",
            "privacy_link": True,
            "messages": {"required": "Confirm that you have read the privacy notice"},
        }
    )
    return before, after


def campaign_field(field: FormField) -> Spec:
    """A campaign's own question as a spec with its messages."""
    name = field.error_name or _lower_first(field.label.rstrip("?"))
    label = field.label.rstrip("?")
    spec: Spec = {
        "id": field.id,
        "type": field.type,
        "label": field.label,
        "required": field.required,
        "hint": field.hint,
    }
    messages: dict[str, str] = {}
    if field.type in ("select", "radios"):
        messages["required"] = f"Select {name}"
    elif field.type == "checkboxes":
        messages["required"] = f"Select at least one option for {name}"
    elif field.type == "file":
        messages["required"] = f"Select {name}"
    else:
        messages["required"] = f"Enter {name}"
    if field.options:
        spec["options"] = _opts(field.options)
        messages["option"] = messages["required"]
    if field.max_length:
        spec["max_length"] = field.max_length
        messages["too_long"] = (
            f"{label[:1].upper()}{label[1:]} must be {field.max_length} characters or fewer"
        )
    if field.pattern:
        spec["pattern"] = field.pattern
        messages["pattern"] = field.pattern_message or f"Enter {name} in the correct format"
    if field.type == "email":
        messages["format"] = "Enter an email address in the correct format, like name@example.com"
    if field.type == "tel":
        messages["format"] = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    if field.type == "number":
        spec["min"], spec["max"], spec["width"] = field.min, field.max, 4
        cap = name[:1].upper() + name[1:]
        messages["format"] = f"{cap} must be a number"
        if field.min is not None:
            messages["min"] = f"{cap} must be {_num(field.min)} or more"
        if field.max is not None:
            messages["max"] = f"{cap} must be {_num(field.max)} or less"
    if field.type == "date":
        cap = name[:1].upper() + name[1:]
        messages["format"] = f"{cap} must be a real date"
        messages["required"] = f"Enter {name}"
    if field.type == "file":
        spec.update(accept=",".join(CV_TYPES), extensions=list(CV_TYPES), max_bytes=MAX_UPLOAD_BYTES)
        messages["format"] = "The selected file must be a PDF, DOC, DOCX or ODT"
        messages["too_big"] = "The selected file must be smaller than 5MB"
        messages["empty"] = "The selected file is empty"
    spec["messages"] = messages
    return spec


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


SPEC_KEYS: dict[str, Any] = {
    "id": None,
    "type": None,
    "label": None,
    "legend": None,
    "hint": None,
    "required": False,
    "autocomplete": None,
    "spellcheck": None,
    "max_length": None,
    "pattern": None,
    "options": None,
    "inline": False,
    "min": None,
    "max": None,
    "width": None,
    "accept": None,
    "extensions": None,
    "max_bytes": None,
    "privacy_link": False,
    "messages": {},
}


def matching_fields(library: BaseModel | None, groups: list[str], today: dt.date) -> list[Spec]:
    """The matching questions a campaign asks, worded by questions.yaml (`library`; the loader
    refuses a campaign that asks them without one), each optional and posting fixed values."""
    if library is None:
        return []
    specs = []
    for name in chosen_questions(groups):
        kind, words = QUESTIONS[name], getattr(library, name)
        error_name = words.error_name or _lower_first(words.label.rstrip("?"))
        field = FormField.model_construct(
            id=PREFIX + name,
            type=kind.type,
            label=words.label,
            hint=words.hint,
            required=False,
            max_length=None,
            pattern=kind.pattern,
            pattern_message=kind.pattern_message.format(Name=error_name[:1].upper() + error_name[1:]) or None,
            options=[words.options[v] for v in kind.values] if kind.values else None,
            min=kind.min,
            max=today.year if kind.this_year else kind.max,
            error_name=error_name,
        )
        spec = campaign_field(field)
        if kind.values:
            spec["options"] = [{"value": v, "label": words.options[v]} for v in kind.values]
        spec["inline"] = kind.inline
        specs.append(spec)
    return specs


def form_fields(
    campaign: Campaign, privacy_label: str, today: dt.date, questions: BaseModel | None = None
) -> list[Spec]:
    """Every question of a campaign's form on `today`, in page order, each with every key of
    SPEC_KEYS: the standard ones, the campaign's own, then the matching questions it asks."""
    before, after = standard_fields(campaign, privacy_label, today)
    matching = matching_fields(questions, campaign.form.matching_questions, today)
    specs = before + [campaign_field(f) for f in campaign.form.fields] + matching + after
    return [{**SPEC_KEYS, **spec} for spec in specs]


def error_target(spec: Spec) -> str:
    """The id an error summary link points at: the first input of the question."""
    if spec["type"] in ("radios", "checkboxes", "consent"):
        return f"{spec['id']}-0" if spec["type"] != "consent" else spec["id"]
    if spec["type"] == "date":
        return f"{spec['id']}-day"
    return spec["id"]


def has_file(fields: list[Spec]) -> bool:
    return any(f["type"] == "file" for f in fields)
