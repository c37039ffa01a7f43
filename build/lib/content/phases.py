"""The phase engine: which phase and stage a day falls in, or what staff have pinned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from content.pack import Pack, Window


@dataclass(frozen=True)
class Period:
    phase: Window | None  # None: before the campaign starts
    stage: Window | None = None
    pinned: bool = False  # set by staff with `loaso phase set`

    def label(self) -> str:
        if self.phase is None:
            return "chưa bắt đầu"
        text = f"{self.phase.name}"
        return f"{text} — {self.stage.name}" if self.stage else text


def period_on(pack: Pack, day: dt.date) -> Period:
    """The phase containing `day`; after the last phase ends, the last phase."""
    for window in pack.windows:
        if window.contains(day):
            stage = next((stage for stage in window.stages if stage.contains(day)), None)
            return Period(window, stage)
    if pack.windows and day >= pack.windows[-1].starts:
        return Period(pack.windows[-1])
    return Period(None)


def pinned_period(pack: Pack, phase_id: str, stage_id: str | None) -> Period | None:
    """The period staff pinned, or None when the pack no longer has that phase or stage."""
    window = pack.window(phase_id)
    if window is None:
        return None
    stage = next((s for s in window.stages if s.id == stage_id), None) if stage_id else None
    if stage_id and stage is None:
        return None
    return Period(window, stage, pinned=True)


def earlier_phases(pack: Pack, period: Period) -> list[Window]:
    if period.phase is None:
        return []
    index = pack.windows.index(period.phase)
    return list(reversed(pack.windows[:index]))
