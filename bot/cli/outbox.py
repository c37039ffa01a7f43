"""`loaso outbox status`: what is waiting, what went out, what failed and why; `loaso outbox
retry --failed`: failed messages queued again."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import fail, in_transaction, settings_or_exit
from content.text import format_number
from db import outbox as outbox_queries
from db.models import OutboxMessage
from db.outbox import status_report
from delivery.error_labels import STATUS_NAMES

outbox_app = typer.Typer(help="Hàng đợi tin nhắn gửi đi.", no_args_is_help=True)

TOP_ERRORS = 5


# Posts to the commune's Telegram channel (scheduler/channel_posts.py), issue 19.
CHANNEL_BATCHES = "channel:%"
CHANNEL_LINE = "Kênh Telegram của xã: {counts}."
CHANNEL_REFUSED = ("Telegram không cho bot đăng lên kênh ({reason}). Hãy thêm bot làm quản trị "
                   "viên của kênh, có quyền đăng bài, và kiểm tra LOASO_TELEGRAM_CHANNEL_ID; các "
                   "bài này không được gửi lại.")


async def _channel_posts(session: AsyncSession) -> list[Any]:
    """Posts to the channel by status, with one error text each."""
    return list((await session.execute(
        select(OutboxMessage.status, func.count(), func.max(OutboxMessage.error))
        .where(OutboxMessage.batch.like(CHANNEL_BATCHES))
        .group_by(OutboxMessage.status))).all())


async def _report(session: AsyncSession) -> tuple[Any, list[Any]]:
    return await status_report(session), await _channel_posts(session)


def channel_lines(rows: list[Any]) -> list[str]:
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
    report, channel_posts = asyncio.run(in_transaction(settings, _report))
    table = Table(title="Hàng đợi tin nhắn")
    table.add_column("Trạng thái")
    table.add_column("Trả lời", justify="right")
    table.add_column("Hàng loạt", justify="right")
    by_status: dict[str, dict[str, int]] = {name: {"reply": 0, "bulk": 0} for name in STATUS_NAMES}
    for _channel, state, kind, count in report.counts:
        by_status.setdefault(state, {"reply": 0, "bulk": 0})[kind] += count
    for state, kinds in by_status.items():
        table.add_row(STATUS_NAMES.get(state, state), format_number(kinds["reply"]),
                      format_number(kinds["bulk"]))
    console = Console()
    console.print(table)
    if report.oldest_due is not None:
        waiting = dt.datetime.now(dt.UTC) - report.oldest_due
        minutes = max(0, int(waiting.total_seconds() // 60))
        console.print(f"Tin chờ lâu nhất đã đến hạn gửi từ {minutes} phút trước.")
    errors: dict[tuple[str | None, str | None], int] = {}
    for _channel, error_class, error, count in report.errors:
        errors[error_class, error] = errors.get((error_class, error), 0) + count
    commonest = sorted(errors.items(), key=lambda item: -item[1])[:TOP_ERRORS]
    for (error_class, error), count in commonest:
        console.print(f"• {count} tin — {error_class or '?'}: {(error or '')[:120]}")
    for line in channel_lines(channel_posts):
        console.print(line)


def parse_since(text: str, *, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`2h`, `3d`, or a date or date and time (YYYY-MM-DD[ HH:MM], campaign time)."""
    value = text.strip().lower()
    amount, unit = value[:-1], value[-1:]
    if amount.isascii() and amount.isdigit() and unit in ("h", "d"):
        hours = int(amount) * (24 if unit == "d" else 1)
        return now - dt.timedelta(hours=hours)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"Mốc thời gian không hợp lệ: '{text}'. Dùng dạng 2h, 3d, YYYY-MM-DD hoặc "
             "'YYYY-MM-DD HH:MM'.")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@outbox_app.command("retry")
def retry(failed: Annotated[bool, typer.Option(
              "--failed", help="Gửi lại các tin đang ở trạng thái “Gửi lỗi”.")] = False,
          since: Annotated[str | None, typer.Option(
              help="Chỉ các tin tạo từ mốc này: 2h, 3d, YYYY-MM-DD hoặc 'YYYY-MM-DD HH:MM'.")
          ] = None) -> None:
    """Đưa các tin gửi lỗi trở lại hàng đợi (ví dụ sau khi nền tảng hết sự cố)."""
    if not failed:
        fail("Cần ghi --failed: lệnh này chỉ gửi lại các tin đang ở trạng thái “Gửi lỗi”.")
    settings = settings_or_exit()
    now = dt.datetime.now(dt.UTC)
    start = parse_since(since, now=now, zone=settings.zone) if since else None

    async def requeue(session: AsyncSession) -> int:
        return await outbox_queries.requeue_failed(session, now=now, since=start)

    count = asyncio.run(in_transaction(settings, requeue))
    if not count:
        typer.echo("Không có tin gửi lỗi nào" + (" từ mốc đó" if start else "") + ". "
                   "Không thay đổi gì.")
        return
    typer.echo(f"Đã đưa {format_number(count)} tin gửi lỗi trở lại hàng đợi. Tiến trình "
               "đang chạy (serve hoặc worker) sẽ gửi lại trong giây lát; mỗi tin được thử lại "
               "trong thời hạn như tin mới.")
