"""Token buckets for the platforms' limits: per bot, per chat, and a pause after a 429.

The bot-wide limit is handed out by a pacer rather than by reservations in arrival order:
with reservations, a reply that arrived behind a window of bulk messages waited for all of
them (64 at 30/s is two seconds); the pacer gives the next slot to the most urgent waiter.

The pacer also never lets more than `rate` messages touch any one second, counting a
message from the moment it is let go until a second after its answer came back. The
platform counted it somewhere in between, so however late a busy machine delivers the
requests, a platform that counts over a sliding second never sees more than `rate`; with a
plain token bucket, a few milliseconds of jitter at 97% of the limit already meant 429s,
and each costs the whole bot a second.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

# The bot bucket saves up this many seconds' worth of messages beyond one, to make up for
# a timer that fires a little late (the per-second window keeps that from overshooting).
BOT_BURST_SECONDS = 0.02


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up. `reserve()` says how long to wait."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def reserve(self) -> float:
        """Take one token now (possibly going into debt); return seconds until it is ours."""
        self._refill()
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def take(self) -> bool:
        """Take one token if a whole one is there now; never go into debt."""
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def until_next(self) -> float:
        """Seconds until a whole token is there."""
        self._refill()
        return max(0.0, (1 - self.tokens) / self.rate)

    def refund(self) -> None:
        self.tokens = min(self.burst, self.tokens + 1)


class ChannelLimiter:
    """All limits of one channel (one bot token): bot-wide rate, per-chat rate, 429 pause.

    Lives in the one sender process of a bot, which is why DESIGN runs one sender per bot.
    """

    def __init__(self, *, rate: float, chat_rate: float, chat_burst: int,
                 clock: Callable[[], float] = time.monotonic, max_chats: int = 50_000,
                 burst: float | None = None) -> None:
        self.clock = clock
        if burst is None:
            burst = 1.0 + rate * BOT_BURST_SECONDS
        self.bot = TokenBucket(rate, burst, clock) if rate > 0 else None
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self.chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self.max_chats = max_chats
        self.paused_until = 0.0
        self.per_second = max(1, int(rate)) if rate > 0 else 0
        self._answered: deque[float] = deque()  # when sends of the last second finished
        self._out = 0  # let go by the pacer, not finished yet
        # urgent, bulk futures
        self._waiting: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due = 0.0

    def pause(self, seconds: float) -> None:
        """A 429 blocks the whole bot, not one chat (Bot API behaviour)."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def pause_remaining(self) -> float:
        return max(0.0, self.paused_until - self.clock())

    def chat_delay(self, chat: str) -> float:
        """Reserve this chat's next slot; seconds until it may be sent."""
        bucket = self.chats.get(chat)
        if bucket is None:
            bucket = self.chats[chat] = TokenBucket(self.chat_rate, self.chat_burst, self.clock)
            if len(self.chats) > self.max_chats:
                self.chats.popitem(last=False)
        else:
            self.chats.move_to_end(chat)
        return bucket.reserve()

    def release_chat(self, chat: str) -> None:
        """Give back a slot reserved for a message that was put off instead of sent."""
        if (bucket := self.chats.get(chat)) is not None:
            bucket.refund()

    def bot_delay(self) -> float:
        return self.bot.reserve() if self.bot else 0.0

    # -- the pacer -------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self, *, urgent: bool) -> AsyncIterator[None]:
        """Hold one of the bot's slots for one platform call (wait for it first)."""
        await self.acquire(urgent=urgent)
        try:
            yield
        finally:
            self.finished()

    async def acquire(self, *, urgent: bool) -> None:
        """Wait for the bot's next slot and out any 429 pause; urgent callers go first.

        Slots go one at a time, when they are due, to the longest-waiting urgent caller,
        else the longest-waiting bulk one: a reply never queues behind bulk. Every acquire
        must be matched by `finished()` once the call is answered (`slot()` does both).
        """
        if not any(self._waiting) and self._take():
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting[0 if urgent else 1].append(future)
        self._schedule(0.0)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.finished()  # granted just as we were cancelled
            raise

    def finished(self) -> None:
        if self.bot is None:
            return
        self._out -= 1
        self._answered.append(self.clock())
        if self._next_waiter() is not None:
            self._schedule(self._until_slot())

    def _in_window(self, now: float) -> int:
        while self._answered and self._answered[0] <= now - 1.0:
            self._answered.popleft()
        return len(self._answered) + self._out

    def _take(self) -> bool:
        if self.pause_remaining() > 0:
            return False
        if self.bot is None:
            return True
        if self._in_window(self.clock()) >= self.per_second or not self.bot.take():
            return False
        self._out += 1
        return True

    def _until_slot(self) -> float:
        wait = self.pause_remaining()
        if wait == 0 and self.bot is not None:
            wait = self.bot.until_next()
            now = self.clock()
            if self._in_window(now) >= self.per_second:
                # The oldest answer leaves the window then; if every slot is still out,
                # the next `finished()` reschedules us.
                wait = max(wait, self._answered[0] + 1.0 - now if self._answered else 1.0)
        return max(wait, 0.0)

    def _next_waiter(self) -> asyncio.Future[None] | None:
        for queue in self._waiting:
            while queue and queue[0].done():  # cancelled while waiting
                queue.popleft()
            if queue:
                return queue[0]
        return None

    def _release(self) -> None:
        self._timer = None
        while (future := self._next_waiter()) is not None and self._take():
            (self._waiting[0] if self._waiting[0] and self._waiting[0][0] is future
             else self._waiting[1]).popleft()
            future.set_result(None)
        if self._next_waiter() is not None:
            self._schedule(self._until_slot())

    def _schedule(self, delay: float) -> None:
        """Run the release at most `delay` from now (sooner than a timer already set)."""
        loop = asyncio.get_running_loop()
        due = loop.time() + delay
        if self._timer is not None:
            if self._timer_due <= due:
                return
            self._timer.cancel()  # (uvloop's handles cannot say when they are due)
        self._timer, self._timer_due = loop.call_later(delay, self._release), due
