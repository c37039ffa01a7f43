"""The calendar ("Lịch sự kiện", /lich): the next events and the current phase's key dates,
grouped by month, then what happened lately; everything as known on the campaign day
(content.calendar), so nothing is shown before it was announced."""

from __future__ import annotations

from content.calendar import CalendarEntry
from handlers import texts
from handlers.campaign import current_period, vietnamese_range
from handlers.paging import navigation
from handlers.router import Router, Turn

UPCOMING = 8
RECENT = 5


def event_line(entry: CalendarEntry, *, in_month: bool = False) -> str:
    """One event; under a month heading, an event without dates needs no date (the heading
    already says "Đầu năm 2026")."""
    if entry.dated:
        line = f"• {vietnamese_range(entry.start, entry.end)}: {entry.event.name}"
    else:
        line = f"• {entry.event.name}" if in_month else f"• {entry.when}: {entry.event.name}"
    return f"{line} {texts.CALENDAR_UNCONFIRMED}" if entry.tentative else line


async def calendar(turn: Turn) -> None:
    """/lich, cal:show."""
    period = await current_period(turn)
    page = turn.view.calendar_page(period, upcoming=UPCOMING, recent=RECENT)
    lines = [texts.CALENDAR_TITLE]
    months = page.months
    for month in months:
        lines += ["", texts.CALENDAR_MONTH.format(month=month.heading)]
        lines += [event_line(entry, in_month=True) for entry in month.entries]
    if not months:
        lines += ["", texts.CALENDAR_NONE]
    shown = {entry.event.id for month in months for entry in month.entries}
    recent = [entry for entry in page.recent if entry.event.id not in shown]
    if recent:
        lines += ["", texts.CALENDAR_RECENT]
        lines += [event_line(entry) for entry in recent]
    turn.say("\n".join(lines), navigation())


def register(router: Router) -> None:
    router.command("lich", step=calendar)
    router.button("cal", calendar)
    router.menu_item(texts.MENU_CALENDAR, "cal:show", order=60)
