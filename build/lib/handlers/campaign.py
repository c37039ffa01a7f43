"""Where the campaign is today: the period (phase, stage) a resident's screen shows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from content.pack import Pack
from content.phases import Period, period_on, pinned_period
from db import campaign as campaign_queries
from handlers.router import Turn


def campaign_day(turn: Turn) -> dt.date:
    return turn.campaign_time.astimezone(turn.zone).date()


async def effective_period(session: AsyncSession, pack: Pack, day: dt.date, *,
                           use_pin: bool = True) -> Period:
    """Staff's pinned phase if any (and still in the pack), else the phase of `day`."""
    if use_pin:
        override = await campaign_queries.active_override(session)
        if override is not None:
            pinned = pinned_period(pack, override.phase_id, override.stage_id)
            if pinned is not None:
                return pinned
    return period_on(pack, day)


async def current_period(turn: Turn) -> Period:
    """What a resident sees; a preview (`loaso chat --as-of`) ignores staff's pin."""
    return await effective_period(turn.session, turn.content.pack, campaign_day(turn),
                                  use_pin=turn.as_of is None)


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
