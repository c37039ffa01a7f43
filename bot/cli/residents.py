"""`loaso residents forget`: staff carry out a deletion request received on paper.

It runs the very function behind the chat's /xoadulieu (db.erasure), so a request made at
the commune office is honoured exactly as one made in the chat, and logged the same way.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import typer

from bot.cli.common import confirm, fail, in_transaction, settings_or_exit

residents_app = typer.Typer(help="Người dân: thực hiện quyền đối với dữ liệu cá nhân.",
                            no_args_is_help=True)

VIA = "cli"


@residents_app.command("forget")
def forget(channel: Annotated[str, typer.Option(help="Kênh: telegram, zalo-oa, zalo-bot…")],
           address: Annotated[str, typer.Option(help="Mã cuộc trò chuyện của người dân.")],
           yes: Annotated[bool, typer.Option("--yes", help="Xác nhận xóa, không hỏi lại.")] = False,
           ) -> None:
    """Xóa dữ liệu cá nhân của một người dân theo yêu cầu (ví dụ đơn gửi trực tiếp)."""
    from bot.actions import ActionRefused
    from bot.actions.people import find_resident, forget_resident
    from bot.cli.common import server_operator
    from db.audit import Who

    settings = settings_or_exit()
    channel, address = channel.strip(), address.strip()
    if not channel or not address:
        fail("Cần ghi cả kênh (--channel) và mã cuộc trò chuyện (--address).")
    try:
        found = asyncio.run(in_transaction(settings, lambda session: find_resident(
            session, channel=channel, address=address)))
    except ActionRefused as error:
        fail(str(error))
    if not found.has_data:
        typer.echo(f"Người dân '{address}' ({channel}) không có dữ liệu cá nhân nào để xóa "
                   "(chỉ còn mã cuộc trò chuyện). Không thay đổi gì.")
        return
    if not yes:
        confirm(f"Xóa dữ liệu cá nhân của người dân '{address}' ({channel})? Không hoàn tác được.",
                refused="Chưa xóa gì.")
    done = asyncio.run(in_transaction(settings, lambda session: forget_resident(
        session, channel=channel, address=address, via=VIA, who=Who(server_operator()),
        now=dt.datetime.now(dt.UTC))))
    typer.echo(f"Đã xóa dữ liệu cá nhân của người dân '{address}' ({channel}):")
    for line in done:
        typer.echo(f"- {line}")
    typer.echo("Yêu cầu đã được ghi vào nhật ký (không kèm thông tin cá nhân).")
