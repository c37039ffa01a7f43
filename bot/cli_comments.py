"""`loaso comments …`: staff review of the consultation (list, show, review, answer).

Answering closes the loop: the resident who commented gets the decision and the answer with
their receipt code, through the outbox at bulk priority, unless they deleted their data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from typing import Annotated

import typer

from bot.cli_common import fail, in_transaction, pack_or_exit, settings_or_exit

comments_app = typer.Typer(help="Góp ý vào dự thảo văn kiện: xem, duyệt, trả lời, xuất.",
                           no_args_is_help=True)

REVIEW_STATUSES = ("da_xem", "tiep_thu", "khong_tiep_thu", "trung_lap", "spam")
DECISIONS = ("tiep_thu", "khong_tiep_thu")
PAGE = 30


def _by(by: str) -> str:
    name = " ".join(by.split())
    if not name:
        fail("Cần ghi tên người thực hiện (--by).")
    return name[:100]


@comments_app.command("list")
def list_(draft: Annotated[str | None, typer.Option(help="Mã dự thảo.")] = None,
          status: Annotated[str | None, typer.Option(
              help="Trạng thái, cách nhau bởi dấu phẩy: moi,da_xem,tiep_thu,…")] = None,
          page: Annotated[int, typer.Option(min=1, help="Trang (30 góp ý một trang).")] = 1,
          ) -> None:
    """Liệt kê góp ý theo thứ tự văn kiện (mục nào trước, góp ý nào trước)."""
    from rich.console import Console
    from rich.table import Table

    from db import comments as comment_queries
    from handlers import texts

    settings = settings_or_exit()
    statuses = tuple(part.strip() for part in (status or "").split(",") if part.strip())
    unknown = [name for name in statuses if name not in texts.STATUSES]
    if unknown:
        fail(f"Trạng thái không hợp lệ: {', '.join(unknown)}. Có: {', '.join(texts.STATUSES)}")
    where = comment_queries.CommentFilter(draft_id=draft, statuses=statuses)
    rows, total = asyncio.run(in_transaction(settings, lambda session: comment_queries.list_comments(
        session, where, offset=(page - 1) * PAGE, limit=PAGE)))
    if total == 0:
        typer.echo("Không có góp ý nào khớp điều kiện.")
        return
    title = f"Góp ý {min(total, (page - 1) * PAGE + 1)}–{min(total, page * PAGE)} / {total}"
    lines = [(comment.receipt, comment.draft_id, comment.section_label or "Góp ý chung",
              texts.STANCES[comment.stance], texts.STATUSES[comment.status],
              comment.text if len(comment.text) <= 60 else comment.text[:59] + "…")
             for comment in rows]
    if not sys.stdout.isatty():  # piped: one tab-separated line per comment, easy to process
        typer.echo(title)
        for line in lines:
            typer.echo("\t".join(part.replace("\n", " ") for part in line))
    else:
        table = Table(title=title)
        table.add_column("Mã", no_wrap=True)
        for column in ("Dự thảo", "Mục", "Ý kiến", "Trạng thái", "Nội dung"):
            table.add_column(column, overflow="fold")
        for line in lines:
            table.add_row(*line)
        Console().print(table)
    if page * PAGE < total:
        typer.echo(f"Xem trang sau: loaso comments list --page {page + 1}")


@comments_app.command("show")
def show(receipt: Annotated[str, typer.Argument(help="Mã biên nhận, ví dụ GY-AB12CD34.")]) -> None:
    """Xem đầy đủ một góp ý."""
    from bot.channels.registry import source_label
    from db import comments as comment_queries
    from handlers import texts

    settings = settings_or_exit()
    comment = asyncio.run(in_transaction(
        settings, lambda session: comment_queries.find_by_receipt(session, receipt)))
    if comment is None:
        fail(f"Không có góp ý mã {receipt}.")
    zone = settings.zone
    typer.echo("\n".join([
        f"Mã biên nhận: {comment.receipt}",
        f"Dự thảo: {comment.draft_id} (phiên bản {comment.draft_version})",
        f"Mục: {comment.section_label or 'Góp ý chung'}",
        f"Ý kiến: {texts.STANCES[comment.stance]}",
        f"Nội dung: {comment.text or '(không có)'}",
        f"Người góp ý: {comment.signed_name or 'Ẩn danh'}",
        f"Nguồn: {source_label(comment.source)}"
        f"{' — ' + comment.source_detail if comment.source_detail else ''}",
        f"Trạng thái: {texts.STATUSES[comment.status]}",
        f"Ghi chú của cán bộ: {comment.staff_note or ''}",
        f"Trả lời: {comment.answer or ''}",
        f"Gửi lúc: {comment.created_at.astimezone(zone):%H:%M %d/%m/%Y}",
    ]))


@comments_app.command("review")
def review(receipt: Annotated[str, typer.Argument(help="Mã biên nhận.")],
           status: Annotated[str, typer.Option(help="da_xem, tiep_thu, khong_tiep_thu, "
                                                    "trung_lap hoặc spam.")],
           by: Annotated[str, typer.Option("--by", help="Cán bộ thực hiện.")],
           note: Annotated[str | None, typer.Option(help="Ghi chú nội bộ.")] = None) -> None:
    """Đánh dấu trạng thái một góp ý, kèm ghi chú nội bộ."""
    settings = settings_or_exit()
    if status not in REVIEW_STATUSES:
        fail(f"Trạng thái không hợp lệ: {status}. Có: {', '.join(REVIEW_STATUSES)}")
    reviewer = _by(by)

    async def work(session):
        from db import comments as comment_queries

        comment = await comment_queries.find_by_receipt(session, receipt)
        if comment is None:
            return None
        comment.status, comment.reviewed_by = status, reviewer
        if note is not None:
            comment.staff_note = note.strip() or None
        comment.updated_at = dt.datetime.now(dt.UTC)
        return comment.receipt

    done = asyncio.run(in_transaction(settings, work))
    if done is None:
        fail(f"Không có góp ý mã {receipt}.")
    typer.echo(f"Đã cập nhật {done}: {status}.")


@comments_app.command("answer")
def answer(receipt: Annotated[str, typer.Argument(help="Mã biên nhận.")],
           text: Annotated[str, typer.Option("--text", help="Câu trả lời gửi người góp ý.")],
           by: Annotated[str, typer.Option("--by", help="Cán bộ thực hiện.")],
           decision: Annotated[str | None, typer.Option(
               help="tiep_thu hoặc khong_tiep_thu (bỏ trống: trả lời không kèm quyết định).")]
           = None) -> None:
    """Trả lời một góp ý; người góp ý nhận được tin kèm mã biên nhận."""
    settings = settings_or_exit()
    if decision is not None and decision not in DECISIONS:
        fail(f"Quyết định không hợp lệ: {decision}. Có: {', '.join(DECISIONS)}")
    reply = text.strip()
    if not reply:
        fail("Câu trả lời không được để trống.")
    if len(reply) > 3000:
        fail(f"Câu trả lời dài {len(reply)} ký tự; tối đa 3000.")
    reviewer = _by(by)
    pack = pack_or_exit(settings)
    from scheduler.notices import answer_comment

    outcome = asyncio.run(in_transaction(settings, lambda session: answer_comment(
        session, pack, receipt=receipt, answer=reply, decision=decision, by=reviewer,
        now=dt.datetime.now(dt.UTC))))
    if outcome is None:
        fail(f"Không có góp ý mã {receipt}.")
    typer.echo(f"Đã trả lời {outcome.receipt}." + (
        " Người góp ý sẽ nhận được tin." if outcome.notified
        else " Người góp ý không nhận được tin (góp ý từ hội nghị, hoặc họ đã xóa dữ liệu/chặn Loa Số)."))
