"""Server-side sessions: the cookie holds a random token, the `staff_sessions` row its SHA-256.

A session is started at every sign-in (a new token; any session the browser had is ended
first), ends after the idle time, at sign-out, when the account is disabled or its password
reset, and when a linked resident loses their chat role. The cookie is HttpOnly,
SameSite=Lax, limited to /admin, and Secure whenever LOASO_PUBLIC_URL is https.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Response

from bot.actions.accounts import Access, access_of
from db import accounts as account_queries
from db.console_models import StaffAccount, StaffSession
from db.engine import Database
from db.login_links import token_hash

COOKIE = "loaso_session"
PATH = "/admin"
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often per session


@dataclass(frozen=True)
class Open:
    """A live session with its account and what the account may do now."""

    row: StaffSession
    account: StaffAccount
    access: Access


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def start(database: Database, account: StaffAccount, *, address: str, now: datetime,
                previous: str | None) -> tuple[str, StaffSession]:
    """A new session (new token) for this account; the browser's previous one is ended."""
    token = new_token()
    async with database.transaction() as session:
        if previous:
            await account_queries.end_session(session, token_hash(previous))
        row = await account_queries.add_session(
            session, account_id=account.id, token_hash=token_hash(token),
            csrf_token=secrets.token_urlsafe(32), address=address, now=now)
    return token, row


async def resolve(database: Database, token: str | None, *, idle: timedelta,
                  now: datetime) -> Open | None:
    """The live session behind a cookie, or None (and a dead one is deleted)."""
    if not token:
        return None
    hashed = token_hash(token)
    async with database.read() as session:
        found = await account_queries.find_session(session, hashed)
        if found is None:
            return None
        row, account = found
        access = await access_of(session, account)
    if access is None or row.last_seen_at + idle <= now:
        async with database.transaction() as session:
            await account_queries.end_session(session, hashed)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        async with database.transaction() as session:
            await account_queries.touch_session(session, row.id, now)
    return Open(row, account, access)


async def end(database: Database, token: str | None) -> None:
    if token:
        async with database.transaction() as session:
            await account_queries.end_session(session, token_hash(token))


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    # No Max-Age: the cookie goes when the browser closes; the server ends it when idle.
    response.set_cookie(COOKIE, token, path=PATH, httponly=True, samesite="lax", secure=secure)


def clear_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="lax", secure=secure)
