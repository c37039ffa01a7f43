"""Delivery semantics against the fake Bot API: limits, 429, 403, retries, leases, priority."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.service import Service
from db import outbox as outbox_queries
from db import residents
from db.models import OutboxMessage, Priority, User
from tests.conftest import wait_until
from tests.utils import running_app, secret_headers, telegram_update


def now() -> datetime:
    return datetime.now(UTC)


async def queue(service: Service, chats: list[int], *, priority: int = Priority.BULK,
                text: str = "Thông báo") -> None:
    async with service.database.transaction() as session:
        users = await session.run_sync(
            residents.get_or_create_users,
            list(dict.fromkeys(("telegram", str(chat)) for chat in chats)), now())
        for chat in chats:
            session.add(outbox_queries.new_message(
                channel="telegram", recipient=str(chat), user_id=users["telegram", str(chat)].id,
                priority=priority,
                payload={"type": "message", "text": f"{text} {chat}"}, now=now()))


async def rows(service: Service) -> list[OutboxMessage]:
    async with service.database.read() as session:
        return list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
                    .scalars())


@pytest_asyncio.fixture
async def service(telegram_settings, request):
    overrides = dict(getattr(request, "param", {}))
    policy = overrides.pop("policy", {})
    svc = Service(telegram_settings(**overrides))
    svc.sender.policy = dataclasses.replace(
        svc.sender.policy, poll_seconds=0.05, sweep_seconds=0.0, backoff_base=0.01, **policy)
    yield svc
    await svc.close()


async def run_sender_until(service: Service, predicate, timeout: float = 10.0) -> None:
    service.start_background(sender=True)
    await wait_until(predicate, timeout=timeout)


@pytest.mark.parametrize("service", [{"send_concurrency": 1}], indirect=True)
async def test_429_pauses_the_whole_bot_for_retry_after(service, fake_telegram):
    fake_telegram.script.append(("429", 1))
    await queue(service, [1, 2, 3])
    await run_sender_until(service, lambda: _statuses(service, {"sent"}))
    sends = [at for at, method in fake_telegram.calls if method == "sendMessage"]
    throttled_at = sends[0]
    # One in flight at a time, so every later call was started after the 429 came back.
    assert all(at - throttled_at >= 0.95 for at in sends[1:]), "a send ignored retry_after"
    stored = await rows(service)
    assert {row.status for row in stored} == {"sent"}
    assert all(row.attempts == 1 for row in stored), "waiting out a 429 spends no attempt"


async def test_403_blocked_stops_recipient_after_one_attempt(service, fake_telegram):
    fake_telegram.blocked = {41}
    await queue(service, [41, 42])
    await run_sender_until(service, lambda: _statuses(service, {"stopped", "sent"}))
    calls_to_blocked = fake_telegram.errors.get("403", 0)
    assert calls_to_blocked == 1
    stored = await rows(service)
    blocked_row = next(row for row in stored if row.recipient == "41")
    assert blocked_row.status == "stopped" and "blocked" in blocked_row.error
    async with service.database.read() as session:
        user = (await session.execute(select(User).where(User.address == "41"))).scalar_one()
    assert user.status == "stopped"


@pytest.mark.parametrize("service", [{"policy": {"retry_bulk": timedelta(seconds=0.5),
                                                "max_backoff": 0.05}}], indirect=True)
async def test_5xx_retries_with_backoff_until_its_window_then_fails_with_reason(service,
                                                                               fake_telegram):
    fake_telegram.rate_5xx = 1.0
    await queue(service, [51])
    await run_sender_until(service, lambda: _statuses(service, {"failed"}))
    (row,) = await rows(service)
    assert row.attempts > 1 and row.error_class == "transient"
    assert "Internal Server Error" in row.error
    assert fake_telegram.errors["500"] == row.attempts
    rendered = service.metrics.render().decode()
    assert 'loaso_send_failures_total{channel="telegram",reason="transient"} 1.0' in rendered


@pytest.mark.parametrize("service", [{"send_max_attempts": 3, "policy": {"max_backoff": 0.02}}],
                         indirect=True)
async def test_an_outage_longer_than_any_count_of_attempts_loses_nothing(service,
                                                                         fake_telegram):
    """Today's 45 s of 5xx, shrunk: six failures in a row, past the attempt count (3),
    well inside the hour a reply is retried for."""
    fake_telegram.script.extend([("500",)] * 6)
    await queue(service, [54], priority=Priority.REPLY, text="Trả lời")
    await run_sender_until(service, lambda: _statuses(service, {"sent"}))
    (row,) = await rows(service)
    assert row.attempts == 7 and fake_telegram.texts_to(54) == ["Trả lời 54"]


def test_backoff_is_exponential_and_capped():
    from delivery.sender import SenderPolicy
    policy = SenderPolicy()
    assert [round(policy.backoff(n) / 2 ** n, 1) <= 1.2 for n in (1, 2, 3)] == [True] * 3
    assert 240 <= policy.backoff(2000) <= 360  # capped, and no overflow
    assert policy.retry_window(Priority.REPLY) == timedelta(hours=1)
    assert policy.retry_window(Priority.BULK) == timedelta(hours=24)


async def test_5xx_then_success_delivers_once(service, fake_telegram):
    fake_telegram.script.extend([("500",), ("502",)])
    await queue(service, [52])
    await run_sender_until(service, lambda: _statuses(service, {"sent"}))
    assert fake_telegram.texts_to(52) == ["Thông báo 52"]
    (row,) = await rows(service)
    assert row.attempts == 3


async def test_other_4xx_fails_at_once_with_reason(service, fake_telegram):
    fake_telegram.script.append(("400",))
    await queue(service, [53])
    await run_sender_until(service, lambda: _statuses(service, {"failed"}))
    (row,) = await rows(service)
    assert row.attempts == 1 and row.error_class == "permanent"
    assert "chat not found" in row.error.lower()


@pytest.mark.parametrize("service", [{"send_concurrency": 1}], indirect=True)
async def test_replies_go_before_bulk(service, fake_telegram):
    await queue(service, list(range(100, 120)), priority=Priority.BULK)
    await queue(service, [999], priority=Priority.REPLY, text="Trả lời")
    await run_sender_until(service, lambda: len(fake_telegram.sent) == 21)
    order = [message["chat_id"] for message in fake_telegram.sent]
    assert order[0] == 999


async def test_expired_lease_is_returned_and_sent(service, fake_telegram):
    await queue(service, [61])
    async with service.database.transaction() as session:
        claimed = await outbox_queries.claim(session, channels=["telegram"], limit=10,
                                             now=now(), lease=timedelta(minutes=-5))
    assert len(claimed) == 1  # a sender that claimed it and died
    await run_sender_until(service, lambda: _statuses(service, {"sent"}))
    (row,) = await rows(service)
    assert row.status == "sent" and row.attempts == 2


@pytest.mark.parametrize("service", [{"telegram_chat_rate_limit": 5, "telegram_chat_burst": 1}],
                         indirect=True)
async def test_per_chat_limit_spaces_messages_to_one_chat(service, fake_telegram):
    await queue(service, [71, 71, 71, 71])
    await run_sender_until(service, lambda: len(fake_telegram.sent) == 4)
    times = [message["at"] for message in fake_telegram.sent]
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert all(gap >= 0.15 for gap in gaps), gaps


@pytest.mark.parametrize("service", [{"telegram_chat_rate_limit": 1000,
                                      "telegram_chat_burst": 10}], indirect=True)
async def test_one_chats_messages_arrive_in_order_while_other_chats_go_alongside(
        service, fake_telegram):
    # the platform answers the first messages slowest: sent side by side, they would land
    # last first, as a turn's greeting landed after the notice that follows it
    fake_telegram.latencies.extend([0.6, 0.3, 0.2, 0.1])
    async with service.database.transaction() as session:
        users = await session.run_sync(residents.get_or_create_users,
                                       [("telegram", "81"), ("telegram", "82")], now())
        for number in range(1, 5):
            session.add(outbox_queries.new_message(
                channel="telegram", recipient="81", user_id=users["telegram", "81"].id,
                priority=Priority.REPLY, payload={"type": "message", "text": f"phần {number}"},
                now=now()))
        session.add(outbox_queries.new_message(
            channel="telegram", recipient="82", user_id=users["telegram", "82"].id,
            priority=Priority.REPLY, payload={"type": "message", "text": "chat khác"},
            now=now()))
    await run_sender_until(service, lambda: len(fake_telegram.sent) == 5)
    assert fake_telegram.texts_to(81) == ["phần 1", "phần 2", "phần 3", "phần 4"]
    # another chat does not wait for this one: it landed while "phần 1" was in flight
    assert [message["text"] for message in fake_telegram.sent][0] == "chat khác"


@pytest.mark.parametrize("service", [{"telegram_rate_limit": 20}], indirect=True)
async def test_bot_wide_limit_caps_the_rate(service, fake_telegram):
    await queue(service, list(range(200, 260)))
    started = asyncio.get_running_loop().time()
    await run_sender_until(service, lambda: len(fake_telegram.sent) == 60)
    elapsed = asyncio.get_running_loop().time() - started
    assert elapsed >= (60 - 20) / 20 * 0.9  # a burst of 20, then 20 a second


async def test_reply_is_sent_without_waiting_for_a_poll(telegram_settings, fake_telegram):
    async with running_app(telegram_settings(sender_poll_seconds=30)) as (client, service):
        await asyncio.sleep(0.1)  # the sender is idle, waiting up to 30 s
        started = asyncio.get_running_loop().time()
        await client.post("/webhook/telegram", json=telegram_update("text"),
                          headers=secret_headers())
        await wait_until(lambda: fake_telegram.sent, timeout=5)
        assert asyncio.get_running_loop().time() - started < 2


async def test_adapter_crash_is_retried_not_fatal(service, fake_telegram, caplog):
    real_send = service.channels["telegram"].send
    calls = 0

    async def flaky(recipient, payload):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("adapter bug")
        return await real_send(recipient, payload)

    service.channels["telegram"].send = flaky
    await queue(service, [81])
    await run_sender_until(service, lambda: fake_telegram.texts_to(81))
    assert "adapter bug" in caplog.text or "raised while sending" in caplog.text


async def _statuses(service: Service, expected: set[str]) -> bool:
    return {row.status for row in await rows(service)} == expected
