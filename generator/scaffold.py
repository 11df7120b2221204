"""`recruit new`: start a council or a campaign from a valid, commented file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .formats import SLUG
from .library import DATA_FILES
from .problems import ScaffoldError, UsageProblem, did_you_mean

COUNCIL = """\
# yaml-language-server: $schema=../../schemas/council.schema.json
# {name}: the council's details, used on every one of its campaign sites.
# Lines starting with # are notes for you; the site ignores them.
# Put text containing a # or ': ' in "double quotes".

name: {name}
# A short name for headings, e.g. "Dudley".
short_name: {short_name}
# 2 to 4 capital letters that start every application reference (e.g. {code}-7K3Q9X).
code: {code}
website: https://www.{slug}.example

brand:
  # Colours are hex codes in quotes. The primary colour is the header and button
  # background, under the text colour; the secondary colour is used for links on white.
  # Both must pass WCAG AA contrast (4.5:1); `recruit validate` checks.
  primary: "#1d4f91"
  secondary: "#1d4f91"
  text: "#ffffff"
  # The logo sits on the primary colour. Keep it in this council's assets/ folder.
  logo: assets/logo.svg
  logo_alt: {name}

# Shown to applicants who have questions.
contact:
  email: careers@{slug}.example
  phone: "01234 567890"

# For the privacy notice.
data_controller:
  name: {name}
  address: Council House, High Street, Anytown AB1 2CD
  dpo_email: dpo@{slug}.example

# Who is emailed about each new application (your HR or recruitment inbox).
notifications:
  - recruitment@{slug}.example
"""

CAMPAIGN_EXTENDS = """\
# yaml-language-server: $schema=../../schemas/campaign.schema.json
# {council_name}'s part of the shared campaign "{extends}".
# Everything not set here comes from campaigns/_shared/{extends}.yaml: set a key here to
# replace it for {short_name} only. Lists (such as roles) replace the shared list whole.
extends: {extends}
title: {title}

roles:
  - slug: social-worker
    title: Social Worker
    # full-time, part-time, temporary, contract, intern, volunteer, per-diem or other
    employment_type: full-time
    hours: 37 hours a week
    salary:
      min: 36000
      max: 42000
      # year, hour, day, week or month
      period: year
    location:
      name: Council House, Anytown
      postcode: AB1 2CD
    description: |
      What the job is, in a few short paragraphs. You can use **Markdown**.
    essential:
      - A social work degree or equivalent
    desirable:
      - Experience in adult social care
"""

CAMPAIGN = """\
# yaml-language-server: $schema=../../schemas/campaign.schema.json
# {title}: one microsite of {council_name}.
# Lines starting with # are notes for you. Put text containing a # or ': ' in "double quotes".
title: {title}
# Shown with its #; you can leave the # out here.
hashtag: {hashtag}
audience: Who this campaign is for, in one sentence.
# Dates are YYYY-MM-DD. After `closes` the site says the campaign has closed and shows no form.
opens: {opens}
closes: {closes}

hero:
  headline: A short, warm headline
  intro: One or two sentences that say why someone should apply.
  # image:
  #   src: assets/hero.jpg
  #   alt: What the picture shows, for people who cannot see it

# The landing page's main text, in Markdown: ## for headings, - for lists.
body: |
  Tell applicants about the work, the team and the support they will get.

  ## What we offer

  - Flexible hours
  - Paid training

roles:
  - slug: care-worker
    title: Care Worker
    employment_type: part-time
    hours: 16 to 37 hours a week
    salary:
      min: 12
      max: 13
      period: hour
    location:
      name: Council House, Anytown
      postcode: AB1 2CD
    description: |
      What the job is, in a few short paragraphs.
    essential:
      - A caring, reliable nature
    # closes: {closes}
    # reference: ABC-0001

faq:
  - question: Do I need experience?
    answer: No. We give you full, paid training.

# Questions this campaign asks on top of the standard ones (name, email, phone,
# postcode, right to work, consent). Types: text, textarea, email, tel, number, date,
# select, radios, checkboxes, file.
form:
  fields:
    - id: driving_licence
      type: radios
      label: Do you have a full UK driving licence?
      options: [Yes, No]

sharing:
  text: "A sentence for social media posts and link previews."

# Leave this out if the campaign does not offer the regional talent bank.
talent_bank:
  wording: Add me to the regional talent bank so other councils can contact me about jobs
