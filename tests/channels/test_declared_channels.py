"""A channel is one declaration: this module adds a throw-away channel by itself (nothing
else in the tree names it) and a resident goes through /start → consent → menu on it, by
webhook and by polling. Then what the declarations promise: no channel without a rate
limit, no settings name outside the channel's prefix, one source label for staff."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from bot.channels.base import SendResult, WebhookRejected, load_json
from bot.channels.registry import ChannelNotDeclared, declared, source_label
from bot.channels.spec import ChannelSpec, Inbox, Polling, RateLimit
from bot.service import Service
from handlers import texts
from messages.types import Capabilities, Inbound, InboundKind, text_event
from tests.bot.test_cli import run
from tests.bot.test_cli_comments import staff_env  # noqa: F401  (fixture used by name)
from tests.conftest import count_rows, wait_until
from tests.utils import running_app

NAME = "loopback"
TOKEN = "loopback-secret"


class LoopbackChannel:
    """A platform that posts {"id", "from", "text" | "tap"} with a token, and records sends."""

    name = NAME
    capabilities = Capabilities(buttons=True, max_text_length=500, max_buttons=10)

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()  # what polling would fetch

    def verify(self, headers, body: bytes) -> None:
        if headers.get("x-loopback-token") != TOKEN:
            raise WebhookRejected(403, "wrong token")

    def parse(self, body: bytes) -> list[Inbound]:
        data = load_json(body)
        if not isinstance(data, dict) or not {"id", "from"} <= data.keys():
            raise WebhookRejected(400, "not a loopback event")
        if "tap" in data:
            return [Inbound(NAME, data["id"], data["from"], InboundKind.BUTTON,
                            button=data["tap"], what="button")]
        return [text_event(NAME, data["id"], data["from"], data["text"])]

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult:
        self.sent.append((recipient, payload))
        return SendResult(platform_message_id=str(len(self.sent)))

    async def close(self) -> None:
        return None


async def poll(channel: LoopbackChannel, inbox: Inbox, health) -> None:
    health.ok()
    while True:
        for event in channel.parse(await channel.queue.get()):
            await inbox.handle(event)


verification = APIRouter()


@verification.get(f"/{NAME}/verify")
async def verify_handshake(request: Request, challenge: str) -> PlainTextResponse:
    """A platform's GET handshake: answered only while the channel is on."""
    assert NAME in request.app.state.channels
    return PlainTextResponse(challenge)


def spec(*, polling: bool = False) -> ChannelSpec[Any]:
    return ChannelSpec(
        name=NAME, label="Kênh thử", capabilities=LoopbackChannel.capabilities,
        enabled=lambda settings: True,
        build=lambda settings, resources: LoopbackChannel(),
        limits=lambda settings: RateLimit(rate=0),
        polling=Polling(wanted=lambda settings: polling, run=poll),
        routes=verification)


class Resident:
    def __init__(self, client, service) -> None:
        self.client, self.service = client, service
        self.channel: LoopbackChannel = service.channels[NAME]
        self.ids = iter(range(1, 1000))

    def seen(self) -> list[dict[str, Any]]:
        return [payload for recipient, payload in self.channel.sent
                if recipient == "r-1" and payload["type"] == "message"]

    async def post(self, **event) -> list[dict[str, Any]]:
        before = len(self.seen())
        body = {"id": f"e{next(self.ids)}", "from": "r-1", **event}
        response = await self.client.post(f"/webhook/{NAME}", json=body,
                                          headers={"x-loopback-token": TOKEN})
        assert response.status_code == 200, response.text
        await self.service.sender.drain()
        return self.seen()[before:]

    def button(self, label: str) -> str:
        for payload in reversed(self.seen()):
            for shown, data in payload.get("buttons", []):
                if shown == label:
                    return data
        raise AssertionError(f"no button {label!r}")


