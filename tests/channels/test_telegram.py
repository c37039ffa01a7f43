"""Telegram through the shared harness: real app route in, fake Bot API out."""

from __future__ import annotations

import asyncio
import json

import pytest
import pytest_asyncio

from bot.channels.base import SendError
from messages.types import InboundKind, Reply
from tests.channels.harness import (
    Expect,
    IncomingCase,
    OutgoingCase,
    WebhookDriver,
    http_status_cases,
    run_incoming,
    run_outgoing,
    send_cases,
    text_cases,
)
from tests.conftest import WEBHOOK_SECRET, count_rows, fixture
from tests.utils import running_app, telegram_update

CHAT = "5512345678"


class TelegramDriver(WebhookDriver):
    channel_name = "telegram"

    def __init__(self, client, service, fake) -> None:
        super().__init__(client, service, fake)
        self.secrets = [fake.token, WEBHOOK_SECRET]

    def encode(self, body):
        content, _ = super().encode(body)
        return content, {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}

    def platform_messages(self):
        return [{"text": message["text"],
                 "buttons": [row[0]["text"] for row in message["reply_markup"]["inline_keyboard"]]
                 if message["reply_markup"] else None}
                for message in self.fake.sent]



@pytest_asyncio.fixture
async def driver(telegram_settings, fake_telegram):
    # The sender is off: the harness checks parsing and sending separately.
    async with running_app(telegram_settings(), run_sender=False) as (client, service):
        yield TelegramDriver(client, service, fake_telegram)


def text_body(text: str) -> dict:
    return telegram_update("text", text=text)


INCOMING = text_cases(text_body, CHAT) + [
    IncomingCase("button press", telegram_update("callback"),
                 events=(Expect(InboundKind.BUTTON, address=CHAT, button="consent:yes"),)),
    IncomingCase("blocked by the resident", telegram_update("blocked"),
                 events=(Expect(InboundKind.STOPPED, address=CHAT),)),
    IncomingCase("unblocked by the resident", telegram_update("unblocked"),
                 events=(Expect(InboundKind.RESUMED, address=CHAT),)),
    *[IncomingCase(kind, telegram_update(kind), events=(Expect(InboundKind.UNSUPPORTED),))
      for kind in ("photo", "sticker", "voice", "location")],
    *[IncomingCase(kind, telegram_update(kind), events=(Expect(InboundKind.IGNORED),))
      for kind in ("edited", "group", "channel_post")],
    # bad input: refused, nothing written (the runner checks the tables)
    IncomingCase("missing secret header", telegram_update("start"), status=401, headers={}),
    IncomingCase("wrong secret", telegram_update("start"), status=403,
                 headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}),
    IncomingCase("wrong secret of the right length", telegram_update("start"), status=403,
                 headers={"X-Telegram-Bot-Api-Secret-Token": "x" * len(WEBHOOK_SECRET)}),
    IncomingCase("body is not JSON", b"update_id=1&message=hi", status=400),
    IncomingCase("body is not UTF-8", b"\xff\xfe\x00{", status=400),
    IncomingCase("JSON that is a list", [1, 2, 3], status=400),
    IncomingCase("JSON without update_id", {"message": {"text": "hi"}}, status=400),
    IncomingCase("update_id that is not a number", {"update_id": "12", "message": {}}, status=400),
    # authenticated updates with an integer update_id are never refused (Telegram would
    # redeliver them, holding back the rest): not understood, acknowledged, ignored
    IncomingCase("update with a malformed message", {"update_id": 5, "message": {"text": "x"}},
                 events=(Expect(InboundKind.IGNORED),)),
    IncomingCase("body over 1 MB", {"update_id": 6, "padding": "x" * (1024 * 1024)}, status=413),
]


# Older and newer shapes (tests/channels/fixtures/telegram/README.md names their sources).
VARIANTS = [
    IncomingCase("poll_answer shaped before Bot API 9.6", fixture("telegram/poll_answer_before_9_6.json"),
                 events=(Expect(InboundKind.IGNORED),)),
    IncomingCase("older User without is_bot", fixture("telegram/user_without_is_bot.json"),
                 events=(Expect(InboundKind.IGNORED),)),
    IncomingCase("newer fields are ignored, the text is read",
                 fixture("telegram/text_newer_fields.json"),
                 events=(Expect(InboundKind.COMMAND, address=CHAT, command="start",
                                text="thon3"),)),
]
INCOMING += VARIANTS + [
    # what PostgreSQL cannot store is cleaned before it gets there (a redelivery would fail
    # the same way every time)
    IncomingCase("text holding U+0000", text_body("góp\x00 ý"),
                 events=(Expect(InboundKind.TEXT, text="góp ý"),)),
    IncomingCase("text holding a lone surrogate", text_body("góp \ud800ý"),
                 events=(Expect(InboundKind.TEXT, text="góp \ufffdý"),)),
    IncomingCase("button payload holding U+0000", telegram_update("callback", data="x\x00y"),
                 events=(Expect(InboundKind.BUTTON, button="x\x00y"),)),
]


