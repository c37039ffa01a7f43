"""Assemble one process: database, channels, limiters, sender, inbound processor."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache

from bot import runfiles
from bot.channels.base import Channel
from bot.channels.registry import ChannelCatalogue, declared
from bot.metrics import Metrics
from bot.pipeline import InboundProcessor, utcnow
from bot.settings import Settings
from content.store import ContentStore
from db import migrations
from db.engine import Database
from delivery.ratelimit import ChannelLimiter
from delivery.sender import OutboxSender, SenderPolicy
from handlers.flows import build_router
from scheduler.jobs import CampaignScheduler, nightly_backup
from scheduler.leader import Leadership, LeadershipLost

log = logging.getLogger(__name__)


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
                         concurrency=settings.send_concurrency,
                         lease=timedelta(seconds=settings.outbox_lease_seconds),
                         poll_seconds=settings.sender_poll_seconds),
            clock=clock)
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
                   "campaign-reports": (self.content.current.pack.campaign.reports.time,
                                        self.send_campaign_reports)})
        self.leadership = Leadership(self.database)
        self.role = "off"  # off (this process does not send), standby, active
        self._tasks: list[asyncio.Task] = []
        self._reloads: set[asyncio.Task] = set()
        self._pid_file = None

    def _limiter(self, channel: str) -> ChannelLimiter:
        limit = self.catalogue.limits(channel, self.settings)
        return ChannelLimiter(rate=limit.rate, chat_rate=limit.chat_rate,
                              chat_burst=limit.chat_burst)

    async def check_migrated(self) -> None:
        current = await migrations.current_revision(self.database)
        if current != migrations.head_revision():
            raise NotMigrated(current)

    async def reload_content(self) -> bool:
        """Swap in the pack on disk if valid (file reads off the event loop)."""
        report = await asyncio.to_thread(self.content.reload)
        if report.ok:
            self.scheduler.plan()
        return report.ok

    async def send_campaign_reports(self, now: datetime | None = None) -> list:
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
        else:
            self._start_polling()

    def _start_polling(self) -> None:
        """Platforms hand each update to one poller only: polling belongs to one process.
        A channel polls when its settings ask for it (its ChannelSpec.polling)."""
        for name, channel in self.channels.items():
            polling = self.catalogue.get(name).polling
            if polling is not None and polling.wanted(self.settings):
                self._tasks.append(asyncio.create_task(
                    polling.run(channel, self.processor), name=f"{name}-poll"))

    async def _run_active(self) -> None:
        """Once this process is the active worker: the sender, the timed jobs, polling."""
        await self.leadership.acquire()
        self.role = "active"
        self._tasks.append(asyncio.create_task(self.sender.run(), name="sender"))
        self._start_polling()
        await self.scheduler.start()
        try:
            await self.leadership.watch()
        except LeadershipLost as lost:
            # Another worker may take over now; two senders would share the bot's rate
            # limit badly, so stop at once and let the supervisor restart us as a standby.
            log.critical("lost the active-worker lock (%s): stopping sender and scheduler", lost)
            self.role = "off"
            await self.scheduler.stop()
            await self.sender.stop()
            signal.raise_signal(signal.SIGTERM)

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
