"""The contract between the generator and theme templates: every variable a page receives.

Council overrides and other themes depend on these names. Adding a variable to a page means
documenting it here; `check_context` refuses an undocumented one, so the build (and the test
suite) fails until it is.
"""

from __future__ import annotations

from typing import Any

COMMON: dict[str, str] = {
    "region": "The region from site.toml: name, organisation, base_url, contact_email, language.",
    "page": "This page: path (site path such as /dudley/), canonical (absolute URL), title, "
    "description, kind, noindex, image, image_alt and image_size (for link previews), breadcrumbs "
    "(list of (label, path); the last is this page).",
    "site": "The site this page belongs to (the hub or a council): name, home (path), "
    "logo (path or None), logo_alt, css (path of the stylesheet), favicon (path).",
    "rel": "rel(path) turns a site path like /dudley/ into a link relative to this page, "
    "so a council folder works wherever it is deployed.",
    "today": "The date the build treats as today (decides open and closed campaigns).",
    "count": "The page view counter, or None when analytics is off (site.toml or council.yaml) "
    "or for the 404 page: script (its path), endpoint (the backend's /events), pixel (the URL of "
    "the image for browsers without JavaScript), page (the page's kind), council, campaign and "
    "role (slugs, empty when the page has none).",
}

CAMPAIGN_PAGE: dict[str, str] = {
    "council": "The council: slug, name, short_name, code, website, brand, contact, "
    "data_controller, path (its index page), logo (path), campaigns.",
    "campaign": "The campaign: every key of the YAML (title, hashtag, audience, opens, closes, "
    "hero, body, roles, faq, stories, sharing, talent_bank) plus slug, path, status "
    "('open', 'upcoming', 'closed'), is_open, hero_image and share_image (paths with width and "
    "height, or None), story_images (story index -> image; hero and story images of PNG, JPEG or "
    "WebP also have srcset: (path, width) pairs of the build's narrower copies, the original last), "
    "links (paths of "
    "landing, roles, apply, thanks, privacy, accessibility, and join, the talent bank's form, "
    "only when the campaign has talent_bank), share_links, and open_roles and "
    "closed_roles (its roles split by `role.closed`, each in YAML order).",
}

PAGES: dict[str, dict[str, str]] = {
    "hub": {
        "councils": "Every council, each with its campaigns (see `council` and `campaign`).",
        "open_campaigns": "Campaigns taking applications today, across all councils.",
        "part": "part(template, council) renders a template for one council (it receives the "
        "variables in PART) and reuses it while that council, the theme, the region and the date "
        "are unchanged: an edit to one campaign then renders its council's part of the hub again, "
        "not every council's.",
    },
    "council": {
        "council": CAMPAIGN_PAGE["council"],
    },
    "landing": CAMPAIGN_PAGE,
    "roles": CAMPAIGN_PAGE,
    "role": {
        **CAMPAIGN_PAGE,
        "role": "The role: every key of the YAML plus path, closes (its own or the campaign's), "
        "closed (True once `today` is past closes), salary_text, employment_label, apply_path.",
        "jsonld": "The schema.org JobPosting for this role, as JSON safe to put in a script tag "
        "(Markup: every <, >, &, ' and U+2028/U+2029 in it is written as a \\u escape, so no text "
        "of the role's can end the script or hide its end; put it in as it is); "
        "None once the role has closed (an expired posting must not be offered to job search).",
    },
    "apply": {
        **CAMPAIGN_PAGE,
        "form": "The form: action (URL the form posts to), enctype, fields (list of field specs: "
        "id, type, label, hint, required, options, max_length, pattern, messages...; the role "
        "question offers only the roles still open, and is left out when none is), "
        "honeypot (name of the hidden spam trap), errors (field id -> message, empty when "
        "built), answers (field id -> answer, empty when built), script (path of the optional "
        "checking script).",
    },
    "thanks": {
        **CAMPAIGN_PAGE,
        "survey": "The one-question satisfaction survey under the thank-you page: action (URL it "
        "posts to, the backend's /ratings, with council, campaign and score 1 to 5). The page it "
        "leads to, feedback.html, is a thanks page too and receives the same.",
    },
    "join": {
        **CAMPAIGN_PAGE,
        "form": 'The "join the talent bank" form, for a campaign with talent_bank (open or '
        "closed): action (URL it posts to, the backend's /bank/join/<council>/<campaign>), fields "
        "(field specs as the apply form's: full_name, email, profession, hours, "
        "talent_bank_consent with the campaign's wording, privacy_consent), honeypot, errors and "
        "answers (empty when built). It carries the APPLY_HOOKS, by which the backend shows it "
        "again with errors. The page it leads to, join_done.html, is a join page too and "
        "receives the same.",
    },
    "privacy": CAMPAIGN_PAGE,
    "accessibility": CAMPAIGN_PAGE,
    "not_found": {
        "council": "The council whose own domain this 404 page is for (its folder is published "
        "alone), or None for the region's. `rel` links from the root of where the site is "
        "published (the path of its base URL), since the page is served at any address.",
    },
}


