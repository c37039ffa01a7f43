"""The declared channels: every module of this package that defines `CHANNEL = ChannelSpec(...)`.

`declared()` finds them once; the app, the service, the CLI and the settings loop over that
catalogue and name no channel. A test adds a throw-away channel with
`declared().with_extra(spec)` and hands the catalogue to the Service.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import bot.channels
from bot.channels.base import Channel
from bot.channels.declarations import declaring
from bot.channels.spec import ChannelSpec, RateLimit, Resources
from messages.types import Capabilities

if TYPE_CHECKING:
    from fastapi import APIRouter

    from db.engine import Database

# Sources of comments that are not channels (staff import them from spreadsheets).
OTHER_SOURCES = {"meeting": "Hội nghị"}


class ChannelNotDeclared(LookupError):
    """A channel name no module declares: nothing to build it from, no rate-limit policy."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"channel {name!r} is not declared: its module in bot/channels/ must define "
            "CHANNEL = ChannelSpec(...) with its rate-limit policy (limits=)")
        self.name = name


class ChannelCatalogue:
    """Channel declarations by name, in a stable order (the order they were given)."""

    def __init__(self, specs: Iterable[ChannelSpec[Any]]) -> None:
        self._specs: dict[str, ChannelSpec[Any]] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"two channels declare the name {spec.name!r}")
            self._specs[spec.name] = spec
        defaults = [spec.name for spec in self if spec.webhook_registration is not None
                    and spec.webhook_registration.default]
        if len(defaults) > 1:
            raise ValueError(f"more than one default webhook channel: {defaults}")

    def __iter__(self) -> Iterator[ChannelSpec[Any]]:
        return iter(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> ChannelSpec[Any]:
        try:
            return self._specs[name]
        except KeyError:
            raise ChannelNotDeclared(name) from None

    def with_extra(self, *specs: ChannelSpec[Any]) -> ChannelCatalogue:
        return ChannelCatalogue([*self, *specs])

    def build(self, settings: Any, database: Database | None = None) -> dict[str, Channel]:
        """The channels whose settings turn them on. A channel that keeps state in the
        database (Zalo OA's tokens) opens its own when none is given, e.g. in a CLI command."""
        resources = Resources(database=database, database_url=settings.database_url,
                              pool_size=settings.send_concurrency + 4)
        return {spec.name: spec.build(settings, resources)
                for spec in self if spec.enabled(settings)}

    def limits(self, name: str, settings: Any) -> RateLimit:
        return self.get(name).limits(settings)

    def webhooks(self, settings: Any, channels: dict[str, Channel]) -> dict[str, Channel]:
        """Channels whose POST /webhook/<name> answers: those that verify and parse platform
        requests and do not poll instead. The rest answer 404."""
        return {name: channel for name, channel in channels.items()
                if hasattr(channel, "verify") and not self.polls(name, settings)}

    def polls(self, name: str, settings: Any) -> bool:
        polling = self.get(name).polling
        return polling is not None and polling.wanted(settings)

    def routes(self, channels: dict[str, Channel]) -> list[APIRouter]:
        """The extra routes of the channels that are on."""
        from fastapi import APIRouter  # loaded already where routes are wanted: the app

        found = [self.get(name).routes for name in channels]
        return [routes if isinstance(routes, APIRouter) else routes()  # a router, or its maker
                for routes in found if routes is not None]

    def webhook_registrations(self) -> dict[str, ChannelSpec[Any]]:
        return {spec.name: spec for spec in self if spec.webhook_registration is not None}

    def default_webhook(self) -> str | None:
        return next((name for name, spec in self.webhook_registrations().items()
                     if spec.webhook_registration and spec.webhook_registration.default), None)

    def source_label(self, source: str) -> str:
        """How staff see where something came from: a channel's label, or another source's."""
        if source in self._specs:
            return self._specs[source].label
        return OTHER_SOURCES.get(source, source)


@cache
def declared() -> ChannelCatalogue:
    """Every channel module of this package, in module-name order."""
    specs = [module.CHANNEL for module in declaring(bot.channels, "CHANNEL")
             if isinstance(getattr(module, "CHANNEL", None), ChannelSpec)]
    return ChannelCatalogue(specs)


def capabilities_of(channel: str) -> Capabilities:
    """What a channel can show, without starting it (for messages queued by CLI commands)."""
    return declared().get(channel).capabilities


def source_label(source: str) -> str:
    """The one wording of a source for staff: chat, CLI, exports and reports alike."""
    return declared().source_label(source)


def build_channels(settings: Any, database: Database | None = None) -> dict[str, Channel]:
    return declared().build(settings, database)
