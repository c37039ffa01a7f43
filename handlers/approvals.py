"""Staff approval of leaders' announcements in chat (/duyet): the pending ones, oldest
first, one at a time, approved or rejected (with an optional reason the leader is told)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from sqlalchemy import func, select

from db.models import Announcement, AnnouncementStatus
from delivery import announcements as announcement_service
from delivery import fanout
from handlers import texts
from handlers.announcements import actor, role_or_refuse, vn_number
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.router import Router, Step, Turn
from messages.types import Option, is_number

REASON_LENGTH = announcement_service.REASON_LENGTH


class ReviewStep(StrEnum):
    REASON = "duyet.reason"


class Rejecting(FlowData):
    """The announcement whose rejection reason is being typed."""

    flow = "dy"
    announcement: int


def staff_only(step: Callable[[Turn, int], Awaitable[None]]) -> Step:
    """dy:<step>:<id>: the step, given the announcement's id, for staff only ("" → 0)."""
    async def for_staff(turn: Turn) -> None:
        if turn.value and not is_number(turn.value):
            stale(turn)
            return
        if await role_or_refuse(turn, staff=True) is not None:
            await step(turn, int(turn.value) if turn.value else 0)
    return for_staff


async def show_pending(turn: Turn, after: int = 0, lead: str | None = None) -> None:
    """/duyet, dy:list, dy:n:<id>: the oldest pending announcement (after `after`)."""
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
        show_menu(turn, f"{lead}\n\n{texts.DY_NONE}" if lead else texts.DY_NONE)
        return
    pack = turn.content.pack
    audience = service.audience_of(announcement)
    text = texts.DY_ITEM.format(
        count=total, id=announcement.id, priority=service.priority_mark(announcement.priority),
        author=announcement.author,
        audience=service.audience_label(pack, audience),
        recipients=vn_number(await fanout.count_recipients(turn.session, audience)),
        when=(texts.TB_WHEN_AT.format(when=turn.local(announcement.send_at))
              if announcement.send_at else texts.TB_WHEN_NOW),
        created=turn.local(announcement.created_at), text=announcement.text)
    options = [Option(texts.DY_APPROVE.format(id=announcement.id), f"dy:ok:{announcement.id}"),
               Option(texts.DY_REJECT.format(id=announcement.id), f"dy:no:{announcement.id}")]
    if total > 1:
        options.append(Option(texts.DY_NEXT, f"dy:n:{announcement.id}"))
    options.append(Option(texts.MENU, "menu:show"))
    turn.say(f"{lead}\n\n{text}" if lead else text, options)


async def _already(turn: Turn, announcement_id: int) -> bool:
    """Say so if the announcement is no longer pending (another staff member was faster)."""
    announcement = await turn.session.get(Announcement, announcement_id)
    if announcement is None:
        stale(turn)
        return True
    if announcement.status != AnnouncementStatus.PENDING:
        await show_pending(turn, 0, texts.DY_ALREADY.format(
            id=announcement_id, status=announcement_service.STATUS_NAMES[announcement.status]))
        return True
    return False


def _status_name(change: announcement_service.Change) -> str:
    return announcement_service.STATUS_NAMES[change.announcement.status] if change.announcement else ""


async def approve(turn: Turn, announcement_id: int) -> None:
    if await _already(turn, announcement_id):
        return
    change = await announcement_service.approve(turn.session, turn.content.pack,
                                                  announcement_id, by=actor(turn), now=turn.now)
    lead = texts.DY_APPROVED if change.done else texts.DY_ALREADY
    if change.refused:
        lead = texts.DY_AUTHOR_LOST_ROLE
    await show_pending(turn, 0, lead.format(
        id=announcement_id, status=_status_name(change)))


async def ask_reason(turn: Turn, announcement_id: int) -> None:
    if await _already(turn, announcement_id):
        return
    turn.say(texts.DY_ASK_REASON.format(id=announcement_id), _reason_options(announcement_id))
    turn.goto(ReviewStep.REASON, Rejecting(announcement=announcement_id))


def _reason_options(announcement_id: int) -> list[Option]:
    return [Option(texts.DY_NO_REASON, f"dy:nr:{announcement_id}"),
            Option(texts.DY_BACK, "dy:list")]


async def _reject(turn: Turn, announcement_id: int, reason: str | None) -> None:
    if await _already(turn, announcement_id):
        return
    change = await announcement_service.reject(turn.session, announcement_id,
                                                 by=actor(turn), reason=reason, now=turn.now)
    lead = texts.DY_REJECTED if change.done else texts.DY_ALREADY
    await show_pending(turn, 0, lead.format(
        id=announcement_id, status=_status_name(change)))


async def reject_without_reason(turn: Turn, announcement_id: int) -> None:
    await _reject(turn, announcement_id, None)


async def typed_reason(turn: Turn) -> None:
    """The reason for a rejection, typed in duyet.reason."""
    if await role_or_refuse(turn, staff=True) is None:
        return
    rejecting = Rejecting.load(turn.data)
    if rejecting is None:
        stale(turn)
        return
    announcement_id = rejecting.announcement
    reason = " ".join(turn.inbound.text.split())
    if len(reason) > REASON_LENGTH:
        turn.say(texts.DY_REASON_TOO_LONG.format(count=vn_number(len(reason)),
                                                 limit=vn_number(REASON_LENGTH)),
                 _reason_options(announcement_id))
        return
    await _reject(turn, announcement_id, reason or None)


def register(router: Router) -> None:
    router.command("duyet", step=staff_only(show_pending))
    router.steps("dy", {"": staff_only(show_pending), "list": staff_only(show_pending),
                        "n": staff_only(show_pending), "ok": staff_only(approve),
                        "no": staff_only(ask_reason), "nr": staff_only(reject_without_reason)})
    router.state(ReviewStep.REASON, step=typed_reason)
