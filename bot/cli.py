"""The `loaso` command line. Texts are Vietnamese: commune staff run these commands."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import datetime
from typing import Annotated

import typer

from bot.cli_common import MIGRATE_HINT, build_service, fail, require, settings_or_exit
from bot import cli_exports  # noqa: F401  (registers export and report commands)
from bot.cli_comments import comments_app
from bot.cli_content import content_app, phase_app
from bot.cli_drafts import drafts_app
from bot.cli_announcements import announcements_app, broadcast
from bot.cli_roles import invites_app, roles_app
from bot.cli_outbox import outbox_app
from bot.cli_quiz import quiz_app
from bot.cli_residents import residents_app
from bot.cli_zalo import zalo_app

app = typer.Typer(help="Loa Số — chatbot tuyên truyền Đại hội và lấy ý kiến dự thảo văn kiện.",
                  no_args_is_help=True, add_completion=False)
webhook_app = typer.Typer(help="Đăng ký webhook với nền tảng nhắn tin.", no_args_is_help=True)
app.add_typer(webhook_app, name="webhook")
app.add_typer(content_app, name="content")
app.add_typer(phase_app, name="phase")
app.add_typer(comments_app, name="comments")
app.add_typer(drafts_app, name="drafts")
app.add_typer(invites_app, name="invites")
app.add_typer(roles_app, name="roles")
app.add_typer(announcements_app, name="announcements")
app.command("broadcast")(broadcast)
app.add_typer(outbox_app, name="outbox")
app.add_typer(quiz_app, name="quiz")
app.add_typer(residents_app, name="residents")
app.add_typer(zalo_app, name="zalo")


@app.command()
def migrate() -> None:
    """Tạo hoặc cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất."""
    settings = settings_or_exit()
    from db import migrations
    from db.engine import Database

    async def run() -> str | None:
        database = Database(settings.database_url)
        try:
            await migrations.upgrade(database)
            return await migrations.current_revision(database)
        finally:
            await database.dispose()

    try:
        revision = asyncio.run(run())
    except OSError as error:
        fail(f"Không kết nối được cơ sở dữ liệu: {error}")
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({revision}).")


@app.command()
def serve(host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Cổng lắng nghe.")] = 8000,
          sender: Annotated[bool, typer.Option(
              help="Chạy bộ gửi tin trong tiến trình này (tắt khi đã có loaso worker).")] = True,
          ) -> None:
    """Chạy dịch vụ: webhook, /healthz, /metrics và bộ gửi tin."""
    settings = settings_or_exit()
    import uvicorn

    from bot.app import create_app
    from bot.service import NotMigrated

    service = build_service(settings)

    async def check() -> None:
        # The server runs its own event loop: connections opened here must not outlive this
        # one (asyncpg ties a connection to the loop that opened it).
        try:
            await service.check_migrated()
        finally:
            await service.database.dispose()

    try:
        asyncio.run(check())
    except NotMigrated:
        fail(MIGRATE_HINT)
    except OSError as error:
        fail(f"Không kết nối được cơ sở dữ liệu: {error}")
    application = create_app(service, run_sender=sender and settings.run_sender)
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False,
                server_header=False)


@app.command()
def worker() -> None:
    """Chỉ chạy bộ gửi tin (và bộ lập lịch), cho triển khai nhiều tiến trình."""
    settings = settings_or_exit()
    from bot.service import NotMigrated

    async def run() -> None:
        service = build_service(settings)
        try:
            await service.check_migrated()
        except NotMigrated:
            await service.database.dispose()
            fail(MIGRATE_HINT)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        service.start_background(sender=True)
        service.announce("worker")
        logging.getLogger(__name__).info("worker running; Ctrl+C to stop")
        await stop.wait()
        await service.close()

    asyncio.run(run())


@app.command()
def chat(user: Annotated[str, typer.Option("--user", help="Mã người dân giả lập.")] = "console",
         as_of: Annotated[str | None, typer.Option(
             "--as-of", help="Xem trước chiến dịch tại một ngày (YYYY-MM-DD).")] = None) -> None:
    """Trò chuyện với Loa Số ngay trong cửa sổ lệnh, không cần token."""
    settings = settings_or_exit()
    preview = None
    if as_of is not None:
        try:
            preview = datetime.fromisoformat(as_of).replace(tzinfo=settings.zone)
        except ValueError:
            fail(f"Ngày không hợp lệ: '{as_of}' (cần dạng YYYY-MM-DD).")
    from bot.console_chat import run_chat

    code = asyncio.run(run_chat(settings, user=user, as_of=preview, stdin=sys.stdin,
                                stdout=sys.stdout))
    raise typer.Exit(code)


def _webhook_channels() -> str:
    from bot.channels.registry import declared

    catalogue = declared()
    return (f"{' hoặc '.join(catalogue.webhook_registrations())} "
            f"(mặc định: {catalogue.default_webhook()})")


@webhook_app.command("set")
def webhook_set(channel: Annotated[str | None, typer.Option(
        help=f"Kênh: {_webhook_channels()}.", show_default=False)] = None) -> None:
    """Đăng ký địa chỉ webhook (LOASO_PUBLIC_URL) và mã bí mật với nền tảng của kênh."""
    settings = settings_or_exit()
    from bot.channels.registry import declared

    catalogue = declared()
    name = channel or catalogue.default_webhook()
    spec = catalogue.webhook_registrations().get(name or "")
    if spec is None:
        manual = "; ".join(other.webhook_manual for other in catalogue if other.webhook_manual)
        fail(f"Kênh '{name}' chưa hỗ trợ đăng ký webhook" + (f" ({manual})." if manual else "."))
    registration = spec.webhook_registration
    require(settings, *registration.requires)
    url = f"{settings.public_url}/webhook/{spec.name}"
    try:
        asyncio.run(registration.register(settings, url))
    except Exception as error:  # shown to the operator as one line, secrets redacted
        from bot.logs import RedactSecrets

        fail(f"{registration.platform} từ chối đăng ký webhook: "
             + RedactSecrets(settings.secret_values()).redact(str(error)))
    typer.echo(f"Đã đăng ký webhook: {url}")


def main() -> None:
    app()
