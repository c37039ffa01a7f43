"""Token buckets for the platforms' limits: per bot, per chat, and a pause after a 429."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up. `reserve()` says how long to wait."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()

    def reserve(self) -> float:
        """Take one token now (possibly going into debt); return seconds until it is ours."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def refund(self) -> None:
        self.tokens = min(self.burst, self.tokens + 1)


class ChannelLimiter:
    """All limits of one channel (one bot token): bot-wide rate, per-chat rate, 429 pause.

    Lives in the one sender process of a bot, which is why DESIGN runs one sender per bot.
    """

    def __init__(self, *, rate: float, chat_rate: float, chat_burst: int,
                 clock: Callable[[], float] = time.monotonic, max_chats: int = 50_000) -> None:
        self.clock = clock
        self.bot = TokenBucket(rate, max(1.0, rate), clock) if rate > 0 else None
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self.chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self.max_chats = max_chats
        self.paused_until = 0.0

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
