"""The small-numbers rule: a count about a hamlet (or any group small enough to point at a
person) is shown as "< 3" when it is under 3, so nobody is singled out.

One rule for every screen and document that counts residents, comments or quiz rounds by
hamlet: the console's dashboard, and the campaign report. 0, 1 and 2 all read "< 3", so an
empty hamlet cannot be told from a hamlet with one or two people.

What it does not do: a total printed beside the hamlets' counts still lets a reader subtract
the shown counts from it. The dashboard prints no total under a by-hamlet table; a document
that must print one should say so, or hide one more hamlet.
"""

from __future__ import annotations

from content.text import format_number

SMALLEST_SHOWN = 3
HIDDEN = f"< {SMALLEST_SHOWN}"


def is_hidden(count: int) -> bool:
    return count < SMALLEST_SHOWN


def hamlet_count(count: int) -> str:
    """The count as a hamlet's figure is printed: "12", "1.234", or "< 3"."""
    return HIDDEN if is_hidden(count) else format_number(count)


def shown_value(count: int) -> int | None:
    """The count to draw (a bar's length), or None where the figure is hidden."""
    return None if is_hidden(count) else count
