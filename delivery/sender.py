"""The outbox sender: claim due rows, respect the platforms' limits, send, record outcomes.

Loop shape: one transaction writes the outcomes of finished sends *and* claims the next
rows; no transaction is open while a platform call is in flight. During a broadcast the
sender tops up its window when a quarter of it is free (not after every send), so outcomes
are written a batch at a time; a reply wakes it at once. Replies outrank bulk twice: the
claim orders by priority, and the rate limiter gives its next slot to a reply before any
bulk message already waiting. A row whose lease expires (the process died mid-send) is
handed back by the sweeper, which is the only way a message can go twice; a live sender
never sends a row it has held for more than half its lease.

One chat's messages reach the platform in the order they were started (a turn's greeting
before the notice after it): each waits for the send before it in that chat to be over,
while different chats go in parallel. The wait comes after the chat's own pacing (taken
in start order, so a message due too far ahead is still put back at once) and before the
shared rate limiter, so a waiting message holds no slot of the bot's limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Channel, SendError, SendResult
from bot.metrics import Metrics
from db import outbox as outbox_queries
from db import residents
from db.engine import Database
from db.models import OutboxStatus, Priority
from delivery import journal as sent_journal
from delivery.journal import SentJournal
from delivery.ratelimit import ChannelLimiter

log = logging.getLogger(__name__)

# Put a message back in the queue rather than hold a sending slot longer than this.
MAX_INLINE_WAIT = 1.0
# Outcomes of a trickle of sends are written together after at most this long: a row stays
# "sending" a little longer, and the database sees one transaction instead of one per reply.
OUTCOME_DELAY = 0.2


def _set_done(future: asyncio.Future[None], _: object = None) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(frozen=True)
class SenderPolicy:
    # Only for rows whose sender died mid-send this many times (the sweeper): transient and
    # configuration errors are retried for a time (below), not a count.
    max_attempts: int = 5
    # A platform outage lasting less than these loses nothing: a reply is worth sending
    # for an hour, a bulletin or announcement for a day.
    retry_replies: timedelta = timedelta(hours=1)
    retry_bulk: timedelta = timedelta(hours=24)
    max_backoff: float = 300.0
    concurrency: int = 64
    lease: timedelta = timedelta(seconds=60)
    poll_seconds: float = 1.0
    sweep_seconds: float = 15.0
    backoff_base: float = 1.0
    config_retry_seconds: float = 60.0

    @property
    def refill(self) -> int:
        """Free slots worth a claim while bulk is flowing."""
        return max(1, self.concurrency // 4)

    @property
    def sweep_every(self) -> float:
        """Often enough that a dead sender's rows come back within 1.5 leases."""
        return min(self.sweep_seconds, self.lease.total_seconds() / 2)

    def backoff(self, attempts: int) -> float:
        """2, 4, 8… seconds, capped (five minutes), with jitter so retries do not align."""
        exponent = min(attempts, 30)  # past the cap anyway; 2.0 ** 2000 would overflow
        return min(self.max_backoff, self.backoff_base * 2.0 ** exponent) * random.uniform(
            0.8, 1.2)

    def retry_window(self, priority: int) -> timedelta:
        return self.retry_replies if priority >= Priority.REPLY else self.retry_bulk


