"""Polling that recovers (issue 20, item 13): the platform unreachable at start, a failing
deleteWebhook, 5xx and a wrong token are retried inside the loop, never ending it; /healthz
tells each channel's polling state and turns 503 after two minutes of failure."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from bot.channels import telegram, zalo_bot
from bot.channels.polling import Backoff, PollHealth
from bot.channels.registry import build_channels
from messages.types import InboundKind
from tests.conftest import wait_until
from tests.fakes.telegram_api import FakeTelegram, running, unreachable_socket
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.utils import running_app, telegram_update


class Inbox:
    def __init__(self) -> None:
        self.events = []

    async def handle(self, event):
        self.events.append(event)


class Pauses:
    """A Backoff whose pauses are recorded and short (no timing in the assertions)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0.01)

    def backoff(self) -> Backoff:
        return Backoff(first=1, cap=60, slow=300, sleep=self.sleep)


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_telegram_polling_survives_an_unreachable_platform_and_a_failing_delete_webhook(
        make_settings, caplog):
    fake = FakeTelegram()
    fake.webhook = {"url": "https://old.example/webhook/telegram"}
    fake.method_script = {"deleteWebhook": deque([("500",), ("502",)]),
                          "getUpdates": deque([("502",)])}
    fake.pending_updates = [telegram_update("text", update_id=500)]
    sock = unreachable_socket()
    port = sock.getsockname()[1]
    settings = make_settings(telegram_token=fake.token, telegram_mode="polling",
                             telegram_api_base=f"http://127.0.0.1:{port}")
    channel = build_channels(settings)["telegram"]
    inbox, health, pauses = Inbox(), PollHealth(), Pauses()
    caplog.set_level(logging.WARNING)
    task = asyncio.create_task(telegram.poll(channel, inbox, health, timeout=0,
                                             backoff=pauses.backoff()))
    try:
        await wait_until(lambda: len(pauses.delays) >= 2)  # nobody answers yet
        assert not task.done()
        assert health.report().startswith("retrying (không kết nối được Telegram")
        async with running(fake, sock):
            await wait_until(lambda: inbox.events, timeout=10)
            assert health.report() == "ok"
    finally:
        await stop(task)
        await channel.close()
    assert fake.webhook == {}  # deleted once the platform answered
    assert [event.kind for event in inbox.events] == [InboundKind.TEXT]
    assert pauses.delays[:3] == [1, 2, 4]  # doubling back-off
    assert health.report() == "off"  # the loop was stopped, not ended by a failure


async def test_telegram_wrong_token_is_named_and_retried_slowly(telegram_settings, fake_telegram,
                                                                caplog):
    settings = telegram_settings(telegram_token="999:wrong", telegram_mode="polling")
    channel = build_channels(settings)["telegram"]
    inbox, health, pauses = Inbox(), PollHealth(), Pauses()
    task = asyncio.create_task(telegram.poll(channel, inbox, health, timeout=0,
                                             backoff=pauses.backoff()))
    try:
        await wait_until(lambda: len(pauses.delays) >= 2)
        assert not task.done()
        assert health.report() == "retrying (sai token: kiểm tra LOASO_TELEGRAM_TOKEN)"
    finally:
        await stop(task)
        await channel.close()
    assert set(pauses.delays) == {300}  # slowly: only the operator can fix it
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("sai token: kiểm tra LOASO_TELEGRAM_TOKEN" in message for message in errors)
    assert "999:wrong" not in caplog.text


async def test_telegram_polling_skips_an_update_it_cannot_read(telegram_settings, fake_telegram):
    unreadable = {"update_id": 600, "poll_answer": {"poll_id": "1", "option_ids": [0],
                                                    "user": {"id": 1, "is_bot": False,
                                                             "first_name": "A"}}}
    fake_telegram.pending_updates = [unreadable, telegram_update("text", update_id=601)]
    channel = build_channels(telegram_settings(telegram_mode="polling"))["telegram"]
    inbox, health = Inbox(), PollHealth()
    task = asyncio.create_task(telegram.poll(channel, inbox, health, timeout=0))
    try:
        await wait_until(lambda: len(inbox.events) == 2)
    finally:
        await stop(task)
        await channel.close()
    assert [event.kind for event in inbox.events] == [InboundKind.IGNORED, InboundKind.TEXT]


