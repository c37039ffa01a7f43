"""The console's content overlay: saved versions of pack files (db.console_models.ContentEdit).

The newest version of each path is what the content store lays over the pack on disk.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.console_models import ContentEdit


async def newest(session: AsyncSession) -> dict[str, ContentEdit]:
    """The newest version of every edited path."""
    top = (select(ContentEdit.path, func.max(ContentEdit.version).label("version"))
           .group_by(ContentEdit.path).subquery())
    rows = await session.execute(select(ContentEdit).join(
        top, (ContentEdit.path == top.c.path) & (ContentEdit.version == top.c.version)))
    return {edit.path: edit for edit in rows.scalars()}


async def overlay(session: AsyncSession) -> dict[str, str]:
    """path → text, for content.loader.load_pack."""
    return {path: edit.text for path, edit in (await newest(session)).items()}


async def current_version(session: AsyncSession, path: str) -> int:
    """The newest version of `path`, 0 when it was never edited (the pack file is live)."""
    found = await session.execute(
        select(func.max(ContentEdit.version)).where(ContentEdit.path == path))
    return found.scalar_one() or 0


async def history(session: AsyncSession, path: str) -> list[ContentEdit]:
    rows = await session.execute(select(ContentEdit).where(ContentEdit.path == path)
                                 .order_by(ContentEdit.version.desc()))
    return list(rows.scalars())


async def current_paths(session: AsyncSession) -> list[str]:
    rows = await session.execute(select(ContentEdit.path).distinct())
    return list(rows.scalars())
