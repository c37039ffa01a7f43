"""Campaign reports kept for download (written on schedule by bot.reports.scheduled)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.listening_models import CampaignReport


async def reports_page(session: AsyncSession, *, offset: int = 0,
                       limit: int = 30) -> tuple[list[CampaignReport], int]:
    total = (await session.execute(select(func.count()).select_from(CampaignReport))).scalar_one()
    rows = await session.execute(select(CampaignReport).order_by(CampaignReport.id.desc())
                                 .offset(offset).limit(limit))
    return list(rows.scalars()), total
