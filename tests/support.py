"""Helpers shared by the tests: where the example lives, the pinned clock, parsed pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)

# What the shipped example region holds, built on TODAY. A test that loops over its pages, sites
# or forms asserts it met them all, so that it cannot pass on an empty or half-built dist/.
EXAMPLE_COUNCILS = 14
EXAMPLE_CAMPAIGNS = 33  # one of them closed on TODAY, the others open
EXAMPLE_OPEN_CAMPAIGNS = 32
EXAMPLE_SITES = 1 + EXAMPLE_COUNCILS + EXAMPLE_CAMPAIGNS  # as verify counts them: the hub and 404 are one
EXAMPLE_PAGES = 397  # HTML files: the hub, the 404 page and 395 in the councils' folders
EXAMPLE_BANK_CAMPAIGNS = 32  # those offering the talent bank: each has its join and "joined" pages


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(dist: Path) -> list[Path]:
    return sorted(dist.rglob("*.html"))


def is_counter(element: Any) -> bool:
    """The view counter's <noscript> image: a backend address, not a picture of the page."""
    return (
        element.name == "img" and "events.gif" in element.get("src", "") and element.find_parent("noscript")
    )
