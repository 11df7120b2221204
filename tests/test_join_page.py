"""The talent bank's own form in the built sites: a talent-bank/ page (and the "joined" page after
it) for every campaign with `talent_bank:` and for no other, linked from its landing page,
posting to the backend's /bank/join/<council>/<campaign>; a closed campaign still offers it, and
verify does not take it for an application form."""

from __future__ import annotations

from pathlib import Path

from projects import JOBS, JOBS_YAML, VALID_FILES, write_project
from support import EXAMPLE_BANK_CAMPAIGNS, TODAY, parse

from generator import contract
from generator.build import build
from generator.pages import CAMPAIGN_PAGES
from generator.verify import checks

BASE = "https://careers.westmidlands.example/"


def test_every_campaign_with_a_talent_bank_and_no_other_has_the_join_page(dist: Path, manifest: dict) -> None:
    sitemap = (dist / "sitemap.xml").read_text(encoding="utf-8")
    offered = 0
    for form in manifest["forms"]:
        folder = dist / form["council"] / form["campaign"]
        landing = parse(folder / "index.html")
        link = landing.main.find("a", string="Join the talent bank")
        page, joined = folder / "talent-bank" / "index.html", folder / "talent-bank" / "joined" / "index.html"
        where = f"{BASE}{form['council']}/{form['campaign']}/talent-bank/"
        if not form["talent_bank"]:
            assert link is None and not page.exists() and not joined.exists(), folder
            assert where not in sitemap
            continue
        offered += 1
        assert link is not None and link["href"] == "talent-bank/", folder
        soup = parse(page)
        assert soup.h1.get_text() == "Join the talent bank"
        assert soup.title.get_text().startswith("Join the talent bank – ")
        post = soup.main.find("form", method="post")
        assert post["action"] == f"/api/bank/join/{form['council']}/{form['campaign']}"
        wording = next(f["label"] for f in form["fields"] if f["id"] == "talent_bank_consent")
        assert post.find("label", attrs={"for": "talent_bank_consent"}).get_text() == wording
        assert post.find("script") is None and soup.find("script", src=lambda s: s and "apply." in s) is None
        done = parse(joined)
        assert done.h1.get_text() == "Check your email"
        assert "email with the link to your private page" in done.main.get_text()
        assert done.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert f"<loc>{where}</loc>" in sitemap and f"<loc>{where}joined/</loc>" not in sitemap
    assert offered == EXAMPLE_BANK_CAMPAIGNS


def test_the_join_pages_are_declared_for_campaigns_with_a_talent_bank_only() -> None:
    joins = [page for page in CAMPAIGN_PAGES if page.kind == "join"]
    assert [page.template or page.kind for page in joins] == ["join", "join_done"]
    assert all(page.when is not None for page in joins)
    assert "form" in contract.documented("join")


def test_a_closed_campaign_still_offers_the_talent_bank(tmp_path: Path) -> None:
    bank = (
        "talent_bank:\n  wording: Add me to the Testshire talent bank\n  hint: You can leave at any time.\n"
    )
    root = write_project(tmp_path / "p", {"themes/default/templates/base.html": None, JOBS: JOBS_YAML + bank})
    assert "talent_bank" not in VALID_FILES[JOBS]
    out = build(root, root / "dist", today=TODAY).out  # jobs closed on 30 September 2026
    folder = out / "testshire" / "jobs"
    assert parse(folder / "apply" / "index.html").find("form", method="post") is None
    page = parse(folder / "talent-bank" / "index.html")
    assert page.main.find("form", method="post")["action"] == "/api/bank/join/testshire/jobs"
    assert parse(folder / "index.html").main.find("a", string="Join the talent bank") is not None
    for file in sorted(folder.rglob("index.html")):  # verify: no page of it offers an application form
        path = "/" + file.parent.relative_to(out).as_posix() + "/"
        assert (
            checks.form_state(path, checks.parse(file.read_text(encoding="utf-8")), "closed", "/api/x") == []
        )