@dataclass
class ChannelHealth:
    """What this sender saw of one channel's sends, for /healthz: a channel whose every send
    has failed for a while is reported, even though the sender itself is alive."""

    last_ok: datetime | None = None
    failing_since: datetime | None = None  # first failure after the last success
    last_reason: str = ""

    def succeeded(self, now: datetime) -> None:
        self.last_ok, self.failing_since, self.last_reason = now, None, ""

    def failed(self, now: datetime, reason: str) -> None:
        if self.failing_since is None:
            self.failing_since = now
        self.last_reason = reason

    def failing_for(self, now: datetime) -> timedelta:
        return now - self.failing_since if self.failing_since else timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    def __init__(self, database: Database, channels: dict[str, Channel],
                 limiters: dict[str, ChannelLimiter], metrics: Metrics,
                 policy: SenderPolicy = SenderPolicy(),
                 clock: Callable[[], datetime] = utcnow,
                 journal: SentJournal | None = None) -> None:
        self.database = database
        self.channels = channels
        self.limiters = limiters
        self.metrics = metrics
        self.policy = policy
        self.clock = clock
        # Acceptances noted on disk until their outcome is committed (delivery/journal.py).
        self.journal = journal
        self._unrecorded: dict[int, str | None] = {}
        self._wakeup = asyncio.Event()
        self._wanted = False  # a reply was queued: claim as soon as one slot is free
        self._due = True  # rows may be due: something was queued, time passed, or a backlog
        self._stopping = False
        self._running = False
        self._inflight: set[asyncio.Task[None]] = set()
        # per chat, done when the last message started for it (and all before) is over
        self._chat_tails: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._outcomes: list[dict[str, Any]] = []
        self._stopped_recipients: list[tuple[str, str, str]] = []
        self._last_sweep = 0.0
        self._last_claim = 0.0
        self._flush_timer: asyncio.TimerHandle | None = None
        self._asked = 0  # slots the last claim tried to fill
        self._down_since: datetime | None = None  # the database failed a transaction
        self.heartbeat: datetime | None = None  # last loop turn, for /healthz
        self.channel_health = {name: ChannelHealth() for name in channels}

    def wake(self) -> None:
        """Look for due rows now (called right after a commit that queued replies)."""
        self._wanted = self._due = True
        self._wakeup.set()

    # -- loop ------------------------------------------------------------------------------

    @property
    def takes_rows(self) -> bool:
        """True while this sender's loop runs: replies may be handed over already claimed."""
        return self._running and not self._stopping

    def take(self, rows: list[outbox_queries.Claimed], claimed_at: float) -> None:
        """Send rows that their own transaction claimed for us (replies, see enqueue): no
        claim statement, and no wait for the loop. `claimed_at` is the event loop's time."""
        if self._stopping:  # too late to start sending: back to the queue, untouched
            for row in rows:
                self._requeue(row, delay=0, reason=None)
            return
        self._start(rows, claimed_at)

    async def run(self) -> None:
        log.info("sender started for %s", ", ".join(self.channels) or "no channels")
        self._stopping = False  # started again after the active-worker lock was won back
        self._running = True
        try:
            await self._loop()
        finally:
            self._running = False

    async def _loop(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            if self._free() > 0:
                self._wanted = False  # this step claims whatever woke us
            try:
                claimed = await self._step()
            except Exception as error:  # the database is away: keep what is unwritten
                self._database_down(error)
                await asyncio.sleep(self.policy.poll_seconds)
                continue
            if self._down_since is not None:
                log.warning("sender: database reachable again")
                self._down_since = None
            if claimed and claimed == self._asked:
                continue  # the window is full or more rows may be due
            try:
                await asyncio.wait_for(self._wakeup.wait(), self.policy.poll_seconds)
            except TimeoutError:
                self._due = True  # retries and scheduled rows come due with time
        await self._finish()

    async def stop(self) -> None:
        self._stopping = True
        self.wake()

    async def drain(self, recipient: str | None = None) -> None:
        """Send everything due now (to one recipient, if given) and return once it is recorded.

        For the terminal chat and tests, where no background loop runs.
        """
        while True:
            claimed = await self._step(recipient, claim=True)
            if not claimed and not self._inflight:
                break
            if not claimed:
                await asyncio.wait(self._inflight, return_when=asyncio.FIRST_COMPLETED)
        await self._flush_outcomes()

    def _database_down(self, error: Exception) -> None:
        """A transaction failed: log it once per outage. Outcomes it was writing were put
        back (see _writing), and acceptances stay in the sent journal either way."""
        if self._down_since is None:
            self._down_since = self.clock()
            log.warning("sender: database unavailable (%s); retrying", type(error).__name__)

    async def _finish(self) -> None:
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)
        try:
            await self._flush_outcomes()
        except Exception as error:  # stopping during an outage: the journal has the sends
            self._database_down(error)
        if self.journal is not None and not self._unrecorded:
            self.journal.close()
        log.info("sender stopped")

    def _free(self) -> int:
        return self.policy.concurrency - len(self._inflight)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        free = self._free()
        if self._due and (free >= self.policy.refill or (self._wanted and free > 0)):
            self._wakeup.set()
        elif len(self._outcomes) >= self.policy.refill:
            self._wakeup.set()  # only outcomes to write: a batch is ready
        elif (self._outcomes or self._stopped_recipients) and self._flush_timer is None:
            self._flush_timer = asyncio.get_running_loop().call_later(
                OUTCOME_DELAY, self._flush_soon)

    def _flush_soon(self) -> None:
        self._flush_timer = None
        self._wakeup.set()

    async def _step(self, recipient: str | None = None, *, claim: bool = False) -> int:
        """Record finished sends, sweep if it is time, and start sending newly claimed rows.

        Claims only when rows may be due (or `claim`): a wake-up that only has outcomes to
        write does not look for work, since most of them follow a reply that was just sent.
        """
        now = self.clock()
        self.heartbeat = now
        started = asyncio.get_running_loop().time()  # the lease runs from about now
        free = self._free()
        self._asked = 0
        # Rows queued by another process (a CLI fan-out, a webhook-only process) wake no one
        # here: look at least once a poll interval, however busy the loop is otherwise.
        since_claim = asyncio.get_running_loop().time() - self._last_claim
        claim = free > 0 and not self._stopping and (
            claim or self._due or since_claim >= self.policy.poll_seconds)
        sweep = asyncio.get_running_loop().time() - self._last_sweep >= self.policy.sweep_every
        if not (claim or sweep or self._outcomes or self._stopped_recipients):
            return 0
        async with self._writing() as session:
            written = await self._write_outcomes(session)
            orphaned = []
            if sweep:
                self._last_sweep = asyncio.get_running_loop().time()
                orphaned = await self._recover_journals(session, now)
                released = await outbox_queries.release_expired_leases(
                    session, now=now, max_attempts=self.policy.max_attempts)
                if released:
                    log.warning("returned %d outbox rows whose lease expired", released)
                # /metrics reads these gauges: one count per sweep, not one per scrape
                for status, count in (await outbox_queries.count_by_status(session)).items():
                    self.metrics.outbox_depth.labels(status).set(count)
            claimed = []
            if claim:
                self._asked, self._due = free, False  # a wake-up meanwhile sets it again
                self._last_claim = asyncio.get_running_loop().time()
                claimed = await outbox_queries.claim(
                    session, channels=list(self.channels), limit=free, now=now,
                    lease=self.policy.lease, recipient=recipient)
                if len(claimed) == free:
                    self._due = True  # a backlog: more rows are waiting
        self._committed(written)
        for path in orphaned:
            path.unlink(missing_ok=True)
        self._start(claimed, started)
        return len(claimed)

    def _start(self, rows: list[outbox_queries.Claimed], claimed_at: float) -> None:
        loop = asyncio.get_running_loop()
        for row in sorted(rows, key=lambda row: (-row.priority, row.id)):
            key = (row.channel, row.recipient)
            before = self._chat_tails.get(key)
            over: asyncio.Future[None] = loop.create_future()
            self._chat_tails[key] = over
            over.add_done_callback(functools.partial(self._forget_tail, key))
            task = asyncio.create_task(self._send(row, claimed_at, before, over))
            self._inflight.add(task)
            task.add_done_callback(self._done)

    def _forget_tail(self, key: tuple[str, str], over: asyncio.Future[None]) -> None:
        if self._chat_tails.get(key) is over:
            del self._chat_tails[key]

    async def _flush_outcomes(self) -> None:
        if self._outcomes or self._stopped_recipients:
            async with self._writing() as session:
                written = await self._write_outcomes(session)
            self._committed(written)

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """A transaction that writes outcomes: if it fails, they go back to be written by
        the next one, ahead of any gathered meanwhile."""
        outcomes, stopped = self._outcomes, self._stopped_recipients
        try:
            async with self.database.transaction() as session:
                yield session
        except BaseException:
            if self._outcomes is not outcomes:
                self._outcomes = outcomes + self._outcomes
            if self._stopped_recipients is not stopped:
                self._stopped_recipients = stopped + self._stopped_recipients
            raise

    async def _write_outcomes(self, session: AsyncSession) -> list[int]:
        """Write the outcomes gathered so far; the ids of those that were acceptances."""
        outcomes, self._outcomes = self._outcomes, []
        stopped, self._stopped_recipients = self._stopped_recipients, []
        if outcomes:
            await outbox_queries.apply_updates(session, outcomes)
        for channel, address, reason in stopped:
            await residents.stop_recipient(session, channel=channel, address=address,
                                           reason=reason)
        return [outcome["id"] for outcome in outcomes if outcome["status"] == OutboxStatus.SENT]

    def _committed(self, written: list[int]) -> None:
        """Right after a commit (no other task has run since): the journal keeps only the
        acceptances still unwritten. If the transaction failed this is never called, and the
        journal keeps them for the sweeper."""
        if self.journal is None or not written:
            return
        for row_id in written:
            self._unrecorded.pop(row_id, None)
        self.journal.committed(self._unrecorded)

    async def _recover_journals(self, session: AsyncSession, now: datetime) -> list[Any]:
        """Rows a sender saw accepted but died before recording: sent, not to be returned.
        Returns the dead processes' journals, to remove once this is committed."""
        if self.journal is None:
            return []
        accepted, orphaned = sent_journal.read_all(self.journal.directory)
        if accepted:
            recovered = await outbox_queries.mark_accepted(session, accepted, now=now)
            if recovered:
                log.warning("recorded %d sends accepted by the platform before a crash "
                            "(from the sent journal); they are not sent again", recovered)
        return orphaned

    # -- one message -----------------------------------------------------------------------

    async def _send(self, row: outbox_queries.Claimed, claimed_at: float,
                    before: asyncio.Future[None] | None, over: asyncio.Future[None]) -> None:
        """Send one row; `over` is done once it and the chat's messages before it are."""
        try:
            await self._send_row(row, claimed_at, before)
        finally:
            if before is None or before.done():
                over.set_result(None)
            else:  # put back or failed early: the chat's next still waits for the one before
                before.add_done_callback(functools.partial(_set_done, over))

    async def _send_row(self, row: outbox_queries.Claimed, claimed_at: float,
                        before: asyncio.Future[None] | None) -> None:
        # Outcomes ride along with the next claim (or the next poll), so a busy sender
        # writes them in batches instead of one transaction per message.
        # button acks are not messages; an edit counts as one (Telegram limits both)
        limited = row.payload.get("type") in ("message", "edit")
        if limited and not await self._wait_chat(row):
            return
        if before is not None and not before.done():
            await asyncio.wait([before])  # the chat's message before this one goes first
        limiter = self.limiters[row.channel]
        # Waits out any 429 pause too; the next free slot goes to a reply before bulk.
        async with (limiter.slot(urgent=row.priority > Priority.BULK) if limited
                    else contextlib.nullcontext()):
            held = asyncio.get_running_loop().time() - claimed_at
            if held > self.policy.lease.total_seconds() / 2:
                # The sweeper may hand this row to a sender soon (even to us): do not race.
                self._requeue(row, delay=0, reason=None)
                return
            try:
                result = await self.channels[row.channel].send(row.recipient, row.payload)
            except Exception as error:  # an adapter bug must not kill the sender
                log.exception("channel %s raised while sending outbox row %d", row.channel,
                              row.id)
                result = SendResult(SendError.TRANSIENT, reason=f"{type(error).__name__}")
        self._record(row, result)

    async def _wait_chat(self, row: outbox_queries.Claimed) -> bool:
        """Wait for the chat's slot; False if the row was put back instead."""
        limiter = self.limiters[row.channel]
        chat_wait = limiter.chat_delay(row.recipient)
        paused = limiter.pause_remaining()
        if chat_wait > MAX_INLINE_WAIT or paused > MAX_INLINE_WAIT:
            # Do not hold a sending slot (and the row's lease) through a long wait.
            limiter.release_chat(row.recipient)
            self._requeue(row, delay=max(chat_wait, paused), reason=None)
            return False
        if chat_wait > 0:
            await asyncio.sleep(chat_wait)
        return True

    def _record(self, row: outbox_queries.Claimed, result: SendResult) -> None:
        now = self.clock()
        health = self.channel_health.setdefault(row.channel, ChannelHealth())
        if result.ok:
            if self.journal is not None:  # first, before anything else can go wrong
                self.journal.accepted(row.id, result.platform_message_id)
                self._unrecorded[row.id] = result.platform_message_id
            health.succeeded(now)
            self.metrics.sent.labels(row.channel).inc()
            self._outcomes.append({"id": row.id, "status": OutboxStatus.SENT, "sent_at": now,
                                   "platform_message_id": result.platform_message_id,
                                   "lease_until": None, "error_class": None, "error": None})
            return
        error = result.error
        self.metrics.send_errors.labels(row.channel, result.error_class).inc()
        log.warning("send failed: outbox row %d on %s, attempt %d, %s: %s", row.id,
                    row.channel, row.attempts, result.error_class, result.reason)
        if error == SendError.THROTTLED:
            retry_after = result.retry_after or 1.0
            self.limiters[row.channel].pause(retry_after)
            self._requeue(row, delay=retry_after, reason=result)
        elif error == SendError.STOPPED:
            self._stopped_recipients.append((row.channel, row.recipient, result.reason))
            self._finalize(row, OutboxStatus.STOPPED, result)
        elif error in (SendError.TRANSIENT, SendError.CONFIG):
            health.failed(now, f"{error.value}: {result.reason}"[:200])
            queued_at = row.created_at or now
            if now - queued_at >= self.policy.retry_window(row.priority):
                self._finalize(row, OutboxStatus.FAILED, result)
            else:
                delay = (self.policy.config_retry_seconds if error == SendError.CONFIG
                         else self.policy.backoff(row.attempts))
                self._retry(row, delay=delay, result=result)
        else:
            self._finalize(row, OutboxStatus.FAILED, result)

    def _finalize(self, row: outbox_queries.Claimed, status: OutboxStatus, result: SendResult) -> None:
        if status == OutboxStatus.FAILED:
            self.metrics.send_failures.labels(row.channel, result.error_class).inc()
        self._outcomes.append({"id": row.id, "status": status, "lease_until": None,
                               "error_class": result.error_class, "error": result.reason[:2000]})

    def _retry(self, row: outbox_queries.Claimed, *, delay: float, result: SendResult) -> None:
        self._outcomes.append({
            "id": row.id, "status": OutboxStatus.QUEUED, "lease_until": None,
            "next_attempt_at": self.clock() + timedelta(seconds=delay),
            "error_class": result.error_class, "error": result.reason[:2000]})

    def _requeue(self, row: outbox_queries.Claimed, *, delay: float, reason: SendResult | None) -> None:
        """Put back without spending an attempt: waiting for a rate limit is not a failure."""
        change = {"id": row.id, "status": OutboxStatus.QUEUED, "lease_until": None,
                  "attempts": row.attempts - 1,
                  "next_attempt_at": self.clock() + timedelta(seconds=delay)}
        if reason is not None:
            change |= {"error_class": reason.error_class, "error": reason.reason[:2000]}
        self._outcomes.append(change)
