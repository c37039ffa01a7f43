"""The outbox sender: claim due rows, respect the platforms' limits, send, record outcomes.

Loop shape: one transaction writes the outcomes of finished sends *and* claims the next
rows; no transaction is open while a platform call is in flight. During a broadcast the
sender tops up its window when a quarter of it is free (not after every send), so outcomes
are written a batch at a time; a reply wakes it at once. Replies outrank bulk twice: the
claim orders by priority, and the rate limiter gives its next slot to a reply before any
bulk message already waiting. A row whose lease expires (the process died mid-send) is
handed back by the sweeper, which is the only way a message can go twice; a live sender
never sends a row it has held for more than half its lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.channels.base import Channel, SendError, SendResult
from bot.metrics import Metrics
from db import outbox as outbox_queries
from db import residents
from db.engine import Database
from db.models import OutboxStatus, Priority
from delivery.ratelimit import ChannelLimiter

log = logging.getLogger(__name__)

# Put a message back in the queue rather than hold a sending slot longer than this.
MAX_INLINE_WAIT = 1.0
# Outcomes of a trickle of sends are written together after at most this long: a row stays
# "sending" a little longer, and the database sees one transaction instead of one per reply.
OUTCOME_DELAY = 0.2


@dataclass(frozen=True)
class SenderPolicy:
    max_attempts: int = 5
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
        """2, 4, 8… seconds, capped at five minutes, with jitter so retries do not align."""
        return min(300.0, self.backoff_base * 2.0 ** attempts) * random.uniform(0.8, 1.2)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    def __init__(self, database: Database, channels: dict[str, Channel],
                 limiters: dict[str, ChannelLimiter], metrics: Metrics,
                 policy: SenderPolicy = SenderPolicy(),
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.channels = channels
        self.limiters = limiters
        self.metrics = metrics
        self.policy = policy
        self.clock = clock
        self._wakeup = asyncio.Event()
        self._wanted = False  # a reply was queued: claim as soon as one slot is free
        self._due = True  # rows may be due: something was queued, time passed, or a backlog
        self._stopping = False
        self._running = False
        self._inflight: set[asyncio.Task] = set()
        self._outcomes: list[dict[str, Any]] = []
        self._stopped_recipients: list[tuple[str, str, str]] = []
        self._last_sweep = 0.0
        self._last_claim = 0.0
        self._flush_timer: asyncio.TimerHandle | None = None
        self._asked = 0  # slots the last claim tried to fill
        self.heartbeat: datetime | None = None  # last loop turn, for /healthz

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
            claimed = await self._step()
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

    async def _finish(self) -> None:
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)
        await self._flush_outcomes()
        log.info("sender stopped")

    def _free(self) -> int:
        return self.policy.concurrency - len(self._inflight)

    def _done(self, task: asyncio.Task) -> None:
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
        async with self.database.transaction() as session:
            await self._write_outcomes(session)
            if sweep:
                self._last_sweep = asyncio.get_running_loop().time()
                released = await outbox_queries.release_expired_leases(
                    session, now=now, max_attempts=self.policy.max_attempts)
                if released:
                    log.warning("returned %d outbox rows whose lease expired", released)
            claimed = []
            if claim:
                self._asked, self._due = free, False  # a wake-up meanwhile sets it again
                self._last_claim = asyncio.get_running_loop().time()
                claimed = await outbox_queries.claim(
                    session, channels=list(self.channels), limit=free, now=now,
                    lease=self.policy.lease, recipient=recipient)
                if len(claimed) == free:
                    self._due = True  # a backlog: more rows are waiting
        self._start(claimed, started)
        return len(claimed)

    def _start(self, rows: list[outbox_queries.Claimed], claimed_at: float) -> None:
        for row in sorted(rows, key=lambda row: (-row.priority, row.id)):
            task = asyncio.create_task(self._send(row, claimed_at))
            self._inflight.add(task)
            task.add_done_callback(self._done)

    async def _flush_outcomes(self) -> None:
        if self._outcomes or self._stopped_recipients:
            async with self.database.transaction() as session:
                await self._write_outcomes(session)

    async def _write_outcomes(self, session) -> None:
        outcomes, self._outcomes = self._outcomes, []
        stopped, self._stopped_recipients = self._stopped_recipients, []
        if outcomes:
            await outbox_queries.apply_updates(session, outcomes)
        for channel, address, reason in stopped:
            await residents.stop_recipient(session, channel=channel, address=address,
                                           reason=reason)

    # -- one message -----------------------------------------------------------------------

    async def _send(self, row: outbox_queries.Claimed, claimed_at: float) -> None:
        # Outcomes ride along with the next claim (or the next poll), so a busy sender
        # writes them in batches instead of one transaction per message.
        # button acks are not messages; an edit counts as one (Telegram limits both)
        limited = row.payload.get("type") in ("message", "edit")
        if limited and not await self._wait_chat(row):
            return
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
        if result.ok:
            self.metrics.sent.labels(row.channel).inc()
            self._outcomes.append({"id": row.id, "status": OutboxStatus.SENT, "sent_at": now,
                                   "platform_message_id": result.platform_message_id,
                                   "lease_until": None, "error_class": None, "error": None})
            return
        error = result.error
        self.metrics.send_errors.labels(row.channel, error.value).inc()
        log.warning("send failed: outbox row %d on %s, attempt %d, %s: %s", row.id,
                    row.channel, row.attempts, error.value, result.reason)
        if error == SendError.THROTTLED:
            retry_after = result.retry_after or 1.0
            self.limiters[row.channel].pause(retry_after)
            self._requeue(row, delay=retry_after, reason=result)
        elif error == SendError.STOPPED:
            self._stopped_recipients.append((row.channel, row.recipient, result.reason))
            self._finalize(row, OutboxStatus.STOPPED, result)
        elif error in (SendError.TRANSIENT, SendError.CONFIG):
            if row.attempts >= self.policy.max_attempts:
                self._finalize(row, OutboxStatus.FAILED, result)
            else:
                delay = (self.policy.config_retry_seconds if error == SendError.CONFIG
                         else self.policy.backoff(row.attempts))
                self._retry(row, delay=delay, result=result)
        else:
            self._finalize(row, OutboxStatus.FAILED, result)

    def _finalize(self, row, status: OutboxStatus, result: SendResult) -> None:
        self._outcomes.append({"id": row.id, "status": status, "lease_until": None,
                               "error_class": result.error.value, "error": result.reason[:2000]})

    def _retry(self, row, *, delay: float, result: SendResult) -> None:
        self._outcomes.append({
            "id": row.id, "status": OutboxStatus.QUEUED, "lease_until": None,
            "next_attempt_at": self.clock() + timedelta(seconds=delay),
            "error_class": result.error.value, "error": result.reason[:2000]})

    def _requeue(self, row, *, delay: float, reason: SendResult | None) -> None:
        """Put back without spending an attempt: waiting for a rate limit is not a failure."""
        change = {"id": row.id, "status": OutboxStatus.QUEUED, "lease_until": None,
                  "attempts": row.attempts - 1,
                  "next_attempt_at": self.clock() + timedelta(seconds=delay)}
        if reason is not None:
            change |= {"error_class": reason.error.value, "error": reason.reason[:2000]}
        self._outcomes.append(change)
