"""Assemble one process: database, channels, limiters, sender, inbound processor."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from bot import runfiles
from bot.channels.base import Channel
from bot.channels.polling import PollHealth
from bot.channels.registry import ChannelCatalogue, declared
from bot.metrics import Metrics
from bot.outputs import daily_bulletin
from bot.pipeline import InboundProcessor, utcnow
from bot.settings import Settings
from content.store import ContentStore
from db import content_edits, migrations
from db.comments import use_pseudonym_key
from db.engine import Database
from db.listening_models import CampaignReport
from delivery.journal import SentJournal
from delivery.ratelimit import ChannelLimiter
from delivery.sender import OutboxSender, SenderPolicy
from handlers.flows import build_router
from scheduler.jobs import CampaignScheduler, nightly_backup
from scheduler.leader import Leadership, LeadershipLost

log = logging.getLogger(__name__)
# /healthz reports a channel whose sends have all failed for longer than this.
SEND_FAILING_AFTER = timedelta(minutes=2)


class NotMigrated(Exception):
    """The database schema is not at the newest migration."""


@cache
def freeze_start_up_heap() -> None:
    """Keep what importing created out of the cyclic GC's every full collection.

    Every channel module is imported at start-up (their settings join one Settings object),
    so a process carries the platform libraries of all channels, on or off: about a third
    more objects for each full collection to traverse. They live as long as the process;
    once frozen the collector skips them. Once per process (tests build many services).
    """
    gc.collect()
    gc.freeze()


class Service:
    def __init__(self, settings: Settings, *, channels: dict[str, Channel] | None = None,
                 catalogue: ChannelCatalogue | None = None,
                 clock: Callable[[], datetime] = utcnow, as_of: datetime | None = None) -> None:
        freeze_start_up_heap()
        self.settings = settings
        use_pseudonym_key(settings.external_pseudonym_key())
        self.metrics = Metrics()
        self.catalogue = declared() if catalogue is None else catalogue
        self.database = Database(settings.database_url)
        self.channels = (self.catalogue.build(settings, self.database) if channels is None
                         else channels)
        # A channel no module declares has no rate-limit policy: start-up stops here
        # (ChannelNotDeclared) rather than letting it send unlimited.
        self.limiters = {name: self._limiter(name) for name in self.channels}
        self.sender = OutboxSender(
            self.database, self.channels, self.limiters, self.metrics,
            SenderPolicy(max_attempts=settings.send_max_attempts,
                         retry_replies=timedelta(hours=settings.send_retry_reply_hours),
                         retry_bulk=timedelta(hours=settings.send_retry_bulk_hours),
                         concurrency=settings.send_concurrency,
                         lease=timedelta(seconds=settings.outbox_lease_seconds),
                         poll_seconds=settings.sender_poll_seconds),
            clock=clock, journal=SentJournal(settings.run_dir / "journal"))
        self.content = ContentStore.open(settings.content_path)
        self.processor = InboundProcessor(self.database, self.channels, build_router(), self.metrics,
                                          sender=self.sender, clock=clock,
                                          as_of=as_of, zone=settings.zone,
                                          content=lambda: self.content.current,
                                          settings=settings)
        self.scheduler = CampaignScheduler(
            self.database, lambda: self.content.current.pack,
            grace=timedelta(minutes=settings.bulletin_grace_minutes),
            retention_days=settings.retention_days, wake_sender=self.sender.wake, clock=clock,
            daily={**nightly_backup(settings),
                   **daily_bulletin.daily_job(settings, self.database,
                                              lambda: self.content.current),
                   "campaign-reports": (self.content.current.pack.campaign.reports.time,
                                        self.send_campaign_reports)},
            telegram_channel_id=(settings.telegram_channel_id
                                 if getattr(settings, "telegram_enabled", False) else None))
        # One health per channel whose settings ask it to poll; "off" until this process
        # is the active worker and its loop runs (a `serve --no-sender` never polls).
        self.polling = {name: PollHealth() for name in self.channels
                        if self.catalogue.polls(name, settings)}
        self.leadership = Leadership(self.database)
        self.role = "off"  # off (this process does not send), standby, active
        self._tasks: list[asyncio.Task[None]] = []
        self._reloads: set[asyncio.Task[bool]] = set()
        self._reloading = asyncio.Lock()
        self._pid_file: Path | None = None

    def _limiter(self, channel: str) -> ChannelLimiter:
        limit = self.catalogue.limits(channel, self.settings)
        return ChannelLimiter(rate=limit.rate, chat_rate=limit.chat_rate,
                              chat_burst=limit.chat_burst)

    async def check_migrated(self) -> None:
        current = await migrations.current_revision(self.database)
        if current != migrations.head_revision():
            raise NotMigrated(current)

    async def reload_content(self) -> bool:
        """Swap in the pack on disk with the console's edits (db/content_edits.py) if valid
        (file reads and checks off the event loop). One at a time, so an older overlay never
        replaces a newer one."""
        async with self._reloading:
            async with self.database.read() as session:
                overlay = await content_edits.overlay(session)
            report = await asyncio.to_thread(self.content.reload, overlay)
        if report.ok:
            self.scheduler.plan()
        return report.ok

    async def send_campaign_reports(self, now: datetime | None = None) -> list[CampaignReport]:
        """The campaign reports the pack's schedule makes due today (bot.reports.scheduled):
        written, kept for download and queued to staff and admin chat accounts."""
        from bot.reports.scheduled import run_due

        try:
            written = await run_due(self.database, self.content.current.pack, self.settings,
                                    now or datetime.now(UTC))
        except Exception:
            log.exception("could not write the scheduled campaign report")
            return []
        if written:
            self.sender.wake()
        return written

    async def refresh_corrections(self) -> bool:
        """Show the corrections staff published since the last look (issue 17): they live in
        the database, laid over the pack; True if the content changed."""
        from db.inquiries import published_corrections

        async with self.database.read() as session:
            corrections = await published_corrections(session, self.settings.zone)
        return self.content.set_corrections(corrections)
    async def load_overlay(self) -> None:
        """At start-up: lay the console's saved edits over the pack, if there are any."""
        async with self.database.read() as session:
            edited = await content_edits.current_paths(session)
        if edited and not await self.reload_content():
            log.error("the console's content edits do not fit the pack on disk; serving the "
                      "pack without them until they are fixed (loaso content check)")

    def announce(self, role: str) -> None:
        """Leave a pid file and reload the content pack on SIGHUP (`loaso content reload`)."""
        self._pid_file = runfiles.register(self.settings.run_dir, role)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self._on_reload_signal)

    def _on_reload_signal(self) -> None:
        task = asyncio.ensure_future(self.reload_content())
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def watch_phase(self, every: float = 60.0) -> None:
        """Log each change of the campaign's phase or stage (by date or by staff's pin), and
        lay newly published corrections over the pack."""
        from handlers.campaign import effective_period

        shown = None
        while True:
            try:
                day = datetime.now(self.settings.zone).date()
                async with self.database.read() as session:
                    period = await effective_period(session, self.content.current.pack, day)
                await self.refresh_corrections()
                if period.label() != shown:
                    log.info("campaign period is now %s (was %s)", period.label(), shown or "-")
                    shown = period.label()
            except Exception:
                log.exception("could not work out the campaign period")
            await asyncio.sleep(every)

    def start_background(self, *, sender: bool = True) -> None:
        self._tasks.append(asyncio.create_task(self.watch_phase(), name="phase-watch"))
        if sender:
            self.role = "standby"
            self._tasks.append(asyncio.create_task(self._run_active(), name="active"))

    def _start_polling(self) -> None:
        """Platforms hand each update to one poller only (two get 409 from Telegram), so
        only the active worker polls, never a `serve --no-sender`. A channel polls when its
        settings ask for it (its ChannelSpec.polling)."""
        for name, health in self.polling.items():
            polling = self.catalogue.get(name).polling
            assert polling is not None  # self.polling holds only the channels that poll
            self._tasks.append(asyncio.create_task(
                polling.run(self.channels[name], self.processor, health), name=f"{name}-poll"))

    async def _run_active(self) -> None:
        """While this process is the active worker: the sender, the timed jobs, polling.

        Losing the lock (a database blip drops its connection) stops only these duties:
        another worker may take over, and two senders would share the bot's rate limit
        badly. The process itself stays up (webhooks answer 503 until the database is
        back) and takes the duties up again once it wins the lock back.
        """
        while True:
            await self.leadership.acquire()
            self.role = "active"
            duties = self._start_duties()
            try:
                await self.leadership.watch()
            except LeadershipLost as lost:
                log.error("lost the active-worker lock (%s): sender, scheduler and polling "
                          "stop until it is won back", lost)
            self.role = "standby"
            await self._stop_duties(duties)

    def _start_duties(self) -> list[asyncio.Task[None]]:
        duties = [asyncio.create_task(self.sender.run(), name="sender")]
        before = len(self._tasks)
        self._start_polling()
        duties += self._tasks[before:]
        del self._tasks[before:]
        duties.append(asyncio.create_task(self._start_scheduler(), name="scheduler-start"))
        self._tasks += duties
        return duties

    async def _start_scheduler(self) -> None:
        """The scheduler's start reads the database (catch-up): retried through a blip."""
        while True:
            try:
                await self.scheduler.start()
                return
            except Exception as error:
                log.warning("scheduler could not start (%s); retrying", type(error).__name__)
                await self.scheduler.stop()
                await asyncio.sleep(self.settings.sender_poll_seconds * 5)

    async def _stop_duties(self, duties: list[asyncio.Task[None]]) -> None:
        await self.scheduler.stop()
        await self.sender.stop()
        for task in duties:
            if task.get_name() != "sender":
                task.cancel()
        await asyncio.wait(duties, timeout=15)
        self._tasks = [task for task in self._tasks if task not in duties]

    @property
    def sender_running(self) -> bool:
        return any(task.get_name() == "sender" and not task.done() for task in self._tasks)

    @property
    def sender_health(self) -> str:
        """For /healthz: ok, standby (another worker is active), or stopped."""
        active = next((task for task in self._tasks if task.get_name() == "active"), None)
        if active is None or active.done() and self.role != "active":
            return "stopped"
        if self.role == "standby":
            return "standby"
        return "ok" if self.sender_running else "stopped"

    def failing_channels(self) -> dict[str, str]:
        """For /healthz: channels whose every send has failed for longer than
        SEND_FAILING_AFTER, with the last reason (a sender alive does not mean residents
        are answered)."""
        now = self.sender.clock()
        return {name: health.last_reason
                for name, health in self.sender.channel_health.items()
                if health.failing_for(now) > SEND_FAILING_AFTER}

    async def close(self) -> None:
        if self._pid_file is not None:
            runfiles.unregister(self._pid_file)
        await self.scheduler.stop()
        await self.sender.stop()
        for task in self._tasks:
            if task.get_name() != "sender":
                task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=15)
        for channel in self.channels.values():
            await channel.close()
        await self.leadership.release()
        await self.database.dispose()
