"""Residents subscribe through the Telegram webhook; a staff broadcast reaches each of them
exactly once, no faster than the bot's rate limit, and nobody else."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from db.models import Subscription, User
from delivery.fanout import Audience, fan_out
from tests.conftest import wait_until
from tests.utils import TelegramResident, running_app

BROADCAST = "Thông báo: 19 giờ tối nay họp dân thôn 1 tại nhà văn hóa."
RATE = 20


async def subscribe_through_chat(resident: TelegramResident, hamlet: str) -> None:
    await resident.say("/start")
    await resident.tap("Đồng ý")
    await resident.say("/dangky")
    await resident.tap(hamlet)
    replies = await resident.tap("Tất cả các tin")
    assert any("Đã đăng ký nhận tin" in message["text"] for message in replies)


async def test_a_broadcast_reaches_subscribers_once_at_the_rate_limit(telegram_settings,
                                                                      fake_telegram):
    # the per-chat limit would stagger the set-up dialogue; this test is about the bot limit
    settings = telegram_settings(telegram_rate_limit=RATE, telegram_chat_rate_limit=50,
                                 telegram_chat_burst=20)
    async with running_app(settings) as (client, service):
        residents = [TelegramResident(client, fake_telegram, 7001 + index) for index in range(4)]
        for resident in residents[:3]:
            await subscribe_through_chat(resident, "Thôn 1")
        await subscribe_through_chat(residents[3], "Thôn 2")
        bystander = TelegramResident(client, fake_telegram, 7999)
        await bystander.say("/start")
        await bystander.tap("Đồng ý")  # consented, never subscribed
        now = dt.datetime.now(dt.UTC)
        async with service.database.transaction() as session:  # more of the hamlet, in bulk
            await session.execute(insert(User), [
                {"id": 100 + n, "channel": "telegram", "address": str(8000 + n),
                 "status": "active", "consent_version": "1", "consent_at": now,
                 "created_at": now, "last_seen_at": now, "hamlet_id": "thon-1"}
                for n in range(46)])
            await session.execute(insert(Subscription), [
                {"user_id": 100 + n, "kind": "all", "ref": "*", "created_at": now}
                for n in range(46)])
        expected = [7001, 7002, 7003, *range(8000, 8046)]

        result = await fan_out(service.database, batch="announcement:test",
                               audience=Audience(hamlets=("thon-1",)), text=BROADCAST, now=now)
        service.sender.wake()
        assert result.recipients == len(expected) == 49

        def received() -> list[int]:
            return [message["chat_id"] for message in fake_telegram.sent
                    if message["text"] == BROADCAST]

        await wait_until(lambda: len(received()) >= len(expected), timeout=30)
        stamps = [stamp for stamp, method in fake_telegram.calls if method == "sendMessage"]
    assert sorted(received()) == sorted(expected), "each subscriber of thôn 1 exactly once"
    assert 7004 not in received() and 7999 not in received()
    broadcast_stamps = stamps[-len(expected):]
    elapsed = broadcast_stamps[-1] - broadcast_stamps[0]
    # the bucket lets RATE through at once, the rest at RATE a second
    assert elapsed >= (len(expected) - RATE - 1) / RATE * 0.9, elapsed
