"""`loaso chat`: one line in, the bot's replies out, through the real handlers and outbox."""

from __future__ import annotations

import sys
import uuid
from datetime import datetime
from typing import TextIO

from bot.channels.console import ConsoleChannel
from bot.cli.common import build_service
from bot.service import NotMigrated, Service
from bot.settings import Settings
from db import migrations

INTRO = ("Loa Số — trò chuyện thử trong cửa sổ lệnh. Gõ tin nhắn rồi Enter; gõ số để chọn; "
         "Ctrl+D để thoát.\n")


async def _ensure_schema(service: Service, err: TextIO) -> bool:
    try:
        await service.check_migrated()
        return True
    except NotMigrated:
        if not service.database.is_sqlite:
            err.write("Cơ sở dữ liệu chưa được cập nhật. Hãy chạy: loaso migrate\n")
            return False
    # The embedded database is the try-it-out path: set it up instead of refusing.
    err.write("Đang tạo cơ sở dữ liệu SQLite lần đầu…\n")
    await migrations.upgrade_recording_installation(service.database)
    return True


async def run_chat(settings: Settings, *, user: str, as_of: datetime | None, stdin: TextIO,
                   stdout: TextIO, stderr: TextIO = sys.stderr) -> int:
    console = ConsoleChannel(stdout)
    # Staff trying the bot (or a script piping a conversation in) are no flood.
    settings = settings.model_copy(update={"inbound_per_minute": 0})
    service = build_service(settings, channels={"console": console}, as_of=as_of)
    try:
        if not await _ensure_schema(service, stderr):
            return 2
        await service.load_overlay()  # the console's content edits, as the server shows them
        await service.refresh_corrections()  # published corrections, likewise
        interactive = stdin.isatty()
        if interactive:
            stdout.write(INTRO + "\n")
        session = uuid.uuid4().hex[:12]
        while True:
            if interactive:
                stdout.write("Bạn: ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            if not line.strip():
                continue
            await service.processor.handle(console.event(user, line, session=session))
            await service.sender.drain(recipient=user)
        return 0
    finally:
        await service.close()
