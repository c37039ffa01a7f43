"""`loaso qr`: print-quality QR codes for posters, banners and invitations (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    Force,
    fail,
    in_transaction,
    pack_or_exit,
    refuse_overwrite,
    settings_or_exit,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def qr(target: Annotated[str, typer.Option(
           "--target", help="telegram, zalo, webchat hoặc draft:<mã dự thảo>.")],
       source: Annotated[str, typer.Option(
           "--source", help="Mã nơi dán mã QR, ví dụ pano-truong-hoc (để đếm người đến từ đó).")],
       out: Annotated[Path, typer.Option("--out", help="Tệp .png (300 dpi) hoặc .svg.")],
       caption: Annotated[str | None, typer.Option(
           "--caption", help="Dòng chữ dưới mã (mặc định: theo đích).")] = None,
       force: Force = False) -> None:
    """Tạo mã QR để in lên pa nô, áp phích, giấy mời; đường dẫn mang mã nguồn."""
    from bot.outputs.qr import QrRefused, link_for, write_code

    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    try:
        link = link_for(target.strip(), source.strip(), public_url=settings.public_url,
                        telegram_bot_username=settings.telegram_bot_username,
                        zalo_oa_id=settings.zalo_oa_id, drafts=pack.drafts)
        if out.suffix.lower() not in (".png", ".svg"):
            raise QrRefused(f"Tệp {out.name}: chỉ ghi được .png hoặc .svg.")
        refuse_overwrite(out, force)
        write_code(link.url, link.caption if caption is None else caption.strip(), out)
    except QrRefused as error:
        fail(str(error))
    typer.echo(f"Đã ghi mã QR {out}: {link.url}")


def arrivals(date_from: Annotated[str, typer.Option("--from", help="Từ ngày (2026-01-01).")],
             date_to: Annotated[str, typer.Option("--to", help="Đến ngày (2026-01-31).")]) -> None:
    """Số người dân đến Loa Số qua từng mã QR (theo mã nguồn), không có thông tin cá nhân."""
    import asyncio

    from bot.cli.loa import parse_day
    from bot.reports.small_numbers import hamlet_count

    settings = settings_or_exit()
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    if end < start:
        fail("--to phải từ ngày --from trở đi.")

    async def work(session: AsyncSession) -> dict[str, int]:
        from db.outputs import arrivals_by_source

        return await arrivals_by_source(session, start, end)

    counts = asyncio.run(in_transaction(settings, work))
    if not counts:
        typer.echo(f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} chưa có ai đến qua mã QR nào.")
        return
    for source, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        typer.echo(f"{source}\t{hamlet_count(count)}")
