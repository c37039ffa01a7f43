"""Token buckets with a controllable clock."""

from delivery.ratelimit import ChannelLimiter, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_paces_at_the_rate():
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == 1.0
    assert bucket.reserve() == 2.0
    clock.now += 2.0
    assert bucket.reserve() == 1.0  # two tokens earned, both already owed, one more waits


def test_bucket_never_saves_more_than_its_burst():
    clock = Clock()
    bucket = TokenBucket(rate=10.0, burst=2, clock=clock)
    clock.now += 3600
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.1]


def test_pause_after_429_covers_the_whole_channel():
    clock = Clock()
    limiter = ChannelLimiter(rate=30, chat_rate=1, chat_burst=3, clock=clock)
    limiter.pause(5)
    assert limiter.pause_remaining() == 5
    clock.now += 4
    assert limiter.pause_remaining() == 1
    limiter.pause(0.5)  # a shorter pause never shortens a longer one
    assert limiter.pause_remaining() == 1


def test_chats_are_limited_separately_and_released_slots_come_back():
    clock = Clock()
    limiter = ChannelLimiter(rate=0, chat_rate=1, chat_burst=1, clock=clock)
    assert limiter.chat_delay("a") == 0 and limiter.chat_delay("b") == 0
    assert limiter.chat_delay("a") == 1.0
    limiter.release_chat("a")
    assert limiter.chat_delay("a") == 1.0  # the refunded slot is the one we gave back
    assert limiter.bot_delay() == 0.0  # rate 0 means unlimited


def test_chat_table_is_bounded():
    limiter = ChannelLimiter(rate=0, chat_rate=1, chat_burst=1, clock=Clock(), max_chats=10)
    for chat in range(100):
        limiter.chat_delay(str(chat))
    assert len(limiter.chats) == 10
