"""The same region as a Hugo site, so our build can be timed against Hugo on the same pages.

`write_site(project, site)` reads the project through the generator's own loader (so shared
campaigns are merged exactly as our build merges them) and writes one Hugo content file per page
our build writes: per campaign the landing page, roles list, each role, apply, thanks, the
feedback page after the thank-you page's survey, privacy and accessibility (and, for a campaign
offering the talent bank, its join page and the page after it); per council its index; the
region's hub and 404 page. Markdown (campaign body, role descriptions, FAQ answers)
is the same text; the layout in bench/hugo_site/ has the same shell (head with Open Graph
tags, header, breadcrumbs, footer), JobPosting JSON-LD and form, so pages come out at a similar
size. Hugo is Debian's `hugo` package, never committed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from generator.bank_form import HOURS, PROFESSIONS
from generator.jsonld import EMPLOYMENT
from generator.models import Campaign, Role
from generator.project import load_project
from generator.sites import CouncilSite

HERE = Path(__file__).resolve().parent
LAYOUT = HERE / "hugo_site"
THEME_STATIC = HERE.parent / "themes" / "default" / "static"
PERIOD = {"year": "a year", "hour": "an hour", "day": "a day", "week": "a week", "month": "a month"}
STANDARD_FIELDS: list[dict[str, Any]] = [
    {"id": "full_name", "type": "text", "input": "text", "label": "Full name", "autocomplete": "name"},
    {"id": "email", "type": "email", "input": "email", "label": "Email address", "autocomplete": "email"},
    {"id": "phone", "type": "tel", "input": "tel", "label": "Phone number", "autocomplete": "tel"},
    {"id": "postcode", "type": "text", "input": "text", "label": "Postcode", "autocomplete": "postal-code"},
    {
        "id": "right_to_work",
        "type": "radios",
        "label": "Do you have the right to work in the UK?",
        "options": ["Yes", "No", "Not sure"],
    },
]


def hugo_binary() -> str | None:
    return shutil.which("hugo")


def ensure_hugo() -> str:
    """Hugo's path; installs Debian's package when it is missing and we are root."""
    found = hugo_binary()
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "hugo"], check=True, env=env, stdout=subprocess.DEVNULL
        )
        found = hugo_binary()
    if not found:
        raise RuntimeError("Hugo is needed for the build comparison: install Debian's `hugo` package")
    return found


def hugo_version(binary: str = "hugo") -> str:
    return subprocess.run([binary, "version"], capture_output=True, text=True, check=True).stdout.strip()


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _money(value: float) -> str:
    return f"£{value:,.0f}" if value == int(value) else f"£{value:,.2f}"


def _salary(role: Role) -> str:
    s = role.salary
    money = _money(s.min) if s.max is None or s.max == s.min else f"{_money(s.min)} to {_money(s.max)}"
    return f"{money} {PERIOD[s.period]}" + (f" {s.note}" if s.note else "")


def _status(campaign: Campaign, today: dt.date) -> str:
    if today < campaign.opens:
        return f"Opens on {_date(campaign.opens)}"
    return (
        f"Closed on {_date(campaign.closes)}"
        if today > campaign.closes
        else f"Open until {_date(campaign.closes)}"
    )


def _page(path: Path, front: dict[str, Any], body: str = "") -> None:
    """A content file with JSON front matter (Hugo reads a leading `{` object as front matter)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(front, ensure_ascii=False, indent=1) + "\n\n" + body + "\n", encoding="utf-8")


