"""Residents and their conversation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from db.dialect import insert_in
from db.direct import RowsStatement, each, row_values
from db.models import ConversationState, InboundEvent, User, UserStatus

# The functions for every update take a synchronous Session: the pipeline runs them together
# through one `AsyncSession.run_sync` (one greenlet switch, not one per statement). Each takes
# a whole group of events (bot/pipeline.py) as one multi-row statement, run directly on the
# DB-API cursor (db/direct.py): on this path SQLAlchemy's execution layer cost more than the
# statements themselves.
_events = InboundEvent.__table__
_users = User.__table__
_positions = ConversationState.__table__


def _record_events_statement(dialect: str, rows: int) -> Any:
    return (insert_in(dialect, _events)
            .values(row_values(_events, ("channel", "event_id", "received_at"), rows))
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            .returning(_events.c.channel, _events.c.event_id))


def _upsert_users_statement(dialect: str, rows: int) -> Any:
    """A resident already known is only marked as seen now, and returned either way."""
    statement = insert_in(dialect, _users).values(row_values(
        _users, ("channel", "address", "status", "created_at", "last_seen_at"), rows))
    return statement.on_conflict_do_update(
        index_elements=["channel", "address"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    ).returning(*_users.c)


def _states_statement(_dialect: str, rows: int) -> Any:
    return select(_positions.c.user_id, _positions.c.state, _positions.c.data,
                  _positions.c.options).where(
        _positions.c.user_id.in_([values["user_id"]
                                  for values in row_values(_positions, ("user_id",), rows)]))


def _save_states_statement(dialect: str, rows: int) -> Any:
    statement = insert_in(dialect, _positions).values(row_values(
        _positions, ("user_id", "state", "data", "options", "updated_at"), rows))
    return statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: statement.excluded[name]
              for name in ("state", "data", "options", "updated_at")})


_record_events = RowsStatement(_record_events_statement)
_upsert_users = RowsStatement(_upsert_users_statement)
_load_states = RowsStatement(_states_statement)
_save_states = RowsStatement(_save_states_statement)


def record_events(session: Session, keys: list[tuple[str, str]],
                  now: datetime) -> set[tuple[str, str]]:
    """Insert the dedupe rows of many events in one statement; the keys that were new.

    Keys must be distinct. On PostgreSQL a concurrent insert of the same key waits for the
    other transaction and then conflicts, so only one delivery of an event is ever new.
    """
    if not keys:
        return set()
    rows = _record_events.run(session.connection(), [
        {"channel": channel, "event_id": event_id, "received_at": now}
        for channel, event_id in keys])
    return {(channel, event_id) for channel, event_id in rows}


def get_or_create_users(session: Session, addresses: list[tuple[str, str]],
                        now: datetime) -> dict[tuple[str, str], User]:
    """The residents at these distinct (channel, address) pairs, created on first contact,
    in one statement. They join the session as if loaded by a query: a handler that changes
    one has the change written at the next flush."""
    if not addresses:
        return {}
    rows = _upsert_users.run(session.connection(), [
        {"channel": channel, "address": address, "status": UserStatus.ACTIVE,
         "created_at": now, "last_seen_at": now} for channel, address in addresses])
    users = {}
    for values in rows:
        columns = dict(zip(_users.c.keys(), values))
        user = session.identity_map.get(identity_key(User, columns["id"]))
        if user is not None:  # already in this session: brought up to date, as a query would
            for name, value in columns.items():
                set_committed_value(user, name, value)
        else:
            user = User(**columns)
            make_transient_to_detached(user)  # persistent and unchanged once added: no INSERT
            session.add(user)
        users[user.channel, user.address] = user
    return users


# Where a resident is in a flow, as plain values: (state, data, options).
Position = tuple[str | None, dict[str, Any], list[str]]


def load_states(session: Session, user_ids: list[int]) -> dict[int, Position]:
    """The conversation positions of these residents; those never seen in a flow are absent."""
    if not user_ids:
        return {}
    rows = _load_states.run(session.connection(), each("user_id", user_ids))
    return {user_id: (state, data or {}, options or [])
            for user_id, state, data, options in rows}


def save_states(session: Session, positions: dict[int, Position], now: datetime) -> None:
    """Write changed positions in one statement (insert or update per resident)."""
    if positions:
        _save_states.run(session.connection(), [
            {"user_id": user_id, "state": state, "data": data, "options": options,
             "updated_at": now} for user_id, (state, data, options) in positions.items()])


async def find_user(session: AsyncSession, *, channel: str, address: str) -> User | None:
    return (await session.execute(
        select(User).where(User.channel == channel, User.address == address)
    )).scalar_one_or_none()



async def stop_recipient(session: AsyncSession, *, channel: str, address: str,
                         reason: str) -> None:
    """The platform told us this resident is out of reach: deliver nothing more."""
    await session.execute(
        update(User).where(User.channel == channel, User.address == address)
        .values(status=UserStatus.STOPPED, stopped_reason=reason[:200])
    )

