"""The evaluation report as files: a page of HTML that stands alone (its styles inside it, no
script, nothing fetched), to email or publish, and its figures as CSV and JSON beside it.
`recruit report` writes them; the workspace offers the CSV and JSON for download."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jinja2

from ..export import neutralise
from ..workspace.render import source_name
from . import charts
from .report import PERIODS, STEP_NAMES, VISITS_NOTE, Line, Report

HERE = Path(__file__).parent
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}


def environment(*more: Path) -> jinja2.Environment:
    """Templates of the report's parts (and of `more` folders first), with what they use."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*more, HERE / "templates"]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    env.globals.update(STEP_NAMES=STEP_NAMES, visits_note=VISITS_NOTE)
    env.filters["source"] = source_name
    return env


def stylesheet() -> str:
    return (HERE / "static" / "report.css").read_text(encoding="utf-8")


def rows(report: Report) -> list[list[str]]:
    """Every figure of the report as one row: what it counts, the step, and each period."""
    found = [["table", "name", "key", "step", *PERIODS]]

    def add(table: str, line: Line) -> None:
        for step, values in line.counts.items():
            found.append([table, line.name, line.key, step, *map(str, values)])

    add("total", report.total)
    for line in report.sites:
        add("site", line)
    for line in report.sources:
        add("source", line)
    for total, lines in report.campaigns:
        add("campaign", total)
        for line in lines:
            add(f"campaign {total.key} by source", line)
    return found


def render(
    report: Report, kind: str, region_name: str = "", council_names: dict | None = None
) -> tuple[bytes, str]:
    if kind == "json":
        return json.dumps(report.as_json(), ensure_ascii=False, indent=1).encode(), MEDIA[kind]
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in rows(report):
            writer.writerow([neutralise(value) for value in row])
        return ("\ufeff" + buffer.getvalue()).encode(), MEDIA[kind]
    page = environment().get_template("report_page.html").render(
        report=report, funnel=charts.funnel(report), per_day=charts.per_day(report), css=stylesheet(),
        region_name=region_name, council_names=council_names or {},
    )  # fmt: skip
    return page.encode(), MEDIA["html"]


def write(report: Report, out: Path, region_name: str, council_names: dict) -> list[Path]:
    """report.html, report.csv and report.json in `out` (made if need be); the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in ("html", "csv", "json"):
        body, _ = render(report, kind, region_name, council_names)
        path = out / f"report.{kind}"
        path.write_bytes(body)
        written.append(path)
    return written
