"""`loaso webhook set`: register a channel's webhook address and secret with its platform."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli.common import fail, require, settings_or_exit

webhook_app = typer.Typer(help="Đăng ký webhook với nền tảng nhắn tin.", no_args_is_help=True)


def _webhook_channels() -> str:
    from bot.channels.registry import declared

    catalogue = declared()
    return (f"{' hoặc '.join(catalogue.webhook_registrations())} "
            f"(mặc định: {catalogue.default_webhook()})")


@webhook_app.command("set")
def webhook_set(channel: Annotated[str | None, typer.Option(
        help=f"Kênh: {_webhook_channels()}.", show_default=False)] = None) -> None:
    """Đăng ký địa chỉ webhook (LOASO_PUBLIC_URL) và mã bí mật với nền tảng của kênh."""
    settings = settings_or_exit(require_channels=True)
    from bot.channels.registry import declared

    catalogue = declared()
    name = channel or catalogue.default_webhook()
    spec = catalogue.webhook_registrations().get(name or "")
    if spec is None or spec.webhook_registration is None:
        manual = "; ".join(other.webhook_manual for other in catalogue if other.webhook_manual)
        fail(f"Kênh '{name}' chưa hỗ trợ đăng ký webhook" + (f" ({manual})." if manual else "."))
    registration = spec.webhook_registration
    require(settings, *registration.requires)
    url = f"{settings.public_url}/webhook/{spec.name}"

    async def register() -> None:  # asyncio.run takes a coroutine, `register` an awaitable
        await registration.register(settings, url)

    try:
        asyncio.run(register())
    except Exception as error:  # shown to the operator as one line, secrets redacted
        from bot.logs import RedactSecrets

        fail(f"{registration.platform} từ chối đăng ký webhook: "
             + RedactSecrets(settings.secret_values()).redact(str(error)))
    typer.echo(f"Đã đăng ký webhook: {url}")
