"""Inbound events to committed effects: dedupe, handler, state and replies in one transaction.

The reply rows are written in the same transaction as the dedupe row and whatever the
handler changed, so a resident is answered exactly when their action is stored. After the
commit the in-process sender is woken, so replies never wait for a poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from bot.channels.base import Channel
from bot.channels.render import button_ack, render_reply
from bot.metrics import Metrics
from db import outbox as outbox_queries
from db import residents
from db.engine import Database
from db.models import ConversationState, Priority, UserStatus
from handlers import texts
from handlers.router import Router, Turn
from handlers.types import Inbound, InboundKind, Reply

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


def utcnow() -> datetime:
    return datetime.now(UTC)


class InboundProcessor:
    def __init__(self, database: Database, channels: dict[str, Channel], router: Router,
                 metrics: Metrics, *, wake_sender: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = utcnow,
                 as_of: datetime | None = None, zone: tzinfo = UTC,
                 content: Callable[[], Any] = lambda: None, settings: Any = None) -> None:
        self.database = database
        self.channels = channels
        self.router = router
        self.metrics = metrics
        self.wake_sender = wake_sender
        self.clock = clock
        self.as_of = as_of
        self.zone = zone
        self.content = content
        self.settings = settings

    async def handle(self, inbound: Inbound) -> Outcome:
        if inbound.kind == InboundKind.IGNORED or inbound.address is None:
            log.debug("ignored %s event %s", inbound.channel, inbound.event_id)
            return Outcome.IGNORED
        now = self.clock()
        async with self.database.transaction() as session:
            if not await residents.record_event(session, channel=inbound.channel,
                                                event_id=inbound.event_id, now=now):
                self.metrics.duplicates.labels(inbound.channel).inc()
                return Outcome.DUPLICATE
            self.metrics.updates.labels(inbound.channel, inbound.kind.value).inc()
            user = await residents.get_or_create_user(
                session, channel=inbound.channel, address=inbound.address, now=now)
            if inbound.kind == InboundKind.STOPPED:
                user.status, user.stopped_reason = UserStatus.STOPPED, "blocked or unfollowed"
                return Outcome.HANDLED
            if user.status != UserStatus.ACTIVE:  # any sign of life: reachable again
                user.status, user.stopped_reason = UserStatus.ACTIVE, None
            if inbound.kind == InboundKind.RESUMED:
                return Outcome.HANDLED
            user_id = user.id  # read now: a failed step's rollback expires the instance
            stored = await residents.load_state(session, user_id)
            before = ((stored.state, stored.data or {}, stored.options or []) if stored
                      else (None, {}, []))
            turn = Turn(inbound=inbound, user=user, session=session, now=now, as_of=self.as_of,
                        zone=self.zone, content=self.content(), settings=self.settings,
                        state=before[0],
                        data=dict(before[1]), options=list(before[2]))
            replies = await self._run(turn)
            if replies is None:
                replies = [Reply(texts.APOLOGY)]  # state stays where it was
            elif (turn.state, turn.data, turn.options) != before:
                if stored is None:  # first time this resident's conversation has a position
                    stored = ConversationState(user_id=user_id)
                    session.add(stored)
                stored.state, stored.data, stored.options = turn.state, turn.data, turn.options
                stored.updated_at = now
            await self._enqueue(session, inbound, user_id, replies, now)
        self.wake_sender()
        return Outcome.HANDLED

    async def _run(self, turn: Turn) -> list[Reply] | None:
        """Run the flow step inside a savepoint; on error undo its writes and return None."""
        try:
            async with turn.session.begin_nested():
                await self.router.dispatch(turn)
        except Exception:
            self.metrics.handler_errors.labels(turn.inbound.channel).inc()
            log.exception("handler failed for %s event %s (%s)", turn.inbound.channel,
                          turn.inbound.event_id, turn.inbound.what)
            return None
        return turn.replies

    async def _enqueue(self, session, inbound: Inbound, user_id: int, replies: list[Reply],
                       now: datetime) -> None:
        channel = self.channels[inbound.channel]
        rows = []
        if inbound.button_ack:
            rows.append(outbox_queries.new_message(
                channel=inbound.channel, recipient=inbound.address,
                payload=button_ack(inbound.button_ack), priority=Priority.ACK, now=now,
                user_id=user_id))
        for reply in replies:
            for payload in render_reply(reply, channel.capabilities):
                rows.append(outbox_queries.new_message(
                    channel=inbound.channel, recipient=inbound.address, payload=payload,
                    priority=Priority.REPLY, now=now, user_id=user_id))
        await outbox_queries.enqueue(session, rows)
        self.metrics.replies.labels(inbound.channel).inc(len(rows))
