"""Console accounts, their sessions, one-time sign-in links and failed sign-ins: queries only.

The rules (who may sign in, for how long, what a leader sees) are in bot/actions/accounts.py
and bot/console/; tokens arrive here already hashed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.console_models import LoginFailure, LoginLink, StaffAccount, StaffSession

# --- accounts --------------------------------------------------------------------------------

async def find_account(session: AsyncSession, username: str) -> StaffAccount | None:
    return (await session.execute(
        select(StaffAccount).where(StaffAccount.username == username))).scalar_one_or_none()


async def account_of_resident(session: AsyncSession, user_id: int) -> StaffAccount | None:
    return (await session.execute(
        select(StaffAccount).where(StaffAccount.user_id == user_id))).scalar_one_or_none()


async def list_accounts(session: AsyncSession) -> list[StaffAccount]:
    return list((await session.execute(
        select(StaffAccount).order_by(StaffAccount.username))).scalars())


# --- sessions --------------------------------------------------------------------------------

async def add_session(session: AsyncSession, *, account_id: int, token_hash: str,
                      csrf_token: str, address: str, now: datetime) -> StaffSession:
    row = StaffSession(account_id=account_id, token_hash=token_hash, csrf_token=csrf_token,
                       address=address[:64], created_at=now, last_seen_at=now)
    session.add(row)
    await session.flush()
    return row


async def find_session(session: AsyncSession, token_hash: str
                       ) -> tuple[StaffSession, StaffAccount] | None:
    row = (await session.execute(
        select(StaffSession, StaffAccount)
        .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
        .where(StaffSession.token_hash == token_hash))).first()
    return (row[0], row[1]) if row else None


async def touch_session(session: AsyncSession, session_id: int, now: datetime) -> None:
    await session.execute(update(StaffSession).where(StaffSession.id == session_id)
                          .values(last_seen_at=now))


async def end_session(session: AsyncSession, token_hash: str) -> int:
    result = await session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))
    return rows_changed(result)


async def end_sessions_of(session: AsyncSession, account_id: int) -> int:
    result = await session.execute(delete(StaffSession).where(StaffSession.account_id == account_id))
    return rows_changed(result)


async def end_idle_sessions(session: AsyncSession, seen_before: datetime) -> int:
    result = await session.execute(delete(StaffSession).where(StaffSession.last_seen_at < seen_before))
    return rows_changed(result)


# --- one-time sign-in links ------------------------------------------------------------------

async def add_link(session: AsyncSession, *, account_id: int, token_hash: str, now: datetime,
                   expires_at: datetime) -> LoginLink:
    link = LoginLink(account_id=account_id, token_hash=token_hash, created_at=now,
                     expires_at=expires_at)
    session.add(link)
    await session.flush()
    return link


async def find_link(session: AsyncSession, token_hash: str) -> LoginLink | None:
    return (await session.execute(
        select(LoginLink).where(LoginLink.token_hash == token_hash))).scalar_one_or_none()


async def use_link(session: AsyncSession, link_id: int, now: datetime) -> bool:
    """Mark the link used if it still can be; of two tabs opening it at once, one wins."""
    result = await session.execute(
        update(LoginLink).where(LoginLink.id == link_id, LoginLink.used_at.is_(None),
                                LoginLink.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    return rows_changed(result) == 1


async def drop_unused_links(session: AsyncSession, account_id: int) -> int:
    result = await session.execute(delete(LoginLink).where(
        LoginLink.account_id == account_id, LoginLink.used_at.is_(None)))
    return rows_changed(result)


# --- failed sign-ins -------------------------------------------------------------------------

async def add_failure(session: AsyncSession, kind: str, key: str, now: datetime) -> int:
    row = LoginFailure(kind=kind, key=key[:64], at=now)
    session.add(row)
    await session.flush()
    return row.id


async def drop_failures(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))


async def latest_failures(session: AsyncSession, kind: str, key: str, since: datetime,
                          limit: int) -> list[datetime]:
    """The times of the latest failures for this key since `since`, newest first."""
    rows = await session.execute(
        select(LoginFailure.at).where(LoginFailure.kind == kind, LoginFailure.key == key[:64],
                                      LoginFailure.at >= since)
        .order_by(LoginFailure.at.desc()).limit(limit))
    return list(rows.scalars())


async def clear_failures(session: AsyncSession, kind: str, key: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.kind == kind,
                                                     LoginFailure.key == key[:64]))


async def prune_failures(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.at < before))
