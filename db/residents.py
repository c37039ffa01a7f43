"""Residents and their conversation state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.models import ConversationState, InboundEvent, User, UserStatus


async def record_event(session: AsyncSession, *, channel: str, event_id: str,
                       now: datetime) -> bool:
    """Insert the dedupe row; False when this platform event was already accepted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then conflicts, so exactly one of 20 simultaneous deliveries gets True.
    """
    statement = (
        insert_for(session, InboundEvent)
        .values(channel=channel, event_id=event_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
    )
    # rowcount, not RETURNING: one round trip less to the database on every update
    return (await session.execute(statement)).rowcount == 1


async def get_or_create_user(session: AsyncSession, *, channel: str, address: str,
                             now: datetime) -> User:
    """The resident for this address, created on first contact; one round trip either way."""
    statement = insert_for(session, User).values(
        channel=channel, address=address, status=UserStatus.ACTIVE, created_at=now,
        last_seen_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    ).returning(User)
    return (await session.execute(statement, execution_options={"populate_existing": True})
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
