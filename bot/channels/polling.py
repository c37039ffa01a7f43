"""What polling channels share: how a loop waits after a failure, and what it tells /healthz.

A polling loop never ends by itself: the platform unreachable at start, a failing
deleteWebhook, a wrong token are all retried inside the loop, each with its own pause
(`Backoff`), and the loop says how it is doing through its `PollHealth`. /healthz shows
`polling: ok | retrying (lý do) | off` per channel and turns 503 when a loop has failed
for longer than `PollHealth.grace`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.channels.base import WebhookRejected
from messages.types import Inbound

if TYPE_CHECKING:  # spec.py imports this module
    from bot.channels.spec import Inbox

log = logging.getLogger(__name__)


@dataclass
class PollHealth:
    """One polling loop's state, written by the loop and read by /healthz."""

    grace: float = 120.0  # failing longer than this (seconds) makes /healthz answer 503
    clock: Callable[[], float] = time.monotonic
    state: str = "off"  # off (not started or stopped), ok, retrying
    reason: str = ""
    failing_since: float | None = None

    def ok(self) -> None:
        self.state, self.reason, self.failing_since = "ok", "", None

    def failing(self, reason: str) -> None:
        if self.failing_since is None:
            self.failing_since = self.clock()
        self.state, self.reason = "retrying", reason

    def off(self) -> None:
        self.state, self.reason, self.failing_since = "off", "", None

    def report(self) -> str:
        return f"retrying ({self.reason})" if self.state == "retrying" else self.state

    @property
    def healthy(self) -> bool:
        return self.failing_since is None or self.clock() - self.failing_since <= self.grace


@dataclass
class Backoff:
    """Pauses after failures: doubling from `first` up to `cap`; `slow` for a failure that
    only the operator can fix (a wrong token), retried in case they fix it meanwhile."""

    first: float = 1.0
    cap: float = 60.0
    slow: float = 300.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)
    failures: int = 0

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self, *, slow: bool = False) -> float:
        self.failures += 1
        return self.slow if slow else min(self.cap, self.first * 2 ** (self.failures - 1))


@dataclass(frozen=True, slots=True)
class Failure:
    """What a channel makes of an error while polling."""

    reason: str  # shown in /healthz and the log, for the operator (Vietnamese)
    slow: bool = False  # only the operator can fix it: retry at Backoff.slow
    again: bool = False  # redo the preparation (e.g. a webhook was set meanwhile)
    after: float | None = None  # the platform said how long to wait (429 retry_after)


async def keep_polling(name: str, *, prepare: Callable[[], Awaitable[None]],
                       fetch: Callable[[], Awaitable[list[Any]]],
                       parse: Callable[[Any], Inbound], inbox: Inbox,
                       diagnose: Callable[[BaseException], Failure | None],
                       health: PollHealth, backoff: Backoff | None = None,
                       passed: Callable[[Any], None] | None = None) -> None:
    """Prepare (e.g. deleteWebhook), then fetch and deliver forever. Every failure of the
    preparation or a fetch is retried here after a pause; nothing but cancellation ends it.
    `diagnose` names the failure (None: unexpected, logged with its traceback); `parse` is
    the channel's webhook parser, so a polled update is read like a posted one; `passed`
    see `deliver`."""
    backoff = backoff or Backoff()
    prepared = False
    log.info("%s polling started", name)
    try:
        while True:
            try:
                if not prepared:
                    await prepare()
                    prepared = True
                updates = await fetch()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failure = diagnose(error)
                if failure is None:
                    log.exception("%s polling failed unexpectedly; retrying", name)
                    failure = Failure(f"lỗi không lường trước: {type(error).__name__}")
                prepared = prepared and not failure.again
                health.failing(failure.reason)
                delay = backoff.next_delay(slow=failure.slow)
                if failure.after is not None:
                    delay = max(failure.after, 0.0)
                log.log(logging.ERROR if failure.slow else logging.WARNING,
                        "%s polling: %s; thử lại sau %gs", name, failure.reason, delay)
                await backoff.sleep(delay)
                continue
            health.ok()
            backoff.reset()
            await deliver(name, updates, parse, inbox, passed=passed)
    finally:
        health.off()


async def deliver(name: str, updates: list[Any], parse: Callable[[Any], Inbound], inbox: Inbox,
                  *, passed: Callable[[Any], None] | None = None) -> None:
    """Hand fetched updates to the inbox in order; one that is no update at all is skipped.

    `passed(update)` is told of each update left behind (stored or skipped), for a platform
    that hands out updates until confirmed (Telegram's offset): there a failure to store
    ends the batch, so that update and the rest come again. Without it (Zalo Bot hands an
    update out once) the failed one is lost after its log line and the rest go on.
    """
    for update in updates:
        try:
            event = parse(update)
        except WebhookRejected as rejected:
            log.warning("%s polling: skipped an update: %s", name, rejected.reason)
        else:
            try:
                await inbox.handle(event)
            except Exception:
                log.exception("could not store %s update %s", name, event.event_id)
                await asyncio.sleep(2)
                if passed is not None:
                    return
                continue
        if passed is not None:
            passed(update)
