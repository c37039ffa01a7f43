"""Staff approval of leaders' announcements in chat (/duyet): the pending ones, oldest
first, one at a time, approved or rejected (with an optional reason the leader is told)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select

from db.models import Announcement, AnnouncementStatus
from delivery import announcements as announcement_service
from handlers import texts
from handlers.announcements import (
    TB_WHEN_AT,
    TB_WHEN_NOW,
    actor,
    role_or_refuse,
    vn_number,
)
from handlers.menu import show_menu
from handlers.news import stale
from handlers.router import Turn, router
from messages.types import Option

REASON_LENGTH = 500

DY_NONE = "Không có thông báo nào chờ duyệt."
DY_ITEM = (
    "🗳 Chờ duyệt: {count} thông báo. Thông báo #{id}:\n\n"
    "Người viết: {author}\nGửi tới: {audience} (hiện có {recipients} người nhận)\n"
    "Thời gian: {when}\nViết lúc: {created}\n\n{text}"
)
DY_APPROVE = "Duyệt #{id}"
DY_REJECT = "Từ chối #{id}"
DY_NEXT = "Thông báo tiếp theo"
DY_APPROVED = "Đã duyệt thông báo #{id}. Người viết đã được báo."
DY_REJECTED = "Đã từ chối thông báo #{id}. Người viết đã được báo."
DY_ALREADY = "Thông báo #{id} đã được xử lý trước đó (hiện: {status})."
DY_ASK_REASON = (
    "Mời bạn gõ lý do từ chối thông báo #{id} (người viết sẽ đọc được), hoặc chọn "
    "“Từ chối, không ghi lý do”."
)
DY_NO_REASON = "Từ chối, không ghi lý do"
DY_BACK = "Quay lại"
DY_REASON_TOO_LONG = "Lý do dài {count} ký tự, tối đa {limit}. Mời bạn gõ ngắn hơn."


class ReviewStep(StrEnum):
    REASON = "duyet.reason"


@router.command("duyet")
@router.button("dy")
async def review(turn: Turn) -> None:
    """Dispatch dy:<step>:<id>; /duyet shows the oldest pending announcement."""
    step, _, args = turn.value.partition(":")
    if turn.inbound.command == "duyet":
        step, args = "", ""
    steps = {"": show_pending, "list": show_pending, "n": show_pending, "ok": approve,
             "no": ask_reason, "nr": reject_without_reason}
    step_function = steps.get(step)
    if step_function is None or (args and not args.isdigit()):
        stale(turn)
        return
    if await role_or_refuse(turn, staff=True) is not None:
        await step_function(turn, int(args) if args else 0)


async def show_pending(turn: Turn, after: int = 0, lead: str | None = None) -> None:
    service = announcement_service
    pending = Announcement.status == AnnouncementStatus.PENDING
    total = (await turn.session.execute(
        select(func.count()).select_from(Announcement).where(pending))).scalar_one()
    announcement = (await turn.session.execute(
        select(Announcement).where(pending, Announcement.id > after)
        .order_by(Announcement.id).limit(1))).scalar_one_or_none()
    if announcement is None and after:  # past the last one: start again from the oldest
        announcement = (await turn.session.execute(
            select(Announcement).where(pending).order_by(Announcement.id).limit(1))
        ).scalar_one_or_none()
    turn.goto(None)
    if announcement is None:
        show_menu(turn, f"{lead}\n\n{DY_NONE}" if lead else DY_NONE)
        return
    pack = turn.content.pack
    audience = service.audience_of(announcement)
    text = DY_ITEM.format(
        count=total, id=announcement.id, author=announcement.author,
        audience=service.audience_label(pack, audience),
        recipients=vn_number(await service.fanout.count_recipients(turn.session, audience)),
        when=(TB_WHEN_AT.format(when=turn.local(announcement.send_at))
              if announcement.send_at else TB_WHEN_NOW),
        created=turn.local(announcement.created_at), text=announcement.text)
    options = [Option(DY_APPROVE.format(id=announcement.id), f"dy:ok:{announcement.id}"),
               Option(DY_REJECT.format(id=announcement.id), f"dy:no:{announcement.id}")]
    if total > 1:
        options.append(Option(DY_NEXT, f"dy:n:{announcement.id}"))
    options.append(Option(texts.MENU, "menu:show"))
    turn.say(f"{lead}\n\n{text}" if lead else text, options)


async def _already(turn: Turn, announcement_id: int) -> bool:
    """Say so if the announcement is no longer pending (another staff member was faster)."""
    announcement = await turn.session.get(Announcement, announcement_id)
    if announcement is None:
        stale(turn)
        return True
    if announcement.status != AnnouncementStatus.PENDING:
        await show_pending(turn, 0, DY_ALREADY.format(
            id=announcement_id, status=announcement_service.STATUS_NAMES[announcement.status]))
        return True
    return False


async def approve(turn: Turn, announcement_id: int) -> None:
    if await _already(turn, announcement_id):
        return
    change = await announcement_service.approve(turn.session, turn.content.pack,
                                                  announcement_id, by=actor(turn), now=turn.now)
    lead = DY_APPROVED if change.done else DY_ALREADY
    await show_pending(turn, 0, lead.format(
        id=announcement_id, status=announcement_service.STATUS_NAMES[change.announcement.status]))


async def ask_reason(turn: Turn, announcement_id: int) -> None:
    if await _already(turn, announcement_id):
        return
    turn.say(DY_ASK_REASON.format(id=announcement_id),
             [Option(DY_NO_REASON, f"dy:nr:{announcement_id}"), Option(DY_BACK, "dy:list")])
    turn.goto(ReviewStep.REASON, announcement=announcement_id)


async def _reject(turn: Turn, announcement_id: int, reason: str | None) -> None:
    if await _already(turn, announcement_id):
        return
    change = await announcement_service.reject(turn.session, announcement_id,
                                                 by=actor(turn), reason=reason, now=turn.now)
    lead = DY_REJECTED if change.done else DY_ALREADY
    await show_pending(turn, 0, lead.format(
        id=announcement_id, status=announcement_service.STATUS_NAMES[change.announcement.status]))


async def reject_without_reason(turn: Turn, announcement_id: int) -> None:
    await _reject(turn, announcement_id, None)


@router.state(ReviewStep.REASON)
async def typed_reason(turn: Turn) -> None:
    if await role_or_refuse(turn, staff=True) is None:
        return
    announcement_id = turn.data.get("announcement")
    if not isinstance(announcement_id, int):
        stale(turn)
        return
    reason = " ".join(turn.inbound.text.split())
    if len(reason) > REASON_LENGTH:
        turn.say(DY_REASON_TOO_LONG.format(count=vn_number(len(reason)),
                                           limit=vn_number(REASON_LENGTH)),
                 [Option(DY_NO_REASON, f"dy:nr:{announcement_id}"), Option(DY_BACK, "dy:list")])
        return
    await _reject(turn, announcement_id, reason or None)
