"""What a channel declares about itself. The process reads nothing else about a channel.

Every channel module ends with `CHANNEL = ChannelSpec(...)`; bot/channels/registry.py finds
those declarations, and the app, the service, the CLI and the tests loop over them. A
channel's settings are a pydantic model in its module (`settings=`): bot/settings.py adds
its fields to the one Settings object, so `LOASO_<FIELD>` names come from the field names.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from bot.channels.base import Channel
from bot.channels.polling import PollHealth
from messages.types import Capabilities, Inbound

if TYPE_CHECKING:
    from fastapi import APIRouter

    from db.engine import Database

S = TypeVar("S")


class Inbox(Protocol):
    """Where events go once received: the inbound processor. Polling loops and a channel's
    extra routes hand their events here (routes find it as `request.app.state.inbox`)."""

    async def handle(self, event: Inbound) -> Any: ...


@dataclass(frozen=True, slots=True)
class RateLimit:
    """How fast the sender may send through a channel: messages per second for the whole
    channel (0: unlimited), and per recipient with a burst."""

    rate: float
    chat_rate: float = 1000.0  # high enough to mean "no per-recipient limit"
    chat_burst: int = 1000


UNLIMITED = RateLimit(rate=0)


@dataclass(frozen=True, slots=True)
class Resources:
    """What the process lends a channel it builds."""

    database: Database | None  # None in a CLI command that opened none
    database_url: str
    pool_size: int  # HTTP connections: one per send in flight, plus a few


@dataclass(frozen=True, slots=True)
class Polling(Generic[S]):
    """A channel that can fetch its updates itself, when its settings ask for that."""

    wanted: Callable[[S], bool]
    # (the built channel, inbox, health): runs until cancelled, retrying every failure
    # itself and saying how it goes through the PollHealth (bot/channels/polling.py)
    run: Callable[[Any, Inbox, PollHealth], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class WebhookRegistration(Generic[S]):
    """What `loaso webhook set --channel NAME` does for a channel whose platform takes its
    webhook address through the API."""

    platform: str  # named in the operator's error line: "<platform> từ chối đăng ký webhook"
    requires: tuple[str, ...]  # settings that must be set, in the order they are reported
    register: Callable[[S, str], Awaitable[None]]  # (settings, webhook URL); raises if refused
    default: bool = False  # the channel `loaso webhook set` means without --channel


@dataclass(frozen=True, slots=True)
class ChannelSpec(Generic[S]):
    """One channel's declaration. `limits` has no default: a channel without a rate-limit
    policy cannot be declared, and one missing from the registry stops start-up."""

    name: str  # the URL segment /webhook/<name>, the `channel` column, the metrics label
    label: str  # how staff see the source of a comment or a resident ("Telegram", "Zalo")
    capabilities: Capabilities
    enabled: Callable[[S], bool]
    build: Callable[[S, Resources], Channel]
    limits: Callable[[S], RateLimit]
    settings: type[BaseModel] | None = None  # its LOASO_* fields, added to Settings
    # What stops the channel from running, one operator line each (e.g. a webhook without its
    # secret). Only commands that run channels check it (`settings_or_exit(require_channels=
    # True)`), so `loaso chat` or `content check` work beside a half-finished set-up.
    problems: Callable[[S], list[str]] | None = None
    polling: Polling[S] | None = None
    webhook_registration: WebhookRegistration[S] | None = None
    webhook_manual: str = ""  # where an operator registers the webhook by hand, if not by API
    # Extra routes, e.g. a platform's verification GET; or a function that gives them, so a
    # command that never serves does not import the web framework to read the settings.
    routes: APIRouter | Callable[[], APIRouter] | None = None
    # The prefix of its settings' names, when not the channel's name (the `web` channel's
    # settings are LOASO_WEBCHAT_*, since LOASO_WEB_* reads as any web page's).
    settings_prefix: str | None = None

    def __post_init__(self) -> None:
        if not callable(self.limits):
            raise TypeError(f"channel {self.name!r} declares no rate-limit policy (limits=)")
        if self.settings is not None:
            # Every channel's model joins one Settings class: a name two channels share would
            # silently replace the other's field or validator, so each keeps to its prefix.
            prefix = (self.settings_prefix or self.name.replace("-", "_")) + "_"
            stray = sorted(name for name in settings_names(self.settings)
                           if not name.lstrip("_").startswith(prefix))
            if stray:
                raise TypeError(f"channel {self.name!r}: settings names must start with "
                                f"{prefix!r} (LOASO_{prefix.upper()}…): {', '.join(stray)}")


def settings_names(model: type[BaseModel]) -> set[str]:
    """The fields, validators and properties a settings model declares itself."""
    own = {name for name in vars(model)
           if not name.startswith("__") and name not in ("model_config", "_abc_impl")}
    return own | set(model.model_fields)


_HTTP_URL = re.compile(r"^https?://[^\s/]+")


def http_url(value: str | None) -> str | None:
    """A field validator for base URLs: http(s) only, without the trailing slash."""
    if value is None:
        return None
    if not _HTTP_URL.match(value):
        raise ValueError(f"cần một địa chỉ http(s)://, nhận được '{value}'")
    return value.rstrip("/")
