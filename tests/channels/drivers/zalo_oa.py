"""Zalo OA in tests: the fake OA API on loopback, settings that use it, a resident."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.channels.drivers import Resident
from tests.channels.drivers._shared import fresh, served, settings_builder
from tests.fakes.zalo_oa_api import FakeZaloOA


@pytest_asyncio.fixture
async def fake_zalo_oa() -> AsyncIterator[FakeZaloOA]:
    async with served(FakeZaloOA()) as fake:
        yield fake


@pytest.fixture
def zalo_oa_settings(make_settings, fake_zalo_oa):
    """The OA on the fake, its first refresh token given in the settings (the seed)."""
    return settings_builder(make_settings, zalo_oa_app_id=fake_zalo_oa.app_id,
                            zalo_oa_app_secret=fake_zalo_oa.app_secret,
                            zalo_oa_secret_key=fake_zalo_oa.secret_key,
                            zalo_oa_api_base=fake_zalo_oa.base_url,
                            zalo_oa_oauth_base=fake_zalo_oa.base_url,
                            zalo_oa_refresh_token=fake_zalo_oa.refresh_token,
                            zalo_oa_rate_limit=0)


def captured(name: str) -> dict:
    return fresh(f"zalo_oa/{name}", "msg_id")


class ZaloOAResident(Resident):
    """Buttons come back as prefixed text; beyond five options they are a numbered list."""

    channel = "zalo-oa"
    fake_fixture = "fake_zalo_oa"
    settings_fixture = "zalo_oa_settings"
    user = "5510000000000000001"

    def text_update(self, text):
        event = captured("user_send_text")
        event["message"] = {"text": text, "msg_id": event["message"]["msg_id"]}
        return event

    def tap_update(self, payload):
        return self.text_update(payload)  # a tap is a user_send_text carrying the payload

    def unsupported_update(self):
        return captured("user_send_image")

    async def post(self, update):
        body, headers = self.fake.webhook(update)
        return await self.client.post("/webhook/zalo-oa", content=body, headers=headers)

    def messages(self):
        return [{"text": m["text"],
                 "buttons": [(b["title"], b["payload"]) for b in m["buttons"] or []]}
                for m in self.fake.sent if m["user_id"] == self.user]


RESIDENT = ZaloOAResident
