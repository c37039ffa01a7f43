"""The outbox: every platform call we owe, its state, and the claim/lease protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import is_postgresql
from db.models import OutboxMessage, OutboxStatus

outbox = OutboxMessage.__table__
# Core, not the ORM's bulk-insert machinery; built once, so its cache key is computed once.
_insert_outbox = insert(outbox)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this sender owns until `lease_until`; everything needed to send it."""

    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    priority: int


def new_message(*, channel: str, recipient: str, payload: dict[str, Any], priority: int,
                now: datetime, user_id: int | None = None,
                dedupe_key: str | None = None) -> OutboxMessage:
    return OutboxMessage(channel=channel, recipient=recipient, payload=payload,
                         priority=priority, user_id=user_id, dedupe_key=dedupe_key,
                         status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now,
                         created_at=now)


async def enqueue(session: AsyncSession, messages: list[OutboxMessage]) -> None:
    """Insert rows without reading their ids back (the ORM would ask for them: a round trip
    per statement on the webhook's hot path)."""
    if not messages:
        return
    columns = ("channel", "recipient", "payload", "priority", "user_id", "dedupe_key",
               "status", "attempts", "next_attempt_at", "created_at")
    await session.execute(_insert_outbox,
                          [{name: getattr(message, name) for name in columns}
                           for message in messages])


async def claim(session: AsyncSession, *, channels: list[str], limit: int, now: datetime,
                lease: timedelta, recipient: str | None = None) -> list[Claimed]:
    """Mark up to `limit` due rows as sending, highest priority first, and return them."""
    due = (
        select(outbox.c.id)
        .where(outbox.c.status == OutboxStatus.QUEUED, outbox.c.next_attempt_at <= now,
               outbox.c.channel.in_(channels))
        .order_by(outbox.c.priority.desc(), outbox.c.id)
        .limit(limit)
    )
    if recipient is not None:
        due = due.where(outbox.c.recipient == recipient)
    if is_postgresql(session):
        # Two senders never take the same row, and neither waits on the other's rows.
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, lease_until=now + lease,
                attempts=outbox.c.attempts + 1)
        .returning(outbox.c.id, outbox.c.channel, outbox.c.recipient, outbox.c.payload,
                   outbox.c.attempts, outbox.c.priority)
    )
    rows = (await session.execute(statement)).all()
    claimed = [Claimed(*row) for row in rows]
    claimed.sort(key=lambda row: (-row.priority, row.id))
    return claimed


async def apply_updates(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    """Write many rows' outcomes at once: each dict has `id` plus the columns to set."""
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        by_shape.setdefault(tuple(sorted(change)), []).append(change)
    for group in by_shape.values():
        await session.execute(update(OutboxMessage), group)


async def release_expired_leases(session: AsyncSession, *, now: datetime,
                                 max_attempts: int) -> int:
    """Return rows whose sender vanished mid-send; they are the only possible duplicates."""
    expired = (outbox.c.status == OutboxStatus.SENDING) & (outbox.c.lease_until < now)
    exhausted = await session.execute(
        update(outbox).where(expired, outbox.c.attempts >= max_attempts)
        .values(status=OutboxStatus.FAILED, lease_until=None, error_class="transient",
                error="lease expired after the last attempt")
    )
    released = await session.execute(
        update(outbox).where(expired).values(status=OutboxStatus.QUEUED, lease_until=None,
                                             next_attempt_at=now)
    )
    return exhausted.rowcount + released.rowcount


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(outbox.c.status, func.count()).group_by(outbox.c.status)
    )
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({status: count for status, count in rows.all()})
    return counts
