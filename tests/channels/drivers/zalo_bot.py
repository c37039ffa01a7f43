"""Zalo Bot in tests: the fake Bot API on loopback, settings that use it, a resident."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.channels.drivers import Resident
from tests.channels.drivers._shared import fresh, served, settings_builder
from tests.fakes.zalo_bot_api import FakeZaloBot

ZALO_BOT_SECRET = "zalo-bot-secret_0123456789"


@pytest_asyncio.fixture
async def fake_zalo_bot() -> AsyncIterator[FakeZaloBot]:
    async with served(FakeZaloBot()) as fake:
        yield fake


@pytest.fixture
def zalo_bot_settings(make_settings, fake_zalo_bot):
    return settings_builder(make_settings, zalo_bot_token=fake_zalo_bot.token,
                            zalo_bot_webhook_secret=ZALO_BOT_SECRET,
                            zalo_bot_api_base=fake_zalo_bot.base_url, zalo_bot_rate_limit=0)


def captured(name: str) -> dict:
    return fresh(f"zalo_bot/{name}", "message_id")


class ZaloBotResident(Resident):
    """No buttons: options are always a numbered list."""

    channel = "zalo-bot"
    fake_fixture = "fake_zalo_bot"
    settings_fixture = "zalo_bot_settings"
    chat = "6ede9afa66b88fe6d6a9"

    def text_update(self, text):
        event = captured("text")
        event["message"]["text"] = text
        return event

    def tap_update(self, payload):
        raise AssertionError("Zalo Bot has no buttons")

    def unsupported_update(self):
        return captured("image")

    async def post(self, update):
        return await self.client.post("/webhook/zalo-bot", json=update,
                                      headers={"X-Bot-Api-Secret-Token": ZALO_BOT_SECRET})

    def messages(self):
        return [{"text": m["text"], "buttons": None} for m in self.fake.sent
                if m["chat_id"] == self.chat]


RESIDENT = ZaloBotResident
