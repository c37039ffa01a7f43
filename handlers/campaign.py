"""Where the campaign is today: the period (phase, stage) a resident's screen shows."""

from __future__ import annotations

import datetime as dt

from content.phases import Period, period_on, pinned_period
from db import campaign as campaign_queries
from handlers.router import Turn


def campaign_day(turn: Turn) -> dt.date:
    return turn.campaign_time.astimezone(turn.zone).date()


async def current_period(turn: Turn) -> Period:
    """Staff's pinned phase wins, except in a preview (`loaso chat --as-of`)."""
    pack = turn.content.pack
    if turn.as_of is None:
        override = await campaign_queries.active_override(turn.session)
        if override is not None:
            pinned = pinned_period(pack, override.phase_id, override.stage_id)
            if pinned is not None:
                return pinned
    return period_on(pack, campaign_day(turn))


WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def vietnamese_date(day: dt.date, *, weekday: bool = False) -> str:
    text = f"{day.day}/{day.month}/{day.year}"
    return f"{WEEKDAYS[day.weekday()]}, {text}" if weekday else text


def vietnamese_range(start: dt.date, end: dt.date | None) -> str:
    if end is None or end == start:
        return vietnamese_date(start, weekday=True)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day}/{end.month}/{end.year}"
    return f"{vietnamese_date(start)} – {vietnamese_date(end)}"
