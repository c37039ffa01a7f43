"""The small protocol every channel implements, and the closed set of send outcomes.

A channel only verifies, parses and classifies. What to do about an outcome (retry, pause,
stop the recipient) is decided once, in delivery/sender.py.
"""

from __future__ import annotations

import hmac
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from pydantic import SecretStr

from messages.types import Capabilities, Inbound


class SendError(StrEnum):
    THROTTLED = "throttled"  # platform said slow down; retry after a pause
    TRANSIENT = "transient"  # network error or 5xx; retry with backoff
    STOPPED = "stopped"  # recipient blocked or unfollowed; never retry
    PERMANENT = "permanent"  # the platform refused this message; keep the reason
    CONFIG = "config"  # our token or settings are wrong; retrying will not help


@dataclass(frozen=True, slots=True)
class SendResult:
    error: SendError | None = None
    platform_message_id: str | None = None
    retry_after: float | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def error_class(self) -> str:
        """The error's name as stored and counted ("" for a success)."""
        return self.error.value if self.error else ""


class WebhookRejected(Exception):
    """The request is not from the platform or not understandable; answered with `status`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SecretHeaderReceiver(ABC):
    """The receiving side of Telegram and Zalo Bot: one JSON update per webhook request,
    vouched for by a shared secret in a header (compared in constant time); the channel
    reads the update, the same way for a webhook and for polling."""

    secret_header: ClassVar[str]

    def __init__(self, webhook_secret: SecretStr | None) -> None:
        self._secret = webhook_secret.get_secret_value().encode() if webhook_secret else None

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        if self._secret is None:
            raise WebhookRejected(403, "webhook secret not configured")
        given = headers.get(self.secret_header)
        if not given:
            raise WebhookRejected(401, "missing secret header")
        if not hmac.compare_digest(given.encode(), self._secret):
            raise WebhookRejected(403, "wrong secret header")

    def parse(self, body: bytes) -> list[Inbound]:
        return [self.parse_update(load_json(body))]

    @abstractmethod
    def parse_update(self, data: Any) -> Inbound:
        """One update as an event; WebhookRejected(400) for what is no update at all."""


# No platform nests its events deeper than a few levels; a deeper body is not an event, and
# code that walks it (logging, libraries) must never meet Python's recursion limit.
MAX_JSON_DEPTH = 32


def load_json(body: bytes) -> Any:
    """The body as JSON, or a 400 that says it is not (or nests too deep)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise WebhookRejected(400, "body is not JSON") from None
    except RecursionError:  # the parser's own limit, about 1,000 levels
        raise WebhookRejected(400, "body nests too deep") from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise WebhookRejected(400, "body nests too deep")
    return data


def json_depth(value: Any) -> int:
    """How deep containers nest in a parsed JSON value, without recursion."""
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            level.extend((child, depth + 1) for child in children
                         if isinstance(child, dict | list))
    return deepest


class Channel(Protocol):
    """Sending side: every channel, including the terminal."""

    name: str
    capabilities: Capabilities

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult: ...

    async def close(self) -> None: ...


class WebhookChannel(Channel, Protocol):
    """A channel whose platform posts events to /webhook/<name>."""

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        """Raise WebhookRejected (401/403) unless the request carries the right secret."""

    def parse(self, body: bytes) -> list[Inbound]:
        """Raise WebhookRejected(400) for a body that is not an event of this platform."""
