"""A council's pages: its static files, its index of campaigns, and each campaign's microsite.

A campaign's pages are declared in CAMPAIGN_PAGES, in the order they are rendered (and listed by
`recruit build --explain-templates`); each is looked up as `<template>-<campaign>.html`, then
`<template>.html` (the template is named after the page's kind unless it says otherwise), so a
council can override one campaign's page alone. The page after the thank-you page's survey is a
"thanks" page of its own template (feedback.html): counted as a thank-you page, it receives
what one does. A campaign that offers the talent bank also has its "join the talent bank" page
and the page after it (join_done.html), open or closed: the bank outlives the campaign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .bank_form import join_fields
from .forms import HONEYPOT, has_file
from .jsonld import job_posting
from .render import PageInfo, Rendered, Renderer
from .urls import feedback_path, joined_path, offers_bank
from .views import CampaignView, CouncilView, RoleView, describe


@dataclass(frozen=True)
class CampaignPage:
    """One page of a campaign's microsite. Title and description are formatted with the
    campaign's `title`, `suffix` ("<title> – <council>"), `roles` (how many), `council` (its full
    name) and `sharing` (its sharing text), and for a role page the role's `role` and `summary`."""

    kind: str
    title: str
    description: str
    label: str | None  # its last breadcrumb (the landing page has none)
    noindex: bool = False
    per_role: bool = False  # one page for each role, at the role's path
    template: str = ""  # its template's name, when not its kind's
    path: Callable[[CampaignView], str] | None = None  # where it goes, when not at campaign.links[kind]
    when: Callable[[CampaignView], bool] | None = None  # for the campaigns it says, when not for all


CAMPAIGN_PAGES = (
    CampaignPage("landing", "{title}", "{sharing}", None),
    CampaignPage("roles", "Roles – {suffix}", "{roles} roles in {title}.", "Roles"),
    CampaignPage("role", "{role} – {suffix}", "{summary}", "{role}", per_role=True),
    CampaignPage("apply", "Apply – {suffix}", "Apply for {title}.", "Apply"),
    CampaignPage("thanks", "Application received – {suffix}", "", "Application received", noindex=True),
    CampaignPage(
        "thanks",
        "Thank you for your feedback – {suffix}",
        "Thank you for telling us how applying to {title} felt.",
        "Feedback sent",
        noindex=True,
        template="feedback",
        path=feedback_path,
    ),
    CampaignPage(
        "join",
        "Join the talent bank – {suffix}",
        "Not ready to apply to {title}? Join the talent bank and councils can contact you about jobs.",
        "Join the talent bank",
        when=offers_bank,
    ),
    CampaignPage(
        "join",
        "You are in the talent bank – {suffix}",
        "",
        "Joined",
        noindex=True,
        template="join_done",
        path=joined_path,
        when=offers_bank,
    ),
    CampaignPage(
        "privacy",
        "Privacy notice – {suffix}",
        "How {council} uses the information in your application.",
        "Privacy notice",
    ),
    CampaignPage(
        "accessibility",
        "Accessibility statement – {suffix}",
        "Accessibility statement for {title}.",
        "Accessibility statement",
    ),
)


def render_static(renderer: Renderer, council: CouncilView) -> Rendered:
    """A council's stylesheet, favicon and form script (in its brand), and its images."""
    made = Rendered()
    _, files = renderer.site_info(council)
    for path, body in files:
        made.add(path, body, "theme static")
    for source_path, source in sorted(renderer.assets.files.items()):
        if source_path.startswith(council.path):
            made.add(source_path, source, str(source))
    return made


def render_index(renderer: Renderer, council: CouncilView) -> Rendered:
    """The council's page listing its campaigns."""
    made = Rendered()
    m = council.model
    site, _ = renderer.site_info(council)
    info = PageInfo(
        council.path,
        renderer.urls.absolute(council.path, council),
        f"Jobs in adult social care with {m.name}",
        f"Recruitment campaigns from {m.name}.",
        "council",
        [(m.short_name, council.path)],
    )
    names = [f"council-{council.slug}.html", "council.html"]
    renderer.page(made, renderer.chain(council.slug), "council", names, info, site, council=council)
    return made


def render_campaign(renderer: Renderer, council: CouncilView, campaign: CampaignView) -> Rendered:
    """Every page of one campaign's microsite, as CAMPAIGN_PAGES declares them."""
    made = Rendered()
    chain = renderer.chain(council.slug)
    site, _ = renderer.site_info(council)
    urls = renderer.urls
    m = campaign.model
    picture = campaign.share_image or campaign.hero_image or council.logo
    image = urls.absolute(picture, council)
    image_size = (picture.width, picture.height) if picture.width else None
    image_alt = m.sharing.image or m.hero.image
    alt = image_alt.alt if image_alt else council.model.brand.logo_alt
    crumbs = [(council.model.short_name, council.path), (m.title, campaign.path)]
    values = {
        "title": m.title,
        "suffix": f"{m.title} – {council.model.short_name}",
        "roles": len(campaign.roles),
        "council": council.model.name,
        "sharing": m.sharing.text,
    }
    common = {"council": council, "campaign": campaign}
    markdown = renderer.cache.markdown
    for page in CAMPAIGN_PAGES:
        if page.when is not None and not page.when(campaign):
            continue
        for role in campaign.roles if page.per_role else [None]:
            if role is not None:
                path = role.path
                named = {**values, "role": role.title, "summary": describe(role.description, markdown)}
            else:
                path = page.path(campaign) if page.path else campaign.links[page.kind]
                named = values
            label = page.label.format(**named) if page.label else None
            info = PageInfo(
                path,
                urls.absolute(path, council),
                page.title.format(**named),
                page.description.format(**named),
                page.kind,
                crumbs + ([(label, path)] if label else []),
                image,
                alt,
                noindex=page.noindex,
                image_size=image_size,
            )
            extra = _extra(renderer, page.kind, council, campaign, role, site.script)
            template = page.template or page.kind
            names = [f"{template}-{campaign.slug}.html", f"{template}.html"]
            renderer.page(made, chain, page.kind, names, info, site, **extra, **common)
    return made


def _extra(
    renderer: Renderer,
    kind: str,
    council: CouncilView,
    campaign: CampaignView,
    role: RoleView | None,
    script: str | None,
) -> dict[str, Any]:
    """What a page of this kind gets besides the council and the campaign."""
    if role is not None:
        # a closed role's page stays up and says so, but is no longer a job posting (Google
        # asks for expired postings to drop their JobPosting data)
        posting = None
        if not role.closed:
            absolute = renderer.urls.absolute
            url, logo = absolute(role.path, council), absolute(council.logo, council)
            posting = job_posting(role, campaign, council, url, logo, renderer.cache.markdown)
        return {"role": role, "jsonld": posting}
    if kind == "apply":
        fields = renderer.fields(council, campaign)
        form = {
            "action": renderer.urls.form_action(council, campaign),
            "fields": fields,
            "enctype": "multipart/form-data" if has_file(fields) else "application/x-www-form-urlencoded",
            "honeypot": HONEYPOT,
            "errors": {},
            "answers": {},
            "script": script,
        }
        return {"form": form}
    if kind == "thanks":
        return {"survey": {"action": renderer.urls.ratings()}}
    if kind == "join" and campaign.model.talent_bank is not None:
        fields = join_fields(campaign.model.talent_bank, council.model.name)
        action = renderer.urls.bank_join(council, campaign)
        return {
            "form": {"action": action, "fields": fields, "honeypot": HONEYPOT, "errors": {}, "answers": {}}
        }
    return {}