def _fields(campaign: Campaign) -> list[dict[str, Any]]:
    fields = [dict(f) for f in STANDARD_FIELDS]
    if campaign.form.ask_role and campaign.roles:
        fields.append(
            {
                "id": "role",
                "type": "select",
                "label": "Which role?",
                "options": [r.title for r in campaign.roles],
            }
        )
    for extra in campaign.form.fields:
        fields.append(
            {
                "id": extra.id,
                "type": extra.type,
                "input": extra.type if extra.type in ("email", "tel", "date", "file") else "text",
                "label": extra.label,
                "hint": extra.hint,
                "required": extra.required,
                "max_length": extra.max_length,
                "options": extra.options,
            }
        )
    if campaign.form.cv != "none":
        fields.append({"id": "cv", "type": "file", "input": "file", "label": "Your CV"})
    if campaign.talent_bank:
        fields.append({"id": "talent_bank", "type": "checkboxes", "label": "Talent bank", "options": ["Yes"]})
    fields.append({"id": "consent", "type": "checkboxes", "label": "Privacy", "options": ["I agree"]})
    for f in fields:
        f.setdefault("required", True)
        label = str(f["label"]).lower()
        f.setdefault("hint", f"Tell us your {label} so that we can consider your application.")
        f["messages"] = {
            "required": f"Enter your {label}",
            "format": f"Enter your {label} in the correct format",
            "too-long": f"Your {label} must be 200 characters or fewer",
        }
    return fields


def _council_data(council: CouncilSite) -> dict[str, Any]:
    m = council.model
    return {
        "name": m.name,
        "short_name": m.short_name,
        "website": str(m.website),
        "logo_alt": m.brand.logo_alt,
        "email": m.contact.email,
        "phone": m.contact.phone,
        "controller": m.data_controller.name,
        "address": m.data_controller.address,
        "dpo": m.data_controller.dpo_email,
    }


def write_site(project: Path, site: Path, today: dt.date) -> int:
    """Write the Hugo site for `project` into `site` (replacing it); return the pages it will make."""
    loaded = load_project(project)
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(LAYOUT, site)
    region = loaded.region
    (site / "hugo.toml").write_text(
        f"baseURL = {json.dumps(str(region.base_url))}\ntitle = {json.dumps(region.name)}\n"
        f"languageCode = {json.dumps(region.language)}\n"
        + (LAYOUT / "hugo.toml").read_text(encoding="utf-8")
        + f"\n[params]\norganisation = {json.dumps(region.organisation)}\n"
        f"retention_days = {region.retention_days}\n",
        encoding="utf-8",
    )
    static = site / "static"
    shutil.copytree(THEME_STATIC, static / "_static")
    content, data = site / "content", site / "data"
    (data / "campaigns").mkdir(parents=True)
    councils: dict[str, Any] = {}
    pages = 2  # the hub and 404.html
    _page(content / "_index.md", {"title": region.name})
    shared_assets = project / "campaigns" / "_shared" / "assets"
    for council in loaded.councils:
        slug = council.slug
        councils[slug] = _council_data(council)
        assets = static / slug / "_assets"
        shutil.copytree(council.folder / "assets", assets, dirs_exist_ok=True)
        if shared_assets.is_dir():
            shutil.copytree(shared_assets, assets, dirs_exist_ok=True)
        _page(content / slug / "_index.md", {"title": council.model.name, "type": "council", "council": slug})
        pages += 1
        campaigns: dict[str, Any] = {}
        for site_campaign in council.campaigns:
            pages += _write_campaign(
                content / slug, slug, site_campaign.slug, site_campaign.model, today, campaigns
            )
        (data / "campaigns" / f"{slug}.json").write_text(json.dumps(campaigns, ensure_ascii=False), "utf-8")
    (data / "councils.json").write_text(json.dumps(councils, ensure_ascii=False), encoding="utf-8")
    return pages


