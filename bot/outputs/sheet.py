"""The printed hamlet sheet ("Bản tin thôn"): one A4 page to pin up at the cultural house.

The week's key articles in large type, the approved announcements of the week (those for
everyone, and on a hamlet's own sheet those for that hamlet), the coming events of the
calendar, a QR code to the bot or the web chat, and a slogan.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from content.calendar import CalendarEntry
from content.models import Article
from content.view import ContentView

KEY_ITEMS = 3  # what one A4 page holds in large type, with the rest
EVENTS_SHOWN = 5
NOTICES_SHOWN = 3
NOTICE_CHARS = 300


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week containing `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass(frozen=True)
class SheetNotice:
    author: str
    text: str
    urgent: bool = False


@dataclass
class Sheet:
    organisation: str
    monday: dt.date
    sunday: dt.date
    hamlet: str | None = None  # the hamlet's name on its own sheet
    articles: list[Article] = field(default_factory=list)
    notices: list[SheetNotice] = field(default_factory=list)
    events: list[CalendarEntry] = field(default_factory=list)
    qr_png: bytes | None = None
    qr_caption: str = ""
    slogan: str | None = None


def key_articles(view: ContentView, monday: dt.date, from_period: list[Article]) -> list[Article]:
    """The articles published this week, newest first, then the period's newest others."""
    this_week = [article for article in from_period if monday <= article.published <= view.day]
    others = [article for article in from_period if article not in this_week]
    return (this_week + others)[:KEY_ITEMS]


def coming_events(view: ContentView, monday: dt.date) -> list[CalendarEntry]:
    return [entry for entry in view.calendar if entry.last_day >= monday][:EVENTS_SHOWN]


def qr_png(url: str) -> bytes:
    """The QR code alone (the sheet prints its caption as text)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=4, dpi=300)
    return buffer.getvalue()
