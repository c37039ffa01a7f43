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
DONE = {
    "subscriptions": "Đã hủy {n} đăng ký nhận tin.",
    "messages_cancelled": "Đã dừng {n} tin đang chờ gửi.",
    "messages_in_flight": "{n} tin đang được gửi đúng lúc này, không dừng kịp.",
    "messages_cleared": "Đã xóa nội dung {n} tin đã gửi.",
    "profile": "Đã xóa thôn và tên hiển thị.",
    "comments_anonymised": "Đã tách {n} góp ý khỏi người dân (giữ nội dung, ẩn danh).",
    "quiz_rounds": "Đã xóa {n} lượt thi tìm hiểu.",
    "roles_revoked": "Đã thu hồi {n} vai trò.",
    "announcements_unlinked": "Đã bỏ tên người gửi khỏi {n} thông báo.",
    "consent": "Đã xóa bản ghi đồng ý.",
    "conversation": "Đã đặt lại trạng thái trò chuyện.",
    "inquiries_unlinked": "Đã tách {n} câu hỏi, phản ánh khỏi người dân (giữ nội dung, ẩn danh).",
    "meetings_unlinked": "Đã tách {n} buổi sinh hoạt khỏi người ghi.",
}


@residents_app.command("forget")
def forget(channel: Annotated[str, typer.Option(help="Kênh: telegram, zalo-oa, zalo-bot…")],
           address: Annotated[str, typer.Option(help="Mã cuộc trò chuyện của người dân.")],
           yes: Annotated[bool, typer.Option("--yes", help="Xác nhận xóa, không hỏi lại.")] = False,
           ) -> None:
    """Xóa dữ liệu cá nhân của một người dân theo yêu cầu (ví dụ đơn gửi trực tiếp)."""
    from sqlalchemy import select

    from db import residents
    from db.erasure import erase_resident, has_personal_data
    from db.models import User

    settings = settings_or_exit()
    channel, address = channel.strip(), address.strip()
    if not channel or not address:
        fail("Cần ghi cả kênh (--channel) và mã cuộc trò chuyện (--address).")

    async def find(session):
        user = await residents.find_user(session, channel=channel, address=address)
        if user is None:
            known = (await session.execute(select(User.channel).distinct())).scalars().all()
            return None, sorted(known)
        return user.id, await has_personal_data(session, user.id)

    user_id, found = asyncio.run(in_transaction(settings, find))
    if user_id is None:
        fail(f"Không tìm thấy người dân có mã '{address}' trên kênh '{channel}'. "
             f"Các kênh đang có người dân: {', '.join(found) or 'chưa có'}.")
    if not found:
        typer.echo(f"Người dân '{address}' ({channel}) không có dữ liệu cá nhân nào để xóa "
                   "(chỉ còn mã cuộc trò chuyện). Không thay đổi gì.")
        return
    if not yes:
        confirm(f"Xóa dữ liệu cá nhân của người dân '{address}' ({channel})? Không hoàn tác được.",
                refused="Chưa xóa gì.")

    async def erase(session):
        return await erase_resident(session, user_id, now=dt.datetime.now(dt.UTC), via=VIA)

    counts = asyncio.run(in_transaction(settings, erase))
    typer.echo(f"Đã xóa dữ liệu cá nhân của người dân '{address}' ({channel}):")
    for key, line in DONE.items():
        if counts.get(key):
            typer.echo(f"- {line.format(n=counts[key])}")
    typer.echo("Yêu cầu đã được ghi vào nhật ký (không kèm thông tin cá nhân).")
