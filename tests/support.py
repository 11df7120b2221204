"""Helpers shared by the tests: where the example lives, the pinned clock, parsed pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(dist: Path) -> list[Path]:
    return sorted(dist.rglob("*.html"))
