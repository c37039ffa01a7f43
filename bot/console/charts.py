"""Charts as inline SVG drawn on the server: no script (the console's CSP allows none inline),
no library, nothing to download. A chart is data (`Chart`: rows of figures per series); this
module lays it out, and `templates/_charts.html` draws the SVG and the table of the same
numbers beside it. Every label goes through the template, so autoescaping applies to it as
to any other text.

Horizontal bars (`bars`) size in percent of the chart's width with their labels above them,
so they reflow from a 360-px phone to a desktop without shrinking the text; columns
(`columns`, one per day) do the same across. Colours come from console.css by class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.reports.small_numbers import hamlet_count, shown_value
from content.text import format_number

LABEL_MAX = 48  # characters of a label drawn in the chart; the table shows it whole
BAR_SPAN = 82.0  # percent of the width the longest bar takes: room for its number after it
LABEL_HEIGHT, BAR_HEIGHT, BAR_GAP, ROW_GAP = 18, 14, 3, 12
COLUMN_PLOT_TOP, COLUMN_PLOT_HEIGHT, COLUMN_AXIS = 18, 150, 22


@dataclass(frozen=True)
class Figure:
    """A number as drawn (None: not drawn, e.g. hidden by the small-numbers rule) and as
    printed."""

    value: int | None
    text: str


def plain(count: int) -> Figure:
    return Figure(count, format_number(count))


def per_hamlet(count: int) -> Figure:
    """A hamlet's count under the small-numbers rule: "< 3" and no bar below 3."""
    return Figure(shown_value(count), hamlet_count(count))


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[Figure, ...]  # one per series


@dataclass(frozen=True)
class Chart:
    """What a chart shows; the same rows fill the table beside it."""

    key: str  # the id of the chart's section in the page
    title: str
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    kind: str = "bars"  # bars (one row per label) or columns (one column per label)
    note: str = ""
    label_heading: str = ""  # the first column's heading in the table

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def largest(self) -> int:
        return max((figure.value or 0 for row in self.rows for figure in row.figures),
                   default=0)


# --- horizontal bars ---------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    y: int
    width: float  # percent
    text: str
    text_x: float  # percent
    tooltip: str
    series: int


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarLayout:
    rows: tuple[BarRow, ...]
    height: int


def short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1] + "…"


def bar_layout(chart: Chart) -> BarLayout:
    largest = chart.largest or 1
    rows, y = [], 0
    for row in chart.rows:
        label_y = y + LABEL_HEIGHT - 5
        y += LABEL_HEIGHT
        bars = []
        for index, figure in enumerate(row.figures):
            width = 0.0 if not figure.value else max(BAR_SPAN * figure.value / largest, 0.4)
            name = f"{chart.series[index]}: " if len(chart.series) > 1 else ""
            bars.append(Bar(y, round(width, 2), figure.text, round(width + 1, 2),
                            f"{row.label} — {name}{figure.text}", index))
            y += BAR_HEIGHT + BAR_GAP
        rows.append(BarRow(short(row.label), label_y, tuple(bars)))
        y += ROW_GAP
    return BarLayout(tuple(rows), max(y, 1))


# --- columns -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    x: float  # percent
    width: float  # percent
    y: float
    height: float
    tooltip: str


@dataclass(frozen=True)
class Tick:
    x: float  # percent, the middle of its column
    text: str

    @property
    def anchor(self) -> str:
        """Labels at the edges lean inwards, so they stay inside a narrow screen."""
        return "start" if self.x < 5 else "end" if self.x > 95 else "middle"


@dataclass(frozen=True)
class ColumnLayout:
    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]
    top_text: str  # the value of the top line
    plot_top: int
    baseline: int
    height: int


def column_layout(chart: Chart, *, tick_every: int = 7) -> ColumnLayout:
    """One column per row (its first figure), a label under every `tick_every`-th row
    counted from the last, so the latest day is always named."""
    count = max(len(chart.rows), 1)
    step = 100.0 / count
    largest = chart.largest or 1
    baseline = COLUMN_PLOT_TOP + COLUMN_PLOT_HEIGHT
    columns, ticks = [], []
    for index, row in enumerate(chart.rows):
        figure = row.figures[0]
        height = COLUMN_PLOT_HEIGHT * (figure.value or 0) / largest
        columns.append(Column(round(index * step + step * 0.15, 3), round(step * 0.7, 3),
                              round(baseline - height, 2), round(height, 2),
                              f"{row.label}: {figure.text}"))
        if (count - 1 - index) % tick_every == 0:
            middle = index * step + step / 2
            ticks.append(Tick(round(0 if middle < 5 else 100 if middle > 95 else middle, 3),
                              row.label))
    return ColumnLayout(tuple(columns), tuple(ticks), format_number(chart.largest),
                        COLUMN_PLOT_TOP, baseline, baseline + COLUMN_AXIS)


def rows_of(labels_and_counts: Sequence[tuple[str, Sequence[Figure]]]) -> tuple[Row, ...]:
    return tuple(Row(label, tuple(figures)) for label, figures in labels_and_counts)
