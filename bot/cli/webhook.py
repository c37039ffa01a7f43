"""`loaso webhook set`: register a channel's webhook address and secret with its platform."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli.common import fail, require, settings_or_exit
from bot.cli.zalo import set_zalo_bot_webhook

webhook_app = typer.Typer(help="Đăng ký webhook với nền tảng nhắn tin.", no_args_is_help=True)


@webhook_app.command("set")
def webhook_set(channel: Annotated[str, typer.Option(help="Kênh: telegram hoặc zalo-bot.")] = "telegram",
                ) -> None:
    """Đăng ký địa chỉ webhook (LOASO_PUBLIC_URL) và mã bí mật với Telegram."""
    settings = settings_or_exit(require_channels=True)
    if channel == "zalo-bot":
        set_zalo_bot_webhook(settings)
        return
    if channel != "telegram":
        fail(f"Kênh '{channel}' chưa hỗ trợ đăng ký webhook (Zalo OA khai báo webhook "
             "trong trang quản lý ứng dụng Zalo).")
    require(settings, "telegram_token", "public_url", "telegram_webhook_secret")
    from bot.channels.registry import build_channels
    from bot.channels.telegram import ALLOWED_UPDATES

    url = f"{settings.public_url}/webhook/telegram"

    async def run() -> None:
        telegram = build_channels(settings)["telegram"]
        try:
            await telegram.bot.set_webhook(
                url=url, secret_token=settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES, max_connections=40)
        finally:
            await telegram.close()

    try:
        asyncio.run(run())
    except Exception as error:  # shown to the operator as one line, token redacted
        from bot.logs import RedactSecrets

        fail("Telegram từ chối đăng ký webhook: "
             + RedactSecrets(settings.secret_values()).redact(str(error)))
    typer.echo(f"Đã đăng ký webhook: {url}")
