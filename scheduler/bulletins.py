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
from content.holds import hold_reasons
from content.models import Audience as PackAudience
from content.models import Bulletin, Schedule
from content.pack import Pack, Window
from content.text import shorten
from db.base import rows_changed
from db.dialect import insert_for
from db.engine import Database
from db.models import BulletinOccurrence, BulletinPause
from delivery.fanout import Audience, audience_ids, fan_out
from handlers import texts
from handlers.campaign import effective_period, vietnamese_date
from messages.types import Option

log = logging.getLogger(__name__)

# A fan-out unfinished for this long was abandoned by a process that died.
STALE_CLAIM = dt.timedelta(minutes=2)
PAUSED = "tạm dừng"  # skipped_by of an occurrence that fell due while its bulletin was paused
READ_MORE = texts.BULLETIN_READ_MORE
# No message a resident receives without asking is longer (issue 16, item 5).
UNSOLICITED_LIMIT = 600


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
                    id=f"nhac-{event.id}"[:40], schedule=Schedule(at=(moment,)), audience=everyone,
                    text=texts.BULLETIN_ANNIVERSARY.format(date=vietnamese_date(event.start),
                                                           name=event.name)))
    if reminders.phase_starts:
        for window in pack.windows:
            for period in (window, *window.stages):
                if period.starts == dt.date.min:
                    continue
                implied.append(Bulletin(
                    id=f"bat-dau-{period.id}"[:40],
                    schedule=Schedule(phase_start=period.id, time=reminders.time),
                    audience=everyone, text=period_announcement(window, period)))
    return [*pack.bulletins, *implied]


def period_announcement(phase: Window, period: Window) -> str:
    """A phase's or stage's first day, as a sentence ("Từ hôm nay, 15/10/2025, chiến dịch
    bước vào giai đoạn trước khai mạc Đại hội XIV của Đợt II.")."""
    date = vietnamese_date(period.starts)
    if period is phase:
        title = f" ({lower_first(phase.title)})" if phase.title else ""
        sentence = texts.BULLETIN_PHASE_START.format(date=date, phase=phase.name, title=title)
    else:
        sentence = texts.BULLETIN_STAGE_START.format(date=date, stage=lower_first(period.name),
                                                     phase=phase.name)
    return f"{sentence}\n\n{texts.BULLETIN_PERIOD_HINT}"


