"""Residents and their conversation state."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_in
from db.models import ConversationState, InboundEvent, User, UserStatus


# The two statements on every update are built once per dialect, with bind parameters: a
# statement object that is reused keeps its cache key, so SQLAlchemy neither rebuilds the
# INSERT nor recomputes the key to find the compiled form.
@cache
def _record_event_statement(dialect: str):
    table = InboundEvent.__table__  # Core, not the mapped class: skips the ORM's bulk insert
    return (
        insert_in(dialect, table)
        .values(channel=bindparam("channel", type_=table.c.channel.type),
                event_id=bindparam("event_id", type_=table.c.event_id.type),
                received_at=bindparam("now", type_=table.c.received_at.type))
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
    )


@cache
def _upsert_user_statement(dialect: str):
    columns = User.__table__.c
    now = bindparam("now", type_=columns.last_seen_at.type)
    statement = insert_in(dialect, User).values(
        channel=bindparam("channel", type_=columns.channel.type),
        address=bindparam("address", type_=columns.address.type),
        status=UserStatus.ACTIVE, created_at=now, last_seen_at=now)
    return statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    ).returning(User)


async def record_event(session: AsyncSession, *, channel: str, event_id: str,
                       now: datetime) -> bool:
    """Insert the dedupe row; False when this platform event was already accepted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then conflicts, so exactly one of 20 simultaneous deliveries gets True.
    """
    statement = _record_event_statement(session.bind.dialect.name)
    # rowcount, not RETURNING: one round trip less to the database on every update
    return (await session.execute(
        statement, {"channel": channel, "event_id": event_id, "now": now})).rowcount == 1


async def get_or_create_user(session: AsyncSession, *, channel: str, address: str,
                             now: datetime) -> User:
    """The resident for this address, created on first contact; one round trip either way."""
    statement = _upsert_user_statement(session.bind.dialect.name)
    return (await session.execute(statement, {"channel": channel, "address": address,
                                              "now": now},
                                  execution_options={"populate_existing": True})
            ).scalar_one()


async def find_user(session: AsyncSession, *, channel: str, address: str) -> User | None:
    return (await session.execute(
        select(User).where(User.channel == channel, User.address == address)
    )).scalar_one_or_none()


async def set_user_status(session: AsyncSession, *, user_id: int, status: UserStatus,
                          reason: str | None = None) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(status=status, stopped_reason=reason)
    )


async def stop_recipient(session: AsyncSession, *, channel: str, address: str,
                         reason: str) -> None:
    """The platform told us this resident is out of reach: deliver nothing more."""
    await session.execute(
        update(User).where(User.channel == channel, User.address == address)
        .values(status=UserStatus.STOPPED, stopped_reason=reason[:200])
    )


async def load_state(session: AsyncSession, user_id: int) -> ConversationState | None:
    return await session.get(ConversationState, user_id)
