"""`loaso outbox status`: what is waiting, what went out, what failed and why."""

from __future__ import annotations

import asyncio
import datetime as dt

import typer
from sqlalchemy import case, func, select

from bot.cli.common import in_transaction, settings_or_exit
from content.text import format_number
from db.models import OutboxMessage, Priority

outbox_app = typer.Typer(help="Hàng đợi tin nhắn gửi đi.", no_args_is_help=True)

STATUS_NAMES = {"queued": "Đang chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi",
                "failed": "Gửi lỗi", "stopped": "Dừng (chặn bot, hủy, ngoài hạn)"}
TOP_ERRORS = 5


async def _status(session) -> dict:
    kind = case((OutboxMessage.priority >= Priority.REPLY, "reply"), else_="bulk")
    counts = (await session.execute(
        select(OutboxMessage.status, kind, func.count())
        .group_by(OutboxMessage.status, kind))).all()
    oldest = (await session.execute(
        select(func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status == "queued"))).scalar_one()
    errors = (await session.execute(
        select(OutboxMessage.error_class, OutboxMessage.error, func.count())
        .where(OutboxMessage.status.in_(("failed", "stopped")))
        .group_by(OutboxMessage.error_class, OutboxMessage.error)
        .order_by(func.count().desc()).limit(TOP_ERRORS))).all()
    channel = (await session.execute(
        select(OutboxMessage.status, func.count(), func.max(OutboxMessage.error))
        .where(OutboxMessage.batch.like(CHANNEL_BATCHES))
        .group_by(OutboxMessage.status))).all()
    return {"counts": counts, "oldest": oldest, "errors": errors, "channel": channel}


# Posts to the commune's Telegram channel (scheduler/channel_posts.py), issue 19.
CHANNEL_BATCHES = "channel:%"
CHANNEL_LINE = "Kênh Telegram của xã: {counts}."
CHANNEL_REFUSED = ("Telegram không cho bot đăng lên kênh ({reason}). Hãy thêm bot làm quản trị "
                   "viên của kênh, có quyền đăng bài, và kiểm tra LOASO_TELEGRAM_CHANNEL_ID; các "
                   "bài này không được gửi lại.")


def channel_lines(rows) -> list[str]:
    if not rows:
        return []
    counts = ", ".join(f"{STATUS_NAMES.get(state, state).lower()} {format_number(count)}"
                       for state, count, _ in rows)
    lines = [CHANNEL_LINE.format(counts=counts)]
    refused = [error for state, _, error in rows if state in ("stopped", "failed") and error]
    if refused:
        lines.append(CHANNEL_REFUSED.format(reason=refused[0][:120]))
    return lines


@outbox_app.command("status")
def status() -> None:
    """Số tin theo trạng thái (trả lời người dân / gửi hàng loạt) và các lỗi thường gặp."""
    from rich.console import Console
    from rich.table import Table

    settings = settings_or_exit()
    report = asyncio.run(in_transaction(settings, _status))
    table = Table(title="Hàng đợi tin nhắn")
    table.add_column("Trạng thái")
    table.add_column("Trả lời", justify="right")
    table.add_column("Hàng loạt", justify="right")
    by_status: dict[str, dict[str, int]] = {name: {"reply": 0, "bulk": 0} for name in STATUS_NAMES}
    for state, kind, count in report["counts"]:
        by_status.setdefault(state, {"reply": 0, "bulk": 0})[kind] = count
    for state, kinds in by_status.items():
        table.add_row(STATUS_NAMES.get(state, state), format_number(kinds["reply"]),
                      format_number(kinds["bulk"]))
    console = Console()
    console.print(table)
    if report["oldest"] is not None:
        waiting = dt.datetime.now(dt.UTC) - report["oldest"]
        minutes = max(0, int(waiting.total_seconds() // 60))
        console.print(f"Tin chờ lâu nhất đã đến hạn gửi từ {minutes} phút trước.")
    for error_class, error, count in report["errors"]:
        console.print(f"• {count} tin — {error_class or '?'}: {(error or '')[:120]}")
    for line in channel_lines(report["channel"]):
        console.print(line)
