"""The active channels: a channel is on exactly when its token is set."""

from __future__ import annotations

from bot.channels.base import Channel
from messages.types import Capabilities
from bot.settings import Settings
from db.engine import Database


def capabilities_of(channel: str) -> Capabilities:
    """What a channel can show, without starting it (for messages queued by CLI commands)."""
    if channel == "telegram":
        from bot.channels.telegram import CAPABILITIES
    elif channel == "console":
        from bot.channels.console import CAPABILITIES
    elif channel == "zalo-oa":
        from bot.channels.zalo_oa import CAPABILITIES
    elif channel == "zalo-bot":
        from bot.channels.zalo_bot import CAPABILITIES
    else:
        raise KeyError(f"unknown channel {channel!r}")
    return CAPABILITIES


def build_channels(settings: Settings, database: Database | None = None) -> dict[str, Channel]:
    """The channels whose token is set. Zalo OA keeps its rotating tokens in `database`
    (one of its own is opened when none is given, e.g. by a CLI command)."""
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
    if settings.zalo_oa_app_id is not None:
        from bot.channels.zalo_oa import ZaloOAChannel

        seed = settings.zalo_oa_refresh_token
        channels["zalo-oa"] = ZaloOAChannel(
            app_id=settings.zalo_oa_app_id,
            app_secret=settings.zalo_oa_app_secret.get_secret_value(),
            secret_key=settings.zalo_oa_secret_key.get_secret_value(),
            database=database or Database(settings.database_url),
            owns_database=database is None,
            api_base=settings.zalo_oa_api_base, oauth_base=settings.zalo_oa_oauth_base,
            signature_variant=settings.zalo_oa_signature,
            seed_refresh_token=seed.get_secret_value() if seed else None,
            pool_size=settings.send_concurrency + 4)
    if settings.zalo_bot_token is not None:
        from bot.channels.zalo_bot import ZaloBotChannel

        secret = settings.zalo_bot_webhook_secret
        channels["zalo-bot"] = ZaloBotChannel(
            settings.zalo_bot_token.get_secret_value(),
            webhook_secret=secret.get_secret_value() if secret else None,
            api_base=settings.zalo_bot_api_base, pool_size=settings.send_concurrency + 4)
    return channels


def webhook_channels(settings: Settings, channels: dict[str, Channel]) -> dict[str, Channel]:
    """Channels whose /webhook/<name> route answers; the rest answer 404."""
    active = dict(channels)
    if settings.telegram_mode == "polling":
        active.pop("telegram", None)
    if settings.zalo_bot_mode == "polling":
        active.pop("zalo-bot", None)
    return {name: channel for name, channel in active.items() if hasattr(channel, "verify")}
