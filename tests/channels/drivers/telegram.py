"""Telegram in tests: the fake Bot API on loopback, settings that use it, a resident."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.channels.drivers import Resident
from tests.channels.drivers._shared import served, settings_builder
from tests.conftest import WEBHOOK_SECRET
from tests.fakes.telegram_api import FakeTelegram
from tests.utils import secret_headers, telegram_update


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with served(FakeTelegram()) as fake:
        yield fake


@pytest.fixture
def telegram_settings(make_settings, fake_telegram):
    return settings_builder(make_settings, telegram_token=fake_telegram.token,
                            telegram_webhook_secret=WEBHOOK_SECRET,
                            telegram_api_base=fake_telegram.base_url, telegram_rate_limit=0)


class TelegramResident(Resident):
    channel = "telegram"
    fake_fixture = "fake_telegram"
    settings_fixture = "telegram_settings"
    settings_overrides = {"telegram_chat_rate_limit": 100, "telegram_chat_burst": 20}
    chat = 7001

    def text_update(self, text):
        return telegram_update("text", chat_id=self.chat, text=text)

    def tap_update(self, payload):
        return telegram_update("callback", chat_id=self.chat, data=payload)

    def unsupported_update(self):
        return telegram_update("photo", chat_id=self.chat)

    async def post(self, update):
        return await self.client.post("/webhook/telegram", json=update, headers=secret_headers())

    def messages(self):
        return [{"text": m["text"],
                 "buttons": [(row[0]["text"], row[0]["callback_data"])
                             for row in (m["reply_markup"] or {}).get("inline_keyboard", [])]}
                for m in self.fake.sent if m["chat_id"] == self.chat]


RESIDENT = TelegramResident