@pytest.mark.parametrize("case", INCOMING, ids=lambda case: case.label)
async def test_incoming(driver, case, caplog):
    await run_incoming(driver, case, lambda: caplog.text)


OUTGOING = send_cases() + http_status_cases() + [
    OutgoingCase("502 is transient", Reply("x"), faults=(("502",),), error=SendError.TRANSIENT),
]


@pytest.mark.parametrize("case", OUTGOING, ids=lambda case: case.label)
async def test_outgoing(driver, case, caplog):
    await run_outgoing(driver, case, lambda: caplog.text)


async def test_body_over_1mb_without_content_length_is_refused(driver):
    async def chunks():
        for _ in range(17):
            yield b"x" * 65536

    response = await driver.client.post(
        "/webhook/telegram", content=chunks(),
        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
    assert response.status_code == 413


async def test_disabled_channel_webhook_answers_404(driver):
    for name in ("zalo-oa", "zalo-bot", "nope"):
        response = await driver.client.post(f"/webhook/{name}", json={})
        assert response.status_code == 404


async def test_network_failure_is_transient(telegram_settings):
    from bot.channels.registry import build_channels

    channel = build_channels(telegram_settings(telegram_api_base="http://127.0.0.1:9"))["telegram"]
    result = await channel.send(CHAT, {"type": "message", "text": "x"})
    await channel.close()
    assert result.error == SendError.TRANSIENT and result.reason


def _wrong(change) -> dict:
    update = telegram_update("text")
    change(update["message"])
    return update


WRONG_TYPES = {
    "message without chat": lambda message: message.pop("chat"),
    "text a number": lambda message: message.update(text=12345),
    "100-digit chat id": lambda message: message["chat"].update(id=int("9" * 100)),
    "date 1e20": lambda message: message.update(date=1e20),
    "button data a list": None,
}


@pytest.mark.parametrize("label", WRONG_TYPES)
async def test_authenticated_updates_of_wrong_types_are_acknowledged_never_queued(
        driver, label, caplog):
    if WRONG_TYPES[label] is None:
        update = telegram_update("callback")
        update["callback_query"]["data"] = ["consent:yes"]
    else:
        update = _wrong(WRONG_TYPES[label])
    status, events = await driver.deliver(update, None)
    assert status == 200
    assert [event.kind for event in events] == [InboundKind.IGNORED]
    for table in ("users", "inbound_events", "outbox"):
        assert await count_rows(driver.database, table) == 0, table
    assert "Lịch đại hội" not in caplog.text  # the fixture's text never reaches the log


async def test_unreadable_updates_are_logged_once_per_kind_and_counted(driver, caplog):
    first = fixture("telegram/poll_answer_before_9_6.json")
    for update_id in (70, 71, 72):
        status, _ = await driver.deliver({**first, "update_id": update_id}, None)
        assert status == 200
    status, _ = await driver.deliver(fixture("telegram/user_without_is_bot.json"), None)
    assert status == 200
    warnings = [record.getMessage() for record in caplog.records
                if record.levelname == "WARNING" and "not understood" in record.getMessage()]
    assert len(warnings) == 2, warnings  # one per kind, not one per update
    assert "telegram update 70 (poll_answer)" in warnings[0]
    assert "option_persistent_ids" in warnings[0] and "option_ids:list" in warnings[0]
    assert "message" in warnings[1] and "Xin chào" not in caplog.text  # kinds, never text
    body = (await driver.client.get("/metrics")).text
    assert ('loaso_updates_ignored_total{channel="telegram",reason="not understood"} 4.0'
            in body)
    for table in ("inbound_events", "outbox"):
        assert await count_rows(driver.database, table) == 0


async def test_unstorable_characters_are_cleaned_before_the_database(driver):
    for text in ("góp\x00 ý", "góp \ud800ý"):
        status, _ = await driver.deliver(text_body(text), None)
        assert status == 200
    tapped = telegram_update("callback", data="con\x00sent:\udfffyes")
    assert (await driver.deliver(tapped, None))[0] == 200
    assert await count_rows(driver.database, "inbound_events") == 3


async def test_a_body_arriving_too_slowly_is_cut_off_and_nothing_stored(telegram_settings,
                                                                        fake_telegram):
    body = json.dumps(telegram_update("text")).encode()

    async def trickle():
        yield body[:10]
        await asyncio.sleep(5)  # far slower than the setting below allows
        yield body[10:]

    settings = telegram_settings(webhook_body_seconds=0.2)
    async with running_app(settings, run_sender=False) as (client, service):
        response = await client.post("/webhook/telegram", content=trickle(),
                                     headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
        assert response.status_code == 408
        for table in ("users", "inbound_events", "outbox"):
            assert await count_rows(service.database, table) == 0
