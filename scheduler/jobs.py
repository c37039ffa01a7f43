"""The timed jobs of one active worker, on APScheduler's AsyncIOScheduler.

Jobs only create outbox rows; the sender does the sending. Bulletin occurrences are planned
as date jobs a day ahead and re-planned every hour and on content reload, so the in-memory
job store never needs to survive a restart: on start, occurrences missed within the grace
window fire once, older ones are logged as skipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select

from content.pack import Pack
from db.engine import Database
from db.migrations import installed_at
from db.models import BulletinOccurrence
from scheduler.bulletins import Due, fire_together, occurrences, unfinished

log = logging.getLogger(__name__)

HORIZON = dt.timedelta(hours=26)  # planned ahead; re-planned hourly, so a day's gap is safe
LOOK_BACK = dt.timedelta(days=7)  # how far back a restart reports skipped occurrences
ANNOUNCEMENT_SECONDS = 15
CHANNEL_SECONDS = 30


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CampaignScheduler:
    def __init__(self, database: Database, pack: Callable[[], Pack], *, grace: dt.timedelta,
                 retention_days: int, wake_sender: Callable[[], None] = lambda: None,
                 clock: Callable[[], dt.datetime] = utcnow,
                 daily: dict[str, tuple[dt.time, Callable[[], Awaitable[Any]]]] | None = None,
                 telegram_channel_id: str | None = None,
                 ) -> None:
        self.database = database
        self.pack = pack
        self.grace = grace
        self.retention_days = retention_days
        self.wake_sender = wake_sender
        self.clock = clock
        self.daily = daily or {}  # more daily jobs from the service, e.g. the nightly backup
        self.telegram_channel_id = telegram_channel_id  # posts there too (channel_posts.py)
        self.scheduler: AsyncIOScheduler | None = None

    async def start(self) -> None:
        pack = self.pack()
        self.scheduler = AsyncIOScheduler(timezone=pack.zone)
        self.scheduler.add_job(self.plan, "interval", hours=1, id="plan")
        self.scheduler.add_job(self.release_announcements, "interval",
                               seconds=ANNOUNCEMENT_SECONDS, id="announcements",
                               max_instances=1, coalesce=True)
        self.scheduler.add_job(self.resume, "interval", minutes=1, id="resume",
                               max_instances=1, coalesce=True)
        self.scheduler.add_job(self.retention, CronTrigger(hour=2, minute=30, timezone=pack.zone),
                               id="retention", max_instances=1, coalesce=True,
                               misfire_grace_time=6 * 3600)
        self.scheduler.add_job(self.statistics, CronTrigger(hour=3, minute=15, timezone=pack.zone),
                               id="statistics", max_instances=1, coalesce=True,
                               misfire_grace_time=6 * 3600)
        if self.telegram_channel_id:
            self.scheduler.add_job(self.post_to_channel, "interval", seconds=CHANNEL_SECONDS,
                                   id="channel", max_instances=1, coalesce=True)
        for name, (at, job) in self.daily.items():
            self.scheduler.add_job(job, CronTrigger(hour=at.hour, minute=at.minute,
                                                    timezone=pack.zone),
                                   id=name, max_instances=1, coalesce=True,
                                   misfire_grace_time=6 * 3600)
        await self.statistics()
        await self.catch_up()
        self.plan()
        self.scheduler.start()
        log.info("scheduler started: %d bulletin occurrences planned", self.planned())

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def planned(self) -> int:
        return sum("@" in job.id for job in self.scheduler.get_jobs()) if self.scheduler else 0

    # -- bulletins -------------------------------------------------------------------------

    def plan(self) -> None:
        """(Re)create the date jobs of the next HORIZON from the current pack."""
        if self.scheduler is None:
            return
        now = self.clock()
        wanted = {due.key: due for due in occurrences(self.pack(), now, now + HORIZON)}
        for job in self.scheduler.get_jobs():
            if "@" in job.id and job.id not in wanted:
                job.remove()  # the pack changed: this bulletin or time is gone
        for key, due in wanted.items():
            self.scheduler.add_job(self.fire, DateTrigger(due.at), args=[due], id=key,
                                   replace_existing=True,
                                   misfire_grace_time=max(1, int(self.grace.total_seconds())))

    async def fire(self, due: Due) -> None:
        """Fire `due` with every other occurrence of its minute: a resident in several
        audiences gets one message (the others' jobs then find theirs already claimed)."""
        pack = self.pack()
        minute = due.at.replace(second=0, microsecond=0)
        together = [due, *(other for other in occurrences(pack, minute,
                                                          minute + dt.timedelta(minutes=1))
                           if other.key != due.key)]
        try:
            recipients = await fire_together(self.database, pack, together, now=self.clock())
        except Exception:
            log.exception("bulletin %s could not be fanned out", due.key)
            return
        if recipients:
            self.wake_sender()

    async def resume(self) -> None:
        """Finish fan-outs a dead process left half-way (fan-out is idempotent per batch)."""
        for due in await unfinished(self.database, self.pack(), self.clock()):
            await self.fire(due)

    async def catch_up(self) -> list[str]:
        """Fire what was missed within the grace window; log what is older and never sent."""
        now = self.clock()
        pack = self.pack()
        fired: list[str] = []
        # nothing due before the database existed was missed (a first start is not a restart)
        since = max(now - LOOK_BACK, await installed_at(self.database) or now - LOOK_BACK)
        missed = list(occurrences(pack, since, now))
        async with self.database.read() as session:
            done = {(bulletin_id, at) for bulletin_id, at in (await session.execute(
                select(BulletinOccurrence.bulletin_id, BulletinOccurrence.scheduled_for)
                .where(BulletinOccurrence.scheduled_for >= now - LOOK_BACK)
                .where(BulletinOccurrence.recipients.is_not(None)))).all()}
        for due in missed:
            if (due.bulletin.id, due.at) in done:
                continue
            if now - due.at <= self.grace:
                log.info("bulletin %s was missed while stopped: sending it now", due.key)
                await self.fire(due)
                fired.append(due.key)
            else:
                log.warning("bulletin %s was missed while stopped and is older than the "
                            "grace window: skipped", due.key)
        return fired

    # -- other timed work ------------------------------------------------------------------

    async def release_announcements(self) -> None:
        try:
            from delivery.announcements import finish_sent, release_due
        except ImportError:  # roles and announcements not installed in this build
            return
        try:
            released = await release_due(self.database, self.pack(), now=self.clock())
            await finish_sent(self.database)
        except Exception:
            log.exception("announcements could not be released")
            return
        if released:
            self.wake_sender()

    async def post_to_channel(self) -> None:
        """Bulletins and announcements for everyone, once each, to the commune's channel."""
        from scheduler.channel_posts import post_new

        if self.telegram_channel_id is None:  # scheduled only when set
            return
        try:
            queued = await post_new(self.database, self.pack(), self.telegram_channel_id,
                                    now=self.clock())
        except Exception:
            log.exception("posts for the Telegram channel could not be queued")
            return
        if queued:
            self.wake_sender()

    async def statistics(self) -> None:
        """The planner's statistics, at start and daily (db/maintenance.py says why)."""
        from db.maintenance import refresh_statistics

        try:
            await refresh_statistics(self.database)
        except Exception:
            log.exception("refreshing the database statistics failed")

    async def retention(self) -> dict[str, Any] | None:
        try:
            from scheduler.retention import apply_retention
        except ImportError:
            return None
        try:
            counts = await apply_retention(self.database, self.pack(), now=self.clock(),
                                           days=self.retention_days)
        except Exception:
            log.exception("retention job failed")
            return None
        log.info("retention: %s", counts)
        return counts


class BackupSettings(Protocol):
    """What the nightly backup reads of the process settings (bot.settings sits above the
    scheduler, so it is named by shape rather than imported)."""

    @property
    def database_url(self) -> str: ...
    @property
    def backup_dir(self) -> Path | None: ...
    @property
    def backup_keep(self) -> int: ...
    @property
    def backup_time(self) -> str: ...


def nightly_backup(settings: BackupSettings) -> dict[str, tuple[dt.time, Callable[[], Awaitable[Any]]]]:
    """The nightly backup as a daily job, when LOASO_BACKUP_DIR is set (db/backup.py)."""
    folder = settings.backup_dir
    if folder is None:
        return {}
    from db import backup

    async def run() -> None:
        try:
            made = await asyncio.to_thread(backup.nightly, settings.database_url,
                                           folder, settings.backup_keep, utcnow())
        except Exception as error:  # BackupError, OSError: logged, tried again tomorrow
            log.error("nightly backup failed: %s", error)
            return
        log.info("nightly backup written: %s (%d bytes)", made.path, made.size)

    hour, minute = (int(part) for part in settings.backup_time.split(":"))
    return {"backup": (dt.time(hour, minute), run)}
