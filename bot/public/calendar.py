"""/lich: the calendar as residents may know it today: next events and the current phase's
key dates grouped by month, then what happened lately (content.calendar, as `/lich` in chat)."""

from __future__ import annotations

from fastapi import Request, Response

from bot.public.render import PageGroup, page
from bot.public.showing import Showing
from content.calendar import CalendarEntry
from handlers.campaign import vietnamese_range

group = PageGroup("calendar")
TENTATIVE = "(dự kiến)"


def when(entry: CalendarEntry) -> str:
    """"19–23/1/2026", "Thứ Ba, 19/8/2025" (an entry known only in words, "đầu năm 2026",
    is listed under those words as its heading)."""
    return vietnamese_range(entry.start, entry.end)


@group.get("/lich")
async def calendar(request: Request, showing: Showing) -> Response:
    shown = showing.view.calendar_page(showing.period)
    months = shown.months
    listed = {entry.event.id for month in months for entry in month.entries}
    return page(request, showing, "calendar.html", {
        "title": "Lịch sự kiện",
        "description": "Các sự kiện sắp tới và mốc thời gian chính của đợt tuyên truyền.",
        "months": months, "upcoming": shown.upcoming, "day": showing.day,
        # a key date already over is in its month, marked so: not twice
        "recent": [entry for entry in shown.recent if entry.event.id not in listed],
        "when": when, "tentative": TENTATIVE})
