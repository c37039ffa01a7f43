"""Reading announcements for the console's pages (the writes are delivery.announcements)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Announcement, AnnouncementStatus


async def latest(session: AsyncSession, *, limit: int = 100) -> list[Announcement]:
    """Newest first."""
    return list((await session.execute(
        select(Announcement).order_by(Announcement.id.desc()).limit(limit))).scalars())


async def pending(session: AsyncSession, *, limit: int = 100) -> list[Announcement]:
    """Waiting for a staff decision, oldest first (the order they were submitted)."""
    return list((await session.execute(
        select(Announcement).where(Announcement.status == AnnouncementStatus.PENDING)
        .order_by(Announcement.id).limit(limit))).scalars())


async def count_pending(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Announcement).where(
        Announcement.status == AnnouncementStatus.PENDING))).scalar_one()
