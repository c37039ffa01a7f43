"""Residents and their conversation state."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_in
from db.models import ConversationState, InboundEvent, User, UserStatus


# The statements on every update are built once per dialect: a statement object that is
# reused keeps its cache key, so SQLAlchemy neither rebuilds it nor recomputes the key. Each
# takes a whole group of events (bot/pipeline.py), as one multi-row statement.
@cache
def _record_events_statement(dialect: str):
    table = InboundEvent.__table__
    return (insert_in(dialect, table)
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            .returning(table.c.channel, table.c.event_id))


@cache
def _upsert_users_statement(dialect: str):
    statement = insert_in(dialect, User)
    return statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    ).returning(User)


_states_of = select(ConversationState).where(
    ConversationState.user_id.in_(bindparam("user_ids", expanding=True)))


async def record_events(session: AsyncSession, keys: list[tuple[str, str]],
                        now: datetime) -> set[tuple[str, str]]:
    """Insert the dedupe rows of many events in one statement; the keys that were new.

    Keys must be distinct. On PostgreSQL a concurrent insert of the same key waits for the
    other transaction and then conflicts, so only one delivery of an event is ever new.
    """
    if not keys:
        return set()
    statement = _record_events_statement(session.bind.dialect.name)
    rows = await session.execute(statement, [
        {"channel": channel, "event_id": event_id, "received_at": now}
        for channel, event_id in keys])
    return {(channel, event_id) for channel, event_id in rows}


async def get_or_create_users(session: AsyncSession, addresses: list[tuple[str, str]],
                              now: datetime) -> dict[tuple[str, str], User]:
    """The residents at these distinct (channel, address) pairs, created on first contact,
    in one statement."""
    if not addresses:
        return {}
    statement = _upsert_users_statement(session.bind.dialect.name)
    users = await session.scalars(
        statement, [{"channel": channel, "address": address, "status": UserStatus.ACTIVE,
                     "created_at": now, "last_seen_at": now} for channel, address in addresses],
        execution_options={"populate_existing": True})
    return {(user.channel, user.address): user for user in users}


async def load_states(session: AsyncSession,
                      user_ids: list[int]) -> dict[int, ConversationState]:
    if not user_ids:
        return {}
    states = await session.scalars(_states_of, {"user_ids": user_ids})
    return {state.user_id: state for state in states}


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

