"""Failed sign-ins, limited per account name and per address: after LIMIT failures within
WINDOW, sign-in is refused for LOCK from the last of them. Counted in the database, so every
web process behind a load balancer sees the same count.

A name that does not exist is counted like one that does (its counter is the name typed), so
neither the message nor the lock tells whether an account exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db import accounts as account_queries

LIMIT = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
ACCOUNT, ADDRESS = "account", "address"


def keys(username: str, address: str) -> list[tuple[str, str]]:
    return [(ACCOUNT, username.strip().casefold()[:64]), (ADDRESS, address)]


async def locked(session: AsyncSession, username: str, address: str, now: datetime) -> bool:
    """Whether either counter has LIMIT failures within WINDOW, the last less than LOCK ago."""
    for kind, key in keys(username, address):
        latest = await account_queries.latest_failures(session, kind, key, now - WINDOW - LOCK,
                                                       LIMIT)
        if len(latest) == LIMIT and latest[0] - latest[-1] <= WINDOW and now < latest[0] + LOCK:
            return True
    return False


async def count_failure(session: AsyncSession, username: str, address: str,
                        now: datetime) -> list[int]:
    """Count an attempt as failed (before its password is checked); returns the rows, to be
    taken back by `succeeded` if the password was right."""
    ids = [await account_queries.add_failure(session, kind, key, now)
           for kind, key in keys(username, address)]
    # the table only ever needs the last half hour; old rows go as new ones come
    await account_queries.prune_failures(session, now - WINDOW - LOCK - timedelta(hours=1))
    return ids


async def succeeded(session: AsyncSession, username: str, counted: list[int]) -> None:
    """The attempt was good: take back its rows, and the account's count starts again (the
    address's earlier failures stay: a shared office address guessing at other accounts
    stays limited)."""
    await account_queries.drop_failures(session, counted)
    await account_queries.clear_failures(session, ACCOUNT, keys(username, "")[0][1])
