"""`loaso inbox …`: residents' questions and reports (/phananh) for staff: list, show,
status, tag, sensitive, answer, and the corrections published after approval.

Every action is a function in bot.actions.inbox, shared with the console page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from bot.cli.common import Actor, fail, in_transaction, pack_or_exit, run_action, settings_or_exit
from db.audit import Who

inbox_app = typer.Typer(help="Hỏi – Phản ánh của người dân: xem, phân loại, trả lời.",
                        no_args_is_help=True)

T = TypeVar("T")

PAGE = 20
Receipt = Annotated[str, typer.Argument(help="Mã phản ánh, ví dụ PA-AB12CD34.")]


def _refused(work: Callable[[], T]) -> T:
    from bot.actions import ActionRefused

    try:
        return work()
    except ActionRefused as refused:
        fail(str(refused))


@inbox_app.command("list")
def list_(kind: Annotated[str | None, typer.Option(help="Hỏi, Báo tin sai/xấu độc, Kiến nghị.")]
          = None,
          status: Annotated[str | None, typer.Option(
              help="mới, đang xử lý, đã trả lời, chuyển cấp trên, không xử lý.")] = None,
          tag: Annotated[str | None, typer.Option(help="Mã chủ đề trong gói nội dung.")] = None,
          sensitive: Annotated[bool, typer.Option("--nhay-cam", help="Chỉ phản ánh nhạy cảm.")]
          = False,
          page: Annotated[int, typer.Option(min=1, help=f"Trang ({PAGE} phản ánh một trang).")]
          = 1) -> None:
    """Liệt kê phản ánh, mới nhất trước."""
    from bot.actions import inbox
    from db import inquiries as inquiry_queries
    from handlers import texts

    settings = settings_or_exit()
    where = inquiry_queries.InboxFilter(
        kind=_refused(lambda: inbox.kind_code(kind)) if kind else None,
        status=_refused(lambda: inbox.status_code(status)) if status else None,
        tag=tag, sensitive=True if sensitive else None)
    rows, total = asyncio.run(in_transaction(settings, lambda session: inquiry_queries.inbox_page(
        session, where, offset=(page - 1) * PAGE, limit=PAGE)))
    if total == 0:
        typer.echo("Không có phản ánh nào khớp điều kiện.")
        return
    typer.echo(f"Phản ánh {min(total, (page - 1) * PAGE + 1)}–{min(total, page * PAGE)} / {total}")
    zone = settings.zone
    for row in rows:
        excerpt = row.text.replace("\n", " ")
        excerpt = excerpt if len(excerpt) <= 60 else excerpt[:59] + "…"
        typer.echo("\t".join([
            row.receipt, f"{row.created_at.astimezone(zone):%d/%m/%Y %H:%M}",
            texts.PA_KINDS[row.kind], texts.PA_STATUSES[row.status],
            ("⚠️ nhạy cảm" if row.sensitive else "-"), ",".join(row.tags) or "-", excerpt]))
    if page * PAGE < total:
        typer.echo(f"Xem trang sau: loaso inbox list --page {page + 1}")


@inbox_app.command("show")
def show(receipt: Receipt) -> None:
    """Xem đầy đủ một phản ánh (ghi vào nhật ký)."""
    from bot.actions import inbox
    from bot.cli.common import server_operator
    from handlers import texts

    settings = settings_or_exit()
    row = run_action(settings, lambda session, now: inbox.view(
        session, receipt, who=Who(server_operator()), now=now))
    zone = settings.zone
    typer.echo("\n".join([
        f"Mã phản ánh: {row.receipt}",
        f"Loại: {texts.PA_KINDS[row.kind]}",
        f"Nội dung: {row.text}",
        f"Đường link: {row.link or '(không có)'}",
        f"Ảnh: {'có (' + row.photo + ')' if row.photo else '(không có)'}",
        f"Trạng thái: {texts.PA_STATUSES[row.status]}",
        f"Chủ đề: {', '.join(row.tags) or texts.PA_NO_TAGS}",
        f"Nhạy cảm: {'có' if row.sensitive else 'không'}",
        f"Trả lời: {row.answer or ''}",
        f"Gửi lúc: {row.created_at.astimezone(zone):%H:%M %d/%m/%Y}",
    ]))


@inbox_app.command("status")
def status(receipt: Receipt,
           to: Annotated[str, typer.Option("--to", help="mới, đang xử lý, đã trả lời, "
                                                        "chuyển cấp trên, không xử lý.")],
           by: Actor = "") -> None:
    """Đổi trạng thái một phản ánh."""
    from bot.actions import inbox
    from handlers import texts

    settings = settings_or_exit()
    row = run_action(settings, lambda session, now: inbox.set_status(
        session, receipt, status=to, who=Who(by), now=now))
    typer.echo(f"Đã cập nhật {row.receipt}: {texts.PA_STATUSES[row.status]}.")


@inbox_app.command("tag")
def tag(receipt: Receipt,
        tags: Annotated[list[str], typer.Argument(help="Mã chủ đề trong gói nội dung.")],
        by: Actor = "") -> None:
    """Gắn chủ đề cho phản ánh (thay các chủ đề đã gắn)."""
    from bot.actions import inbox

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    row = run_action(settings, lambda session, now: inbox.set_tags(
        session, pack, receipt, tags=tags, who=Who(by), now=now))
    typer.echo(f"Đã gắn chủ đề cho {row.receipt}: {', '.join(row.tags)}.")


@inbox_app.command("sensitive")
def sensitive(receipt: Receipt, by: Actor = "",
              off: Annotated[bool, typer.Option("--bo", help="Bỏ đánh dấu nhạy cảm.")] = False,
              ) -> None:
    """Đánh dấu phản ánh “nhạy cảm”: cán bộ trực (tài khoản cán bộ, quản trị) được báo ngay."""
    from bot.actions import inbox

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    row, told = run_action(settings, lambda session, now: inbox.set_sensitive(
        session, pack, receipt, sensitive=not off, who=Who(by), now=now))
    typer.echo(f"Đã bỏ đánh dấu nhạy cảm {row.receipt}." if off else
               f"Đã đánh dấu nhạy cảm {row.receipt}; đã báo {told} cán bộ trực qua tin nhắn.")


@inbox_app.command("answer")
def answer(receipt: Receipt,
           text: Annotated[str, typer.Option("--text", help="Câu trả lời gửi người phản ánh.")],
           by: Actor = "",
           correction_title: Annotated[str | None, typer.Option(
               "--kiem-chung-tieu-de", help="Tiêu đề bài kiểm chứng (đăng sau khi duyệt).")]
           = None,
           correction_body: Annotated[str | None, typer.Option(
               "--kiem-chung-noi-dung", help="Nội dung bài kiểm chứng.")] = None) -> None:
    """Trả lời một phản ánh; người gửi nhận tin kèm mã phản ánh. Có thể kèm bài kiểm chứng."""
    from bot.actions import inbox

    settings = settings_or_exit()
    _refused(lambda: inbox.check_answer(text, correction_title, correction_body))
    done = run_action(settings, lambda session, now: inbox.answer(
        session, receipt, text=text, who=Who(by), now=now, correction_title=correction_title,
        correction_body=correction_body))
    typer.echo(f"Đã trả lời {done.receipt}." + (
        " Người gửi sẽ nhận được tin." if done.notified
        else " Người gửi không nhận được tin (họ đã xóa dữ liệu hoặc chặn Loa Số)."))
    if done.correction_id is not None:
        typer.echo(f"Bài kiểm chứng số {done.correction_id} chờ duyệt: "
                   f"loaso inbox publish {done.correction_id} --by \"…\"")


@inbox_app.command("publish")
def publish(correction: Annotated[int, typer.Argument(help="Số bài kiểm chứng.")],
            by: Actor = "",
            reject: Annotated[bool, typer.Option("--tu-choi", help="Từ chối, không đăng.")]
            = False) -> None:
    """Duyệt và đăng bài kiểm chứng vào chủ đề “Kiểm chứng thông tin” (hoặc từ chối)."""
    from bot.actions import inbox

    settings = settings_or_exit()
    row = run_action(settings, lambda session, now: inbox.decide_correction(
        session, correction, approve=not reject, who=Who(by), now=now))
    typer.echo(f"Đã từ chối bài kiểm chứng số {row.id}." if reject else
               f"Đã đăng bài kiểm chứng số {row.id}: {row.title}.")
