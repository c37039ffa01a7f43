"""One driver module per channel: its fake platform and settings as pytest fixtures, and a
`Resident` that types, taps and reads on that platform. tests/conftest.py registers every
module here as a pytest plugin, and the tests that run on every channel loop over `RESIDENT`
of each, so a new channel adds its driver here and edits no shared test.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


class Resident:
    """One resident on one channel, talking to a running app; the channel's subclass says how
    its platform wraps a text, a tap and an unsupported message, and what the resident saw."""

    channel: str  # the channel's name (its ChannelSpec.name)
    fake_fixture: str  # the pytest fixture of its fake platform
    settings_fixture: str  # the pytest fixture that builds settings pointing at the fake
    settings_overrides: dict[str, Any] = {}
    sends_unsupported = True  # photos, stickers...; a browser chat sends only text and taps

    def __init__(self, client, service, fake) -> None:
        self.client, self.service, self.fake = client, service, fake

    # -- what each channel supplies ----------------------------------------------------------

    def text_update(self, text: str) -> Any: ...

    def tap_update(self, payload: str) -> Any: ...

    def unsupported_update(self) -> Any:
        """A photo or the like, which the flows answer politely."""

    async def post(self, update: Any): ...

    def messages(self) -> list[dict]:
        """What this resident received: [{"text": str, "buttons": [(label, payload)] | None}]."""

    # -- shared ------------------------------------------------------------------------------

    async def say(self, text: str) -> list[dict]:
        return await self.deliver(self.text_update(text))

    async def choose(self, label: str) -> list[dict]:
        """Tap the button called `label`, or type its number where options are a list."""
        for message in reversed(self.messages()):
            for shown, payload in message["buttons"] or []:
                if shown == label:
                    return await self.deliver(self.tap_update(payload))
            for line in message["text"].splitlines():
                number, _, shown = line.partition(". ")
                if number.isdigit() and shown == label:
                    return await self.say(number)
        raise AssertionError(f"no option {label!r} on screen")

    async def deliver(self, update: Any) -> list[dict]:
        before = len(self.messages())
        response = await self.post(update)
        assert response.status_code == 200, response.text
        await self.service.sender.drain()
        return self.messages()[before:]

    def texts(self, replies: list[dict]) -> str:
        return "\n".join(reply["text"] for reply in replies)


def modules() -> list[str]:
    return [f"{__name__}.{info.name}" for info in pkgutil.iter_modules(__path__)
            if not info.name.startswith("_")]  # _shared.py is what they import, not a driver


def residents() -> dict[str, type[Resident]]:
    """Every driver's Resident, by channel name."""
    found = (getattr(importlib.import_module(name), "RESIDENT", None) for name in modules())
    return {resident.channel: resident for resident in found if resident is not None}
