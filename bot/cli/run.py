"""`loaso serve`, `worker`, `chat` and `migrate`: running Loa Số and its database."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import MIGRATE_HINT, build_service, fail, settings_or_exit

if TYPE_CHECKING:
    import uvicorn

    from bot.service import Service

    # the worker's health server and the task serving it
    Health = tuple[uvicorn.Server, asyncio.Task[None]]


def migrate() -> None:
    """Tạo hoặc cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất."""
    settings = settings_or_exit()
    from db import migrations
    from db.engine import Database

    async def run() -> str | None:
        database = Database(settings.database_url)
        try:
            await migrations.upgrade_recording_installation(database)
            return await migrations.current_revision(database)
        finally:
            await database.dispose()

    try:
        revision = asyncio.run(run())
    except OSError as error:
        fail(f"Không kết nối được cơ sở dữ liệu: {error}")
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({revision}).")


def serve(host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Cổng lắng nghe.")] = 8000,
          sender: Annotated[bool, typer.Option(
              help="Chạy bộ gửi tin trong tiến trình này (tắt khi đã có loaso worker).")] = True,
          ) -> None:
    """Chạy dịch vụ: webhook, /healthz, /metrics và bộ gửi tin."""
    settings = settings_or_exit(require_channels=True)
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
    listening = listen(host, port)  # before anything starts, so a taken port is one clear line
    application = create_app(service, run_sender=sender and settings.run_sender)
    # Open web chats are endless responses: on SIGTERM they are cut after a few seconds (the
    # pages reconnect to the next process) rather than holding the shutdown forever.
    server = uvicorn.Server(uvicorn.Config(application, host=host, port=port, log_config=None,
                                           access_log=False, server_header=False,
                                           timeout_graceful_shutdown=5))
    server.run(sockets=[listening])
    if not server.started:
        raise typer.Exit(1)


def listen(host: str, port: int) -> socket.socket:
    """The server's listening socket, or exit saying in Vietnamese why the port cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            fail(f"Cổng {port} đang bị dùng (có thể Loa Số hoặc một chương trình khác đang chạy "
                 f"trên cổng này). Dừng chương trình đó, hoặc chọn cổng khác: --port {port + 1}")
        if error.errno == errno.EACCES:
            fail(f"Không được phép dùng cổng {port}: cổng dưới 1024 cần quyền quản trị. "
                 "Chọn cổng khác (ví dụ --port 8000) và để máy chủ web chuyển tiếp.")
        fail(f"Không mở được cổng {port} trên địa chỉ {host}: {error.strerror or error}.")
    sock.set_inheritable(True)
    return sock


def worker(health_port: Annotated[int | None, typer.Option(
        "--health-port", help="Mở /healthz và /metrics của worker trên cổng này (địa chỉ "
                              "127.0.0.1) để trình giám sát tiến trình theo dõi.")] = None,
           ) -> None:
    """Chỉ chạy bộ gửi tin (và bộ lập lịch), cho triển khai nhiều tiến trình."""
    settings = settings_or_exit(require_channels=True)
    from bot.service import NotMigrated

    # Before anything starts, so a taken port is one clear line.
    listening = listen("127.0.0.1", health_port) if health_port is not None else None

    async def run() -> None:
        service = build_service(settings)
        try:
            await service.check_migrated()
        except NotMigrated:
            await service.database.dispose()
            fail(MIGRATE_HINT)
        await service.load_overlay()  # the console's content edits (db/content_edits.py)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        service.start_background(sender=True)
        service.announce("worker")
        health = await serve_health(service, listening) if listening is not None else None
        logging.getLogger(__name__).info("worker running; Ctrl+C to stop")
        await stop.wait()
        if health is not None:
            await stop_health(health)
        await service.close()

    asyncio.run(run())


async def serve_health(service: Service, listening: socket.socket) -> Health:
    """/healthz and /metrics of this worker on its own port, until `stop_health`. The
    worker's own SIGINT/SIGTERM handlers stay: uvicorn is told to capture none."""
    import uvicorn

    from bot.app import health_app

    class Beside(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    server = Beside(uvicorn.Config(health_app(service), log_config=None, access_log=False,
                                   server_header=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[listening]), name="health-port")
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    return server, task


async def stop_health(health: Health) -> None:
    server, task = health
    server.should_exit = True
    await task


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
    from bot.cli.terminal_chat import run_chat

    code = asyncio.run(run_chat(settings, user=user, as_of=preview, stdin=sys.stdin,
                                stdout=sys.stdout))
    raise typer.Exit(code)
