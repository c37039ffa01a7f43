"""`loaso meetings …`: meetings where chi bộ and organisations spread the word, entered by
staff (leaders use /hop in chat): add, list, edit (the author, for 7 days). The checks are
bot.actions.meetings, shared with the chat and the console."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import typer

from bot.cli.common import Actor, fail, in_transaction, pack_or_exit, run_action, settings_or_exit
from db.audit import Who

meetings_app = typer.Typer(help="Buổi sinh hoạt, hội nghị tuyên truyền miệng: ghi, xem, sửa.",
                           no_args_is_help=True)
PAGE = 30


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"Ngày không hợp lệ: {value}. Viết theo dạng NĂM-THÁNG-NGÀY, ví dụ 2026-01-15.")


@meetings_app.command("add")
def add(date: Annotated[str, typer.Option("--date", help="Ngày họp, NĂM-THÁNG-NGÀY.")],
        topic: Annotated[str, typer.Option(help="Mã chủ đề trong gói nội dung.")],
        attendance: Annotated[int, typer.Option(help="Số người dự.")],
        by: Actor = "",
        hamlet: Annotated[str | None, typer.Option(help="Mã thôn.")] = None,
        group: Annotated[str | None, typer.Option(help="Mã chi bộ/tổ chức.")] = None,
        comments: Annotated[int, typer.Option(help="Số ý kiến thu được.")] = 0,
        notes: Annotated[str | None, typer.Option(help="Ghi chú.")] = None) -> None:
    """Ghi một buổi sinh hoạt đã họp."""
    from bot.actions.meetings import record_meeting
    from db.meetings import MeetingInput

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    given = MeetingInput(held_on=_day(date), topic_id=topic, attendance=attendance,
                         hamlet_id=hamlet, group_id=group, comments_gathered=comments,
                         notes=notes)
    meeting = run_action(settings, lambda session, now: record_meeting(
        session, pack, given, author=by, author_user_id=None, scope=None, who=Who(by),
        today=now.astimezone(pack.zone).date(), now=now))
    typer.echo(f"Đã ghi buổi sinh hoạt số {meeting.id} ({meeting.held_on:%d/%m/%Y}, "
               f"{meeting.attendance} người dự).")


@meetings_app.command("edit")
def edit(meeting: Annotated[int, typer.Argument(help="Số buổi sinh hoạt.")],
         by: Actor = "",
         date: Annotated[str | None, typer.Option("--date", help="Ngày họp.")] = None,
         topic: Annotated[str | None, typer.Option(help="Mã chủ đề.")] = None,
         attendance: Annotated[int | None, typer.Option(help="Số người dự.")] = None,
         comments: Annotated[int | None, typer.Option(help="Số ý kiến thu được.")] = None,
         notes: Annotated[str | None, typer.Option(help="Ghi chú.")] = None) -> None:
    """Sửa buổi sinh hoạt (người đã ghi, trong 7 ngày); ghi vào nhật ký."""
    from bot.actions.meetings import edit_meeting

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    held_on = _day(date) if date is not None else None
    changes = {name: value for name, value in (
        ("held_on", held_on), ("topic_id", topic), ("attendance", attendance),
        ("comments_gathered", comments), ("notes", notes)) if value is not None}
    if not changes:
        fail("Chưa có gì để sửa (dùng --date, --topic, --attendance, --comments, --notes).")
    row = run_action(settings, lambda session, now: edit_meeting(
        session, pack, meeting, changes, editor=by, editor_user_id=None, scope=None,
        who=Who(by), today=now.astimezone(pack.zone).date(), now=now))
    typer.echo(f"Đã sửa buổi sinh hoạt số {row.id}.")


@meetings_app.command("list")
def list_(page: Annotated[int, typer.Option(min=1, help=f"Trang ({PAGE} buổi một trang).")]
          = 1) -> None:
    """Liệt kê buổi sinh hoạt, mới nhất trước."""
    from db.meetings import meetings_page

    settings = settings_or_exit()
    rows, total = asyncio.run(in_transaction(settings, lambda session: meetings_page(
        session, offset=(page - 1) * PAGE, limit=PAGE)))
    if not total:
        typer.echo("Chưa có buổi sinh hoạt nào.")
        return
    for row in rows:
        typer.echo("\t".join([str(row.id), f"{row.held_on:%d/%m/%Y}", row.hamlet_id or "-",
                              row.group_id or "-", row.topic_id, str(row.attendance),
                              str(row.comments_gathered), row.author]))
    if page * PAGE < total:
        typer.echo(f"Xem trang sau: loaso meetings list --page {page + 1}")
