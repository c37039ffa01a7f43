"""`loaso announcements …` (staff decide on leaders' announcements) and `loaso broadcast`.

Decisions reach the leader who wrote the announcement as a queued message. `broadcast`
queues a staff announcement for subscribers at once, with no approval step: it is staff's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.cli.common import (
    MIGRATE_HINT,
    Actor,
    check_ids,
    choose_code,
    confirm,
    fail,
    in_transaction,
    pack_or_exit,
    settings_or_exit,
)
from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from content.pack import Pack

announcements_app = typer.Typer(help="Thông báo của người phụ trách và cán bộ: duyệt, hủy, dừng.",
                                no_args_is_help=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@announcements_app.command("list")
def list_(status: Annotated[str | None, typer.Option(
        help="Chỉ trạng thái này, theo mã hoặc theo tên như danh sách in ra: pending (chờ "
             "duyệt), scheduled, sending, done, rejected, cancelled, stopped.")] = None) -> None:
    """Liệt kê thông báo, mới nhất trước, kèm trạng thái và số người nhận."""
    settings = settings_or_exit()
    from delivery.announcements import STATUS_NAMES

    if status is not None:  # the code or the name this list prints ("chờ duyệt")
        status = choose_code(status, {str(code): name for code, name in STATUS_NAMES.items()},
                             "Trạng thái")
    pack = pack_or_exit(settings)

    async def work(session: AsyncSession) -> list[str]:
        from sqlalchemy import select

        from db.models import Announcement
        from delivery import announcements as service
        from delivery import fanout

        query = select(Announcement).order_by(Announcement.id.desc()).limit(200)
        if status is not None:
            query = query.where(Announcement.status == status)
        lines = []
        for item in (await session.execute(query)).scalars():
            audience = service.audience_of(item)
            count = (item.recipients if item.recipients is not None else
                     await fanout.count_recipients(session, audience))
            when = _local(item.send_at, settings.zone) if item.send_at else "ngay"
            lines.append(f"#{item.id}\t{service.STATUS_NAMES[item.status]}\t{item.author}\t"
                         f"tới {service.audience_label(pack, audience)} ({count} người)\t"
                         f"gửi: {when}\t«{service.excerpt(item.text, 60)}»")
        return lines

    lines = asyncio.run(in_transaction(settings, work))
    typer.echo("\n".join(lines) if lines else "Không có thông báo nào khớp điều kiện.")


def _local(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def _decide(action: Literal["approve", "reject", "cancel", "stop"], announcement_id: int,
            done_text: str, *, by: str, reason: str | None = None) -> None:
    """Run one staff decision (bot.actions.announcements, as the console does) and report
    it; a wrong state or a missing announcement changes nothing (exit 2)."""
    from bot.actions import ActionRefused
    from bot.actions import announcements as actions
    from db.audit import Who
    from delivery.announcements import STATUS_NAMES

    settings = settings_or_exit()
    pack = pack_or_exit(settings)

    async def work(session: AsyncSession) -> tuple[str, str | None]:
        who, now = Who(by), _now()
        if action == "approve":
            decided = await actions.approve(session, pack, announcement_id, who=who, now=now)
        elif action == "reject":
            decided = await actions.reject(session, announcement_id, reason=reason, who=who,
                                           now=now)
        elif action == "cancel":
            decided = await actions.cancel(session, announcement_id, who=who, now=now)
        else:
            decided = await actions.stop(session, announcement_id, who=who, now=now)
        return STATUS_NAMES[decided.status], actions.refusal(decided)

    try:
        status, refused = asyncio.run(in_transaction(settings, work))
    except ActionRefused as error:
        fail(str(error))
    if refused:  # the cancellation is kept: the author may no longer send it
        fail(refused)
    typer.echo(f"Đã {done_text} thông báo #{announcement_id} (hiện: {status}).")


@announcements_app.command("approve")
def approve(announcement_id: Annotated[int, typer.Argument(help="Số thông báo (#).")],
            by: Actor = "") -> None:
    """Duyệt một thông báo đang chờ; người viết được báo."""
    _decide("approve", announcement_id, "duyệt", by=by)


@announcements_app.command("reject")
def reject(announcement_id: Annotated[int, typer.Argument(help="Số thông báo (#).")],
           reason: Annotated[str | None, typer.Option(help="Lý do (người viết đọc được).")]
           = None, by: Actor = "") -> None:
    """Từ chối một thông báo đang chờ; người viết được báo kèm lý do."""
    _decide("reject", announcement_id, "từ chối", by=by, reason=reason)


@announcements_app.command("cancel")
def cancel(announcement_id: Annotated[int, typer.Argument(help="Số thông báo (#).")],
           by: Actor = "") -> None:
    """Hủy một thông báo đang chờ duyệt hoặc đã lên lịch (chưa gửi)."""
    _decide("cancel", announcement_id, "hủy", by=by)


@announcements_app.command("stop")
def stop(announcement_id: Annotated[int, typer.Argument(help="Số thông báo (#).")],
         by: Actor = "") -> None:
    """Dừng một thông báo đang gửi: các tin chưa gửi sẽ không gửi nữa."""
    _decide("stop", announcement_id, "dừng", by=by)


@announcements_app.command("status")
def status(announcement_id: Annotated[int, typer.Argument(help="Số thông báo (#).")]) -> None:
    """Tình trạng gửi một thông báo: đang chờ, đã gửi, lỗi, đã dừng."""
    settings = settings_or_exit()
    pack = pack_or_exit(settings)

    async def work(session: AsyncSession) -> list[str] | None:
        from db.models import Announcement
        from delivery import announcements as service

        item = await session.get(Announcement, announcement_id)
        if item is None:
            return None
        counts = await service.delivery(session, item)
        return [
            f"Thông báo #{item.id}: {service.STATUS_NAMES[item.status]}",
            f"Người viết: {item.author}",
            f"Gửi tới: {service.audience_label(pack, service.audience_of(item))}",
            f"Người nhận: {item.recipients if item.recipients is not None else 'chưa gửi'}",
            f"Tin nhắn: {service.counts_line(counts)}",
        ] + ([f"Ghi chú: {item.decision_note}"] if item.decision_note else [])

    lines = asyncio.run(in_transaction(settings, work))
    if lines is None:
        fail(f"Không có thông báo #{announcement_id}.")
    typer.echo("\n".join(lines))


def broadcast(text: Annotated[str, typer.Option("--text", help="Nội dung thông báo.")],
              area: Annotated[list[str] | None, typer.Option(
                  "--area", help="Chỉ người đăng ký ở thôn này; lặp lại được.")] = None,
              topic: Annotated[list[str] | None, typer.Option(
                  "--topic", help="Người đăng ký chủ đề này; lặp lại được.")] = None,
              group: Annotated[list[str] | None, typer.Option(
                  "--group", help="Người nhận tin của nhóm này; lặp lại được.")] = None,
              yes: Annotated[bool, typer.Option("--yes", help="Xác nhận gửi.")] = False,
              by: Actor = "",
              priority: Annotated[str, typer.Option(
                  "--priority", help="Mức ưu tiên: thuong (thường), uu-tien (ưu tiên) hoặc "
                                     "khan-cap (khẩn cấp: đọc đầu tiên trên loa).")] = "thuong",
              ) -> None:
    """Gửi ngay một thông báo của cán bộ tới người đăng ký (không cần duyệt).

    Không có --area/--topic/--group: gửi tới mọi người đăng ký nhận tin.
    """
    from bot.actions import ActionRefused
    from bot.actions.announcements import clean_text

    settings = settings_or_exit()
    try:
        body = clean_text(text)
    except ActionRefused as refused:
        fail(str(refused))
    from delivery.announcements import PRIORITY_NAMES

    priority = choose_code(priority, PRIORITY_NAMES, "Mức ưu tiên")
    pack = pack_or_exit(settings)
    areas, topics, groups = (list(dict.fromkeys(values or [])) for values in (area, topic, group))
    check_ids("thôn", areas, {item.id: item.name for item in pack.campaign.hamlets})
    check_ids("chủ đề", topics, {item.id: item.name for item in pack.campaign.topics})
    check_ids("nhóm", groups, {item.id: item.name for item in pack.campaign.groups})
    asyncio.run(_broadcast(settings, pack, text=body, areas=areas, topics=topics,
                           groups=groups, yes=yes, by=by, priority=priority))


async def _broadcast(settings: Settings, pack: Pack, *, text: str, areas: list[str], topics: list[str],
                     groups: list[str], yes: bool, by: str, priority: str = "thuong") -> None:
    from db import migrations
    from db.engine import Database
    from delivery import announcements as service
    from delivery import fanout

    audience = fanout.Audience(everyone=not (areas or topics or groups),
                                       topics=tuple(topics), groups=tuple(groups),
                                       hamlets=tuple(areas))
    label = service.audience_label(pack, audience)
    database = Database(settings.database_url)
    try:
        if not await migrations.is_up_to_date(database):
            fail(MIGRATE_HINT)
        async with database.read() as session:
            count = await fanout.count_recipients(session, audience)
        if not yes:
            reach = f"Gửi tới {label}: {count} người nhận."
            confirm(f"{reach} Gửi ngay?", refused=f"Chưa gửi. {reach}")
        now = _now()
        async with database.transaction() as session:
            announcement = await service.submit(
                session, pack, author_user_id=None, author=pack.campaign.organisation.name[:100],
                text=text, audience=audience, send_at=None, needs_approval=False, now=now,
                priority=priority)
            announcement.decided_by, announcement.decided_at = by, now
            announcement_id = announcement.id
        result = await service.release_one(database, pack, announcement_id, now=now)
    finally:
        await database.dispose()
    recipients = result.recipients if result is not None else 0
    typer.echo(f"Đã xếp hàng thông báo #{announcement_id} tới {label}: {recipients} người nhận.")
    if result is not None and result.skipped:
        typer.echo(f"Bỏ qua {result.skipped} người: "
                   + "; ".join(f"{reason} ({count})"
                               for reason, count in result.skipped_reasons.items()))
