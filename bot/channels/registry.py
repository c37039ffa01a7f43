"""The active channels: a channel is on exactly when its token is set."""

from __future__ import annotations

from bot.channels.base import Capabilities, Channel
from bot.settings import Settings


def capabilities_of(channel: str) -> Capabilities:
    """What a channel can show, without starting it (for messages queued by CLI commands)."""
    if channel == "telegram":
        from bot.channels.telegram import CAPABILITIES
    elif channel == "console":
        from bot.channels.console import CAPABILITIES
    else:
        raise KeyError(f"unknown channel {channel!r}")
    return CAPABILITIES


def build_channels(settings: Settings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    if settings.telegram_token is not None:
        from bot.channels.telegram import TelegramChannel

        secret = settings.telegram_webhook_secret
        channels["telegram"] = TelegramChannel(
            settings.telegram_token.get_secret_value(),
            webhook_secret=secret.get_secret_value() if secret else None,
            api_base=settings.telegram_api_base,
            # one connection per send in flight: a bigger pool only costs (httpcore scans it)
            pool_size=settings.send_concurrency + 4,
        )
    return channels


def webhook_channels(settings: Settings, channels: dict[str, Channel]) -> dict[str, Channel]:
    """Channels whose /webhook/<name> route answers; the rest answer 404."""
    active = dict(channels)
    if settings.telegram_mode == "polling":
        active.pop("telegram", None)
    return {name: channel for name, channel in active.items() if hasattr(channel, "verify")}
