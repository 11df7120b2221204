"""What a page view says about where its visitor came from, from the page's own address and its
referrer, and whether it is a person at all. Pure: no I/O, nothing stored.

- Source and medium: the landing page's utm_source / utm_medium when it has them; else the
  referrer's host, known social networks and search engines named (those the programme used
  among them: Facebook, X, LinkedIn, Instagram, TikTok, and webmail for email); a referrer on
  one of the region's own sites is an internal step, not a source; no referrer is "direct".
- Device: phone, tablet or desktop, from the User-Agent (which is then forgotten).
- Robots: crawlers, link-preview fetchers, monitors and headless browsers (our own `recruit
  verify` and Lighthouse runs among them) are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# host suffix -> (source, medium)
KNOWN = {
    "facebook.com": ("facebook", "social"), "fb.com": ("facebook", "social"), "fb.me": ("facebook", "social"),
    "instagram.com": ("instagram", "social"), "l.instagram.com": ("instagram", "social"),
    "t.co": ("x", "social"), "twitter.com": ("x", "social"), "x.com": ("x", "social"),
    "linkedin.com": ("linkedin", "social"), "lnkd.in": ("linkedin", "social"),
    "tiktok.com": ("tiktok", "social"), "youtube.com": ("youtube", "social"),
    "nextdoor.co.uk": ("nextdoor", "social"), "nextdoor.com": ("nextdoor", "social"),
    "reddit.com": ("reddit", "social"), "whatsapp.com": ("whatsapp", "social"),
    "google.com": ("google", "search"), "google.co.uk": ("google", "search"), "bing.com": ("bing", "search"),
    "duckduckgo.com": ("duckduckgo", "search"), "search.yahoo.com": ("yahoo", "search"),
    "ecosia.org": ("ecosia", "search"), "yandex.com": ("yandex", "search"),
    "mail.google.com": ("gmail", "email"), "outlook.live.com": ("outlook", "email"),
    "outlook.office.com": ("outlook", "email"), "outlook.office365.com": ("outlook", "email"),
    "mail.yahoo.com": ("yahoo-mail", "email"),
    "indeed.com": ("indeed", "jobs"), "indeed.co.uk": ("indeed", "jobs"), "jobs.nhs.uk": ("nhs-jobs", "jobs"),
}  # fmt: skip
# Mediums from utm_medium, as people write them.
MEDIUMS = {"social": "social", "social-media": "social", "paid-social": "social", "email": "email",
           "e-mail": "email", "newsletter": "email", "cpc": "paid", "ppc": "paid", "paid": "paid",
           "display": "paid", "print": "offline", "qr": "offline", "poster": "offline", "radio": "offline",
           "referral": "referral", "organic": "search", "search": "search", "jobs": "jobs"}  # fmt: skip
ROBOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|facebot|embedly|quora link preview|"
    r"whatsapp|telegrambot|skypeuripreview|slackbot|discordbot|linkedinbot|twitterbot|pinterest|"
    r"headlesschrome|headless|phantomjs|puppeteer|playwright|lighthouse|chrome-lighthouse|pagespeed|"
    r"gtmetrix|pingdom|uptimerobot|statuscake|monitor|curl/|wget/|python-|httpx|go-http-client|java/|"
    r"okhttp|axios|node-fetch|libwww|scrapy|preview|validator|checker|^$",
    re.IGNORECASE,
)
TOKEN = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")


@dataclass(frozen=True)
class Source:
    source: str  # "facebook", "google", "direct", "internal"...
    medium: str  # "social", "search", "email", "referral", "direct", "internal"...
    tag: str | None = None  # utm_campaign
    referrer_host: str | None = None


def token(text: str | None) -> str | None:
    """A utm value as a short lower-case token, or None (anything else is not kept)."""
    if not text:
        return None
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", text.strip().lower()).strip("-")[:60]
    return cleaned if cleaned and TOKEN.fullmatch(cleaned) else None


def _known(host: str) -> tuple[str, str] | None:
    parts = host.split(".")
    for n in range(len(parts) - 1):
        found = KNOWN.get(".".join(parts[n:]))
        if found:
            return found
    return None


def classify(utm: dict[str, str], referrer: str | None, own_hosts: frozenset[str]) -> Source:
    """Where a visit came from: its utm tags first, then its referrer."""
    host = (urlsplit(referrer).hostname or "").lower().removeprefix("www.") if referrer else ""
    host = host[:253] or None
    tag = token(utm.get("utm_campaign"))
    source = token(utm.get("utm_source"))
    if source:
        known = _known(source) or KNOWN.get(f"{source}.com")
        medium = MEDIUMS.get(token(utm.get("utm_medium")) or "") or (known[1] if known else "referral")
        return Source(known[0] if known else source, medium, tag, host)
    if host is None:
        return Source("direct", "direct", tag)
    if host in own_hosts or f"www.{host}" in own_hosts:
        return Source("internal", "internal", tag, host)
    known = _known(host)
    if known:
        return Source(known[0], known[1], tag, host)
    return Source(host, "referral", tag, host)


def device(user_agent: str) -> str:
    ua = user_agent.lower()
    if "ipad" in ua or "tablet" in ua or ("android" in ua and "mobile" not in ua):
        return "tablet"
    if "mobi" in ua or "iphone" in ua or "android" in ua:
        return "phone"
    return "desktop"


def is_robot(user_agent: str) -> bool:
    return bool(ROBOT.search(user_agent.strip()))


def opted_out(headers: dict[str, str]) -> bool:
    """Sec-GPC: 1 or DNT: 1 - the visitor asked not to be counted."""
    return headers.get("sec-gpc", "").strip() == "1" or headers.get("dnt", "").strip() == "1"
