"""`loaso print sheet` (the printed hamlet sheet) and `loaso print slogans` (text for LED
boards and banners), issue 19."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    Force,
    check_ids,
    fail,
    in_transaction,
    pack_or_exit,
    refuse_overwrite,
    settings_or_exit,
)
from bot.cli.loa import parse_day
from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from db.models import Announcement

print_app = typer.Typer(help="Tài liệu in: bản tin thôn, khẩu hiệu cho bảng điện tử.",
                        no_args_is_help=True)

SHEET_SOURCE = "ban-tin-thon"  # the QR's source tag; a hamlet's sheet adds its id


@print_app.command("sheet")
def sheet(week: Annotated[str, typer.Option(
              "--week", help="Một ngày trong tuần cần in (2026-01-19); tin tính đến ngày này.")],
          out: Annotated[Path, typer.Option("--out", help="Tệp .docx cần ghi.")],
          hamlet: Annotated[str | None, typer.Option(
              "--hamlet", help="Chỉ in bản của thôn này (mã thôn).")] = None,
          force: Force = False) -> None:
    """In bản tin thôn (một trang A4): tin chính, thông báo, lịch sự kiện, mã QR, khẩu hiệu.

    Thôn nào có thông báo riêng trong tuần được in thêm bản riêng (TÊN-<mã thôn>.docx)."""
    settings = settings_or_exit()
    day = parse_day(week, "--week")
    if out.suffix.lower() != ".docx":
        fail(f"Tệp {out.name}: bản tin thôn ghi dạng .docx (PDF được tạo thêm khi có LibreOffice).")
    pack = pack_or_exit(settings)
    hamlets = {item.id: item.name for item in pack.campaign.hamlets}
    if hamlet is not None:
        check_ids("thôn", [hamlet], hamlets)
    from bot.outputs import sheet as sheets
    from bot.outputs.loudspeaker import URGENT, period_articles
    from bot.outputs.sheet_docx import fit_to_page, office, to_pdf, write_docx
    from content.search import SearchIndex
    from content.store import Content
    from delivery.fanout import Audience

    view = Content(pack, SearchIndex(pack)).visible(day)
    monday, sunday = sheets.week_of(day)

    async def work(session: AsyncSession) -> list[Announcement]:
        from db.outputs import readable_announcements

        start = dt.datetime.combine(monday, dt.time(), tzinfo=pack.zone)
        return await readable_announcements(session, start, start + dt.timedelta(days=7))

    rows = asyncio.run(in_transaction(settings, work))
    common: list[sheets.SheetNotice] = []
    own: dict[str, list[sheets.SheetNotice]] = {}
    for row in rows:
        audience = Audience.from_json(row.audience or {})
        notice = sheets.SheetNotice(row.author, _short(row.text), row.priority == URGENT)
        if audience.everyone and not audience.hamlets:
            common.append(notice)
        for hamlet_id in audience.hamlets:
            own.setdefault(hamlet_id, []).append(notice)
    articles = sheets.key_articles(view, monday, period_articles(view))
    events = sheets.coming_events(view, monday)
    if not (articles or common or own):
        fail(f"Tuần {monday:%d/%m}–{sunday:%d/%m/%Y} không có tin hay thông báo nào để in; "
             "không tạo bản tin.")
    targets = ([(hamlet, out)] if hamlet is not None else
               [(None, out)] + [(key, out.with_name(f"{out.stem}-{key}{out.suffix}"))
                                for key in hamlets if key in own])
    for _, path in targets:
        refuse_overwrite(path, force)
    slogans = [slogan.text for slogan in pack.slogans]
    for key, path in targets:
        link = _link(settings, f"{SHEET_SOURCE}-{key}" if key else SHEET_SOURCE)
        # key None: the common sheet, with no hamlet's name and none of their own notices
        named, mine = (hamlets.get(key), own.get(key, [])) if key is not None else (None, [])
        notices = sorted(common + mine, key=lambda n: not n.urgent)
        write_docx(fit_to_page(sheets.Sheet(
            pack.campaign.organisation.name, monday, sunday, named, list(articles),
            notices[:sheets.NOTICES_SHOWN], list(events),
            sheets.qr_png(link[0]) if link else None, link[1] if link else "",
            slogans[monday.isocalendar().week % len(slogans)] if slogans else None)), path)
        typer.echo(f"Đã ghi {path}.")
        try:
            pdf = to_pdf(path)
        except RuntimeError as error:
            typer.echo(str(error), err=True)
            continue
        if pdf is not None:
            typer.echo(f"Đã ghi {pdf}.")
    if office() is None:
        typer.echo("Không có LibreOffice nên chưa tạo PDF; mở tệp .docx để in.", err=True)
    if _link(settings, SHEET_SOURCE) is None:
        typer.echo("Chưa đặt LOASO_PUBLIC_URL hay LOASO_TELEGRAM_BOT_USERNAME nên bản tin chưa "
                   "có mã QR.", err=True)


def _short(text: str) -> str:
    from bot.outputs.sheet import NOTICE_CHARS
    from delivery.announcements import excerpt

    return excerpt(text, NOTICE_CHARS)


def _link(settings: Settings, source: str) -> tuple[str, str] | None:
    """(address, caption) of the sheet's QR: the web chat, else the Telegram bot."""
    from bot.outputs.qr import link_for

    if settings.public_url:
        link = link_for("webchat", source, public_url=settings.public_url,
                        telegram_bot_username=None, zalo_oa_id=None, drafts={})
    elif settings.telegram_bot_username:
        link = link_for("telegram", source, public_url=None,
                        telegram_bot_username=settings.telegram_bot_username, zalo_oa_id=None,
                        drafts={})
    else:
        return None
    return link.url, f"{link.caption}:\n{link.url}"


@print_app.command("slogans")
def slogans(width: Annotated[int, typer.Option(
                "--width", min=8, max=200, help="Số ký tự mỗi dòng của bảng.")] = 32,
            out: Annotated[Path | None, typer.Option(
                "--out", help="Tệp .txt cần ghi (không có: in ra màn hình).")] = None,
            upper: Annotated[bool, typer.Option(
                "--upper", help="Viết hoa toàn bộ (băng rôn).")] = False,
            force: Force = False) -> None:
    """Khẩu hiệu của gói nội dung, ngắt dòng cho bảng điện tử, màn hình LED, băng rôn."""
    from bot.outputs.slogans import SloganTooWide, board_text

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    if not pack.slogans:
        fail("Gói nội dung chưa có khẩu hiệu nào (slogans.yaml).")
    try:
        text = board_text([slogan.text for slogan in pack.slogans], width, upper=upper)
    except SloganTooWide as error:
        fail(str(error))
    if out is None:
        typer.echo(text, nl=False)
        return
    refuse_overwrite(out, force)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"Đã ghi {len(pack.slogans)} khẩu hiệu vào {out}.")
