"""Bulletins: when each one falls due, and firing one occurrence exactly once.

A bulletin comes from the pack's bulletins.yaml, or is implied by the pack: a reminder on
each anniversary and an announcement at the start of each phase and stage. An occurrence
is the pair (bulletin, scheduled time); its row in `bulletin_occurrences` is unique, so
however many schedulers fire it, one fan-out happens (and an interrupted fan-out resumes
without duplicates, because fan-out itself is idempotent per batch).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from content.cron import cron_trigger
from content.models import Audience as PackAudience
from content.models import Bulletin
from content.pack import Pack
from db.dialect import insert_for
from db.engine import Database
from db.models import BulletinOccurrence, BulletinPause
from delivery.fanout import Audience, fan_out
from handlers.campaign import effective_period, vietnamese_date
from messages.types import Option

log = logging.getLogger(__name__)

# A fan-out unfinished for this long was abandoned by a process that died.
STALE_CLAIM = dt.timedelta(minutes=2)
PAUSED = "tạm dừng"  # skipped_by of an occurrence that fell due while its bulletin was paused
READ_MORE = "Đọc toàn bài"
ANNIVERSARY = "Hôm nay, {date}: {name}.\n\nGõ /tin để đọc các bài tuyên truyền của đợt này."
PHASE_START = ("Loa Số xin thông báo: từ hôm nay ({date}) bắt đầu {name}{title}.\n\n"
               "Gõ /tin để xem các tin của đợt này, /lich để xem lịch sự kiện.")


@dataclass(frozen=True)
class Due:
    """One occurrence: which bulletin, when (aware UTC)."""

    bulletin: Bulletin
    at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.bulletin.id}@{self.at.isoformat()}"


def all_bulletins(pack: Pack) -> list[Bulletin]:
    """The pack's own bulletins plus the reminders it implies."""
    reminders = pack.campaign.reminders
    implied: list[Bulletin] = []
    everyone = PackAudience(everyone=True)
    if reminders.anniversaries:
        for event in pack.campaign.events:
            if event.kind == "anniversary" and event.confirmed:
                moment = dt.datetime.combine(event.start, reminders.time)
                implied.append(Bulletin(
                    id=f"nhac-{event.id}"[:40], schedule={"at": [moment]}, audience=everyone,
                    text=ANNIVERSARY.format(date=vietnamese_date(event.start), name=event.name)))
    if reminders.phase_starts:
        for window in pack.windows:
            for period in (window, *window.stages):
                if period.starts == dt.date.min:
                    continue
                title = f" — {period.title}" if period.title else ""
                implied.append(Bulletin(
                    id=f"bat-dau-{period.id}"[:40],
                    schedule={"phase_start": period.id, "time": reminders.time},
                    audience=everyone,
                    text=PHASE_START.format(date=vietnamese_date(period.starts),
                                            name=period.name, title=title)))
    return [*pack.bulletins, *implied]


