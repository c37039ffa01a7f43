"""What a public page shows: the campaign on one day, through the same phase engine as chat.

Residents see today (the campaign's time zone), in the phase staff pinned if they did
(`loaso phase set`), else the phase of the date: `handlers.campaign.effective_period`, then
`Content.visible(day)`. Staff preview another day under `/admin/xem-truoc/…?as_of=YYYY-MM-DD`
(console session, staff role): that day at 00:00, by its date alone, as `loaso chat --as-of`
does (a preview ignores the pin, since the pin is about today).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request

from bot.service import Service
from content.pack import Pack
from content.phases import Period, period_on
from content.store import Content
from content.view import ContentView
from handlers.campaign import effective_period

PREVIEW_BASE = "/admin/xem-truoc"


@dataclass(frozen=True)
class Showing:
    """One request's campaign: its content, day, moment and period; where its links go."""

    content: Content
    view: ContentView
    moment: dt.datetime  # aware; drafts open and close at a time, not a day
    period: Period
    preview: bool = False  # a staff preview: links stay in the preview, nothing is cached

    @property
    def day(self) -> dt.date:
        return self.view.day

    @property
    def pack(self) -> Pack:
        return self.content.pack

    def link(self, path: str) -> str:
        """A link to another public page, kept inside the preview when previewing."""
        if not self.preview:
            return path
        query = urlencode({"as_of": self.day.isoformat()})
        return f"{PREVIEW_BASE}{'' if path == '/' else path}?{query}"


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def now(request: Request) -> dt.datetime:
    """The service's clock: the one the chat's handlers read (tests set it)."""
    return service_of(request).processor.clock()


async def today(request: Request) -> Showing:
    """What residents see now."""
    service = service_of(request)
    content = service.content.current
    moment = now(request)
    day = moment.astimezone(service.settings.zone).date()
    async with service.database.read() as session:
        period = await effective_period(session, content.pack, day)
    return Showing(content, content.visible(day), moment, period)


async def preview(request: Request, day: dt.date | None) -> Showing:
    """Staff's preview of `day` (today, pin included, when no day is given)."""
    if day is None:
        shown = await today(request)
        return Showing(shown.content, shown.view, shown.moment, shown.period, preview=True)
    service = service_of(request)
    content = service.content.current
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=service.settings.zone)
    return Showing(content, content.visible(day), moment, period_on(content.pack, day),
                   preview=True)
