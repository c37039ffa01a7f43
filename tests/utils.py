"""Helpers shared by tests: a running app with its client, and update builders."""

from __future__ import annotations

import asyncio
import copy
import itertools
import uuid
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from bot.app import create_app
from bot.service import Service
from bot.settings import Settings
from tests.conftest import WEBHOOK_SECRET, fixture

_update_ids = itertools.count(900_000_001)


@asynccontextmanager
async def running_app(settings: Settings, *, run_sender: bool = True,
                      service: Service | None = None):
    """The real app with its lifespan (sender included); yields (client, service)."""
    service = service or Service(settings)
    app = create_app(service, run_sender=run_sender)
    async with LifespanManager(app) as manager:
        for _ in range(250):  # the active-worker lock is taken in the background
            if not run_sender or service.role == "active":
                break
            await asyncio.sleep(0.02)
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://loaso.test") as client:
            client.app = app  # for tests that look at the app's state
            yield client, service


def telegram_update(name: str, *, chat_id: int | None = None, text: str | None = None,
                    data: str | None = None, update_id: int | None = None,
                    message_id: int | None = None) -> dict:
    """A captured update shape with a fresh update_id (and optionally another chat or text)."""
    update = copy.deepcopy(fixture(f"telegram/{name}.json"))
    update["update_id"] = update_id if update_id is not None else next(_update_ids)
    body = update.get("message") or update.get("callback_query") or update.get("my_chat_member")
    if chat_id is not None:
        target = body.get("message", body) if "callback_query" in update else body
        target["chat"]["id"] = chat_id
        body["from"]["id"] = chat_id
    if text is not None:
        update["message"]["text"] = text
    if data is not None:
        update["callback_query"]["data"] = data
    if message_id is not None:
        update["callback_query"]["message"]["message_id"] = message_id
    return update


def secret_headers(secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": secret}


class Dialog:
    """Talk to the real handlers through the terminal channel; each call returns the replies."""

    def __init__(self, service: Service, channel, user: str) -> None:
        self.service = service
        self.channel = channel
        self.user = user
        self.printed: list[str] = []
        self.session = uuid.uuid4().hex  # event ids must never repeat across dialogs
        send = channel.send

        async def recording(recipient, payload):
            if payload["type"] == "message":
                self.printed.append(payload["text"])
            return await send(recipient, payload)

        channel.send = recording

    async def choose(self, label: str) -> list[str]:
        """Type the number of the option called `label` in the last reply with options."""
        for text in reversed(self.printed):
            for line in text.splitlines():
                number, _, shown = line.partition(". ")
                if number.isdigit() and shown == label:
                    return await self(number)
        raise AssertionError(f"no option {label!r} on screen")

    async def __call__(self, line: str) -> list[str]:
        before = len(self.printed)
        await self.service.processor.handle(self.channel.event(self.user, line, session=self.session))
        await self.service.sender.drain()
        return self.printed[before:]


@asynccontextmanager
async def dialog(settings: Settings, user: str = "resident-1", as_of: str | None = None,
                 clock=None):
    import io
    from datetime import datetime

    from bot.channels.console import ConsoleChannel

    channel = ConsoleChannel(io.StringIO())
    preview = datetime.fromisoformat(as_of).replace(tzinfo=settings.zone) if as_of else None
    options = {"clock": clock} if clock is not None else {}
    service = Service(settings, channels={"console": channel}, as_of=preview, **options)
    try:
        yield Dialog(service, channel, user)
    finally:
        await service.close()


class TelegramResident:
    """A resident on Telegram: types text and taps buttons the fake Bot API has received."""

    def __init__(self, client, fake, chat_id: int) -> None:
        self.client, self.fake, self.chat_id = client, fake, chat_id

    def messages(self) -> list[dict]:
        return [message for message in self.fake.sent if message["chat_id"] == self.chat_id]

    async def _post(self, update: dict) -> list[dict]:
        import asyncio

        before = len(self.messages())
        response = await self.client.post("/webhook/telegram", json=update,
                                          headers=secret_headers())
        assert response.status_code == 200
        seen, quiet = before, 0
        for _ in range(250):  # replies arrive through the sender: wait until they stop coming
            await asyncio.sleep(0.02)
            count = len(self.messages())
            quiet = quiet + 1 if count == seen and count > before else 0
            seen = count
            if quiet >= 5:
                break
        return self.messages()[before:]

    async def say(self, text: str) -> list[dict]:
        return await self._post(telegram_update("text", chat_id=self.chat_id, text=text))

    async def tap(self, label: str) -> list[dict]:
        for message in reversed(self.messages()):
            for row in (message["reply_markup"] or {}).get("inline_keyboard", []):
                if row[0]["text"] == label:
                    return await self._post(telegram_update(
                        "callback", chat_id=self.chat_id, data=row[0]["callback_data"],
                        message_id=message.get("message_id")))
        raise AssertionError(f"no button {label!r} in the chat")
