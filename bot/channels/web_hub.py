"""The web chat's sending side: what Loa Số says is a line of the resident's conversation
(db/webchat.py), pushed at once to the browsers that have the chat open in this process, and
read by the others (another `loaso serve`, or a worker that sends) within half a second.

A browser that is closed gets nothing pushed: it reads the lines it missed when it opens
again, so bulletins and answers wait for it in its history, not in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.channels.base import SendError, SendResult
from db import webchat
from db.engine import Database
from db.webchat import Line
from messages.types import Capabilities

if TYPE_CHECKING:
    from bot.channels.web_guard import Guard

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how soon a line written by another process reaches an open browser


def utcnow() -> datetime:
    return datetime.now(UTC)


class Hub:
    """The open browsers of this process, by resident address, each with a queue of lines."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.listeners: dict[str, set[asyncio.Queue[Line]]] = defaultdict(set)
        self._poller: asyncio.Task[None] | None = None
        self._cursor = 0

    @property
    def open_chats(self) -> int:
        return sum(len(queues) for queues in self.listeners.values())

    def subscribe(self, address: str) -> asyncio.Queue[Line]:
        queue: asyncio.Queue[Line] = asyncio.Queue()
        self.listeners[address].add(queue)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="webchat-poll")
        return queue

    def unsubscribe(self, address: str, queue: asyncio.Queue[Line]) -> None:
        queues = self.listeners.get(address)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.listeners[address]

    def publish(self, line: Line) -> None:
        for queue in self.listeners.get(line.address, ()):
            queue.put_nowait(line)

    async def _poll(self) -> None:
        """Lines other processes wrote, while anyone here listens. (Lines this process wrote
        come again; each stream skips the ones it has sent.)"""
        async with self.database.read() as session:
            self._cursor = await webchat.newest_id(session)
        while self.listeners:
            await asyncio.sleep(POLL_SECONDS)
            try:
                async with self.database.read() as session:
                    lines = await webchat.lines_since(session, self._cursor)
            except Exception:  # a database hiccup: the next round tries again
                log.warning("web chat could not read new lines", exc_info=True)
                continue
            for line in lines:
                self._cursor = max(self._cursor, line.id)
                self.publish(line)

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller


class WebChannel:
    """The `web` channel: `send` adds Loa Số's line to the conversation and pushes it."""

    name = "web"

    def __init__(self, database: Database, *, capabilities: Capabilities, guard: Guard,
                 origins: tuple[str, ...],
                 public_origin: str | None, owns_database: bool = False) -> None:
        self.capabilities = capabilities
        self.database = database
        self.hub = Hub(database)
        self.guard = guard
        self.origins = origins  # sites allowed to embed the widget
        self.public_origin = public_origin  # LOASO_PUBLIC_URL's origin, if set
        self._owns_database = owns_database

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult:
        if payload["type"] != "message":
            return SendResult()  # a tap's acknowledgement: the page shows its own
        shown = {"text": payload["text"]}
        if payload.get("buttons"):
            shown["buttons"] = payload["buttons"]
        try:
            async with self.database.transaction() as session:
                line = await webchat.record(session, address=recipient, author="loaso",
                                            payload=shown, now=utcnow())
        except Exception as error:
            return SendResult(SendError.TRANSIENT, reason=f"web chat history: {type(error).__name__}")
        assert line is not None  # only the resident's lines carry an event id
        self.hub.publish(line)
        return SendResult(platform_message_id=str(line.id))

    async def close(self) -> None:
        await self.hub.close()
        if self._owns_database:
            await self.database.dispose()
