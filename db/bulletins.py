"""Reading bulletin occurrences and pauses for the console (the writes are
scheduler.bulletins, where the scheduler honours them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import BulletinOccurrence, BulletinPause


async def occurrences_between(session: AsyncSession, start: datetime, end: datetime, *,
                              newest_first: bool = False,
                              limit: int = 500) -> list[BulletinOccurrence]:
    order = BulletinOccurrence.scheduled_for.desc() if newest_first else (
        BulletinOccurrence.scheduled_for)
    return list((await session.execute(
        select(BulletinOccurrence).where(BulletinOccurrence.scheduled_for >= start,
                                         BulletinOccurrence.scheduled_for < end)
        .order_by(order, BulletinOccurrence.id).limit(limit))).scalars())


async def pauses(session: AsyncSession) -> dict[str, BulletinPause]:
    return {row.bulletin_id: row for row in (await session.execute(
        select(BulletinPause))).scalars()}
