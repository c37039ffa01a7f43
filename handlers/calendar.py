"""The calendar ("Lịch sự kiện", /lich): upcoming and recent campaign events."""

from __future__ import annotations

from content.models import Event
from handlers import texts
from handlers.campaign import campaign_day, vietnamese_range
from handlers.paging import navigation
from handlers.router import Router, Turn

UPCOMING = 8
RECENT = 5


def event_line(event: Event) -> str:
    line = f"• {vietnamese_range(event.start, event.end)}: {event.name}"
    return line if event.confirmed else f"{line} {texts.CALENDAR_UNCONFIRMED}"


async def calendar(turn: Turn) -> None:
    """List what is coming (or under way) and what happened lately."""
    today = campaign_day(turn)
    events = sorted(turn.content.pack.campaign.events, key=lambda event: event.start)
    upcoming = [event for event in events if event.last_day >= today][:UPCOMING]
    recent = [event for event in events if event.last_day < today][-RECENT:]
    lines = [texts.CALENDAR_TITLE, "", texts.CALENDAR_UPCOMING]
    lines += [event_line(event) for event in upcoming] or [texts.CALENDAR_NONE]
    if recent:
        lines += ["", texts.CALENDAR_RECENT]
        lines += [event_line(event) for event in reversed(recent)]
    turn.say("\n".join(lines), navigation())


def register(router: Router) -> None:
    router.command("lich", step=calendar)
    router.button("cal", calendar)
    router.menu_item(texts.MENU_CALENDAR, "cal:show", order=60)
