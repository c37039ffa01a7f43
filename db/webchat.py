"""The web chat's sessions and conversation history (db/webchat_models.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.dialect import insert_for
from db.webchat_models import WebchatMessage, WebchatSession

HISTORY_LIMIT = 200  # lines shown again on opening; older ones stay in the browser's past


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a conversation as the browser receives it."""

    id: int
    address: str
    author: str
    event_id: str | None
    payload: dict[str, Any]

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "author": self.author, "ref": self.event_id, **self.payload}


def _line(row: Any) -> Line:
    return Line(row.id, row.address, row.author, row.event_id, row.payload)


async def open_session(session: AsyncSession, *, token_hash: str, address: str,
                       now: datetime) -> None:
    session.add(WebchatSession(token_hash=token_hash, address=address, created_at=now,
                               last_seen_at=now))


async def address_of(session: AsyncSession, token_hash: str) -> str | None:
    return (await session.execute(select(WebchatSession.address).where(
        WebchatSession.token_hash == token_hash))).scalar_one_or_none()


async def touch(session: AsyncSession, address: str, now: datetime) -> None:
    await session.execute(update(WebchatSession).where(WebchatSession.address == address)
                          .values(last_seen_at=now))


async def record(session: AsyncSession, *, address: str, author: str, payload: dict[str, Any],
                 now: datetime, event_id: str | None = None) -> Line | None:
    """Add a line; None when the browser's `event_id` is already there (a resend)."""
    statement = insert_for(session, WebchatMessage.__table__).values(
        address=address, author=author, event_id=event_id, payload=payload, created_at=now)
    if event_id is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["address", "event_id"])
    new_id = (await session.execute(statement.returning(WebchatMessage.id))).scalar_one_or_none()
    return None if new_id is None else Line(new_id, address, author, event_id, payload)


async def history(session: AsyncSession, address: str, *, after: int = 0,
                  limit: int = HISTORY_LIMIT) -> list[Line]:
    """The newest `limit` lines after id `after`, oldest first."""
    rows = (await session.execute(
        select(WebchatMessage).where(WebchatMessage.address == address,
                                     WebchatMessage.id > after)
        .order_by(WebchatMessage.id.desc()).limit(limit))).scalars().all()
    return [_line(row) for row in reversed(rows)]


async def newest_id(session: AsyncSession) -> int:
    return (await session.execute(select(func.max(WebchatMessage.id)))).scalar() or 0


async def lines_since(session: AsyncSession, cursor: int, *, limit: int = 500) -> list[Line]:
    """Every conversation's lines after `cursor` (for processes that did not write them)."""
    rows = (await session.execute(
        select(WebchatMessage).where(WebchatMessage.id > cursor)
        .order_by(WebchatMessage.id).limit(limit))).scalars().all()
    return [_line(row) for row in rows]


async def forget(session: AsyncSession, address: str) -> int:
    """A resident's erasure: the conversation goes; the session stays, as the chat address
    does on other channels, so Loa Số can still answer them."""
    return rows_changed(await session.execute(
        delete(WebchatMessage).where(WebchatMessage.address == address)))


async def expire(session: AsyncSession, *, before: datetime) -> int:
    """Retention: every conversation's lines older than `before`."""
    return rows_changed(await session.execute(
        delete(WebchatMessage).where(WebchatMessage.created_at < before)))