def _write_campaign(
    folder: Path, council: str, slug: str, m: Campaign, today: dt.date, data: dict[str, Any]
) -> int:
    base = folder / slug
    common = {"council": council, "campaign": slug, "campaign_title": m.title}
    image = m.sharing.image or m.hero.image
    data[slug] = {
        "hashtag": m.hashtag,
        "headline": m.hero.headline,
        "intro": m.hero.intro,
        "sharing": m.sharing.text,
        "stories": [{"name": s.name, "quote": s.quote, "role": s.role} for s in m.stories],
        "faq": [{"question": f.question, "answer": f.answer} for f in m.faq],
        "fields": _fields(m),
        "action": f"/api/apply/{council}/{slug}",
    }
    landing = {
        **common,
        "title": m.title,
        "type": "landing",
        "description": m.sharing.text,
        "audience": m.audience,
        "status": _status(m, today),
        "image": {"src": f"{council}/_assets/{Path(image.src).name}", "alt": image.alt} if image else None,
    }
    _page(base / "_index.md", landing, m.body)
    suffix = f"{m.title} – {council}"
    _page(
        base / "roles" / "_index.md",
        {**common, "title": f"Roles – {suffix}", "crumb": "Roles", "type": "roles"},
    )
    for weight, role in enumerate(m.roles, 1):
        closes = role.closes or m.closes
        front = {
            **common,
            "title": role.title,
            "type": "role",
            "weight": weight,
            "salary": _salary(role),
            "salary_min": role.salary.min,
            "salary_max": role.salary.max,
            "hours": role.hours,
            "employment": EMPLOYMENT[role.employment_type][0],
            "employment_code": EMPLOYMENT[role.employment_type][1],
            "location": role.location.name,
            "postcode": role.location.postcode,
            "opens": m.opens.isoformat(),
            "closes": f"{closes.isoformat()}T23:59:59+00:00",
            "closes_text": _date(closes),
            "reference": role.reference,
            "essential": list(role.essential),
            "desirable": list(role.desirable),
        }
        _page(base / "roles" / f"{role.slug}.md", front, role.description)
    _page(
        base / "apply" / "_index.md",
        {**common, "title": f"Apply – {suffix}", "crumb": "Apply", "type": "apply"},
    )
    thanks = {**common, "title": f"Application received – {suffix}", "type": "thanks", "noindex": True}
    _page(base / "apply" / "thanks.md", {**thanks, "crumb": "Application received"})
    feedback = {**thanks, "title": f"Thank you for your feedback – {suffix}", "crumb": "Feedback sent"}
    _page(base / "apply" / "feedback.md", {**feedback, "url": f"/{council}/{slug}/apply/thanks/feedback/"})
    privacy = {**common, "title": f"Privacy notice – {suffix}", "type": "privacy", "crumb": "Privacy notice"}
    _page(base / "privacy.md", {**privacy, "talent_bank": m.talent_bank is not None})
    statement = {**common, "title": f"Accessibility statement – {suffix}", "type": "accessibility"}
    _page(
        base / "accessibility.md",
        {**statement, "crumb": "Accessibility statement", "opens_text": _date(m.opens)},
    )
    if m.talent_bank is None:
        return 7 + len(m.roles)
    join = {
        **common,
        "title": f"Join the talent bank – {suffix}",
        "type": "join",
        "crumb": "Join the talent bank",
        "action": f"/api/bank/join/{council}/{slug}",
        "wording": m.talent_bank.wording,
        "hint": m.talent_bank.hint,
        "professions": PROFESSIONS,
        "hours": HOURS,
    }
    _page(base / "talent-bank" / "_index.md", join)
    joined = {**common, "title": f"You are in the talent bank – {suffix}", "type": "join", "noindex": True}
    _page(base / "talent-bank" / "joined.md", {**joined, "crumb": "Joined"})
    return 9 + len(m.roles)


def build_command(site: Path, out: Path, binary: str = "hugo") -> list[str]:
    """How the bench runs Hugo: quiet, into `out`, with its cache inside the site folder."""
    return [binary, "--quiet", "-s", str(site), "-d", str(out), "--cacheDir", str(site / ".cache")]


def count_html(folder: Path) -> int:
    """Pages a build wrote: its HTML files."""
    return sum(1 for _ in folder.rglob("*.html"))
