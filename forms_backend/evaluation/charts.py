"""The report's charts as shapes for the templates to draw as SVG on the server: the funnel (a
bar for each step) and applications per day by source (a row of day bars for each source, on
one scale, so that channels compare without telling colours apart). Each chart is shown beside
a table of the same figures, which is what screen readers read.

Charting libraries were weighed: pygal writes its styles in a <style> element and its
tooltips in JavaScript, which the workspace's Content-Security-Policy refuses (style-src
'self', no scripts), and matplotlib draws text as paths and weighs tens of megabytes; these
few rectangles are clearer to keep.
"""

from __future__ import annotations

from dataclasses import dataclass

from .report import STEP_NAMES, Report

WIDTH = 640
LABELS = 190  # the width of the labels' column
BARS = WIDTH - LABELS - 95  # the room for the bars (the rest: the figures after them)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    height: int
    bars: list[Bar]
    rows: list[tuple[str, int, float]]  # (label, total, y of its baseline)
    ticks: list[tuple[str, float]]  # (label, x) under the bars


def funnel(report: Report, row: int = 32) -> Chart:
    steps = list(STEP_NAMES)
    top = max((report.total[s] for s in steps), default=0) or 1
    bars = [
        Bar(STEP_NAMES[s], report.total[s], LABELS, n * row + 4, BARS * report.total[s] / top, row - 10)
        for n, s in enumerate(steps)
    ]
    return Chart(len(steps) * row, bars, [(b.label, b.value, b.y + b.height / 2) for b in bars], [])


def per_day(report: Report, row: int = 44) -> Chart:
    """A row per source; in it a bar per day, all on the scale of the busiest day of any source."""
    days = len(report.days) or 1
    top = max((n for _, counts in report.per_day for n in counts), default=0) or 1
    step = BARS / days
    bars, rows = [], []
    for n, (source, counts) in enumerate(report.per_day):
        base = n * row + row - 6
        rows.append((source, sum(counts), base - (row - 12) / 2))
        for d, value in enumerate(counts):
            if value:
                height = (row - 12) * value / top
                bars.append(Bar(report.days[d].isoformat(), value, LABELS + d * step, base - height,
                                max(step - 1, 1), height))  # fmt: skip
    height = max(len(report.per_day), 1) * row
    first, last = report.days[0], report.days[-1]
    ticks = [(f"{first.day} {first:%b}", LABELS), (f"{last.day} {last:%b}", LABELS + BARS)]
    return Chart(height + 20, bars, rows, ticks)
