"""The shared, table-driven channel harness. Every channel adapter passes the same runners.

A channel's test file supplies a driver (how to deliver a raw event and what the platform
saw) and tables of cases; most of the tables come from the shared case builders below, so
every channel is held to the same behaviour. The runners also enforce what holds for all
channels: a refused request writes nothing, nothing answers 5xx, and no secret reaches the
logs.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.channels.base import Channel, SendError
from messages.render import render_reply
from messages.types import Inbound, InboundKind, Option, Reply
from tests.conftest import count_rows


@dataclass(frozen=True)
class Expect:
    """The neutral event a raw platform event must become (None fields are not checked)."""

    kind: InboundKind
    address: str | None = None
    text: str | None = None
    command: str | None = None
    button: str | None = None


@dataclass(frozen=True)
class IncomingCase:
    label: str
    body: Any  # raw bytes/dict for webhook channels; a typed line for the terminal
    status: int = 200
    events: tuple[Expect, ...] = ()
    headers: dict[str, str] | None = None  # None: the driver's valid authentication


@dataclass(frozen=True)
class OutgoingCase:
    label: str
    reply: Reply
    faults: tuple[Any, ...] = ()  # platform answers to give before behaving normally
    error: SendError | None = None
    retry_after: float | None = None
    check: Callable[[list[dict[str, Any]], Channel], None] | None = None


class ChannelDriver(Protocol):
    channel: Channel
    database: Any
    secrets: list[str]

    async def deliver(self, body: Any, headers: dict[str, str] | None) -> tuple[int, list[Inbound]]:
        """Hand a raw event to the channel the way its platform would; status and events."""

    def platform_messages(self) -> list[dict[str, Any]]:
        """What the platform received so far: [{"text": str, "buttons": [labels] | None}]."""

    def inject(self, faults: tuple[Any, ...]) -> None:
        """Make the platform answer the next calls with these faults."""


class WebhookDriver:
    """What the drivers of webhook channels share: post a raw event to the channel's real
    route and record the neutral events the processor was handed. A channel's driver says
    how a body is encoded and authenticated (`encode`) and what its fake platform received."""

    channel_name: str

    def __init__(self, client, service, fake) -> None:
        self.client, self.service, self.fake = client, service, fake
        self.channel = service.channels[self.channel_name]
        self.database = service.database
        self.seen: list[Inbound] = []
        handle = service.processor.handle

        async def recording(event):
            self.seen.append(event)
            return await handle(event)

        service.processor.handle = recording

    def encode(self, body: Any) -> tuple[bytes, dict[str, str]]:
        """The bytes to post and the headers a genuine platform request would carry."""
        return (body if isinstance(body, bytes) else json.dumps(body).encode()), {}

    async def deliver(self, body: Any, headers: dict[str, str] | None
                      ) -> tuple[int, list[Inbound]]:
        self.seen = []
        content, genuine = self.encode(body)
        response = await self.client.post(
            f"/webhook/{self.channel_name}", content=content,
            headers={"content-type": "application/json",
                     **(genuine if headers is None else headers)})
        return response.status_code, list(self.seen)

    def inject(self, faults: tuple[Any, ...]) -> None:
        self.fake.script.extend(faults)


async def run_incoming(driver: ChannelDriver, case: IncomingCase, logs: str | Callable) -> None:
    status, events = await driver.deliver(case.body, case.headers)
    assert status == case.status, f"{case.label}: status {status}, expected {case.status}"
    assert status < 500, f"{case.label}: a platform request must never get a 5xx"
    assert len(events) == len(case.events), f"{case.label}: events {events}"
    for event, expected in zip(events, case.events, strict=True):
        _assert_event(case.label, event, expected)
    if status != 200:
        for table in ("users", "inbound_events", "outbox"):
            assert await count_rows(driver.database, table) == 0, \
                f"{case.label}: refused request wrote to {table}"
    _assert_no_secrets(driver, logs() if callable(logs) else logs)


async def run_outgoing(driver: ChannelDriver, case: OutgoingCase, logs: str | Callable) -> None:
    driver.inject(case.faults)
    payloads = render_reply(case.reply, driver.channel.capabilities)
    results = [await driver.channel.send("5512345678", payload) for payload in payloads]
    failures = [result for result in results if not result.ok]
    if case.error is None:
        assert not failures, f"{case.label}: unexpected failures {failures}"
        assert all(result.ok for result in results)
    else:
        assert failures, f"{case.label}: expected {case.error}, got success"
        assert failures[0].error == case.error, f"{case.label}: {failures[0]}"
        assert failures[0].reason, f"{case.label}: a failure must carry its reason"
        if case.retry_after is not None:
            assert failures[0].retry_after == case.retry_after
    if case.check is not None:
        case.check(driver.platform_messages(), driver.channel)
    _assert_no_secrets(driver, logs() if callable(logs) else logs)


def _assert_event(label: str, event: Inbound, expected: Expect) -> None:
    assert event.kind == expected.kind, f"{label}: kind {event.kind}, expected {expected.kind}"
    for name in ("address", "text", "command", "button"):
        want = getattr(expected, name)
        if want is not None:
            assert getattr(event, name) == want, f"{label}: {name} {getattr(event, name)!r}"
    assert unicodedata.is_normalized("NFC", event.text), f"{label}: text not NFC"


def _assert_no_secrets(driver: ChannelDriver, logs: str) -> None:
    for secret in driver.secrets:
        assert secret not in logs, "a secret reached the logs"


# -- shared cases: every channel gets these, from its own way of wrapping a text --------------

def text_cases(make_body: Callable[[str], Any], address: str) -> list[IncomingCase]:
    nfd = unicodedata.normalize("NFD", "Đại hội Đảng bộ xã")
    return [
        IncomingCase("plain text", make_body("Lịch đại hội?"),
                     events=(Expect(InboundKind.TEXT, address=address, text="Lịch đại hội?"),)),
        IncomingCase("command", make_body("/start"),
                     events=(Expect(InboundKind.COMMAND, address=address, command="start",
                                    text=""),)),
        IncomingCase("command with bot name and argument", make_body("/TimKiem@loaso_bot đại hội"),
                     events=(Expect(InboundKind.COMMAND, command="timkiem", text="đại hội"),)),
        IncomingCase("decomposed (NFD) input becomes NFC", make_body(nfd),
                     events=(Expect(InboundKind.TEXT, text=unicodedata.normalize("NFC", nfd)),)),
        IncomingCase("emoji only", make_body("🎉👍"),
                     events=(Expect(InboundKind.TEXT, text="🎉👍"),)),
        IncomingCase("10,000 characters", make_body("góp ý " * 2000),
                     events=(Expect(InboundKind.TEXT, text=("góp ý " * 2000).strip()),)),
    ]


def _expect_split(messages: list[dict[str, Any]], channel: Channel) -> None:
    limit = channel.capabilities.max_text_length
    assert len(messages) >= 2, "a text over the limit must become several messages"
    assert all(len(message["text"]) <= limit for message in messages)
    assert all(not message["text"].startswith(("\n", " ")) for message in messages)
    joined = " ".join(message["text"] for message in messages)
    assert joined.split() == LONG_TEXT.split(), "splitting must not lose or reorder words"


def _expect_options(messages: list[dict[str, Any]], channel: Channel) -> None:
    assert len(messages) == 1
    labels = [option.label for option in OPTIONS]
    if channel.capabilities.buttons:
        assert messages[0]["buttons"] == labels
    else:
        assert messages[0]["buttons"] is None
        for number, label in enumerate(labels, start=1):
            assert f"{number}. {label}" in messages[0]["text"]


def _expect_plain(messages: list[dict[str, Any]], channel: Channel) -> None:
    assert [message["text"] for message in messages] == ["Xin chào bà con thôn 3."]


OPTIONS = (Option("Đồng ý", "consent:yes"), Option("Không đồng ý", "consent:no"))
LONG_TEXT = "\n\n".join(f"Đoạn {index}: " + "tuyên truyền Đại hội " * 40 for index in range(40))


def http_status_cases() -> list[OutgoingCase]:
    """Send failures of platforms that answer with HTTP-style codes (Telegram, Zalo Bot)."""
    return [
        OutgoingCase("429 carries retry_after", Reply("x"), faults=(("429", 7),),
                     error=SendError.THROTTLED, retry_after=7.0),
        OutgoingCase("403 blocked stops the recipient", Reply("x"), faults=(("403",),),
                     error=SendError.STOPPED),
        OutgoingCase("500 is transient", Reply("x"), faults=(("500",),),
                     error=SendError.TRANSIENT),
        OutgoingCase("400 is permanent", Reply("x"), faults=(("400",),),
                     error=SendError.PERMANENT),
        OutgoingCase("401 is a configuration error", Reply("x"), faults=(("401",),),
                     error=SendError.CONFIG),
    ]


def send_cases() -> list[OutgoingCase]:
    return [
        OutgoingCase("plain text", Reply("Xin chào bà con thôn 3."), check=_expect_plain),
        OutgoingCase("options as buttons or a numbered list", Reply("Bạn chọn:", OPTIONS),
                     check=_expect_options),
        OutgoingCase("long text split at paragraphs", Reply(LONG_TEXT), check=_expect_split),
    ]
