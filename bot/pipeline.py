"""Inbound events to committed effects: dedupe, handler, state and replies in one transaction.

The reply rows are written in the same transaction as the dedupe row and whatever the
handler changed, so a resident is answered exactly when their action is stored. When this
process runs the sender, the rows go in already claimed (leased to it) and are handed over
right after the commit: no claim statement and no poll between a commit and its replies. If
the process dies first, the sweeper returns them when the lease ends. Otherwise (the sender
runs in another process) they are queued and the sender is woken to claim them.

Group commit: events that arrive while a transaction is running wait for it, then go
together in the next one. The dedupe rows, the residents and their conversation states of a
whole group are each one statement, and the group shares one BEGIN and one COMMIT, so the
cost per event falls as load rises, while a lone event still goes at once.

Failures cost only their own event. A flow step that raises rolls the group back, and the
group is stored again with that event answered by an apology instead of its step (rather
than a savepoint per event: failures are rare, savepoints are not free). If the group's
transaction fails for another reason, each event is tried again alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.channels.base import Channel
from bot.flood import InboundLimit, Verdict
from bot.metrics import Metrics
from db import outbox as outbox_queries
from db import residents
from db.engine import Database
from db.models import Priority, User, UserStatus
from delivery.sender import OutboxSender
from handlers import texts
from handlers.router import Router, Turn
from messages.render import button_ack, render_reply
from messages.types import NOT_UNDERSTOOD, Inbound, InboundKind, Reply, storable

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


# What a resident sends, and so what the per-resident limit counts (not blocks or follows).
RESIDENT_SENT = {InboundKind.TEXT, InboundKind.COMMAND, InboundKind.BUTTON,
                 InboundKind.UNSUPPORTED}


def utcnow() -> datetime:
    return datetime.now(UTC)


Waiting = tuple[Inbound, asyncio.Future[Outcome]]


class StepFailed(Exception):
    """A flow step raised: its group's transaction is rolled back and stored again."""

    def __init__(self, key: tuple[str, str]) -> None:
        super().__init__(key)
        self.key = key


def _address(event: Inbound) -> str:
    """The address of an event that is stored (handle() ignores those without one)."""
    assert event.address is not None
    return event.address


def _arrive(session: Session, events: list[Inbound], now: datetime
            ) -> tuple[list[Outcome], list[Inbound], dict[tuple[str, str], User],
                       dict[int, residents.Position]]:
    """The group's dedupe rows, residents and positions: three statements, one greenlet."""
    # Rows in key order: two processes' groups that share keys lock them in the same order,
    # so on PostgreSQL one waits for the other instead of deadlocking.
    keys = sorted({(event.channel, event.event_id) for event in events})
    new = residents.record_events(session, keys, now)
    outcomes: list[Outcome] = []
    accepted: list[Inbound] = []
    for event in events:
        key = (event.channel, event.event_id)
        if key in new:
            new.discard(key)  # a second copy in the same group is a duplicate too
            outcomes.append(Outcome.HANDLED)
            accepted.append(event)
        else:
            outcomes.append(Outcome.DUPLICATE)
    users = residents.get_or_create_users(
        session, sorted({(event.channel, _address(event)) for event in accepted}), now)
    states = residents.load_states(session, [user.id for user in users.values()])
    return outcomes, accepted, users, states


def _leave(session: Session, changed: dict[int, residents.Position], rows: list[dict[str, Any]],
           now: datetime, leased_until: datetime | None) -> list[outbox_queries.Claimed]:
    """The group's new positions and reply rows: two statements, one greenlet."""
    residents.save_states(session, changed, now)
    return outbox_queries.enqueue(session, rows, leased_until=leased_until)


