"""`loaso comments …`: the consultation for staff, every subcommand in one place.

Review (list, show, review, answer): answering closes the loop, the resident who commented
gets the decision and the answer with their receipt code, through the outbox at bulk
priority, unless they deleted their data.

Files (export, report): every problem the staff member can fix (unknown draft, bad date,
missing folder, database not migrated) is refused before anything is written, so a refusal
leaves no file and no audit row.

Meetings (template, import): comments collected at meetings, typed into an Excel template
and imported all rows or none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    Actor,
    Force,
    choose_code,
    fail,
    in_transaction,
    pack_or_exit,
    refuse_overwrite,
    run_action,
    server_operator,
    settings_or_exit,
    with_database,
)
from bot.settings import Settings
from db.audit import Who

if TYPE_CHECKING:
    from rich.progress import TaskID

    from bot.reports.meeting_import import Imported, Sheet
    from content.pack import Pack

comments_app = typer.Typer(help="Góp ý vào dự thảo văn kiện: xem, duyệt, trả lời, xuất.",
                           no_args_is_help=True)

PAGE = 30


# --- review ---------------------------------------------------------------------------------

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
    statuses = tuple(choose_code(part.strip(), texts.STATUSES, "Trạng thái")
                     for part in (status or "").split(",") if part.strip())
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
    """Xem đầy đủ một góp ý (ghi vào nhật ký: có thể có tên người góp ý)."""
    from bot.actions.comments import view_comment
    from handlers import texts

    settings = settings_or_exit()
    from bot.channels.registry import source_label

    comment = run_action(settings, lambda session, now: view_comment(
        session, receipt, who=Who(server_operator()), now=now))
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
           by: Actor = "",
           note: Annotated[str | None, typer.Option(help="Ghi chú nội bộ.")] = None) -> None:
    """Đánh dấu trạng thái một góp ý, kèm ghi chú nội bộ."""
    from bot.actions.comments import review_comment
    from bot.reports.labels import status_label

    settings = settings_or_exit()
    done = run_action(settings, lambda session, now: review_comment(
        session, receipt, status=status, note=note, who=Who(by), now=now))
    typer.echo(f"Đã cập nhật {done.receipt}: {status_label(done.status)}.")


@comments_app.command("answer")
def answer(receipt: Annotated[str, typer.Argument(help="Mã biên nhận.")],
           text: Annotated[str, typer.Option("--text", help="Câu trả lời gửi người góp ý.")],
           by: Actor = "",
           decision: Annotated[str | None, typer.Option(
               help="tiep_thu hoặc khong_tiep_thu (bỏ trống: trả lời không kèm quyết định).")]
           = None) -> None:
    """Trả lời một góp ý; người góp ý nhận được tin kèm mã biên nhận."""
    from bot.actions import ActionRefused
    from bot.actions.comments import answer_comment, check_answer

    settings = settings_or_exit()
    if decision is not None:
        from bot.actions.comments import DECISIONS
        from bot.reports.labels import status_label

        decision = choose_code(decision, {code: status_label(code) for code in DECISIONS},
                               "Quyết định")
    try:
        check_answer(text, decision)  # before the pack is loaded: the commonest mistakes
    except ActionRefused as refused:
        fail(str(refused))
    pack = pack_or_exit(settings)
    outcome = run_action(settings, lambda session, now: answer_comment(
        session, pack, receipt, text=text, decision=decision, who=Who(by), now=now))
    typer.echo(f"Đã trả lời {outcome.receipt}." + (
        " Người góp ý sẽ nhận được tin." if outcome.notified
        else " Người góp ý không nhận được tin (góp ý từ hội nghị, hoặc họ đã xóa dữ liệu/chặn Loa Số)."))


# --- files ----------------------------------------------------------------------------------

class _Bar:
    """A rich progress bar on stderr, only when a person is watching a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.progress = Progress("[progress.description]{task.description}", BarColumn(),
                                 MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
        self.task: TaskID | None = None

    @staticmethod
    def wanted() -> bool:
        try:
            return sys.stderr.isatty()
        except (AttributeError, ValueError):  # replaced or closed stderr
            return False

    def start(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("Đang xuất góp ý", total=total)

    def advance(self, rows: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, rows)

    def stop(self) -> None:
        self.progress.stop()


@comments_app.command("export")
def export(
    out: Annotated[Path | None, typer.Option(
        "--out", help="Tệp kết quả, ví dụ gop-y.xlsx.")] = None,
    format_: Annotated[str | None, typer.Option(
        "--format", help="csv hoặc xlsx (mặc định: theo đuôi tệp --out).")] = None,
    by: Actor = "",
    draft: Annotated[str | None, typer.Option("--draft", help="Chỉ một dự thảo (mã).")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="Trạng thái, cách nhau bởi dấu phẩy: moi,da_xem,tiep_thu,"
                         "khong_tiep_thu,trung_lap,spam,rut_lai.")] = None,
    hamlet: Annotated[str | None, typer.Option("--hamlet", help="Chỉ một thôn (mã).")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Chỉ một nguồn: telegram, zalo-oa, console, meeting…")] = None,
    day_from: Annotated[str | None, typer.Option(
        "--from", help="Từ ngày (YYYY-MM-DD, giờ của chiến dịch).")] = None,
    day_to: Annotated[str | None, typer.Option(
        "--to", help="Đến hết ngày (YYYY-MM-DD).")] = None,
    include_hidden: Annotated[bool, typer.Option(
        "--include-hidden/--exclude-hidden",
        help="Có lấy góp ý trùng lặp và spam không (mặc định: có).")] = True,
    force: Force = False,
) -> None:
    """Xuất góp ý ra CSV hoặc Excel (mỗi dự thảo một trang tính, kèm trang Tổng hợp)."""
    from bot.reports import export as exports
    from bot.reports.export_filters import ExportError, build_filter, output_path

    settings = settings_or_exit()
    if out is None:
        fail("Cần chỉ định tệp kết quả: --out TỆP (ví dụ --out gop-y.xlsx).")
    pack = pack_or_exit(settings)
    try:
        path, kind = output_path(out, exports.FORMATS, format_)
        refuse_overwrite(path, force)
        where = build_filter(pack, draft=draft, statuses=status, hamlet=hamlet, source=source,
                             day_from=day_from, day_to=day_to, include_hidden=include_hidden)
    except ExportError as error:
        fail(str(error))
    bar = _Bar() if _Bar.wanted() else None
    try:
        published = with_database(settings, lambda database: exports.export_comments(
            database, pack, out=path, kind=kind, where=where, actor=by, progress=bar))
    finally:
        if bar is not None:
            bar.stop()
    typer.echo(f"Đã xuất {published.rows} góp ý ra {published.path} ({kind.upper()}).")
    typer.echo(f"Đã ghi nhật ký xuất dữ liệu: người xuất {by}, SHA-256 {published.sha256}.")
    if published.rows == 0:
        typer.echo("Lưu ý: không có góp ý nào khớp điều kiện; tệp chỉ có dòng tiêu đề.")


@comments_app.command("report")
def report(
    draft: Annotated[str | None, typer.Option("--draft", help="Mã dự thảo.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Tệp kết quả, ví dụ bao-cao.docx.")] = None,
    format_: Annotated[str | None, typer.Option(
        "--format", help="docx hoặc xlsx (mặc định: theo đuôi tệp --out).")] = None,
    layout: Annotated[str, typer.Option(
        "--layout", help="Thể thức: party (văn bản của Đảng ủy, mặc định) hoặc state "
                         "(văn bản của UBND xã).")] = "party",
    number: Annotated[str | None, typer.Option(
        "--number", help="Số văn bản, ví dụ 12 (để trống thì văn thư ghi tay khi vào "
                         "sổ).")] = None,
    by: Actor = "",
    force: Force = False,
) -> None:
    """Lập báo cáo tổng hợp ý kiến góp ý cho một dự thảo (Word hoặc Excel có biểu đồ)."""
    from bot.reports import summary
    from bot.reports.export_filters import ExportError, known_draft, output_path
    from bot.reports.layout import LAYOUTS, letterhead

    settings = settings_or_exit()
    if draft is None:
        fail("Cần chọn dự thảo: --draft MÃ (xem mã bằng: loaso content check).")
    if out is None:
        fail("Cần chỉ định tệp kết quả: --out TỆP (ví dụ --out bao-cao.docx).")
    chosen = next((known for known in LAYOUTS if known == layout), None)
    if chosen is None:
        fail(f"Thể thức '{layout}' không có: dùng --layout party (Đảng ủy) hoặc "
             f"--layout state (UBND xã).")
    if number is not None and not re.fullmatch(r"[0-9A-Za-z]{1,10}", number.strip()):
        fail(f"Số văn bản '{number}' không hợp lệ: chỉ ghi con số, ví dụ --number 12.")
    pack = pack_or_exit(settings)
    try:
        path, kind = output_path(out, summary.FORMATS, format_)
        refuse_overwrite(path, force)
        known_draft(pack, draft)
    except ExportError as error:
        fail(str(error))
    head = letterhead(settings, pack, chosen)
    published = with_database(settings, lambda database: summary.write_report(
        database, pack, out=path, kind=kind, draft_id=draft, actor=by, head=head,
        number=number))
    typer.echo(f"Đã lập báo cáo ({published.rows} ý kiến) ra {published.path}.")
    typer.echo(f"Đã ghi nhật ký xuất dữ liệu: người lập {by}, SHA-256 {published.sha256}.")
    if head.signer_name is None:
        setting = "LOASO_REPORT_SIGNER_NAME" if layout == "party" \
            else "LOASO_REPORT_STATE_SIGNER_NAME"
        typer.echo(f"Lưu ý: chưa đặt {setting} nên ô ký để trống họ tên người ký.")


# --- meetings -------------------------------------------------------------------------------

@comments_app.command("template")
def comments_template(
        out: Annotated[Path, typer.Option("--out", help="Tệp mẫu sẽ tạo (.xlsx).")],
        draft: Annotated[str | None, typer.Option(
            "--draft", help="Chỉ cho một dự thảo (mặc định: mọi dự thảo trong gói).")] = None,
        force: Force = False,
) -> None:
    """Tạo tệp Excel mẫu để ghi góp ý thu được ở các hội nghị."""
    from bot.reports.meeting_import import write_template

    settings = settings_or_exit()
    if out.suffix.lower() != ".xlsx":
        fail(f"Tệp mẫu cần đuôi .xlsx: {out}")
    refuse_overwrite(out, force, " (có thể đã ghi góp ý)")
    pack = pack_or_exit(settings)
    if draft is not None and draft not in pack.drafts:
        fail(f"Không có dự thảo '{draft}'. Có: {', '.join(sorted(pack.drafts)) or '(chưa có)'}")
    if not pack.drafts:
        fail("Gói nội dung chưa có dự thảo nào. Nhập dự thảo bằng: loaso drafts import")
    try:
        offered = write_template(out, pack, draft)
    except OSError as error:
        fail(f"Không ghi được {out}: {error.strerror or error}")
    typer.echo(f"Đã tạo {out} cho dự thảo: {', '.join(offered)}.")
    typer.echo("Ghi góp ý ở trang “Góp ý” (đọc trang “Hướng dẫn”), rồi nhập bằng: "
               f"loaso comments import {out.name} --by \"Tên cán bộ\"")


@comments_app.command("import")
def comments_import(
        file: Annotated[Path, typer.Argument(help="Tệp Excel (.xlsx) theo mẫu.")],
        by: Actor = "",
        meeting: Annotated[int | None, typer.Option(
            help="Số buổi sinh hoạt đã ghi (loaso meetings list) nơi thu các góp ý này.")] = None,
) -> None:
    """Nhập góp ý thu được ở hội nghị: kiểm tra mọi dòng, nhập tất cả hoặc không dòng nào."""
    from bot.reports.meeting_import import MeetingImportError, read_sheet

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    now = dt.datetime.now(dt.UTC)
    try:
        sheet = read_sheet(file, pack, now.astimezone(pack.zone).date())
    except MeetingImportError as error:
        fail(str(error))
    if sheet.errors:
        for row, reasons in sheet.errors:
            typer.echo(f"Dòng {row}: {reasons}")
        fail(f"Không nhập dòng nào: {len(sheet.errors)} dòng có lỗi (trong "
             f"{len(sheet.errors) + len(sheet.rows)} dòng). Sửa các dòng trên rồi nhập lại.",
             code=1)
    if not sheet.rows:
        fail(f"Trang “{sheet.name}” của {file.name} không có dòng góp ý nào (ngoài dòng tiêu đề).",
             code=1)
    imported = _import(settings, pack, sheet, by, file.name, now, meeting)
    if imported.count == 0:
        typer.echo(f"Tệp này đã được nhập trước đây ({imported.already} góp ý); "
                   "không nhập lại, không có góp ý trùng.")
        return
    typer.echo(f"Đã nhập {imported.count} góp ý từ {file.name} (người nhập: {by}):")
    for draft_id, count in sorted(imported.per_draft.items()):
        typer.echo(f"  {draft_id} — {pack.drafts[draft_id].title}: {count}")
    if imported.already:
        typer.echo(f"Bỏ qua {imported.already} dòng đã nhập trước đây.")


def _import(settings: Settings, pack: Pack, sheet: Sheet, by: str, file_name: str,
            now: dt.datetime, meeting: int | None = None) -> Imported:
    from sqlalchemy.exc import IntegrityError

    from bot.actions.comments import import_meeting_sheet

    try:
        # one transaction: every row is stored, or (on any error) none is
        return asyncio.run(in_transaction(settings, lambda session: import_meeting_sheet(
            session, pack, sheet, file_name=file_name, who=Who(by), now=now,
            meeting_id=meeting)))
    except IntegrityError:  # the same file imported at the same moment by someone else
        fail("Tệp này đang được nhập cùng lúc ở nơi khác; không nhập dòng nào. "
             "Chạy lại lệnh để kiểm tra.", code=1)
    except OSError as error:
        fail(f"Không kết nối được cơ sở dữ liệu: {error}")
