"""The calendar as a resident may see it on a day: events as they were known then.

An event is in the calendar from its `from` (always when not given) until its `until`. Before
its final dates were announced it shows what was known: earlier dates (`announced` with
`start`, marked planned) or words such as "đầu năm 2026" (`announced` with `when`).

`/lich` shows the next events and the current phase's key dates, grouped by month. Key dates
are the campaign's milestones: the events the current phase and its stages start or end on,
and, from the current phase's first day on, every congress, consultation and event that
bounds a phase or stage (so the 14th Congress is on the calendar from the first day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeGuard

from content.models import Boundary, Event
from content.pack import Pack
from content.phases import Period

MILESTONE_KINDS = ("congress", "consultation")


@dataclass(frozen=True)
class CalendarEntry:
    """An event as known on a given day."""

    event: Event
    start: dt.date  # the announced first day (the final one when `when` stands instead)
    end: dt.date | None
    when: str = ""  # words to show instead of dates ("" when dates were announced)
    planned: bool = False  # dates announced then and changed later

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    @property
    def dated(self) -> bool:
        return not self.when

    @property
    def tentative(self) -> bool:
        """Shown with "(dự kiến)": not the final dates, or a date the commune has not confirmed."""
        return self.planned or not self.event.confirmed


@dataclass(frozen=True)
class CalendarMonth:
    heading: str  # "Tháng 8/2025", or the words of undated entries ("Đầu năm 2026")
    entries: tuple[CalendarEntry, ...]


@dataclass(frozen=True)
class CalendarPage:
    """What `/lich` shows on a day."""

    upcoming: tuple[CalendarEntry, ...]  # not over yet, soonest first
    key_dates: tuple[CalendarEntry, ...]  # the current phase's milestones, in date order
    recent: tuple[CalendarEntry, ...]  # over, most recent first

    @property
    def months(self) -> list[CalendarMonth]:
        """Upcoming events and key dates together, once each, grouped by month."""
        chosen = {entry.event.id: entry for entry in (*self.upcoming, *self.key_dates)}
        return by_month(sorted(chosen.values(), key=_order))


def as_known_on(event: Event, day: dt.date) -> CalendarEntry:
    for earlier in event.announced:
        if day < earlier.until:
            start = earlier.start or event.start
            end = earlier.end if earlier.start else event.end
            return CalendarEntry(event, start, end, earlier.when,
                                 planned=earlier.start is not None and not earlier.when)
    return CalendarEntry(event, event.start, event.end)


def calendar_entries(pack: Pack, day: dt.date) -> list[CalendarEntry]:
    """Every event in the calendar on `day`, as known that day, in date order."""
    return sorted((as_known_on(event, day) for event in pack.campaign.events
                   if event.visible_on(day)), key=_order)


def _order(entry: CalendarEntry) -> tuple[Any, ...]:
    return entry.start, entry.last_day


def by_month(entries: list[CalendarEntry]) -> list[CalendarMonth]:
    groups: dict[str, list[CalendarEntry]] = {}
    for entry in entries:
        heading = (entry.when[:1].upper() + entry.when[1:] if entry.when
                   else f"Tháng {entry.start.month}/{entry.start.year}")
        groups.setdefault(heading, []).append(entry)
    return [CalendarMonth(heading, tuple(items)) for heading, items in groups.items()]


def key_dates(pack: Pack, period: Period, day: dt.date) -> list[CalendarEntry]:
    """The current phase's milestones (see the module's docstring), as known on `day`."""
    phases = {phase.id: phase for phase in pack.campaign.phases}
    anchors: set[str] = set()
    if period.phase is not None:
        phase = phases[period.phase.id]
        anchors = {str(boundary.event) for part in (phase, *phase.stages)
                   for boundary in (part.starts, part.ends) if _on_event(boundary)}
    bounding = {str(boundary.event) for phase in pack.campaign.phases
                for part in (phase, *phase.stages)
                for boundary in (part.starts, part.ends) if _on_event(boundary)}
    since = period.phase.starts if period.phase is not None else day
    return [entry for entry in calendar_entries(pack, day)
            if entry.event.id in anchors
            or ((entry.event.id in bounding or entry.event.kind in MILESTONE_KINDS)
                and entry.last_day >= since)]


def _on_event(boundary: Boundary | None) -> TypeGuard[Boundary]:
    return boundary is not None and boundary.event is not None


def calendar_page(pack: Pack, period: Period, day: dt.date, *, upcoming: int = 8,
                  recent: int = 5) -> CalendarPage:
    entries = calendar_entries(pack, day)
    coming = [entry for entry in entries if entry.last_day >= day]
    over = [entry for entry in entries if entry.last_day < day]
    return CalendarPage(tuple(coming[:upcoming]), tuple(key_dates(pack, period, day)),
                        tuple(reversed(over[-recent:])))
