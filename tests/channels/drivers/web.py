"""The web chat in tests: the "platform" is the browser, so the fake is a recorder of what
the channel pushed to open pages, and the resident talks through the real routes
(/chat/api/session, /chat/api/send) as the page's script does."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.channels.drivers import Resident
from tests.channels.drivers._shared import settings_builder

ORIGIN = "http://loaso.test"  # the tests' client base URL: the page's own origin
_ids = itertools.count(1)


def message_id() -> str:
    return f"t{next(_ids):015d}"


class OpenPages:
    """What the open pages of each resident received, as the page's event stream does."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue] = {}
        self._seen: dict[str, list[dict]] = {}

    def watch(self, channel, address: str) -> None:
        if address not in self._queues:
            self._queues[address] = channel.hub.subscribe(address)
            self._seen[address] = []

    def lines(self, address: str) -> list[dict]:
        queue = self._queues.get(address)
        while queue is not None and not queue.empty():
            self._seen[address].append(queue.get_nowait().public())
        return list(self._seen.get(address, []))

    def said(self, address: str) -> list[dict]:
        """Loa Số's messages: [{"text", "buttons": [(label, payload)] | None}]."""
        return [{"text": line["text"],
                 "buttons": [tuple(button) for button in line["buttons"]]
                 if line.get("buttons") else None}
                for line in self.lines(address) if line["author"] == "loaso"]


@pytest.fixture
def web_pages() -> OpenPages:
    return OpenPages()


@pytest.fixture
def web_settings(make_settings):
    return settings_builder(make_settings)


async def open_session(client, origin: str = ORIGIN) -> str:
    response = await client.post("/chat/api/session", headers={"Origin": origin})
    assert response.status_code == 200, response.text
    return response.json()["session"]


async def address_of(service, token: str) -> str:
    from bot.channels.web_transport import address_for
    return await address_for(service.channels["web"], token)


class WebResident(Resident):
    """Buttons are buttons; a tap sends the payload with its label, as the page does."""

    channel = "web"
    fake_fixture = "web_pages"
    settings_fixture = "web_settings"
    settings_overrides = {"webchat_session_rate": 0, "webchat_address_rate": 0}
    sends_unsupported = False  # a browser sends only text and taps

    token: str | None = None
    address: str | None = None

    def text_update(self, text):
        return {"text": text}

    def tap_update(self, payload):
        return {"tap": payload}

    async def post(self, update):
        if self.token is None:
            self.token = await open_session(self.client)
            self.address = await address_of(self.service, self.token)
            self.fake.watch(self.service.channels["web"], self.address)
        return await self.client.post("/chat/api/send", headers={"Origin": ORIGIN},
                                      json={"session": self.token, "id": message_id(), **update})

    def messages(self):
        return self.fake.said(self.address) if self.address else []


RESIDENT = WebResident