async def test_zalo_bot_polling_retries_delete_webhook_5xx_and_a_wrong_token(make_settings,
                                                                            caplog):
    fake = FakeZaloBot()
    fake.method_script = {"deleteWebhook": deque([("500",), ("401",)]),
                          "getUpdates": deque([("502",)])}
    fake.pending_updates.append({"event_name": "message.text.received", "message": {
        "message_id": "m1", "chat": {"id": "c1", "chat_type": "PRIVATE"}, "text": "Xin chào",
        "date": 1750316131602}})
    async with running(fake) as base_url:
        settings = make_settings(zalo_bot_token=fake.token, zalo_bot_mode="polling",
                                 zalo_bot_api_base=base_url)
        channel = build_channels(settings)["zalo-bot"]
        inbox, health, pauses = Inbox(), PollHealth(), Pauses()
        reports = []
        sleep = pauses.sleep

        async def watching(delay):
            reports.append(health.report())
            await sleep(delay)

        backoff = pauses.backoff()
        backoff.sleep = watching
        task = asyncio.create_task(zalo_bot.poll(channel, inbox, health, timeout=0,
                                                 backoff=backoff))
        try:
            await wait_until(lambda: inbox.events, timeout=10)
            assert health.report() == "ok"
        finally:
            await stop(task)
            await channel.close()
    assert reports[0].startswith("retrying (không kết nối được Zalo Bot (Zalo Bot 500")
    assert reports[1] == "retrying (sai token: kiểm tra LOASO_ZALO_BOT_TOKEN)"
    assert reports[2].startswith("retrying (không kết nối được Zalo Bot (Zalo Bot 502")
    assert pauses.delays == [1, 300, 4]  # doubling, but slow for the token
    assert [event.text for event in inbox.events] == ["Xin chào"]


async def test_healthz_reports_polling_and_turns_503_after_two_minutes(telegram_settings):
    settings = telegram_settings(telegram_token="999:wrong", telegram_mode="polling",
                                 telegram_webhook_secret=None)
    async with running_app(settings) as (client, service):
        health = service.polling["telegram"]
        # the fake clock starts at the real one: the loop may have failed already, on it
        now = [health.clock()]
        health.clock = lambda: now[0]
        await wait_until(lambda: health.state == "retrying")
        early = await client.get("/healthz")
        now[0] += 121
        late = await client.get("/healthz")
    assert early.status_code == 200
    assert early.json()["checks"]["polling"] == {
        "telegram": "retrying (sai token: kiểm tra LOASO_TELEGRAM_TOKEN)"}
    assert late.status_code == 503 and late.json()["status"] == "fail"


async def test_healthz_reports_polling_ok(telegram_settings):
    settings = telegram_settings(telegram_mode="polling", telegram_webhook_secret=None)
    async with running_app(settings) as (client, service):
        await wait_until(lambda: service.polling["telegram"].state == "ok")
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["polling"] == {"telegram": "ok"}


async def test_polling_waits_as_long_as_a_429_says(telegram_settings, fake_telegram):
    fake_telegram.method_script = {"getUpdates": deque([("429", 7)])}
    fake_telegram.pending_updates = [telegram_update("text", update_id=700)]
    channel = build_channels(telegram_settings(telegram_mode="polling"))["telegram"]
    inbox, health, pauses = Inbox(), PollHealth(), Pauses()
    task = asyncio.create_task(telegram.poll(channel, inbox, health, timeout=0,
                                             backoff=pauses.backoff()))
    try:
        await wait_until(lambda: inbox.events)
    finally:
        await stop(task)
        await channel.close()
    assert pauses.delays == [7]
