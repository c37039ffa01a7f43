"""Zalo Bot in tests: the fake Bot API on loopback, settings that use it, a resident."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.settings import Settings
from tests.channels.drivers import Resident
from tests.conftest import fixture
from tests.fakes.telegram_api import running
from tests.fakes.zalo_bot_api import FakeZaloBot

ZALO_BOT_SECRET = "zalo-bot-secret_0123456789"
_ids = itertools.count(1)


@pytest_asyncio.fixture
async def fake_zalo_bot() -> AsyncIterator[FakeZaloBot]:
    fake = FakeZaloBot()
    async with running(fake) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def zalo_bot_settings(make_settings, fake_zalo_bot):
    def build(**overrides) -> Settings:
        values = {"zalo_bot_token": fake_zalo_bot.token,
                  "zalo_bot_webhook_secret": ZALO_BOT_SECRET,
                  "zalo_bot_api_base": fake_zalo_bot.base_url, "zalo_bot_rate_limit": 0}
        values.update(overrides)
        return make_settings(**values)
    return build


def fresh(name: str) -> dict:
    """A captured update with a new message_id, so it is never taken for a redelivery."""
    update = copy.deepcopy(fixture(f"zalo_bot/{name}.json"))
    update["message"]["message_id"] = f"{next(_ids):020x}"
    return update


class ZaloBotResident(Resident):
    """No buttons: options are always a numbered list."""

    channel = "zalo-bot"
    fake_fixture = "fake_zalo_bot"
    settings_fixture = "zalo_bot_settings"
    chat = "6ede9afa66b88fe6d6a9"

    def text_update(self, text):
        update = fresh("text")
        update["message"]["text"] = text
        return update

    def tap_update(self, payload):
        raise AssertionError("Zalo Bot has no buttons")

    def unsupported_update(self):
        return fresh("image")

    async def post(self, update):
        return await self.client.post("/webhook/zalo-bot", json=update,
                                      headers={"X-Bot-Api-Secret-Token": ZALO_BOT_SECRET})

    def messages(self):
        return [{"text": m["text"], "buttons": None} for m in self.fake.sent
                if m["chat_id"] == self.chat]


RESIDENT = ZaloBotResident
