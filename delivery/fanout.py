"""Who an audience reaches, and writing one outbox row per recipient in bounded memory.

Every broadcast (an announcement, a bulletin occurrence) has a `batch` name; each row's
dedupe key is `<batch>:<user id>:<part>`, unique in the outbox. Fan-out walks the audience
in id order, a chunk per transaction, and inserts with ON CONFLICT DO NOTHING, so running
it again after a crash completes it without a single duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.registry import capabilities_of
from db.base import rows_changed
from db.dialect import insert_for
from db.engine import Database
from db.models import OutboxMessage, OutboxStatus, Priority, Subscription, User, UserStatus
from messages.render import render_reply
from messages.types import Option, Reply

CHUNK = 1000


@dataclass(frozen=True)
class Audience:
    """Subscribers to reach. Topics and groups widen it; hamlets narrow it."""

    everyone: bool = False
    topics: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    hamlets: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"everyone": self.everyone, "topics": list(self.topics),
                "groups": list(self.groups), "hamlets": list(self.hamlets)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(everyone=bool(data.get("everyone")), topics=tuple(data.get("topics", ())),
                   groups=tuple(data.get("groups", ())), hamlets=tuple(data.get("hamlets", ())))

    @property
    def empty(self) -> bool:
        return not (self.everyone or self.topics or self.groups or self.hamlets)


@dataclass
class FanOutResult:
    recipients: int = 0  # residents given rows to send
    skipped: int = 0  # residents the platform would not let us reach (e.g. Zalo OA window)
    rows: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)


def _matches(audience: Audience) -> ColumnElement[bool]:
    """A condition on `users`: subscribed, consenting, reachable, and in the audience."""
    subscribed = select(Subscription.id).where(Subscription.user_id == User.id)
    if not audience.everyone and (audience.topics or audience.groups):
        wanted = [Subscription.kind == "all"]
        if audience.topics:
            wanted.append(and_(Subscription.kind == "topic", Subscription.ref.in_(audience.topics)))
        if audience.groups:
            wanted.append(and_(Subscription.kind == "group", Subscription.ref.in_(audience.groups)))
        subscribed = subscribed.where(or_(*wanted))
    conditions = [User.status == UserStatus.ACTIVE, User.consent_at.is_not(None),
                  exists(subscribed)]
    if audience.hamlets:
        conditions.append(User.hamlet_id.in_(audience.hamlets))
    return and_(*conditions)


async def audience_ids(session: AsyncSession, audience: Audience) -> list[int]:
    """Ids of the residents an audience reaches now (to merge pushes due together)."""
    if audience.empty:
        return []
    return list((await session.execute(
        select(User.id).where(_matches(audience)).order_by(User.id))).scalars())


async def count_recipients(session: AsyncSession, audience: Audience) -> int:
    if audience.empty:
        return 0
    return (await session.execute(
        select(func.count()).select_from(User).where(_matches(audience)))).scalar_one()


async def fan_out(database: Database, *, batch: str, audience: Audience, text: str,
                  now: datetime, priority: int = Priority.BULK,
                  options: tuple[Option, ...] = (),
                  only: Sequence[int] | None = None) -> FanOutResult:
    """Queue `text` (with `options`) for everyone in the audience (and, with `only`, among
    these residents); safe to run again."""
    result = FanOutResult()
    if audience.empty:
        return result
    rendered: dict[str, list[dict[str, Any]]] = {}  # per channel: the same payloads for all
    after = 0
    while True:
        async with database.transaction() as session:
            users = (await session.execute(
                select(User.id, User.channel, User.address, User.last_seen_at)
                .where(_matches(audience), User.id > after,
                       *([User.id.in_(only)] if only is not None else []))
                .order_by(User.id).limit(CHUNK)
            )).all()
            if not users:
                break
            rows = []
            for user_id, channel, address, last_seen in users:
                capabilities = capabilities_of(channel)
                if channel not in rendered:
                    rendered[channel] = render_reply(Reply(text, options), capabilities)
                window = capabilities.reply_window
                outside = window is not None and last_seen is not None and now - last_seen > window
                if outside:
                    reason = "ngoài thời hạn được phép nhắn của nền tảng (quá lâu không tương tác)"
                    result.skipped += 1
                    result.skipped_reasons[reason] = result.skipped_reasons.get(reason, 0) + 1
                else:
                    result.recipients += 1
                for part, payload in enumerate(rendered[channel]):
                    row = {"channel": channel, "recipient": address, "user_id": user_id,
                           "payload": payload, "priority": priority, "batch": batch,
                           "dedupe_key": f"{batch}:{user_id}:{part}", "attempts": 0,
                           "status": OutboxStatus.QUEUED, "next_attempt_at": now,
                           "created_at": now}
                    if outside:  # reported, never attempted
                        row |= {"status": OutboxStatus.STOPPED, "error_class": "skipped",
                                "error": reason}
                    rows.append(row)
                    if outside:
                        break
            await session.execute(
                insert_for(session, OutboxMessage).on_conflict_do_nothing(
                    index_elements=["dedupe_key"]), rows)
            result.rows += len(rows)
            after = users[-1][0]
    return result


async def cancel_batch(session: AsyncSession, batch: str, reason: str) -> int:
    """Stop what has not gone out yet (rows in flight finish; they cannot be recalled)."""
    cancelled = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.batch == batch, OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.STOPPED, error_class="cancelled", error=reason))
    return rows_changed(cancelled)


async def batch_status(session: AsyncSession, batch: str) -> dict[str, int]:
    """Rows of one broadcast by state: queued (incl. sending), sent, failed, stopped."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.status))
    counts = {"queued": 0, "sent": 0, "failed": 0, "stopped": 0}
    for status, count in rows.all():
        key = "queued" if status in (OutboxStatus.QUEUED, OutboxStatus.SENDING) else status
        counts[key] = counts.get(key, 0) + count
    return counts


