"""The outbox: every platform call we owe, its state, and the claim/lease protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.base import rows_changed
from db.dialect import is_postgresql
from db.direct import RowsStatement, row_values
from db.models import OutboxMessage, OutboxStatus, Priority

outbox = cast(Table, OutboxMessage.__table__)
# The columns of a new row (`queued_row`), and of one inserted already claimed.
_QUEUED = ("channel", "recipient", "payload", "priority", "user_id", "dedupe_key", "status",
           "attempts", "next_attempt_at", "created_at")
_CLAIMED = (*_QUEUED, "lease_until")
# Run directly on the DB-API cursor (db/direct.py): every reply goes through here.
_insert_queued = RowsStatement(
    lambda _dialect, rows: insert(outbox).values(row_values(outbox, _QUEUED, rows)))
_insert_claimed = RowsStatement(
    lambda _dialect, rows: insert(outbox).values(row_values(outbox, _CLAIMED, rows)).returning(
        outbox.c.id, outbox.c.channel, outbox.c.recipient, outbox.c.payload,
        outbox.c.attempts, outbox.c.priority, outbox.c.created_at))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this sender owns until `lease_until`; everything needed to send it."""

    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    priority: int
    # When it was queued (or queued again by staff): transient errors are retried until the
    # retry window for its kind (reply or bulk) has passed since then.
    created_at: datetime | None = None


def queued_row(*, channel: str, recipient: str, payload: dict[str, Any], priority: int,
               now: datetime, user_id: int | None = None,
               dedupe_key: str | None = None) -> dict[str, Any]:
    """A new outbox row as plain values, for `enqueue` (no ORM object per reply)."""
    return {"channel": channel, "recipient": recipient, "payload": payload,
            "priority": priority, "user_id": user_id, "dedupe_key": dedupe_key,
            "status": OutboxStatus.QUEUED, "attempts": 0, "next_attempt_at": now,
            "created_at": now}


def new_message(**values: Any) -> OutboxMessage:
    """The same row as an ORM object, for code that adds it to a session."""
    return OutboxMessage(**queued_row(**values))


def enqueue(session: Session, rows: list[dict[str, Any]], *,
            leased_until: datetime | None = None) -> list[Claimed]:
    """Insert rows from `queued_row` in one statement (a synchronous Session: run_sync).

    With `leased_until` the rows go in already claimed (status sending, first attempt) and
    come back to be handed to the sender in this process: a reply needs no claim statement.
    If the process dies before sending them, the sweeper returns them when the lease ends.
    Without it the rows wait for a sender's claim, and their ids are not read back.
    """
    if not rows:
        return []
    if leased_until is None:
        _insert_queued.run(session.connection(), rows)
        return []
    for row in rows:
        row.update(status=OutboxStatus.SENDING, attempts=1, lease_until=leased_until)
    return [Claimed(*row) for row in _insert_claimed.run(session.connection(), rows)]


@cache
def _claim_statement(postgresql: bool, one_recipient: bool) -> Any:
    """Built once per shape with bind parameters: the sender claims after every commit that
    queued replies, and building the statement anew each time cost more than running it."""
    due = (
        select(outbox.c.id)
        .where(outbox.c.status == OutboxStatus.QUEUED,
               outbox.c.next_attempt_at <= bindparam("due_by",
                                                     type_=outbox.c.next_attempt_at.type),
               outbox.c.channel.in_(bindparam("channels", expanding=True)))
        .order_by(outbox.c.priority.desc(), outbox.c.id)
        .limit(bindparam("batch_size"))
    )
    if one_recipient:
        due = due.where(outbox.c.recipient == bindparam("only_recipient"))
    if postgresql:
        # Two senders never take the same row, and neither waits on the other's rows.
        due = due.with_for_update(skip_locked=True)
    return (
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING,
                lease_until=bindparam("leased_until", type_=outbox.c.lease_until.type),
                attempts=outbox.c.attempts + 1)
        .returning(outbox.c.id, outbox.c.channel, outbox.c.recipient, outbox.c.payload,
                   outbox.c.attempts, outbox.c.priority,
                   func.coalesce(outbox.c.requeued_at, outbox.c.created_at))
    )


async def claim(session: AsyncSession, *, channels: list[str], limit: int, now: datetime,
                lease: timedelta, recipient: str | None = None) -> list[Claimed]:
    """Mark up to `limit` due rows as sending, highest priority first, and return them."""
    statement = _claim_statement(is_postgresql(session), recipient is not None)
    parameters = {"due_by": now, "channels": channels, "batch_size": limit,
                  "leased_until": now + lease}
    if recipient is not None:
        parameters["only_recipient"] = recipient
    rows = (await session.execute(statement, parameters)).all()
    claimed = [Claimed(*row) for row in rows]
    claimed.sort(key=lambda row: (-row.priority, row.id))
    return claimed


