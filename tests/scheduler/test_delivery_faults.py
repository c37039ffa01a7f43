"""A broadcast against a misbehaving Bot API: random faults, blocked residents, a resident
writing in mid-broadcast, and a worker killed with SIGKILL. Sizes are small so each test
stays bounded; bench/broadcast_bench.py and bench/kill_bench.py run the same at 10,000.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from bot.service import Service
from db.models import OutboxMessage, Subscription, User
from delivery.fanout import Audience, fan_out
from delivery.ratelimit import ChannelLimiter
from tests.cli import LOASO, hermetic_env, workdir
from tests.conftest import MINI_PACK, WEBHOOK_SECRET, wait_until
from tests.utils import running_app, secret_headers, telegram_update

TEXT = "Thông báo của Ban Tuyên giáo xã"
FIRST_CHAT = 6_100_000_000


def now() -> datetime:
    return datetime.now(UTC)


async def subscribe(database, count: int) -> list[int]:
    """`count` consenting residents subscribed to everything; their chat ids."""
    chats = [FIRST_CHAT + i for i in range(count)]
    async with database.transaction() as session:
        await session.execute(insert(User.__table__), [
            {"channel": "telegram", "address": str(chat), "status": "active",
             "consent_version": "test", "consent_at": now(), "created_at": now(),
             "last_seen_at": now()} for chat in chats])
        ids = (await session.execute(select(User.id))).scalars().all()
        await session.execute(insert(Subscription.__table__), [
            {"user_id": user_id, "kind": "all", "ref": "*", "created_at": now()}
            for user_id in ids])
    return chats


async def broadcast(database, batch: str) -> int:
    result = await fan_out(database, batch=batch, audience=Audience(everyone=True), text=TEXT,
                           now=now())
    return result.recipients


async def unfinished(database) -> int:
    async with database.read() as session:
        return (await session.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_(["queued", "sending"])))).scalar_one()


def quick_retries(service: Service) -> None:
    service.sender.policy = type(service.sender.policy)(
        max_attempts=service.settings.send_max_attempts,
        concurrency=service.settings.send_concurrency, lease=service.sender.policy.lease,
        poll_seconds=0.05, sweep_seconds=0.5, backoff_base=0.01)


async def test_random_5xx_and_429_still_deliver_everything_exactly_once(
        telegram_settings, fake_telegram):
    fake_telegram.rate_5xx, fake_telegram.rate_429 = 0.10, 0.05
    service = Service(telegram_settings())
    quick_retries(service)
    try:
        chats = await subscribe(service.database, 300)
        assert await broadcast(service.database, "faults") == 300
        service.start_background(sender=True)
        await wait_until(lambda: fake_telegram.tally(chats, TEXT)["lost"] == 0, timeout=60)
        await wait_until(_none_left(service.database), timeout=10)
    finally:
        await service.close()
    assert fake_telegram.errors.get("500", 0) > 0 and fake_telegram.errors.get("429", 0) > 0
    assert fake_telegram.tally(chats, TEXT) == {"expected": 300, "lost": 0, "duplicates": 0,
                                                "duplicated_chats": 0}
    async with service.database.read() as session:
        statuses = set((await session.execute(select(OutboxMessage.status))).scalars())
    assert statuses == {"sent"}


def _none_left(database):
    async def check() -> bool:
        return await unfinished(database) == 0
    return check


async def test_blocked_resident_is_tried_once_stopped_and_left_out_next_time(
        telegram_settings, fake_telegram):
    service = Service(telegram_settings())
    try:
        chats = await subscribe(service.database, 20)
        fake_telegram.blocked = {chats[3]}
        await broadcast(service.database, "first")
        service.start_background(sender=True)
        await wait_until(_none_left(service.database), timeout=20)
        assert fake_telegram.errors.get("403") == 1
        async with service.database.read() as session:
            blocked = (await session.execute(
                select(User).where(User.address == str(chats[3])))).scalar_one()
            row = (await session.execute(select(OutboxMessage).where(
                OutboxMessage.recipient == str(chats[3])))).scalar_one()
        assert blocked.status == "stopped"
        assert row.status == "stopped" and row.attempts == 1 and "blocked" in row.error

        assert await broadcast(service.database, "second") == 19
        service.sender.wake()
        await wait_until(lambda: len(fake_telegram.texts_to(chats[0])) == 2, timeout=20)
        await wait_until(_none_left(service.database), timeout=20)
        async with service.database.read() as session:
            rows = (await session.execute(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.recipient == str(chats[3])))).scalar_one()
    finally:
        await service.close()
    assert rows == 1, "the second broadcast queued nothing for the blocked resident"
    assert fake_telegram.errors.get("403") == 1
    assert all(fake_telegram.texts_to(chat) == [TEXT, TEXT] for chat in chats if chat != chats[3])


async def test_a_reply_during_a_broadcast_goes_before_the_remaining_bulk(
        telegram_settings, fake_telegram):
    """The sender's window is full of bulk waiting on the rate limit when the resident
    writes; the reply takes the next slot instead of queueing behind that window."""
    settings = telegram_settings(telegram_rate_limit=20, send_concurrency=64)
    async with running_app(settings) as (client, service):
        chats = await subscribe(service.database, 150)
        await broadcast(service.database, "busy")
        service.sender.wake()
        await wait_until(lambda: len(fake_telegram.sent) >= 20, timeout=20)
        # The window is (nearly) full of bulk waiting on the rate limit.
        assert len(service.sender._inflight) >= 64 - service.sender.policy.refill
        response = await client.post("/webhook/telegram",
                                     json=telegram_update("start", chat_id=42),
                                     headers=secret_headers())
        assert response.status_code == 200
        bulk_at_commit = _bulk_sent(fake_telegram)
        await wait_until(lambda: fake_telegram.texts_to(42), timeout=20)
        order = [message["chat_id"] for message in fake_telegram.sent]
        bulk_before_reply = sum(1 for chat in order[:order.index(42)] if chat != 42)
    overtaken_by = bulk_before_reply - bulk_at_commit
    # Before the fix the reply waited behind the 64 bulk messages already holding slots.
    assert overtaken_by < service.sender.policy.refill, overtaken_by
    assert bulk_before_reply < len(chats) - 64


def _bulk_sent(fake) -> int:
    return sum(1 for message in fake.sent if message["text"] == TEXT)


async def test_limiter_gives_the_next_slot_to_a_reply_and_holds_everyone_during_a_pause():
    limiter = ChannelLimiter(rate=50, chat_rate=1, chat_burst=1, burst=1)
    order: list[str] = []

    async def one(name: str, urgent: bool) -> None:
        await limiter.acquire(urgent=urgent)
        order.append(name)

    tasks = [asyncio.create_task(one(f"bulk{i}", False)) for i in range(5)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(one("reply", True)))
    await asyncio.gather(*tasks)
    assert order[:2] == ["bulk0", "reply"], order  # bulk0 took the token that was there

    limiter.pause(0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await limiter.acquire(urgent=True)
    assert loop.time() - started >= 0.25  # a 429 pause holds replies too


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_worker_killed_mid_broadcast_loses_nothing_and_resends_only_in_flight_rows(
        database_url, database, fake_telegram, tmp_path):
    chats = await subscribe(database, 300)
    await broadcast(database, "killed")
    env = hermetic_env({"LOASO_DATABASE_URL": database_url,
           "LOASO_TELEGRAM_TOKEN": fake_telegram.token,
           "LOASO_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "LOASO_TELEGRAM_API_BASE": fake_telegram.base_url,
           "LOASO_TELEGRAM_RATE_LIMIT": "150", "LOASO_OUTBOX_LEASE_SECONDS": "5",
           "LOASO_SENDER_POLL_SECONDS": "0.2", "LOASO_CONTENT_DIR": str(MINI_PACK),
           "LOASO_RUN_DIR": str(tmp_path / "run"), "LOASO_LOG_LEVEL": "WARNING"})

    async def start():
        return await asyncio.create_subprocess_exec(
            LOASO, "worker", env=env, cwd=workdir(), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "ab"))

    worker = await start()
    try:
        await wait_until(lambda: _bulk_sent(fake_telegram) >= 60, timeout=30)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        async with database.read() as session:
            in_flight = set((await session.execute(select(OutboxMessage.recipient).where(
                OutboxMessage.status == "sending"))).scalars())
        assert _bulk_sent(fake_telegram) < len(chats), "killed after the end: test too slow"
        worker = await start()
        await wait_until(lambda: fake_telegram.tally(chats, TEXT)["lost"] == 0, timeout=60)
        await wait_until(_none_left(database), timeout=30)
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.wait(), 20)
    tally = fake_telegram.tally(chats, TEXT)
    duplicated = {chat for chat in chats if fake_telegram.texts_to(chat).count(TEXT) > 1}
    assert tally["lost"] == 0
    assert tally["duplicates"] <= len(in_flight)
    assert {str(chat) for chat in duplicated} <= in_flight
