"""Searches that found nothing, so staff can see what content is missing.

Who asked is not kept: only a short keyed hash of the resident (the installation's pseudonym
key, never exported), so that a query can be shown once at least 3 different residents asked
it, and one resident asking ten times counts once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.comments import pseudonym_key
from db.dialect import insert_for
from db.listening_models import SearchMiss

QUERY_LENGTH = 200
ASKER_LENGTH = 12


def asker_hash(key: bytes, user_id: int) -> str:
    return hmac.new(key, f"search:{user_id}".encode(), hashlib.sha256).hexdigest()[:ASKER_LENGTH]


async def record(session: AsyncSession, query_words: list[str], user_id: int,
                 now: dt.datetime) -> None:
    """Count one search without results: the folded words, once per resident."""
    query = " ".join(query_words)[:QUERY_LENGTH]
    if not query:
        return
    asker = asker_hash(await pseudonym_key(session), user_id)
    statement = insert_for(session, SearchMiss).values(
        query=query, asker=asker, times=1, first_at=now, last_at=now)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["query", "asker"],
        set_={"times": SearchMiss.times + 1, "last_at": now}))


async def asked_by_many(session: AsyncSession, *, since: dt.datetime, until: dt.datetime,
                        smallest: int = 3) -> list[tuple[str, int, int]]:
    """(query, different residents, searches) for queries at least `smallest` residents
    searched in vain between `since` and `until`, most residents first."""
    people = func.count(SearchMiss.asker.distinct())
    rows = await session.execute(
        select(SearchMiss.query, people, func.sum(SearchMiss.times))
        .where(SearchMiss.last_at >= since, SearchMiss.first_at < until)
        .group_by(SearchMiss.query).having(people >= smallest)
        .order_by(people.desc(), SearchMiss.query))
    return [(query, count, int(times)) for query, count, times in rows.all()]
