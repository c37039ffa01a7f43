"""Staff actions on bulletins (the console's /admin/bulletins): skip one occurrence, send a
skipped one after all, pause or resume a bulletin. The state lives in the database
(scheduler.bulletins), where the scheduler reads it when an occurrence falls due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from content.models import Bulletin
from content.pack import Pack
from db import audit
from scheduler import bulletins

AHEAD = timedelta(days=14)  # what the page lists, and so what can be skipped


def find(pack: Pack, bulletin_id: str) -> Bulletin:
    for bulletin in bulletins.all_bulletins(pack):
        if bulletin.id == bulletin_id:
            return bulletin
    raise ActionRefused(f"Không có bản tin “{bulletin_id}” trong nội dung chiến dịch.")


def upcoming(pack: Pack, bulletin_id: str, at: str, now: datetime) -> datetime:
    """The occurrence named by the form (its time in ISO form), if it is one still to come."""
    find(pack, bulletin_id)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ActionRefused("Không rõ lần gửi nào; hãy tải lại trang rồi chọn lại.")
    for due in bulletins.occurrences(pack, now, now + AHEAD):
        if due.bulletin.id == bulletin_id and due.at == moment:
            return due.at
    raise ActionRefused("Lần gửi này đã qua hoặc không có trong lịch 14 ngày tới.")


async def skip(session: AsyncSession, pack: Pack, bulletin_id: str, at: str, *,
               who: audit.Who, now: datetime) -> datetime:
    moment = upcoming(pack, bulletin_id, at, now)
    if not await bulletins.skip(session, bulletin_id, moment, by=who.name, now=now):
        raise ActionRefused("Lần gửi này đã được bỏ qua hoặc đang gửi.")
    await audit.record(session, who, "bulletin.skip", now=now,
                       target=f"{bulletin_id}@{moment.isoformat()}")
    return moment


async def unskip(session: AsyncSession, pack: Pack, bulletin_id: str, at: str, *,
                 who: audit.Who, now: datetime) -> datetime:
    moment = upcoming(pack, bulletin_id, at, now)
    if not await bulletins.unskip(session, bulletin_id, moment):
        raise ActionRefused("Lần gửi này không bị bỏ qua.")
    await audit.record(session, who, "bulletin.unskip", now=now,
                       target=f"{bulletin_id}@{moment.isoformat()}")
    return moment


async def pause(session: AsyncSession, pack: Pack, bulletin_id: str, *, who: audit.Who,
                now: datetime) -> None:
    find(pack, bulletin_id)
    if not await bulletins.pause(session, bulletin_id, by=who.name, now=now):
        raise ActionRefused(f"Bản tin “{bulletin_id}” đang tạm dừng rồi.")
    await audit.record(session, who, "bulletin.pause", now=now, target=bulletin_id)


async def unpause(session: AsyncSession, pack: Pack, bulletin_id: str, *, who: audit.Who,
                  now: datetime) -> None:
    find(pack, bulletin_id)
    if not await bulletins.unpause(session, bulletin_id):
        raise ActionRefused(f"Bản tin “{bulletin_id}” không tạm dừng.")
    await audit.record(session, who, "bulletin.unpause", now=now, target=bulletin_id)
