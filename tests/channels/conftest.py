"""Fixtures for the Zalo channels: the fake platforms on loopback and settings that use them.

tests/bot/test_flows_on_every_channel.py imports these by name, so they serve there too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.settings import Settings
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.fakes.telegram_api import running

ZALO_BOT_SECRET = "zalo-bot-secret_0123456789"


@pytest_asyncio.fixture
async def fake_zalo_oa() -> AsyncIterator[FakeZaloOA]:
    fake = FakeZaloOA()
    async with running(fake) as base_url:
        fake.base_url = base_url
        yield fake


@pytest_asyncio.fixture
async def fake_zalo_bot() -> AsyncIterator[FakeZaloBot]:
    fake = FakeZaloBot()
    async with running(fake) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def zalo_oa_settings(make_settings, fake_zalo_oa):
    """The OA on the fake, its first refresh token given in the settings (the seed)."""
    def build(**overrides) -> Settings:
        values = {"zalo_oa_app_id": fake_zalo_oa.app_id,
                  "zalo_oa_app_secret": fake_zalo_oa.app_secret,
                  "zalo_oa_secret_key": fake_zalo_oa.secret_key,
                  "zalo_oa_api_base": fake_zalo_oa.base_url,
                  "zalo_oa_oauth_base": fake_zalo_oa.base_url,
                  "zalo_oa_refresh_token": fake_zalo_oa.refresh_token,
                  "zalo_oa_rate_limit": 0}
        values.update(overrides)
        return make_settings(**values)
    return build


@pytest.fixture
def zalo_bot_settings(make_settings, fake_zalo_bot):
    def build(**overrides) -> Settings:
        values = {"zalo_bot_token": fake_zalo_bot.token,
                  "zalo_bot_webhook_secret": ZALO_BOT_SECRET,
                  "zalo_bot_api_base": fake_zalo_bot.base_url, "zalo_bot_rate_limit": 0}
        values.update(overrides)
        return make_settings(**values)
    return build