def lower_first(text: str) -> str:
    """"Trước khai mạc Đại hội XIV" → "trước khai mạc Đại hội XIV" inside a sentence (a
    first word in capitals, such as "XIV", is left alone)."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]


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
    return await fire_together(database, pack, [due], now=now)


async def fire_together(database: Database, pack: Pack, dues: list[Due], *,
                        now: dt.datetime) -> int | None:
    """Fan out occurrences due in the same minute, each unless it already was, held or out
    of its phase: a resident in several audiences gets one message joining them. The
    number of residents reached, or None if nothing went out."""
    claimed: list[tuple[Due, int]] = []
    for due in dues:
        occurrence_id = await _ready(database, pack, due, now)
        if occurrence_id is not None:
            claimed.append((due, occurrence_id))
    if not claimed:
        return None
    audiences = [audience_of(due.bulletin) for due, _ in claimed]
    # Which bulletins go together, to whom: None is each audience as it is.
    combos: dict[tuple[int, ...], list[int] | None]
    if len(claimed) == 1:
        combos = {(0,): None}
    else:  # who is in which audiences: one message per resident
        members: dict[int, list[int]] = {}
        async with database.read() as session:
            for number, audience in enumerate(audiences):
                for user_id in await audience_ids(session, audience):
                    members.setdefault(user_id, []).append(number)
        together: dict[tuple[int, ...], list[int]] = {}
        for user_id, numbers in members.items():
            together.setdefault(tuple(numbers), []).append(user_id)
        combos = dict(together.items())
    reached = dict.fromkeys(range(len(claimed)), 0)
    total = 0
    for combo, only in combos.items():
        parts = [claimed[number] for number in combo]
        text, options = _merged(pack, [due.bulletin for due, _ in parts])
        batch = ("bulletin:" if len(parts) == 1 else "bulletins:") + "+".join(
            str(occurrence_id) for _, occurrence_id in parts)
        result = await fan_out(database, batch=batch, text=text, options=options, now=now,
                               audience=audiences[combo[0]] if only is None
                               else Audience(everyone=True), only=only)
        total += result.recipients
        for number in combo:
            reached[number] += result.recipients
        log.info("bulletin%s %s fanned out to %d residents (%d skipped)",
                 "s" if len(parts) > 1 else "", " + ".join(due.key for due, _ in parts),
                 result.recipients, result.skipped)
    async with database.transaction() as session:
        for number, (_, occurrence_id) in enumerate(claimed):
            await session.execute(update(BulletinOccurrence)
                                  .where(BulletinOccurrence.id == occurrence_id)
                                  .values(recipients=reached[number]))
    return total


async def _ready(database: Database, pack: Pack, due: Due, now: dt.datetime) -> int | None:
    """The occurrence's id if it is to go out now: in its phase or stage, nothing held
    (content.holds: placeholders, unconfirmed events, an article not yet true), and
    claimed by this scheduler."""
    bulletin = due.bulletin
    day = due.at.astimezone(pack.zone).date()
    async with database.transaction() as session:
        if bulletin.phase or bulletin.stage:
            period = await effective_period(session, pack, day)
            if (bulletin.phase and (period.phase is None or period.phase.id != bulletin.phase)) \
                    or (bulletin.stage and (period.stage is None
                                            or period.stage.id != bulletin.stage)):
                log.info("bulletin %s not sent: the campaign is in %s", due.key, period.label())
                return None
        if await session.get(BulletinPause, bulletin.id) is not None:
            await skip(session, bulletin.id, due.at, by=PAUSED, now=now)
            log.info("bulletin %s not sent: paused", due.key)
            return None
        held = hold_reasons(pack, bulletin, day)
        if held:
            log.warning("bulletin %s HELD, not sent: %s (see `loaso content check`)", due.key,
                        "; ".join(held))
            return None
        return await _claim(session, bulletin.id, due.at, now)


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
    return rows_changed(inserted) == 1


async def unskip(session: AsyncSession, bulletin_id: str, at: dt.datetime) -> bool:
    """Send a skipped occurrence after all (before its time); False if it was not skipped."""
    removed = await session.execute(
        delete(BulletinOccurrence).where(
            BulletinOccurrence.bulletin_id == bulletin_id, BulletinOccurrence.scheduled_for == at,
            BulletinOccurrence.skipped_by.is_not(None)))
    return rows_changed(removed) == 1


async def pause(session: AsyncSession, bulletin_id: str, *, by: str, now: dt.datetime) -> bool:
    inserted = await session.execute(
        insert_for(session, BulletinPause).values(bulletin_id=bulletin_id, paused_by=by[:100],
                                                  paused_at=now)
        .on_conflict_do_nothing(index_elements=["bulletin_id"]))
    return rows_changed(inserted) == 1


async def unpause(session: AsyncSession, bulletin_id: str) -> bool:
    removed = await session.execute(
        delete(BulletinPause).where(BulletinPause.bulletin_id == bulletin_id))
    return rows_changed(removed) == 1


async def _claim(session: AsyncSession, bulletin_id: str, at: dt.datetime, now: dt.datetime) -> int | None:
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
    if rows_changed(inserted) == 1:
        return occurrence_id
    if recipients is not None or now - claimed_at < STALE_CLAIM:
        return None
    taken = await session.execute(  # guarded: of two schedulers taking over, one wins
        update(BulletinOccurrence).where(BulletinOccurrence.id == occurrence_id,
                                         BulletinOccurrence.created_at == claimed_at)
        .values(created_at=now))
    log.warning("bulletin %s@%s: finishing a fan-out that stopped half-way", bulletin_id,
                at.isoformat())
    return occurrence_id if rows_changed(taken) == 1 else None


async def unfinished(database: Database, pack: Pack, now: dt.datetime) -> list[Due]:
    """Occurrences whose fan-out stopped half-way (a crash), ready to be taken over."""
    async with database.read() as session:
        rows = (await session.execute(
            select(BulletinOccurrence.bulletin_id, BulletinOccurrence.scheduled_for)
            .where(BulletinOccurrence.recipients.is_(None),
                   BulletinOccurrence.created_at < now - STALE_CLAIM))).all()
    by_id = {bulletin.id: bulletin for bulletin in all_bulletins(pack)}
    return [Due(by_id[bulletin_id], at) for bulletin_id, at in rows if bulletin_id in by_id]


def content_of(pack: Pack, bulletin: Bulletin,
               limit: int = UNSOLICITED_LIMIT) -> tuple[str, tuple[Option, ...]]:
    if bulletin.text:
        return shorten(bulletin.text, limit), ()
    assert bulletin.article is not None  # a bulletin has a text or an article (its validator)
    article = pack.article_by_id[bulletin.article]
    heading = f"📢 {article.title}\n\n"
    return (heading + shorten(article.summary, max(limit - len(heading), 40)),
            (Option(READ_MORE, f"news:art:{article.id}"),))


def _merged(pack: Pack, bulletins: list[Bulletin]) -> tuple[str, tuple[Option, ...]]:
    """One message for bulletins due together, within the length of an unsolicited message
    (each shortened at a word boundary; the articles stay one button away)."""
    separator = "\n\n"
    share = (UNSOLICITED_LIMIT - len(separator) * (len(bulletins) - 1)) // len(bulletins)
    parts = [content_of(pack, bulletin, share) for bulletin in bulletins]
    return (separator.join(text for text, _ in parts),
            tuple(option for _, options in parts for option in options))