class InboundProcessor:
    def __init__(self, database: Database, channels: dict[str, Channel], router: Router,
                 metrics: Metrics, *, sender: OutboxSender | None = None,
                 clock: Callable[[], datetime] = utcnow,
                 as_of: datetime | None = None, zone: tzinfo = UTC,
                 content: Callable[[], Any] = lambda: None, settings: Any = None,
                 max_group: int = 64) -> None:
        self.database = database
        self.channels = channels
        self.router = router
        self.metrics = metrics
        self.sender = sender
        self.clock = clock
        self.as_of = as_of
        self.zone = zone
        self.content = content
        self.settings = settings
        self.max_group = max_group
        self.flood = InboundLimit(getattr(settings, "inbound_per_minute", 0))
        self._limited: dict[tuple[str, str], Verdict] = {}  # events over a resident's limit
        self._waiting: list[Waiting] = []
        self._turn: asyncio.Lock | None = None
        self._turn_loop: asyncio.AbstractEventLoop | None = None

    async def handle(self, inbound: Inbound) -> Outcome:
        """Store the event's effects and its replies; return once they are committed."""
        if inbound.kind == InboundKind.IGNORED or inbound.address is None:
            log.debug("ignored %s event %s", inbound.channel, inbound.event_id)
            reason = NOT_UNDERSTOOD if inbound.what == NOT_UNDERSTOOD else "not served"
            self.metrics.ignored.labels(inbound.channel, reason).inc()
            return Outcome.IGNORED
        inbound = storable(inbound)
        key = (inbound.channel, inbound.event_id)
        if inbound.kind in RESIDENT_SENT:
            verdict = self.flood.check(inbound.channel, _address(inbound))
            if verdict != Verdict.HANDLE:
                self.metrics.limited.labels(inbound.channel, verdict.value).inc()
                self._limited[key] = verdict
        try:
            return await self._enter(inbound)
        finally:
            self._limited.pop(key, None)

    async def _enter(self, inbound: Inbound) -> Outcome:
        waiter: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((inbound, waiter))
        async with self._writer_turn():  # FIFO: whoever holds it commits everyone waiting
            if not waiter.done():
                # One turn of the event loop first, so that requests already read but not yet
                # here join this group instead of waiting for the next one.
                await asyncio.sleep(0)
                group, self._waiting = (self._waiting[:self.max_group],
                                        self._waiting[self.max_group:])
                # Shielded: the group's other events must not be lost if this request is
                # cancelled (the client hung up); the commit finishes for all of them.
                await asyncio.shield(self._commit(group))
        return waiter.result()

    def _writer_turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        turn = self._turn
        if turn is None or self._turn_loop is not loop:  # a lock belongs to one event loop
            turn = self._turn = asyncio.Lock()           # (tests use many)
            self._turn_loop = loop
        return turn

    async def _commit(self, group: list[Waiting]) -> None:
        """One transaction for the group, or, if it fails, one per event."""
        events = [inbound for inbound, _ in group]
        failed: set[tuple[str, str]] = set()
        claimed_at = asyncio.get_running_loop().time()  # the replies' lease runs from about now
        try:
            while True:
                try:
                    outcomes, claimed = await self._process(events, failed)
                    break
                except StepFailed as step:  # rolled back: again, answering that one with
                    failed.add(step.key)     # an apology instead of running its step
        except Exception as error:
            if len(group) == 1:
                group[0][1].set_exception(error)
                return
            log.warning("a group of %d events failed to commit (%s); storing each alone",
                        len(group), type(error).__name__)
            for waiting in group:
                await self._commit([waiting])
            return
        self.metrics.commit_groups.observe(len(group))
        for (_, waiter), outcome in zip(group, outcomes, strict=True):
            waiter.set_result(outcome)
        if self.sender is None:  # nothing claimed either: rows are leased only to a sender
            return
        if claimed:
            self.sender.take(claimed, claimed_at)
        elif Outcome.HANDLED in outcomes:
            self.sender.wake()  # the sender is elsewhere or not running: it claims them

    async def _process(self, events: list[Inbound], failed: set[tuple[str, str]]
                       ) -> tuple[list[Outcome], list[outbox_queries.Claimed]]:
        now = self.clock()
        # Replies go to this process's sender already claimed, when its sender runs here.
        leased_until = (now + self.sender.policy.lease
                        if self.sender is not None and self.sender.takes_rows else None)
        async with self.database.transaction() as session:
            outcomes, accepted, users, states = await session.run_sync(_arrive, events, now)
            rows: list[dict[str, Any]] = []
            changed: dict[int, residents.Position] = {}
            for event in accepted:
                rows += await self._step(session, event, users[event.channel, _address(event)],
                                         states, changed, now, failed)
            claimed = await session.run_sync(_leave, changed, rows, now, leased_until)
        # Counted once committed, so a group stored again event by event is counted once.
        for event, outcome in zip(events, outcomes, strict=True):
            if outcome == Outcome.HANDLED:
                self.metrics.updates.labels(event.channel, event.kind.value).inc()
            else:
                self.metrics.duplicates.labels(event.channel).inc()
        for row in rows:
            self.metrics.replies.labels(row["channel"]).inc()
        return outcomes, claimed

    async def _step(self, session: AsyncSession, inbound: Inbound, user: User,
                    states: dict[int, residents.Position], changed: dict[int, residents.Position],
                    now: datetime, failed: set[tuple[str, str]]) -> list[dict[str, Any]]:
        """One event's flow step; its replies as outbox rows, its new position in `changed`."""
        if inbound.kind == InboundKind.STOPPED:
            user.status, user.stopped_reason = UserStatus.STOPPED, "blocked or unfollowed"
            return []
        if user.status != UserStatus.ACTIVE:  # any sign of life: reachable again
            user.status, user.stopped_reason = UserStatus.ACTIVE, None
        if inbound.kind == InboundKind.RESUMED:
            return []
        user_id = user.id
        limited = self._limited.get((inbound.channel, inbound.event_id))
        if limited is not None:  # over the resident's limit: one notice, then silence
            notice = [Reply(texts.FLOOD_NOTICE)] if limited == Verdict.NOTICE else []
            return self._reply_rows(inbound, user_id, notice, now) if notice else []
        before = states.get(user_id, (None, {}, []))
        turn = Turn(inbound=inbound, user=user, session=session, now=now, as_of=self.as_of,
                    zone=self.zone, content=self.content(), settings=self.settings,
                    state=before[0], data=dict(before[1]), options=list(before[2]))
        if (inbound.channel, inbound.event_id) in failed:
            # the position stays where it was
            return self._reply_rows(inbound, user_id, [Reply(texts.APOLOGY)], now)
        if not await self._run(turn):
            raise StepFailed((inbound.channel, inbound.event_id))
        after = (turn.state, turn.data, turn.options)
        if after != before:  # the resident's next event in this group reads it from here
            states[user_id] = changed[user_id] = after
        return self._reply_rows(inbound, user_id, turn.replies, now)

    async def _run(self, turn: Turn) -> bool:
        """Run the flow step; False (logged) if it raised."""
        try:
            await self.router.dispatch(turn)
        except Exception:
            self.metrics.handler_errors.labels(turn.inbound.channel).inc()
            log.exception("handler failed for %s event %s (%s)", turn.inbound.channel,
                          turn.inbound.event_id, turn.inbound.what)
            return False
        return True

    def _reply_rows(self, inbound: Inbound, user_id: int, replies: list[Reply],
                    now: datetime) -> list[dict[str, Any]]:
        channel = self.channels[inbound.channel]
        rows: list[dict[str, Any]] = []
        if inbound.button_ack:
            rows.append(outbox_queries.queued_row(
                channel=inbound.channel, recipient=_address(inbound),
                payload=button_ack(inbound.button_ack), priority=Priority.ACK, now=now,
                user_id=user_id))
        for reply in replies:
            for payload in render_reply(reply, channel.capabilities, inbound.message_ref):
                rows.append(outbox_queries.queued_row(
                    channel=inbound.channel, recipient=_address(inbound), payload=payload,
                    priority=Priority.REPLY, now=now, user_id=user_id))
        return rows
