"""The terminal channel through the shared harness: a typed line in, printed text out."""

from __future__ import annotations

import io

import pytest
import pytest_asyncio

from bot.channels.console import ConsoleChannel
from bot.service import Service
from tests.channels.harness import run_incoming, run_outgoing, send_cases, text_cases

USER = "console-tester"


class ConsoleDriver:
    def __init__(self, service: Service, channel: ConsoleChannel) -> None:
        self.service = service
        self.channel = channel
        self.database = service.database
        self.secrets: list[str] = []
        self.sent: list[dict] = []
        send = channel.send

        async def recording(recipient, payload):
            self.sent.append(payload)
            return await send(recipient, payload)

        channel.send = recording

    async def deliver(self, body, headers):
        event = self.channel.event(USER, body, session="harness")
        await self.service.processor.handle(event)
        return 200, [event]

    def platform_messages(self):
        return [{"text": payload["text"], "buttons": None} for payload in self.sent
                if payload["type"] == "message"]

    def inject(self, faults):
        assert not faults, "the terminal has no platform to fail"


@pytest_asyncio.fixture
async def driver(make_settings):
    channel = ConsoleChannel(io.StringIO())
    service = Service(make_settings(), channels={"console": channel})
    yield ConsoleDriver(service, channel)
    await service.close()


@pytest.mark.parametrize("case", text_cases(lambda text: text, USER), ids=lambda case: case.label)
async def test_incoming(driver, case, caplog):
    await run_incoming(driver, case, lambda: caplog.text)


@pytest.mark.parametrize("case", send_cases(), ids=lambda case: case.label)
async def test_outgoing(driver, case, caplog):
    await run_outgoing(driver, case, lambda: caplog.text)


async def test_printed_output_is_the_rendered_text(driver):
    await driver.deliver("/start", None)
    await driver.service.sender.drain()
    printed = driver.channel.output.getvalue()
    assert "Xin chào" in printed and "1. Đồng ý" in printed and "2. Không đồng ý" in printed
