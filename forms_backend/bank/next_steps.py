"""The thank-you page for an applicant on a route to UK registration: the campaign's own
thank-you page, with the steps left on their route and the region's support in it. The form's
answer points there (`next_url`, and the redirect without JavaScript) when the applicant's
answers put them on a route; its address is signed with the bank's key, so nobody reaches
another applicant's by changing the reference."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html

from bs4 import BeautifulSoup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import pages
from ..backend import LONDON, backend_of
from ..manifest import Manifest
from ..matching.explain import RoutePlan
from ..matching.fitting import route_of
from ..responses import NO_STORE, site_url
from ..settings import Settings
from .joining import backend_address

HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer"}


def signature(secret: str, reference: str) -> str:
    mac = hmac.new(secret.encode(), f"next\n{reference}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def next_url(manifest: Manifest, secret: str, form: dict, reference: str, settings: Settings) -> str:
    """Where the applicant goes next: a path when the backend shares the sites' host (as the
    thank-you page's own redirect does), else the backend's absolute address."""
    path = f"/next/{form['council']}/{form['campaign']}/{reference}/{signature(secret, reference)}"
    path += f"?ref={reference}"
    same_host = manifest.same_host if settings.absolute_redirects is None else not settings.absolute_redirects
    if same_host:
        return str(manifest.region.get("backend_url", "/api")).rstrip("/") + path
    return backend_address(manifest) + path


def section(route: RoutePlan) -> str:
    steps = "".join(f"<li>{html.escape(step)}</li>" for step in route.steps_left)
    return (
        '<h2 class="rc-heading-m" id="your-route">The steps left on your route to UK registration</h2>'
        f'<p class="rc-body">{html.escape(route.text)}</p>'
        + (f'<ol class="rc-list rc-list--number">{steps}</ol>' if steps else "")
        + (
            f'<p class="rc-body">How the region helps: {html.escape(route.support)}</p>'
            if route.support
            else ""
        )
        + '<p class="rc-body">If you joined the talent bank, your private page (the link is in your '
        "confirmation email) keeps these steps up to date.</p>"
    )


async def page(request: Request) -> Response:
    backend = backend_of(request)
    manifest = backend.manifests.get()
    council, campaign, reference = (request.path_params[k] for k in ("council", "campaign", "reference"))
    form = manifest.form(council, campaign)
    given = request.path_params["signature"]
    if form is None or not hmac.compare_digest(given, signature(await backend.bank_secret(), reference)):
        return HTMLResponse(pages.message_page(backend.settings.dist, "/", "/", "Page not found",
                            ["There is nothing at this address."]), 404, headers=HEADERS)  # fmt: skip
    thanks = site_url(manifest, form, "thanks", backend.settings)
    found = await backend.call("application", [council], reference)
    today = backend.settings.now().astimezone(LONDON).date()
    route = route_of(manifest, found.answers or {}, today) if found is not None else None
    if route is None:  # erased since, or no route after all: the campaign's own thank-you page
        return RedirectResponse(f"{thanks}?ref={reference}", 303, headers=HEADERS)
    soup = pages._load(pages.page_file(backend.settings.dist, form["thanks_path"]), thanks)
    main = soup.find("main")
    fragment = BeautifulSoup(section(route), "html.parser")
    anchor = main.find("h2") if main is not None else None
    if anchor is not None:
        for node in list(fragment.contents):
            anchor.insert_before(node)
    elif main is not None:
        main.append(fragment)
    box = soup.select_one("[data-reference]")
    if box is not None:
        box.string = reference
    return HTMLResponse(str(soup), headers=HEADERS)
