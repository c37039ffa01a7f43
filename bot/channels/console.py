"""The terminal: `loaso chat` talks to the same handlers through this channel.

It has no buttons, so the shared renderer prints options as a numbered list and the
router accepts the typed number as the press, exactly as on Zalo Bot.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any, TextIO

from bot.channels.base import SendResult
from bot.channels.spec import UNLIMITED, ChannelSpec
from messages.types import Capabilities, Inbound, text_event

CAPABILITIES = Capabilities(buttons=False, max_text_length=4096)


class ConsoleChannel:
    name = "console"
    capabilities = CAPABILITIES

    def __init__(self, output: TextIO | None = None) -> None:
        self.output = output or sys.stdout
        self._ids = itertools.count(1)

    def event(self, address: str, line: str, *, session: str) -> Inbound:
        """One typed line as an event; ids are unique per chat session, never reused."""
        return text_event(self.name, f"{session}:{next(self._ids)}", address, line)

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult:
        if payload["type"] != "message":
            return SendResult()  # nothing to acknowledge in a terminal
        self.output.write(f"{payload['text']}\n\n")
        self.output.flush()
        return SendResult(platform_message_id=None)

    async def close(self) -> None:
        return None


# `loaso chat` builds its own terminal channel; no setting turns one on in a service.
CHANNEL: ChannelSpec[object] = ChannelSpec(
    name="console",
    label="Trò chuyện thử",
    capabilities=CAPABILITIES,
    enabled=lambda settings: False,
    build=lambda settings, resources: ConsoleChannel(),
    limits=lambda settings: UNLIMITED,
)
