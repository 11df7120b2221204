"""URL arithmetic: links between site paths, public URLs, and where a form posts.

A site path is a path inside dist/ as a visitor sees it (`/dudley/come-back-to-care/`); a
folder's path ends with '/'. Pages link to each other relatively, so any council's folder can
be deployed at any URL; canonical URLs, sitemaps and the form manifest use the public base URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .views import CampaignView, CouncilView


def relative(from_path: str, to_path: str) -> str:
    """A link from one site path to another; directory paths end with '/'."""
    to_path, mark, query = to_path.partition("?")
    query = mark + query
    base = from_path[: from_path.rfind("/") + 1].split("/")[1:-1]  # folders of the page
    folder, _, name = to_path.rpartition("/")
    target = folder.split("/")[1:]
    common = 0
    for a, b in zip(base, target, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(base) - common) + target[common:]
    if not parts:
        return (name or "./") + query
    return "/".join(parts) + "/" + name + query


class Urls:
    """The public URLs of one build: the region's base URL (or the preview's) and the backend's."""

    def __init__(self, base_url: str, backend_url: str) -> None:
        self.base_url = base_url
        self.backend_url = backend_url

    def absolute(self, path: str, council: CouncilView | None = None) -> str:
        """The public URL of a site path, on the council's own domain if it has one."""
        if council is not None and council.model.base_url:
            return council.model.base_url + path.removeprefix(council.path)
        return self.base_url.rstrip("/") + path

    def from_root(self, council: CouncilView | None = None) -> Callable[[str], str]:
        """rel() for a 404 page: a host serves it at any path, so relative links cannot work and it
        links from the root of where its site is published. That is the path of the base URL
        (`/REPO/` on a GitHub Pages project site, `/` on a domain of its own); for a council on
        its own domain, its folder is that root."""
        if council is not None and council.model.base_url:
            root, folder = urlsplit(council.model.base_url).path, council.path
        else:
            root, folder = urlsplit(self.base_url).path, "/"
        root = "/" + root.strip("/") + "/" if root.strip("/") else "/"

        def link(target: str) -> str:
            return root + target.removeprefix(folder) if target.startswith(folder) else target

        return link

    def form_action(self, council: CouncilView, campaign: CampaignView) -> str:
        """Where a campaign's apply form posts: the backend, never the static host."""
        return f"{self.backend_url.rstrip('/')}/apply/{council.slug}/{campaign.slug}"

    def ratings(self) -> str:
        """Where the thank-you page's one-question survey posts: the backend's /ratings."""
        return f"{self.backend_url.rstrip('/')}/ratings"

    def bank_join(self, council: CouncilView, campaign: CampaignView) -> str:
        """Where a campaign's "join the talent bank" form posts: the backend's /bank/join/."""
        return f"{self.backend_url.rstrip('/')}/bank/join/{council.slug}/{campaign.slug}"

    def events(self) -> str:
        """Where pages count their views: the backend's /events (and /events.gif)."""
        return f"{self.backend_url.rstrip('/')}/events"


def feedback_path(campaign: CampaignView) -> str:
    """The page the backend sends someone to once their answer to the survey is kept."""
    return f"{campaign.links['thanks']}feedback/"


def offers_bank(campaign: CampaignView) -> bool:
    """Whether the campaign offers the regional talent bank (`talent_bank:` in its YAML)."""
    return campaign.model.talent_bank is not None


def joined_path(campaign: CampaignView) -> str:
    """The page the backend sends someone to once they have joined the talent bank."""
    return f"{campaign.links['join']}joined/"