@cache
def _update_statement(columns: tuple[str, ...]) -> Any:
    """UPDATE outbox SET <columns> WHERE id = :row_id, built once per set of columns."""
    return (update(outbox).where(outbox.c.id == bindparam("row_id"))
            .values({name: bindparam(name, type_=outbox.c[name].type) for name in columns}))


async def apply_updates(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    """Write many rows' outcomes at once: each dict has `id` plus the columns to set."""
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        values = dict(change)
        values["row_id"] = values.pop("id")
        by_shape.setdefault(tuple(sorted(change.keys() - {"id"})), []).append(values)
    for columns, group in by_shape.items():
        await session.execute(_update_statement(columns), group)


async def mark_accepted(session: AsyncSession, accepted: dict[int, str | None], *,
                        now: datetime) -> int:
    """Rows a platform accepted (from a sent journal) still marked sending: sent now."""
    marked = 0
    for row_id, message_id in accepted.items():
        result = await session.execute(
            update(outbox).where(outbox.c.id == row_id, outbox.c.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.SENT, sent_at=now, lease_until=None,
                    platform_message_id=message_id, error_class=None, error=None))
        marked += rows_changed(result)
    return marked


SUPERSEDED = "the conversation had moved on when its sender died"


async def release_expired_leases(session: AsyncSession, *, now: datetime,
                                 max_attempts: int) -> int:
    """Return rows whose sender vanished mid-send; they are the only possible duplicates.

    A reply is not returned once the conversation has moved on (a reply to a later event in
    the same chat exists): sent again a lease later, it would answer a question no longer on screen,
    and it may well have arrived the first time. It is stopped instead, with the reason.
    """
    expired = (outbox.c.status == OutboxStatus.SENDING) & (outbox.c.lease_until < now)
    later = outbox.alias("later")
    moved_on = (select(later.c.id).where(
        later.c.channel == outbox.c.channel, later.c.recipient == outbox.c.recipient,
        # a later event's reply: the replies of one event share its time
        later.c.priority >= Priority.REPLY, later.c.created_at > outbox.c.created_at).exists())
    superseded = await session.execute(
        update(outbox).where(expired, outbox.c.priority >= Priority.REPLY, moved_on)
        .values(status=OutboxStatus.STOPPED, lease_until=None, error_class="superseded",
                error=SUPERSEDED))
    exhausted = await session.execute(
        update(outbox).where(expired, outbox.c.attempts >= max_attempts)
        .values(status=OutboxStatus.FAILED, lease_until=None, error_class="transient",
                error="lease expired after the last attempt")
    )
    released = await session.execute(
        update(outbox).where(expired).values(status=OutboxStatus.QUEUED, lease_until=None,
                                             next_attempt_at=now)
    )
    return rows_changed(superseded) + rows_changed(exhausted) + rows_changed(released)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(outbox.c.status, func.count()).group_by(outbox.c.status)
    )
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({status: count for status, count in rows.all()})
    return counts


@dataclass(frozen=True)
class StatusReport:
    """What `loaso outbox status` and the console's delivery page show.

    `counts`: (channel, status, "reply" or "bulk", number); `oldest_due`: the earliest
    next attempt of a queued row; `errors`: (channel, error_class, error, number) of failed
    and stopped rows, commonest first."""

    counts: list[tuple[str, str, str, int]]
    oldest_due: datetime | None
    errors: list[tuple[str, str | None, str | None, int]]


async def status_report(session: AsyncSession, *, errors: int = 200) -> StatusReport:
    from sqlalchemy import case

    from db.models import Priority

    kind = case((outbox.c.priority >= Priority.REPLY, "reply"), else_="bulk")
    counts = (await session.execute(
        select(outbox.c.channel, outbox.c.status, kind, func.count())
        .group_by(outbox.c.channel, outbox.c.status, kind))).all()
    oldest = (await session.execute(
        select(func.min(outbox.c.next_attempt_at))
        .where(outbox.c.status == OutboxStatus.QUEUED))).scalar_one()
    failures = (await session.execute(
        select(outbox.c.channel, outbox.c.error_class, outbox.c.error, func.count())
        .where(outbox.c.status.in_((OutboxStatus.FAILED, OutboxStatus.STOPPED)))
        .group_by(outbox.c.channel, outbox.c.error_class, outbox.c.error)
        .order_by(func.count().desc()).limit(errors))).all()
    return StatusReport([tuple(row) for row in counts], oldest, [tuple(row) for row in failures])
async def requeue_failed(session: AsyncSession, *, now: datetime,
                         since: datetime | None = None) -> int:
    """`loaso outbox retry --failed`: failed rows (created since `since`) queued again, due
    now, their attempts counted afresh; rows stopped on purpose (blocked, cancelled) stay."""
    where = [outbox.c.status == OutboxStatus.FAILED]
    if since is not None:
        where.append(outbox.c.created_at >= since)
    requeued = await session.execute(
        update(outbox).where(*where).values(
            status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now, lease_until=None,
            requeued_at=now))
    return rows_changed(requeued)
