"""The thank-you page's one-question survey as built: the form on every thank-you page, posting
to the backend's /ratings without JavaScript; the feedback page it leads to; what the manifest
tells the backend; the privacy notice; and a backend on another host."""

from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import Path

from bs4 import BeautifulSoup
from projects import SITE_TOML, write_project
from support import EXAMPLE_CAMPAIGNS, parse

from generator.build import build

OPTIONS = [
    ("5", "Very satisfied"),
    ("4", "Satisfied"),
    ("3", "Neither satisfied nor dissatisfied"),
    ("2", "Dissatisfied"),
    ("1", "Very dissatisfied"),
]
QUESTION = "Overall, how did you feel about applying today?"


def page_of(dist: Path, site_path: str) -> BeautifulSoup:
    return parse(dist / site_path.lstrip("/") / "index.html")


def survey_of(page: BeautifulSoup) -> BeautifulSoup:
    (form,) = [f for f in page.find_all("form") if f["action"].endswith("/ratings")]
    return form


def test_every_thank_you_page_asks_the_one_question(dist: Path, manifest: dict) -> None:
    forms = manifest["forms"]
    assert len(forms) == EXAMPLE_CAMPAIGNS
    for entry in forms:
        form = survey_of(page_of(dist, entry["thanks_path"]))
        assert form["action"] == manifest["region"]["backend_url"] + "/ratings"
        assert form["method"] == "post" and not form.has_attr("enctype")  # form-urlencoded
        hidden = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
        assert hidden == {"council": entry["council"], "campaign": entry["campaign"]}


def test_the_question_is_a_fieldset_of_radios_in_gov_uk_words(dist: Path, manifest: dict) -> None:
    form = survey_of(page_of(dist, manifest["forms"][0]["thanks_path"]))
    fieldset = form.find("fieldset")
    assert fieldset.legend.get_text(strip=True) == QUESTION
    hint = form.find(id=fieldset["aria-describedby"])
    assert hint.get_text(strip=True) == "Your answer is kept without your name or your application."
    radios = fieldset.find_all("input", type="radio")
    assert {r["name"] for r in radios} == {"score"}
    labels = [(r["value"], form.find("label", attrs={"for": r["id"]}).get_text(strip=True)) for r in radios]
    assert labels == OPTIONS
    assert form.find("button", type="submit").get_text(strip=True) == "Send feedback"


def test_the_feedback_page_thanks_and_leads_back_to_the_campaign(dist: Path, manifest: dict) -> None:
    for entry in manifest["forms"]:
        feedback = entry["feedback_path"]
        assert feedback == entry["thanks_path"] + "feedback/"
        assert entry["feedback_url"].endswith(feedback)
        page = page_of(dist, feedback)
        assert page.h1.get_text() == "Thank you for your feedback"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        back = page.main.find("a", string=lambda text: text and text.startswith("Back to"))
        landing = entry["form_path"].removesuffix("apply/")
        assert posixpath.normpath(posixpath.join(feedback, back["href"])) + "/" == landing
        counter = page.find("script", attrs={"data-page": True})
        assert (counter["data-page"], counter["data-campaign"]) == ("thanks", entry["campaign"])
    assert "feedback/" not in (dist / "sitemap.xml").read_text(encoding="utf-8")


def test_the_privacy_notice_says_what_the_question_keeps(dist: Path, manifest: dict) -> None:
    entry = manifest["forms"][0]
    notice = page_of(dist, entry["form_path"].removesuffix("apply/") + "privacy/").get_text(" ")
    assert "The question after you apply" in notice
    assert "we keep only your answer, the day and the campaign" in notice


def test_a_backend_on_another_host_gets_the_survey_and_may_be_posted_to(tmp_path: Path) -> None:
    site = SITE_TOML.replace(
        'theme = "default"', 'theme = "default"\nbackend_url = "https://forms.example/api"'
    )
    root = write_project(tmp_path, {"site.toml": site, "themes/default/templates/base.html": None})
    out = build(root, tmp_path / "dist", today=dt.date(2026, 6, 1)).out
    form = survey_of(parse(out / "testshire" / "jobs" / "apply" / "thanks" / "index.html"))
    assert form["action"] == "https://forms.example/api/ratings"
    policy = next(
        line for line in (out / "_headers").read_text().splitlines() if "Content-Security-Policy" in line
    )
    assert "form-action 'self' https://forms.example;" in policy
    assert (out / "testshire" / "jobs" / "apply" / "thanks" / "feedback" / "index.html").is_file()
