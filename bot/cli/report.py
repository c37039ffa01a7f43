"""`loaso report campaign`: the campaign report for a period, DOCX (Party layout) or XLSX
with charts. Bad periods and formats are refused before anything is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    Force,
    fail,
    pack_or_exit,
    refuse_overwrite,
    server_operator,
    settings_or_exit,
    with_database,
)

if TYPE_CHECKING:
    from bot.reports.publish import Published
    from bot.settings import Settings
    from content.pack import Pack
    from db.campaign_figures import Period
    from db.engine import Database

report_app = typer.Typer(help="Báo cáo gửi Ban Thường vụ Đảng ủy.", no_args_is_help=True)

First = Annotated[str, typer.Option("--from", help="Từ ngày, NĂM-THÁNG-NGÀY.")]
Last = Annotated[str, typer.Option("--to", help="Đến ngày (tính cả ngày này).")]
Out = Annotated[Path, typer.Option("--out", help="Tệp kết quả.")]


def prepared(first: str, last: str, out: Path, force: bool, format: str,
             formats: tuple[str, ...]) -> tuple[Settings, Pack, Period]:
    """What both reports check before anything is written: the format, the settings and
    content pack, the period, the output's folder, and an existing file only with --force."""
    from bot.reports.campaign import PeriodRefused, period_of

    if format not in formats:
        fail(f"Định dạng không hợp lệ: {format}. Có: {', '.join(formats)}")
    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    try:
        period = period_of(pack, first, last)
    except PeriodRefused as refused:
        fail(str(refused))
    if not out.parent.is_dir():
        fail(f"Không có thư mục {out.parent}.")
    refuse_overwrite(out, force)
    return settings, pack, period


@report_app.command("campaign")
def campaign(first: First, last: Last, out: Out,
             format: Annotated[str, typer.Option("--format", help="docx hoặc xlsx.")] = "docx",
             force: Force = False) -> None:
    """Báo cáo kết quả thực hiện Kế hoạch 04-KH/ĐU trong một kỳ."""
    from bot.reports.campaign import FORMATS, write_report
    from bot.reports.layout import letterhead

    settings, pack, period = prepared(first, last, out, force, format, FORMATS)
    head = letterhead(settings, pack, "party")
    published = with_database(settings, lambda database: write_report(
        database, pack, period, out=out, kind=format, actor=server_operator(), head=head,
        now=dt.datetime.now(dt.UTC)))
    typer.echo(f"Đã ghi {published.path} (SHA-256 {published.sha256[:16]}…).")


@report_app.command("opinion")
def opinion(first: First, last: Last, out: Out,
            format: Annotated[str, typer.Option("--format", help="docx hoặc txt.")] = "docx",
            force: Force = False) -> None:
    """Tình hình dư luận: câu hỏi, phản ánh trong kỳ (tên, số điện thoại, địa chỉ được che)."""
    from bot.reports import opinion as opinion_report
    from bot.reports.layout import letterhead, write_docx
    from bot.reports.publish import publish

    settings, pack, period = prepared(first, last, out, force, format, ("docx", "txt"))
    now = dt.datetime.now(dt.UTC)

    async def work(database: Database) -> Published:
        gathered = await opinion_report.gather(database, pack, period, now)

        async def write(path: Path) -> int:
            if format == "txt":
                path.write_text(opinion_report.digest(gathered) + "\n", encoding="utf-8")
            else:
                write_docx(path, opinion_report.document_spec(
                    gathered, letterhead(settings, pack, "party"), now.astimezone(pack.zone).date()))
            return gathered.total

        return await publish(database, out, kind=f"opinion-{format}", actor=server_operator(),
                             filters={"from": period.first_day.isoformat(),
                                      "to": period.last_day.isoformat()}, write=write)

    published = with_database(settings, work)
    typer.echo(f"Đã ghi {published.path}.")
