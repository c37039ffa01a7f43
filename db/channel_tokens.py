"""Rotating platform credentials: Zalo OA's access token and its single-use refresh token.

Zalo answers a refresh with a new refresh token and invalidates the old one (reusing it gives
-14020), so two processes refreshing at once would lock the commune out until an
administrator redoes the grant. Every rotation therefore happens under the row's lock
(`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the transaction holds the database's only
write lock), re-reads the row first, and stores both new tokens in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for, is_postgresql
from db.engine import Database
from db.models import ChannelToken


@dataclass(frozen=True, slots=True)
class Grant:
    """What the OAuth server answered: both tokens and the access token's lifetime."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds
    refresh_expires_in: int | None = None


@dataclass(frozen=True, slots=True)
class StoredTokens:
    access_token: str | None
    refresh_token: str | None
    access_expires_at: datetime | None
    generation: int

    def usable(self, now: datetime, margin: timedelta, *, not_this: str | None = None) -> bool:
        """An access token that is not the one just rejected and has `margin` left."""
        return (self.access_token is not None and self.access_token != not_this
                and self.access_expires_at is not None
                and self.access_expires_at - margin > now)


class NoRefreshToken(Exception):
    """Nothing to refresh with: the administrator must run `loaso zalo oa-auth`."""


def _stored(row: ChannelToken) -> StoredTokens:
    return StoredTokens(row.access_token, row.refresh_token, row.access_expires_at, row.generation)


async def read(database: Database, channel: str) -> StoredTokens | None:
    async with database.read() as session:
        row = await session.get(ChannelToken, channel)
        return _stored(row) if row is not None else None


async def seed(database: Database, channel: str, refresh_token: str, *, now: datetime) -> None:
    """Store a refresh token from the settings, unless the channel already has tokens."""
    async with database.transaction() as session:
        await session.execute(
            insert_for(session, ChannelToken.__table__).values(
                channel=channel, refresh_token=refresh_token, generation=0, updated_at=now)
            .on_conflict_do_nothing(index_elements=["channel"]))


async def save_grant(database: Database, channel: str, grant: Grant, *,
                     now: datetime) -> StoredTokens:
    """Store the tokens of a fresh grant (`loaso zalo oa-auth`), replacing whatever was there."""
    async with database.transaction() as session:
        row = await _locked(session, channel)
        if row is None:
            row = ChannelToken(channel=channel, generation=0)
            session.add(row)
        _apply(row, grant, now)
        return _stored(row)


async def rotate(database: Database, channel: str,
                 refresh: Callable[[str], Awaitable[Grant]], *, now: Callable[[], datetime],
                 margin: timedelta, stale: str | None) -> StoredTokens:
    """Refresh under the lock, unless another process already replaced the `stale` token.

    `refresh` is the OAuth call. It runs while the lock is held, on purpose: the refresh
    token is single-use, so nobody else may spend it meanwhile. On SQLite this holds other
    writers for the length of one HTTP call, about once a day.
    """
    async with database.transaction() as session:
        row = await _locked(session, channel)
        if row is None or not row.refresh_token:
            raise NoRefreshToken(channel)
        current = _stored(row)
        if current.usable(now(), margin, not_this=stale):
            return current
        grant = await refresh(row.refresh_token)  # raises: nothing changes, lock released
        _apply(row, grant, now())
        return _stored(row)


async def _locked(session: AsyncSession, channel: str) -> ChannelToken | None:
    statement = select(ChannelToken).where(ChannelToken.channel == channel)
    if is_postgresql(session):
        statement = statement.with_for_update()
    token: ChannelToken | None = (await session.execute(statement)).scalar_one_or_none()
    return token


def _apply(row: ChannelToken, grant: Grant, now: datetime) -> None:
    row.access_token = grant.access_token
    row.refresh_token = grant.refresh_token
    row.access_expires_at = now + timedelta(seconds=grant.expires_in)
    row.refresh_expires_at = (now + timedelta(seconds=grant.refresh_expires_in)
                              if grant.refresh_expires_in else None)
    row.generation = (row.generation or 0) + 1
    row.updated_at = now


async def token_state(session: AsyncSession, channel: str) -> ChannelToken | None:
    """The stored row as it is (for the console's delivery page: valid until, last refresh);
    the tokens themselves are never shown."""
    return await session.get(ChannelToken, channel)
