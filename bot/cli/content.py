"""`loaso content …` and `loaso phase …`: the campaign's content pack and its phases."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Annotated

import typer

from bot.actions import ActionRefused
from bot.actions.content import export_overlay, pin_phase, signal_reload, unpin_phase
from bot.cli.common import (
    Actor,
    content_overlay,
    fail,
    in_transaction,
    pack_or_exit,
    settings_or_exit,
)
from content.loader import load_pack
from content.phases import period_on, pinned_period
from db.audit import Who

log = logging.getLogger("loaso.phase")
content_app = typer.Typer(help="Gói nội dung của chiến dịch.", no_args_is_help=True)
phase_app = typer.Typer(help="Đợt tuyên truyền hiện nay.", no_args_is_help=True)


@content_app.command("check")
def content_check(directory: Annotated[Path | None, typer.Argument(
        help="Thư mục gói nội dung (mặc định: LOASO_CONTENT_DIR).")] = None) -> None:
    """Kiểm tra gói nội dung: in mọi lỗi kèm tệp và dòng."""
    settings = settings_or_exit()
    path = directory or settings.content_path
    # the pack in use: the console's edits over the files (not for another folder given)
    pack, report = load_pack(path, None if directory else content_overlay(settings))
    typer.echo(report.render())
    if pack is None:
        raise typer.Exit(1)
    typer.echo(f"Gói nội dung hợp lệ: {len(pack.articles)} bài viết, {len(pack.drafts)} dự thảo, "
               f"{len(pack.faq)} câu hỏi đáp, {len(pack.quiz)} câu hỏi thi, "
               f"{len(pack.bulletins)} bản tin theo lịch, "
               f"{len(pack.campaign.events)} sự kiện, {len(pack.campaign.phases)} đợt.")


@content_app.command("reload")
def content_reload() -> None:
    """Kiểm tra rồi nạp lại gói nội dung cho các tiến trình đang chạy (không cần khởi động lại)."""
    settings = settings_or_exit()
    pack, report = load_pack(settings.content_path, content_overlay(settings))
    if pack is None:
        typer.echo(report.render())
        fail("Gói nội dung có lỗi: các tiến trình đang chạy giữ nguyên nội dung cũ.", code=1)
    reached = signal_reload(settings.run_dir)
    if not reached:
        typer.echo("Không có tiến trình Loa Số nào đang chạy; nội dung mới dùng từ lần chạy sau.")
    else:
        typer.echo(f"Đã yêu cầu {len(reached)} tiến trình nạp lại nội dung "
                   f"({len(pack.articles)} bài viết).")


@content_app.command("export-overlay")
def content_export_overlay(out: Annotated[Path, typer.Option(
        "--out", help="Thư mục trống để ghi gói nội dung kèm các chỗ đã sửa trên trang quản trị.")],
        ) -> None:
    """Ghi gói nội dung kèm mọi chỗ sửa trên trang quản trị ra thư mục (để lưu vào gói gốc)."""
    settings = settings_or_exit()
    overlay = content_overlay(settings)
    try:
        written = export_overlay(settings.content_path, overlay, out)
    except ActionRefused as error:
        fail(str(error))
    typer.echo(f"Đã ghi gói nội dung vào {out} ({len(written)} tệp sửa trên trang quản trị):")
    for path in written:
        typer.echo(f"- {path}")
    typer.echo("Kiểm tra bằng: loaso content check " + str(out))


@phase_app.command("show")
def phase_show(as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Ngày cần xem (YYYY-MM-DD), mặc định hôm nay.")] = None) -> None:
    """Cho biết đợt và giai đoạn hiện nay, và lựa chọn của cán bộ nếu có."""
    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    from db import campaign as campaign_queries

    day = parse_day(as_of) if as_of else dt.datetime.now(settings.zone).date()
    override = asyncio.run(in_transaction(settings, campaign_queries.active_override))
    typer.echo(f"Theo lịch, ngày {day:%d/%m/%Y}: {period_on(pack, day).label()}")
    if override is not None:
        pinned = pinned_period(pack, override.phase_id, override.stage_id)
        shown = pinned.label() if pinned else f"{override.phase_id} (không còn trong gói)"
        typer.echo(f"Đang ghim: {shown} — do {override.set_by} đặt lúc "
                   f"{override.set_at.astimezone(settings.zone):%H:%M %d/%m/%Y}")


@phase_app.command("set")
def phase_set(phase: Annotated[str, typer.Argument(help="Mã đợt, ví dụ dot-2.")],
              by: Actor = "",
              stage: Annotated[str | None, typer.Option(help="Mã giai đoạn trong đợt.")] = None,
              ) -> None:
    """Ghim chiến dịch vào một đợt (và giai đoạn), bất kể ngày tháng."""
    settings = settings_or_exit()
    pack = pack_or_exit(settings)
    now = dt.datetime.now(dt.UTC)
    try:
        period = asyncio.run(in_transaction(settings, lambda session: pin_phase(
            session, pack, phase=phase, stage=stage, who=Who(by), now=now)))
    except ActionRefused as error:
        fail(str(error))
    log.info("phase pinned to %s/%s by staff", phase, stage or "-")
    typer.echo(f"Đã ghim: {period.label()} (người thực hiện: {by}).")


@phase_app.command("clear")
def phase_clear(by: Actor = "") -> None:
    """Bỏ ghim: đợt lại được tính theo ngày tháng."""
    settings = settings_or_exit()
    now = dt.datetime.now(dt.UTC)
    cleared = asyncio.run(in_transaction(settings, lambda session: unpin_phase(
        session, who=Who(by), now=now)))
    log.info("phase pin cleared by staff (%d rows)", cleared)
    typer.echo("Đã bỏ ghim; đợt được tính theo ngày." if cleared else "Không có đợt nào đang ghim.")


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"Ngày không hợp lệ: '{text}' (cần dạng YYYY-MM-DD).")
        raise
