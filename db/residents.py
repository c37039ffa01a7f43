"""Residents and their conversation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.dialect import insert_in
from db.models import ConversationState, InboundEvent, User, UserStatus


# The functions for every update take a synchronous Session: the pipeline runs them together
# through one `AsyncSession.run_sync` (one greenlet switch, not one per statement).
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
def _upsert_user_statement(dialect: str):
    columns = User.__table__.c
    now = bindparam("now", type_=columns.last_seen_at.type)
    return _touching(insert_in(dialect, User).values(
        channel=bindparam("channel", type_=columns.channel.type),
        address=bindparam("address", type_=columns.address.type),
        status=UserStatus.ACTIVE, created_at=now, last_seen_at=now))


@cache
def _upsert_users_statement(dialect: str):
    return _touching(insert_in(dialect, User))


def _touching(statement):
    """A resident already known is only marked as seen now, and returned either way."""
    return statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    ).returning(User)


_positions = ConversationState.__table__
_states_of = select(_positions.c.user_id, _positions.c.state, _positions.c.data,
                    _positions.c.options).where(
    _positions.c.user_id.in_(bindparam("user_ids", expanding=True)))


@cache
def _save_states_statement(dialect: str):
    statement = insert_in(dialect, _positions)
    return statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: statement.excluded[name]
              for name in ("state", "data", "options", "updated_at")})


def record_events(session: Session, keys: list[tuple[str, str]],
                  now: datetime) -> set[tuple[str, str]]:
    """Insert the dedupe rows of many events in one statement; the keys that were new.

    Keys must be distinct. On PostgreSQL a concurrent insert of the same key waits for the
    other transaction and then conflicts, so only one delivery of an event is ever new.
    """
    if not keys:
        return set()
    statement = _record_events_statement(session.bind.dialect.name)
    rows = session.connection().execute(statement, [
        {"channel": channel, "event_id": event_id, "received_at": now}
        for channel, event_id in keys])
    return {(channel, event_id) for channel, event_id in rows}


def get_or_create_users(session: Session, addresses: list[tuple[str, str]],
                        now: datetime) -> dict[tuple[str, str], User]:
    """The residents at these distinct (channel, address) pairs, created on first contact,
    in one statement."""
    if not addresses:
        return {}
    if len(addresses) == 1:  # most groups: one statement costs less than the bulk form
        (channel, address), = addresses
        user = (session.execute(
            _upsert_user_statement(session.bind.dialect.name),
            {"channel": channel, "address": address, "now": now},
            execution_options={"populate_existing": True})).scalar_one()
        return {(channel, address): user}
    statement = _upsert_users_statement(session.bind.dialect.name)
    users = session.scalars(
        statement, [{"channel": channel, "address": address, "status": UserStatus.ACTIVE,
                     "created_at": now, "last_seen_at": now} for channel, address in addresses],
        execution_options={"populate_existing": True})
    return {(user.channel, user.address): user for user in users}


# Where a resident is in a flow, as plain values: (state, data, options).
Position = tuple[str | None, dict[str, Any], list[str]]


def load_states(session: Session, user_ids: list[int]) -> dict[int, Position]:
    """The conversation positions of these residents; those never seen in a flow are absent."""
    if not user_ids:
        return {}
    rows = session.connection().execute(_states_of, {"user_ids": user_ids})
    return {user_id: (state, data or {}, options or [])
            for user_id, state, data, options in rows}


def save_states(session: Session, positions: dict[int, Position], now: datetime) -> None:
    """Write changed positions in one statement (insert or update per resident)."""
    if positions:
        session.connection().execute(_save_states_statement(session.bind.dialect.name), [
            {"user_id": user_id, "state": state, "data": data, "options": options,
             "updated_at": now} for user_id, (state, data, options) in positions.items()])


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