"""

LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48" viewBox="0 0 240 48" role="img">\
<title>{name}</title><rect width="48" height="48" rx="6" fill="#ffffff"/>\
<text x="24" y="32" font-family="Arial, sans-serif" font-size="20" font-weight="700" \
text-anchor="middle" fill="#1d4f91">{initial}</text>\
<text x="58" y="30" font-family="Arial, sans-serif" font-size="14" font-weight="700" \
fill="#ffffff">{name}</text></svg>
"""


def _check_slug(kind: str, slug: str) -> None:
    if not re.match(SLUG, slug):
        raise UsageProblem(
            f"'{slug}' is not a valid {kind} name: use lower-case letters, digits and hyphens, "
            "e.g. telford-and-wrekin",
            argument=kind.upper(),
        )


def _yaml_text(value: str) -> str:
    """A value safe to put after `key: ` in YAML."""
    if re.search(r"[:#'\"\[\]{},&*!|>%@`]", value) or value.strip() != value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _free_code(campaigns: Path, name: str) -> str:
    used = set()
    for file in campaigns.glob("*/council.yaml"):
        m = re.search(r"^code:\s*([A-Z]{2,4})\s*$", file.read_text(encoding="utf-8"), re.M)
        if m:
            used.add(m.group(1))
    letters = re.sub(r"[^A-Z]", "", name.upper()) or "XX"
    candidates = [letters[:3], letters[:2] + letters[-1:], letters[:4]]
    candidates += [letters[0] + a + b for a in letters[1:] for b in letters[2:]]
    for code in candidates:
        if 2 <= len(code) <= 4 and code not in used:
            return code
    return "ZZZ"


def new_council(root: Path, slug: str, name: str) -> list[Path]:
    _check_slug("council", slug)
    campaigns = root / "campaigns"
    folder = campaigns / slug
    if (folder / "council.yaml").exists():
        raise ScaffoldError(f"{folder / 'council.yaml'} already exists; edit it instead")
    short = (
        re.sub(
            r"^(City of |Royal Borough of )|( (City|County|Metropolitan Borough|Borough|"
            r"District))? Council$",
            "",
            name,
        ).strip()
        or name
    )
    (folder / "assets").mkdir(parents=True, exist_ok=True)
    council = folder / "council.yaml"
    council.write_text(
        COUNCIL.format(
            name=_yaml_text(name), short_name=_yaml_text(short), slug=slug, code=_free_code(campaigns, short)
        ),
        encoding="utf-8",
    )
    logo = folder / "assets" / "logo.svg"
    if not logo.exists():
        from html import escape

        logo.write_text(LOGO.format(name=escape(name), initial=escape(short[:1].upper())), encoding="utf-8")
    return [council, logo]


def new_campaign(root: Path, council: str, slug: str, extends: str | None, today: dt.date) -> Path:
    _check_slug("campaign", slug)
    folder = root / "campaigns" / council
    if not (folder / "council.yaml").exists():
        known = sorted(p.parent.name for p in (root / "campaigns").glob("*/council.yaml"))
        guess = did_you_mean(council, known)
        raise ScaffoldError(
            f"there is no council '{council}'"
            + (f"; did you mean '{guess}'?" if guess else f"; councils: {', '.join(known)}")
            + f'\n    hint: create it first with `recruit new council {council} --name "..."`'
        )
    target = folder / f"{slug}.yaml"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; edit it instead")
    text = (folder / "council.yaml").read_text(encoding="utf-8")
    name_match = re.search(r"^name:\s*(.+)$", text, re.M)
    short_match = re.search(r"^short_name:\s*(.+)$", text, re.M)
    council_name = name_match.group(1).strip().strip('"') if name_match else council
    short_name = short_match.group(1).strip().strip('"') if short_match else council_name
    words = [w.capitalize() for w in slug.split("-")]
    title = " ".join(words)
    if extends:
        shared = root / "campaigns" / "_shared"
        names = sorted(p.stem for p in shared.glob("*.yaml") if p.stem not in DATA_FILES)
        if extends not in names:
            guess = did_you_mean(extends, names)
            raise ScaffoldError(
                f"there is no shared campaign '{extends}'"
                + (f"; did you mean '{guess}'?" if guess else f"; shared: {', '.join(names)}")
            )
        body = CAMPAIGN_EXTENDS.format(
            council_name=council_name,
            short_name=short_name,
            extends=extends,
            title=_yaml_text(f"{title} in {short_name}"),
        )
    else:
        body = CAMPAIGN.format(
            title=_yaml_text(title),
            council_name=council_name,
            hashtag="".join(words),
            opens=today.isoformat(),
            closes=(today + dt.timedelta(days=90)).isoformat(),
        )
    target.write_text(body, encoding="utf-8")
    return target
