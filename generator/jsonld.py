"""JSON in pages: a role's schema.org JobPosting, and `script_json`, which writes every JSON
the generator puts inside a <script>.

A browser reads a script's text only for `</script`, and for `<!--`, after which a `<script`
makes it pass over the real `</script>` and take the rest of the page as script (a role titled
`<!--<script>` blanked its page). So `<`, `>`, `&` and `'` are written as \\u escapes and no
text of a council's can mean anything to the HTML parser there; U+2028 and U+2029 too, which
JavaScript before ES2019 read as line ends. The JSON reads back as the same value.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

if TYPE_CHECKING:
    from .markdown import Markdown
    from .views import CampaignView, CouncilView, RoleView


def script_json(value: Any) -> Markup:
    """`value` as compact JSON that is safe inside any <script> of a page."""
    # the C encoder (indent is slow), non-ASCII written as itself
    return htmlsafe_json_dumps(value, dumps=dumps, ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any, **options: Any) -> str:
    """json.dumps with U+2028 and U+2029 escaped, which ensure_ascii=False leaves as they are."""
    return json.dumps(value, **options).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# employment_type -> (what a page says, schema.org's employmentType)
EMPLOYMENT = {
    "full-time": ("Full time", "FULL_TIME"),
    "part-time": ("Part time", "PART_TIME"),
    "temporary": ("Temporary", "TEMPORARY"),
    "contract": ("Contract", "CONTRACTOR"),
    "intern": ("Internship", "INTERN"),
    "volunteer": ("Volunteer", "VOLUNTEER"),
    "per-diem": ("Paid by the day", "PER_DIEM"),
    "other": ("Other", "OTHER"),
}


def job_posting(
    role: RoleView,
    campaign: CampaignView,
    council: CouncilView,
    url: str,
    logo_url: str,
    markdown: Markdown,
) -> Markup:
    """schema.org JobPosting JSON-LD with what Google requires and recommends, for the role page's head."""
    r = role.model
    locality = r.location.town or r.location.name.rsplit(",", 1)[-1].strip()
    salary: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": r.salary.period.upper()}

    def number(value: float) -> float | int:
        return int(value) if float(value).is_integer() else value

    if r.salary.max is not None and r.salary.max != r.salary.min:
        salary.update(minValue=number(r.salary.min), maxValue=number(r.salary.max))
    else:
        salary["value"] = number(r.salary.min)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": r.title,
        "description": str(markdown.html(r.description)),
        "datePosted": campaign.model.opens.isoformat(),
        "validThrough": f"{role.closes.isoformat()}T23:59:59+00:00",
        "employmentType": EMPLOYMENT[r.employment_type][1],
        "hiringOrganization": (
            {"@type": "Organization", "name": r.employer}
            if r.employer
            else {
                "@type": "Organization",
                "name": council.model.name,
                "sameAs": council.model.website,
                "logo": logo_url,
            }
        ),
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": r.location.name,
                "addressLocality": locality,
                "postalCode": r.location.postcode,
                "addressCountry": "GB",
            },
        },
        "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": salary},
        "directApply": True,
        "url": url,
    }
    if r.location.region:
        data["jobLocation"]["address"]["addressRegion"] = r.location.region
    if r.reference:
        data["identifier"] = {"@type": "PropertyValue", "name": council.model.name, "value": r.reference}
    return script_json(data)