def occurrences(pack: Pack, start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    """Every occurrence in [start, end), in time order per bulletin."""
    zone = pack.zone
    periods = {period.id: period for window in pack.windows for period in (window, *window.stages)}
    for bulletin in all_bulletins(pack):
        schedule = bulletin.schedule
        if schedule.cron:
            trigger = cron_trigger(schedule.cron, zone)
            moment = trigger.get_next_fire_time(None, start)
            while moment is not None and moment < end:
                yield Due(bulletin, moment.astimezone(dt.UTC))
                moment = trigger.get_next_fire_time(moment, moment + dt.timedelta(seconds=1))
            continue
        if schedule.phase_start:
            period = periods.get(schedule.phase_start)
            moments = ([dt.datetime.combine(period.starts, schedule.time)]
                       if period is not None and period.starts != dt.date.min else [])
        else:
            moments = list(schedule.at)
        for moment in moments:
            aware = pack.local(moment).astimezone(dt.UTC)
            if start <= aware < end:
                yield Due(bulletin, aware)


async def fire(database: Database, pack: Pack, due: Due, *, now: dt.datetime) -> int | None:
    """Fan out one occurrence unless it already was; the number of recipients, or None."""
    bulletin = due.bulletin
    async with database.transaction() as session:
        if bulletin.phase or bulletin.stage:
            period = await effective_period(session, pack, due.at.astimezone(pack.zone).date())
            if (bulletin.phase and (period.phase is None or period.phase.id != bulletin.phase)) \
                    or (bulletin.stage and (period.stage is None
                                            or period.stage.id != bulletin.stage)):
                log.info("bulletin %s not sent: the campaign is in %s", due.key, period.label())
                return None
        if await session.get(BulletinPause, bulletin.id) is not None:
            await skip(session, bulletin.id, due.at, by=PAUSED, now=now)
            log.info("bulletin %s not sent: paused", due.key)
            return None
        occurrence_id = await _claim(session, bulletin.id, due.at, now)
    if occurrence_id is None:
        return None  # fanned out before, or another scheduler is doing it right now
    text, options = content_of(pack, bulletin)
    result = await fan_out(database, batch=f"bulletin:{occurrence_id}",
                           audience=audience_of(bulletin), text=text, options=options, now=now)
    async with database.transaction() as session:
        await session.execute(update(BulletinOccurrence)
                              .where(BulletinOccurrence.id == occurrence_id)
                              .values(recipients=result.recipients))
    log.info("bulletin %s fanned out to %d residents (%d skipped)", due.key,
             result.recipients, result.skipped)
    return result.recipients


def audience_of(bulletin: Bulletin) -> Audience:
    return Audience(everyone=bulletin.audience.everyone, topics=bulletin.audience.topics,
                    groups=bulletin.audience.groups, hamlets=bulletin.audience.hamlets)


# -- staff's skips and pauses (the console's bulletins page) ---------------------------------

async def skip(session: AsyncSession, bulletin_id: str, at: dt.datetime, *, by: str,
               now: dt.datetime) -> bool:
    """Keep one occurrence from being sent: its row, with no recipients, is taken already.
    False if the occurrence has a row (it was sent, is being sent, or is skipped)."""
    inserted = await session.execute(
        insert_for(session, BulletinOccurrence)
        .values(bulletin_id=bulletin_id, scheduled_for=at, created_at=now, recipients=0,
                skipped_by=by[:100])
        .on_conflict_do_nothing(index_elements=["bulletin_id", "scheduled_for"]))
    return inserted.rowcount == 1


async def unskip(session: AsyncSession, bulletin_id: str, at: dt.datetime) -> bool:
    """Send a skipped occurrence after all (before its time); False if it was not skipped."""
    removed = await session.execute(
        delete(BulletinOccurrence).where(
            BulletinOccurrence.bulletin_id == bulletin_id, BulletinOccurrence.scheduled_for == at,
            BulletinOccurrence.skipped_by.is_not(None)))
    return removed.rowcount == 1


async def pause(session: AsyncSession, bulletin_id: str, *, by: str, now: dt.datetime) -> bool:
    inserted = await session.execute(
        insert_for(session, BulletinPause).values(bulletin_id=bulletin_id, paused_by=by[:100],
                                                  paused_at=now)
        .on_conflict_do_nothing(index_elements=["bulletin_id"]))
    return inserted.rowcount == 1


async def unpause(session: AsyncSession, bulletin_id: str) -> bool:
    removed = await session.execute(
        delete(BulletinPause).where(BulletinPause.bulletin_id == bulletin_id))
    return removed.rowcount == 1


async def _claim(session, bulletin_id: str, at: dt.datetime, now: dt.datetime) -> int | None:
    """The occurrence's id if this scheduler is to fan it out: it created the row, or the
    fan-out that did stopped half-way long enough ago (the process died) to take over."""
    inserted = await session.execute(
        insert_for(session, BulletinOccurrence)
        .values(bulletin_id=bulletin_id, scheduled_for=at, created_at=now)
        .on_conflict_do_nothing(index_elements=["bulletin_id", "scheduled_for"]))
    occurrence_id, recipients, claimed_at = (await session.execute(
        select(BulletinOccurrence.id, BulletinOccurrence.recipients,
               BulletinOccurrence.created_at).where(
            BulletinOccurrence.bulletin_id == bulletin_id,
            BulletinOccurrence.scheduled_for == at))).one()
    if inserted.rowcount == 1:
        return occurrence_id
    if recipients is not None or now - claimed_at < STALE_CLAIM:
        return None
    taken = await session.execute(  # guarded: of two schedulers taking over, one wins
        update(BulletinOccurrence).where(BulletinOccurrence.id == occurrence_id,
                                         BulletinOccurrence.created_at == claimed_at)
        .values(created_at=now))
    log.warning("bulletin %s@%s: finishing a fan-out that stopped half-way", bulletin_id,
                at.isoformat())
    return occurrence_id if taken.rowcount == 1 else None


async def unfinished(database: Database, pack: Pack, now: dt.datetime) -> list[Due]:
    """Occurrences whose fan-out stopped half-way (a crash), ready to be taken over."""
    async with database.read() as session:
        rows = (await session.execute(
            select(BulletinOccurrence.bulletin_id, BulletinOccurrence.scheduled_for)
            .where(BulletinOccurrence.recipients.is_(None),
                   BulletinOccurrence.created_at < now - STALE_CLAIM))).all()
    by_id = {bulletin.id: bulletin for bulletin in all_bulletins(pack)}
    return [Due(by_id[bulletin_id], at) for bulletin_id, at in rows if bulletin_id in by_id]


def content_of(pack: Pack, bulletin: Bulletin) -> tuple[str, tuple[Option, ...]]:
    if bulletin.text:
        return bulletin.text, ()
    article = pack.article_by_id[bulletin.article]
    return (f"📢 {article.title}\n\n{article.summary}",
            (Option(READ_MORE, f"news:art:{article.id}"),))