# What the apply page must carry, whatever its classes: the form backend finds and fills the
# built page through these data-* attributes alone when it shows it again with errors (to a
# browser without JavaScript). They are the manifest contract's `x-apply-page-hooks`
# (manifest.schema.json, shipped in the backend's package); a council's override of
# apply.html or form.html keeps them.
APPLY_HOOKS: dict[str, str] = {
    "data-apply-form": "on the <form>: the applicant's answers are put back into its controls by name.",
    "data-error-summary": "on the error summary box (hidden when built): shown when there are errors.",
    "data-error-list": "on the list inside the error summary: gets one link per error.",
    "data-field": "on each question's wrapper, set to the field's id.",
    "data-error-message": "on the question's error message in the wrapper (with an id; hidden when built).",
    "data-error-text": "inside the error message: where the message's text goes.",
    "data-control": "on what the message describes: a group's <fieldset> or the one input/textarea/select.",
    "data-error-class": "on the wrapper or an element in it: the classes it gains with an error.",
}


# What a template rendered by part() receives: no `page`, so that it can be reused as it is.
PART: dict[str, str] = {
    "region": COMMON["region"],
    "site": COMMON["site"],
    "rel": COMMON["rel"],
    "today": COMMON["today"],
    "council": CAMPAIGN_PAGE["council"],
}


def documented(kind: str) -> dict[str, str]:
    """Every variable a page of this kind receives, with its help text."""
    return {**COMMON, **PAGES[kind]}


class UndocumentedVariable(Exception):
    pass


def check_context(kind: str, context: dict[str, Any]) -> None:
    """Refuse to render a page with a variable the contract does not document (or lacks one)."""
    _check(f"page kind {kind!r}", documented(kind), context)


def check_part(context: dict[str, Any]) -> None:
    """The same for a template rendered by part()."""
    _check("a part", PART, context)


def _check(what: str, allowed: dict[str, str], context: dict[str, Any]) -> None:
    extra = sorted(set(context) - set(allowed))
    missing = sorted(set(allowed) - set(context))
    if extra or missing:
        raise UndocumentedVariable(
            f"{what}: undocumented {extra}, documented but not given {missing}; update generator/contract.py"
        )


def describe() -> str:
    """The contract as text, for theme authors (`recruit build --explain-templates`)."""
    lines = []
    for kind in PAGES:
        lines.append(f"{kind}.html")
        for name, help_text in documented(kind).items():
            lines.append(f"  {name}: {help_text}")
    lines.append("apply.html (and form.html) must carry these data-* hooks, whatever the classes:")
    lines += [f"  {name}: {help_text}" for name, help_text in APPLY_HOOKS.items()]
    lines.append("templates rendered by part(), e.g. hub_cards.html")
    lines += [f"  {name}: {help_text}" for name, help_text in PART.items()]
    return "\n".join(lines)
