"""Campaign state kept in the database: the staff's phase override and its history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rows_changed
from db.models import PhaseOverride


async def active_override(session: AsyncSession) -> PhaseOverride | None:
    return (await session.execute(
        select(PhaseOverride).where(PhaseOverride.cleared_at.is_(None))
        .order_by(PhaseOverride.id.desc()).limit(1)
    )).scalar_one_or_none()


async def clear_override(session: AsyncSession, *, by: str, now: datetime) -> int:
    result = await session.execute(
        update(PhaseOverride).where(PhaseOverride.cleared_at.is_(None))
        .values(cleared_by=by, cleared_at=now))
    return rows_changed(result)


async def set_override(session: AsyncSession, *, phase_id: str, stage_id: str | None, by: str,
                       now: datetime) -> PhaseOverride:
    await clear_override(session, by=by, now=now)
    override = PhaseOverride(phase_id=phase_id, stage_id=stage_id, set_by=by, set_at=now)
    session.add(override)
    return override
