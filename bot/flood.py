"""A bound on how fast one resident can make Loa Số work: a script sending thousands of
messages to one chat must not queue thousands of replies (or guess invite codes quickly).

Per (channel, address), at most `per_minute` events in any sliding minute are handled. The
first one beyond gets one polite notice; the rest are stored as seen (so a redelivery is
still a duplicate) but answered with silence, until the minute has room again. In memory,
per process: a flood arrives at one process, and a restart forgives.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum

WINDOW = 60.0  # seconds
_SWEEP_EVERY = 4096  # checks between removals of residents who went quiet


class Verdict(StrEnum):
    HANDLE = "handle"
    NOTICE = "notice"  # the first event over the limit: say so once
    SILENCE = "silence"  # over the limit, already told


class InboundLimit:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute  # 0: no limit
        self.clock = clock
        self._recent: dict[tuple[str, str], deque[float]] = {}
        self._told: set[tuple[str, str]] = set()
        self._checks = 0

    def check(self, channel: str, address: str) -> Verdict:
        if self.per_minute <= 0:
            return Verdict.HANDLE
        now, key = self.clock(), (channel, address)
        self._checks += 1
        if self._checks % _SWEEP_EVERY == 0:
            self._sweep(now)
        recent = self._recent.setdefault(key, deque())
        while recent and recent[0] <= now - WINDOW:
            recent.popleft()
        if len(recent) < self.per_minute:
            recent.append(now)
            self._told.discard(key)
            return Verdict.HANDLE
        if key in self._told:
            return Verdict.SILENCE
        self._told.add(key)
        return Verdict.NOTICE

    def _sweep(self, now: float) -> None:
        quiet = [key for key, recent in self._recent.items()
                 if not recent or recent[-1] <= now - WINDOW]
        for key in quiet:
            del self._recent[key]
            self._told.discard(key)
