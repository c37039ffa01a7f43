"""Column widths measured from the text, so that what must stay on one line does.

Both the letterhead (two columns of lines that must never wrap) and the body tables
(headings and numbers that must never wrap, text that may) are sized here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reports.layout.metrics import longest_word_cm, text_width_cm

# Rounding in Word and LibreOffice (twips, points) and kerning differences: a measured line
# gets 1 % and 0.05 cm more room than the font's advance widths add up to.
SLACK_FACTOR = 1.01
SLACK_CM = 0.05
SHRINK_STEP = 0.5  # points


def roomy(width_cm: float) -> float:
    return width_cm * SLACK_FACTOR + SLACK_CM


@dataclass
class Line:
    """One line of the letterhead; `pt` may shrink to `min_pt` (the smallest size the rules
    allow for that element) when the two columns would not fit side by side otherwise."""

    text: str
    pt: float
    min_pt: float
    bold: bool = False
    italic: bool = False
    underline: bool = False

    @property
    def width(self) -> float:
        return text_width_cm(self.text, self.pt, bold=self.bold, italic=self.italic)


def column_need(lines: list[Line], padding_cm: float) -> float:
    return roomy(max((line.width for line in lines), default=0.0)) + 2 * padding_cm


def fit_two_columns(left: list[Line], right: list[Line], available_cm: float,
                    padding_cm: float) -> tuple[float, float]:
    """Widths for two columns of unwrappable lines within `available_cm`.

    When they do not fit at their sizes, the widest line of the wider column shrinks half a
    point at a time, never below its minimum; what is left over is shared in proportion to
    each column's need. Only a name too long for any allowed size can still wrap.
    """
    while column_need(left, padding_cm) + column_need(right, padding_cm) > available_cm:
        columns = sorted((left, right), key=lambda lines: column_need(lines, padding_cm),
                         reverse=True)
        for lines in columns:
            widest = max(lines, key=lambda line: line.width)
            if widest.pt - SHRINK_STEP >= widest.min_pt:
                widest.pt -= SHRINK_STEP
                break
        else:
            break
    need_left, need_right = column_need(left, padding_cm), column_need(right, padding_cm)
    scale = available_cm / (need_left + need_right)
    return need_left * scale, need_right * scale


def _lines_width(text: str, pt: float, bold: bool) -> float:
    return max(text_width_cm(line, pt, bold=bold) for line in text.split("\n"))


def _word_width(text: str, pt: float, bold: bool) -> float:
    return max(longest_word_cm(line, pt, bold=bold) for line in text.split("\n"))


def table_widths(texts: list[list[str]], numeric: list[bool], bold_rows: set[int], pt: float,
                 available_cm: float, padding_cm: float) -> list[float]:
    """Column widths filling `available_cm`: the heading row (row 0) and numeric columns never
    wrap; text columns take the remaining room in proportion to their longest line, and
    shrink towards their longest word when the table would be too wide."""
    natural, minimum = [], []
    for col, column in enumerate(zip(*texts, strict=True)):
        lines = [_lines_width(text, pt, row in bold_rows) for row, text in enumerate(column)]
        words = [lines[0]] + [_word_width(text, pt, row in bold_rows)
                              for row, text in enumerate(column) if row]
        natural.append(roomy(max(lines)) + 2 * padding_cm)
        minimum.append(roomy(max(lines) if numeric[col] else max(words)) + 2 * padding_cm)
    flexible = [col for col, is_number in enumerate(numeric) if not is_number]
    flexible = flexible or list(range(len(numeric)))
    widths = list(natural)
    spare = available_cm - sum(natural)
    if spare >= 0:
        share = sum(natural[col] for col in flexible)
        for col in flexible:
            widths[col] += spare * natural[col] / share
        return widths
    fixed = sum(natural[col] for col in range(len(natural)) if col not in flexible)
    room = available_cm - fixed
    least = sum(minimum[col] for col in flexible)
    most = sum(natural[col] for col in flexible)
    for col in flexible:
        if room <= least or most == least:
            widths[col] = minimum[col]
        else:
            widths[col] = minimum[col] + (natural[col] - minimum[col]) * (room - least) / (
                most - least)
    return widths