async def test_a_channel_declared_in_a_test_serves_a_resident(make_settings):
    service = Service(make_settings(), catalogue=declared().with_extra(spec()))
    async with running_app(service.settings, run_sender=False, service=service) as (client, _):
        resident = Resident(client, service)
        greeting = await resident.post(text="/start")
        assert "Xin chào! Đây là Loa Số" in greeting[0]["text"]
        recorded = await resident.post(tap=resident.button(texts.CONSENT_YES))
        assert "đã ghi nhận sự đồng ý" in recorded[0]["text"]
        menu = await resident.post(text="/menu")
        assert "Tin Đại hội" in [label for label, _ in menu[-1]["buttons"]]
        # its own route, and the shared webhook route refusing a wrong token
        handshake = await client.get(f"/{NAME}/verify", params={"challenge": "abc123"})
        assert (handshake.status_code, handshake.text) == (200, "abc123")
        refused = await client.post(f"/webhook/{NAME}", json={"id": "x", "from": "r-2",
                                                            "text": "hi"})
        assert refused.status_code == 403
    assert await count_rows(service.database, "inbound_events") == 3
    assert service.catalogue.source_label(NAME) == "Kênh thử"


async def test_a_declared_polling_channel_is_served_without_its_webhook(make_settings):
    service = Service(make_settings(), catalogue=declared().with_extra(spec(polling=True)))
    async with running_app(service.settings, service=service) as (client, _):
        channel: LoopbackChannel = service.channels[NAME]
        response = await client.post(f"/webhook/{NAME}", json={},
                                     headers={"x-loopback-token": TOKEN})
        assert response.status_code == 404  # a polling channel's webhook is off
        await channel.queue.put(json.dumps({"id": "p1", "from": "r-1", "text": "/start"}).encode())
        await wait_until(lambda: any(payload["type"] == "message" for _, payload in channel.sent))
    assert "Xin chào! Đây là Loa Số" in channel.sent[0][1]["text"]


def test_a_channel_without_a_rate_limit_cannot_be_declared():
    with pytest.raises(TypeError, match="limits"):
        ChannelSpec(name=NAME, label="x", capabilities=LoopbackChannel.capabilities,
                    enabled=lambda settings: True, build=lambda settings, resources: None)
    with pytest.raises(TypeError, match="rate-limit policy"):
        ChannelSpec(name=NAME, label="x", capabilities=LoopbackChannel.capabilities,
                    enabled=lambda settings: True, build=lambda settings, resources: None,
                    limits=None)


def test_an_undeclared_channel_stops_start_up_instead_of_sending_unlimited(make_settings):
    with pytest.raises(ChannelNotDeclared, match="'loopback' is not declared.*limits="):
        Service(make_settings(), channels={NAME: LoopbackChannel()})


def test_a_channels_settings_keep_to_its_prefix():
    class Stray(BaseModel):
        loopback_origins: list[str] = []
        public_url: str | None = None  # would replace the core setting

    with pytest.raises(TypeError, match="must start with 'loopback_'.*public_url"):
        ChannelSpec(name=NAME, label="x", capabilities=LoopbackChannel.capabilities,
                    enabled=lambda settings: True, build=lambda settings, resources: None,
                    limits=lambda settings: RateLimit(rate=0), settings=Stray)


def test_every_declared_channel_has_its_own_name_and_a_rate_limit(make_settings):
    settings = make_settings()
    for channel in declared():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", channel.name)
        assert isinstance(channel.limits(settings), RateLimit)
        assert channel.label and source_label(channel.name) == channel.label
    assert source_label("meeting") == "Hội nghị"


def test_one_source_label_serves_chat_cli_and_exports():
    from bot.reports import labels as export
    from handlers import my_data

    for source in (*declared().names(), "meeting", "unknown-source"):
        assert my_data.channel_name(source) == export.source_label(source) == source_label(source)


def test_comments_show_names_the_source_as_exports_do(staff_env):  # noqa: F811
    """`loaso comments show` printed the raw channel ("zalo-oa") where exports said "Zalo"."""
    env, code, path = staff_env
    for channel in declared():
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE comments SET source=? WHERE receipt=?",
                               (channel.name, code))
        shown = run(["comments", "show", code], env=env).stdout
        assert f"Nguồn: {channel.label}\n" in shown, shown