@dataclass
class ChannelDelivery:
    """One broadcast on one channel: how many delivered, failed, skipped (with reasons, as
    `delivery.error_labels` words them) and still waiting."""

    channel: str
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


async def batch_by_channel(session: AsyncSession, batch: str) -> list[ChannelDelivery]:
    """The broadcast's rows per channel and state; stopped rows count as skipped, by reason."""
    from delivery.error_labels import error_label

    rows = await session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.error_class,
               OutboxMessage.error, func.count())
        .where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.error_class,
                  OutboxMessage.error))
    found: dict[str, ChannelDelivery] = {}
    for channel, status, error_class, error, count in rows.all():
        line = found.setdefault(channel, ChannelDelivery(channel))
        if status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
            line.waiting += count
        elif status == OutboxStatus.SENT:
            line.sent += count
        else:
            if status == OutboxStatus.FAILED:
                line.failed += count
            else:
                line.skipped += count
            label = error_label(channel, error_class, error)
            line.reasons[label] = line.reasons.get(label, 0) + count
    return [found[channel] for channel in sorted(found)]


async def batches_status(session: AsyncSession, batches: list[str]) -> dict[str, dict[str, int]]:
    """`batch_status` for many broadcasts in one query (the bulletins page's past list)."""
    found = {batch: {"queued": 0, "sent": 0, "failed": 0, "stopped": 0} for batch in batches}
    if not batches:
        return found
    rows = await session.execute(
        select(OutboxMessage.batch, OutboxMessage.status, func.count())
        .where(OutboxMessage.batch.in_(batches))
        .group_by(OutboxMessage.batch, OutboxMessage.status))
    for batch, status, count in rows.all():
        if batch is None:  # not asked for: the query names its batches
            continue
        key = "queued" if status in (OutboxStatus.QUEUED, OutboxStatus.SENDING) else status
        found[batch][key] = found[batch].get(key, 0) + count
    return found
