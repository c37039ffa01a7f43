"""Queries for the outputs of issue 19: announcements to read on the loudspeaker, and the
per-poster counts of residents who arrived through a QR code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.models import Announcement, AnnouncementStatus, SourceArrival

# Approved and not withdrawn: waiting for their time, going out, or gone out.
READABLE = (AnnouncementStatus.SCHEDULED, AnnouncementStatus.SENDING, AnnouncementStatus.DONE)


async def readable_announcements(session: AsyncSession, start: dt.datetime,
                                 end: dt.datetime) -> list[Announcement]:
    """Approved announcements due in [start, end): by their send time, else their approval,
    else their creation; oldest first."""
    moment = func.coalesce(Announcement.send_at, Announcement.decided_at, Announcement.created_at)
    query = (select(Announcement).where(Announcement.status.in_(READABLE), moment >= start,
                                        moment < end)
             .order_by(moment, Announcement.id))
    return list((await session.execute(query)).scalars())


async def count_arrival(session: AsyncSession, source: str, day: dt.date) -> None:
    """One more resident arrived through `source` on `day` (nothing else is kept)."""
    insert = insert_for(session, SourceArrival).values(source=source, day=day, arrivals=1)
    await session.execute(insert.on_conflict_do_update(
        index_elements=["source", "day"],
        set_={"arrivals": SourceArrival.arrivals + 1}))


async def arrivals_by_source(session: AsyncSession, start: dt.date,
                             end: dt.date) -> dict[str, int]:
    """Arrivals per source tag over [start, end]."""
    rows = await session.execute(
        select(SourceArrival.source, func.sum(SourceArrival.arrivals))
        .where(SourceArrival.day >= start, SourceArrival.day <= end)
        .group_by(SourceArrival.source).order_by(SourceArrival.source))
    return {source: int(total) for source, total in rows}
