"""Zalo Bot through the shared harness, plus its own: wrapped bodies, polling, webhook set."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json

import pytest
import pytest_asyncio

from bot.channels.base import SendError
from bot.channels.registry import build_channels
from messages.types import InboundKind
from tests.channels.drivers.zalo_bot import ZALO_BOT_SECRET
from tests.channels.harness import (
    Expect,
    IncomingCase,
    WebhookDriver,
    http_status_cases,
    run_incoming,
    run_outgoing,
    send_cases,
    text_cases,
)
from tests.conftest import count_rows, fixture, wait_until
from tests.utils import running_app

CHAT = "6ede9afa66b88fe6d6a9"
HEADER = "X-Bot-Api-Secret-Token"
_ids = itertools.count(1)


def bot_update(name: str, **message) -> dict:
    """A fixture update with a fresh message_id (and optionally other message fields)."""
    update = copy.deepcopy(fixture(f"zalo_bot/{name}.json"))
    body = update.get("result", update).get("message")
    if body is not None:
        body["message_id"] = f"{next(_ids):020x}"
        body.update(message)
    return update


def text_body(text: str) -> dict:
    return bot_update("text", text=text)


class ZaloBotDriver(WebhookDriver):
    channel_name = "zalo-bot"

    def __init__(self, client, service, fake) -> None:
        super().__init__(client, service, fake)
        self.secrets = [fake.token, ZALO_BOT_SECRET]

    def encode(self, body):
        content, _ = super().encode(body)
        return content, {HEADER: ZALO_BOT_SECRET}

    def platform_messages(self):
        return [{"text": message["text"], "buttons": None} for message in self.fake.sent]



@pytest_asyncio.fixture
async def driver(zalo_bot_settings, fake_zalo_bot):
    async with running_app(zalo_bot_settings(), run_sender=False) as (client, service):
        yield ZaloBotDriver(client, service, fake_zalo_bot)


INCOMING = text_cases(text_body, CHAT) + [
    IncomingCase("wrapped in the getUpdates envelope", bot_update("text_wrapped"),
                 events=(Expect(InboundKind.TEXT, address=CHAT, text="Lịch đại hội?"),)),
    IncomingCase("a typed number is text (the router maps it to an option)", text_body("2"),
                 events=(Expect(InboundKind.TEXT, address=CHAT, text="2"),)),
    *[IncomingCase(name, bot_update(name), events=(Expect(InboundKind.UNSUPPORTED, address=CHAT),))
      for name in ("image", "sticker", "unsupported")],
    IncomingCase("unsupported without a message", bot_update("unsupported_without_message"),
                 events=(Expect(InboundKind.IGNORED),)),
    IncomingCase("group message", bot_update("group"), events=(Expect(InboundKind.IGNORED),)),
    IncomingCase("unknown event name", {**text_body("x"), "event_name": "message.reaction.received"},
                 events=(Expect(InboundKind.IGNORED),)),
    # older and newer shapes (fixtures/zalo_bot/README.md names their sources)
    IncomingCase("unknown event without a message", bot_update("unknown_event"),
                 events=(Expect(InboundKind.IGNORED),)),
    IncomingCase("getUpdates documentation sample: no event_name",
                 bot_update("getupdates_without_event_name"),
                 events=(Expect(InboundKind.TEXT, address=CHAT, text="Xin chào"),)),
    IncomingCase("image without event_name", bot_update("image_without_event_name"),
                 events=(Expect(InboundKind.UNSUPPORTED, address=CHAT),)),
    # bad input: refused, nothing written (the runner checks the tables)
    IncomingCase("missing secret header", text_body("/start"), status=401, headers={}),
    IncomingCase("wrong secret", text_body("/start"), status=403, headers={HEADER: "nope"}),
    IncomingCase("wrong secret of the right length", text_body("/start"), status=403,
                 headers={HEADER: "x" * len(ZALO_BOT_SECRET)}),
    IncomingCase("Telegram's header instead", text_body("/start"), status=401,
                 headers={"X-Telegram-Bot-Api-Secret-Token": ZALO_BOT_SECRET}),
    IncomingCase("body is not JSON", b"event_name=message.text.received", status=400),
    IncomingCase("body is not UTF-8", b"\xff\xfe\x00{", status=400),
    IncomingCase("JSON that is a list", [1, 2, 3], status=400),
    IncomingCase("envelope that is not ok", {"ok": False, "result": text_body("x")}, status=400),
    IncomingCase("update without event_name or ids", {"message": {"text": "x"}}, status=400),
    IncomingCase("neither event_name nor message", {"date": 1750316131602}, status=400),
    IncomingCase("chat id that is an object", text_body("x") | {"message": {
        **text_body("x")["message"], "chat": {"id": {"a": 1}}}}, status=400),
    IncomingCase("text event without message", {"event_name": "message.text.received"},
                 status=400),
    IncomingCase("message without chat", {"event_name": "message.text.received",
                                          "message": {"message_id": "1", "text": "x"}},
                 status=400),
    IncomingCase("text that is not a string", text_body("x") | {"message": {
        **text_body("x")["message"], "text": 5}}, status=400),
    IncomingCase("body over 1 MB", {**text_body("x"), "pad": "x" * (1024 * 1024)}, status=413),
]


@pytest.mark.parametrize("case", INCOMING, ids=lambda case: case.label)
async def test_incoming(driver, case, caplog):
    await run_incoming(driver, case, lambda: caplog.text)


OUTGOING = send_cases() + http_status_cases()


@pytest.mark.parametrize("case", OUTGOING, ids=lambda case: case.label)
async def test_outgoing(driver, case, caplog):
    await run_outgoing(driver, case, lambda: caplog.text)


async def test_a_redelivered_message_id_is_handled_once(driver):
    update = text_body("/menu")
    for _ in range(2):
        assert (await driver.deliver(update, None))[0] == 200
    assert await count_rows(driver.database, "inbound_events") == 1


async def test_twenty_concurrent_redeliveries_are_handled_once(driver):
    content = json.dumps(text_body("/menu")).encode()
    responses = await asyncio.gather(*[
        driver.client.post("/webhook/zalo-bot", content=content,
                           headers={HEADER: ZALO_BOT_SECRET}) for _ in range(20)])
    assert [response.status_code for response in responses] == [200] * 20
    assert await count_rows(driver.database, "inbound_events") == 1
    assert await count_rows(driver.database, "outbox") == 1


async def test_network_failure_is_transient(zalo_bot_settings):
    channel = build_channels(zalo_bot_settings(zalo_bot_api_base="http://127.0.0.1:9"))["zalo-bot"]
    result = await channel.send(CHAT, {"type": "message", "text": "x"})
    await channel.close()
    assert result.error == SendError.TRANSIENT and result.reason


async def test_polling_serves_residents_without_a_webhook(zalo_bot_settings, fake_zalo_bot):
    fake_zalo_bot.webhook = {"url": "https://old.example/webhook/zalo-bot"}
    settings = zalo_bot_settings(zalo_bot_mode="polling", zalo_bot_webhook_secret=None)
    async with running_app(settings) as (client, service):
        assert "zalo-bot" not in service.catalogue.webhooks(settings, service.channels)
        assert (await client.post("/webhook/zalo-bot", json={})).status_code == 404
        # a single update object per getUpdates, as Zalo answers (no list, no offset)
        start = text_body("/start")
        fake_zalo_bot.pending_updates.append(start)
        fake_zalo_bot.pending_updates.append(start)  # handed out twice: answered once
        fake_zalo_bot.pending_updates.append({"event_name": "bogus"})  # ignored, not fatal
        # the getUpdates documentation's shape: no event_name, the message says what it is
        fake_zalo_bot.pending_updates.append(bot_update("getupdates_without_event_name")["result"])
        fake_zalo_bot.pending_updates.append(text_body("/trogiup"))
        await wait_until(lambda: any("/menu" in text for text in fake_zalo_bot.texts_to(CHAT)))
        assert not fake_zalo_bot.pending_updates
    assert fake_zalo_bot.webhook == {}  # deleted first: getUpdates refuses while one is set
    texts = fake_zalo_bot.texts_to(CHAT)
    assert sum("1. Đồng ý\n2. Không đồng ý" in text for text in texts) == 1
    assert await count_rows(service.database, "inbound_events") == 3


def test_webhook_mode_needs_a_secret_of_8_characters(make_settings):
    # checked by the commands that run channels (settings_or_exit(require_channels=True))
    short = make_settings(zalo_bot_token="1:x", zalo_bot_webhook_secret="short")
    assert "8–256" in short.channel_problems()[0]
    assert make_settings(zalo_bot_token="1:x", zalo_bot_mode="polling").channel_problems() == []


# -- loaso webhook set --channel zalo-bot ------------------------------------------------------

def test_webhook_set_registers_the_zalo_bot_url_and_secret():
    from tests.bot.test_cli import run
    from tests.fakes.zalo_bot_api import FakeZaloBot, running_in_thread

    fake = FakeZaloBot()
    with running_in_thread(fake) as base_url:
        result = run(["webhook", "set", "--channel", "zalo-bot"], env={
            "LOASO_ZALO_BOT_TOKEN": fake.token, "LOASO_ZALO_BOT_API_BASE": base_url,
            "LOASO_ZALO_BOT_WEBHOOK_SECRET": ZALO_BOT_SECRET,
            "LOASO_PUBLIC_URL": "https://loaso.namanphu.vn"})
    assert result.returncode == 0, result.stderr
    assert fake.webhook["url"] == "https://loaso.namanphu.vn/webhook/zalo-bot"
    assert fake.webhook["secret_token"] == ZALO_BOT_SECRET


def test_webhook_set_reports_a_rejected_token_without_printing_it():
    from tests.bot.test_cli import run
    from tests.fakes.zalo_bot_api import FakeZaloBot, running_in_thread

    fake = FakeZaloBot()
    wrong = "2034567890123456789:wrongZaloBotSecretForTests000000"
    with running_in_thread(fake) as base_url:
        result = run(["webhook", "set", "--channel", "zalo-bot"], env={
            "LOASO_ZALO_BOT_TOKEN": wrong, "LOASO_ZALO_BOT_API_BASE": base_url,
            "LOASO_ZALO_BOT_WEBHOOK_SECRET": ZALO_BOT_SECRET,
            "LOASO_PUBLIC_URL": "https://loaso.namanphu.vn"})
    assert result.returncode == 2 and "401" in result.stderr
    assert "wrongZaloBot" not in result.stderr + result.stdout and not fake.webhook


def test_webhook_set_without_a_secret_says_what_is_missing():
    from tests.bot.test_cli import run

    result = run(["webhook", "set", "--channel", "zalo-bot"], env={
        "LOASO_ZALO_BOT_TOKEN": "1:x", "LOASO_ZALO_BOT_MODE": "polling",
        "LOASO_PUBLIC_URL": "https://loaso.namanphu.vn"})
    assert result.returncode == 2 and "LOASO_ZALO_BOT_WEBHOOK_SECRET" in result.stderr
