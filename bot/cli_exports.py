"""`loaso comments export|report`: files for staff and the standing committee.

Every problem the staff member can fix (unknown draft, bad date, missing folder, database
not migrated) is refused before anything is written, so a refusal leaves no file and no
audit row.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_comments import comments_app
from bot.cli_common import MIGRATE_HINT, fail, settings_or_exit


def _actor(by: str | None) -> str:
    name = " ".join((by or "").split())
    if not name:
        fail('Cần ghi tên cán bộ thực hiện, ví dụ: --by "Nguyễn Văn A" (ghi vào nhật ký xuất '
             'dữ liệu).')
    return name[:100]


def _pack(settings):
    from content.loader import load_pack

    pack, report = load_pack(settings.content_path)
    if pack is None:
        typer.echo(report.render(), err=True)
        fail("Gói nội dung có lỗi; sửa rồi chạy lại (kiểm tra bằng: loaso content check).")
    return pack


def _run(settings, work):
    """Run `work(database)` on a migrated database, or stop with the migrate hint."""
    from db import migrations
    from db.engine import Database

    async def run():
        database = Database(settings.database_url)
        try:
            try:
                current = await migrations.is_up_to_date(database)
            except OSError as error:
                fail(f"Không kết nối được cơ sở dữ liệu: {error}")
            if not current:
                fail(MIGRATE_HINT)
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(run())
    except OSError as error:  # disk full, permission denied, connection lost mid-way
        fail(f"Không ghi được tệp: {error}")


class _Bar:
    """A rich progress bar on stderr, only when a person is watching a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.progress = Progress("[progress.description]{task.description}", BarColumn(),
                                 MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
        self.task = None

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
    by: Annotated[str | None, typer.Option(
        "--by", help="Cán bộ xuất tệp (ghi vào nhật ký).")] = None,
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
) -> None:
    """Xuất góp ý ra CSV hoặc Excel (mỗi dự thảo một trang tính, kèm trang Tổng hợp)."""
    from bot.reports import export as exports

    settings = settings_or_exit()
    actor = _actor(by)
    if out is None:
        fail("Cần chỉ định tệp kết quả: --out TỆP (ví dụ --out gop-y.xlsx).")
    pack = _pack(settings)
    try:
        path, kind = exports.output_path(out, exports.FORMATS, format_)
        where = exports.build_filter(pack, draft=draft, statuses=status, hamlet=hamlet,
                                     source=source, day_from=day_from, day_to=day_to,
                                     include_hidden=include_hidden)
    except exports.ExportError as error:
        fail(str(error))
    bar = _Bar() if _Bar.wanted() else None
    try:
        published = _run(settings, lambda database: exports.export_comments(
            database, pack, out=path, kind=kind, where=where, actor=actor, progress=bar))
    finally:
        if bar is not None:
            bar.stop()
    typer.echo(f"Đã xuất {published.rows} góp ý ra {published.path} ({kind.upper()}).")
    typer.echo(f"Đã ghi nhật ký xuất dữ liệu: người xuất {actor}, SHA-256 {published.sha256}.")
    if published.rows == 0:
        typer.echo("Lưu ý: không có góp ý nào khớp điều kiện; tệp chỉ có dòng tiêu đề.")


@comments_app.command("report")
def report(
    draft: Annotated[str | None, typer.Option("--draft", help="Mã dự thảo.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Tệp kết quả, ví dụ bao-cao.docx.")] = None,
    format_: Annotated[str | None, typer.Option(
        "--format", help="docx hoặc xlsx (mặc định: theo đuôi tệp --out).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Cán bộ lập báo cáo.")] = None,
) -> None:
    """Lập báo cáo tổng hợp ý kiến góp ý cho một dự thảo (Word hoặc Excel có biểu đồ)."""
    from bot.reports import export as exports
    from bot.reports import summary

    settings = settings_or_exit()
    actor = _actor(by)
    if draft is None:
        fail("Cần chọn dự thảo: --draft MÃ (xem mã bằng: loaso content check).")
    if out is None:
        fail("Cần chỉ định tệp kết quả: --out TỆP (ví dụ --out bao-cao.docx).")
    pack = _pack(settings)
    try:
        path, kind = exports.output_path(out, summary.FORMATS, format_)
        exports.known_draft(pack, draft)
    except exports.ExportError as error:
        fail(str(error))
    published = _run(settings, lambda database: summary.write_report(
        database, pack, out=path, kind=kind, draft_id=draft, actor=actor))
    typer.echo(f"Đã lập báo cáo ({published.rows} ý kiến) ra {published.path}.")
    typer.echo(f"Đã ghi nhật ký xuất dữ liệu: người lập {actor}, SHA-256 {published.sha256}.")
