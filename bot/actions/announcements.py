"""Staff actions on announcements for the web console: compose, approve, reject, stop, cancel.

The work itself is delivery.announcements, the same functions the chat flows (/thongbao,
/duyet) and `loaso announcements …` call; this module adds what a web form needs: the
author's scope checked against the choice, the text and the time checked with a clear
Vietnamese refusal before anything is written, and an audit row for each change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from content.pack import Pack
from content.text import format_number, words
from db import audit
from db.console_models import StaffAccount
from db.models import Announcement
from delivery import announcements as service


@dataclass(frozen=True)
class Author:
    """Who composes: staff (any audience) or a leader (their groups and hamlets). Duck-typed
    like a chat role for `delivery.announcements.author_label`."""

    is_staff: bool
    groups: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()

    def codes(self, pack: Pack) -> list[str]:
        return service.audience_codes(pack, staff=self.is_staff, groups=self.groups,
                                      areas=self.areas)

    def may_choose(self, pack: Pack, code: str) -> bool:
        return code in self.codes(pack)


def clean_text(text: str) -> str:
    """The announcement's text as it will be sent, or a refusal (empty, too long)."""
    body = unicodedata.normalize("NFC", text or "").strip()
    if not words(body):
        raise ActionRefused("Nội dung thông báo không được để trống.")
    if len(body) > service.MAX_LENGTH:
        raise ActionRefused(f"Thông báo dài {format_number(len(body))} ký tự, tối đa "
                            f"{format_number(service.MAX_LENGTH)}. Hãy rút gọn rồi gửi lại.")
    return body


def parse_send_at(day: str, time: str, *, zone: tzinfo, now: datetime) -> datetime:
    """A date (yyyy-mm-dd as browsers send it, or dd/mm/yyyy typed) and a time (hh:mm) in the
    campaign's zone, as an aware time; refused when it is not a time, past, or too far."""
    day, time = (day or "").strip(), (time or "").strip()
    moment = None
    for pattern in ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"):
        try:
            moment = datetime.strptime(f"{day} {time}", pattern).replace(tzinfo=zone)
            break
        except ValueError:
            continue
    if moment is None:
        raise ActionRefused("Ngày giờ hẹn gửi không hợp lệ: hãy chọn ngày (dd/mm/yyyy) và giờ "
                            "(hh:mm).")
    problem = service.schedule_problem(moment, now)
    if problem == "past":
        raise ActionRefused(f"Thời điểm {moment:%H:%M ngày %d/%m/%Y} đã qua; hãy chọn một "
                            "thời điểm sắp tới.")
    if problem == "too_far":
        raise ActionRefused("Chỉ hẹn gửi được trong vòng một năm tới.")
    return moment


async def compose(session: AsyncSession, pack: Pack, *, author: Author, text: str,
                  audience_code: str, send_at: datetime | None, who: audit.Who,
                  now: datetime, priority: str = "thuong") -> Announcement:
    """Submit an announcement written in the console: pending for staff (a leader's, when the
    pack asks for approval) or scheduled. The leader's linked chat account, if any, is its
    author in chat, so decisions reach them there as they do for /thongbao."""
    body = clean_text(text)
    audience = service.audience_from_code(audience_code)
    if audience is None or not author.may_choose(pack, audience_code):
        raise ActionRefused("Đối tượng nhận không hợp lệ hoặc ngoài phạm vi bạn phụ trách.")
    if priority not in service.PRIORITY_NAMES:
        raise ActionRefused("Mức độ không hợp lệ: chọn thường, ưu tiên hoặc khẩn cấp.")
    account = await session.get(StaffAccount, who.account_id) if who.account_id else None
    announcement = await service.submit(
        session, pack, author_user_id=account.user_id if account else None,
        author=service.author_label(pack, author, audience), text=body, audience=audience,
        send_at=send_at, needs_approval=service.needs_approval(pack, staff=author.is_staff),
        now=now, priority=priority)
    await audit.record(session, who, "announcement.submit", now=now,
                       target=f"#{announcement.id}",
                       details={"audience": audience_code, "status": announcement.status,
                                "priority": priority,
                                "send_at": send_at.isoformat() if send_at else None})
    return announcement


async def _decided(session: AsyncSession, change: service.Change, announcement_id: int,
                   verb: str, who: audit.Who, action: str, now: datetime,
                   details: dict[str, Any] | None = None) -> Announcement:
    if change.announcement is None:
        raise ActionRefused(f"Không có thông báo #{announcement_id}.")
    if change.refused:  # cancelled by Loa Số itself (the author lost the role): that is kept
        await audit.record(session, who, "announcement.cancel", now=now,
                           target=f"#{announcement_id}", details={"reason": change.refused})
        return change.announcement
    if not change.done:
        raise ActionRefused(f"Thông báo #{announcement_id} đang ở trạng thái “"
                            f"{service.STATUS_NAMES[change.announcement.status]}”, không thể "
                            f"{verb} nữa (có thể người khác vừa làm).")
    await audit.record(session, who, action, now=now, target=f"#{announcement_id}",
                       details=details)
    return change.announcement


def refusal(announcement: Announcement) -> str | None:
    """Why Loa Số itself cancelled the announcement instead of doing what staff asked."""
    if announcement.decided_by == service.DECIDED_BY_LOA_SO:
        return f"Không thể thực hiện với thông báo #{announcement.id}: {announcement.decision_note}."
    return None


async def approve(session: AsyncSession, pack: Pack, announcement_id: int, *,
                  who: audit.Who, now: datetime) -> Announcement:
    """Approve a pending one; twice (two tabs) is refused the second time, nothing sent twice."""
    change = await service.approve(session, pack, announcement_id, by=who.name, now=now)
    return await _decided(session, change, announcement_id, "duyệt", who,
                          "announcement.approve", now)


async def reject(session: AsyncSession, announcement_id: int, *, reason: str | None,
                 who: audit.Who, now: datetime) -> Announcement:
    clean = " ".join(unicodedata.normalize("NFC", reason or "").split()) or None
    if clean is not None and len(clean) > service.REASON_LENGTH:
        raise ActionRefused(f"Lý do dài {format_number(len(clean))} ký tự; tối đa "
                            f"{format_number(service.REASON_LENGTH)}.")
    change = await service.reject(session, announcement_id, by=who.name, reason=clean, now=now)
    return await _decided(session, change, announcement_id, "từ chối", who,
                          "announcement.reject", now, {"reason": clean is not None})


async def stop(session: AsyncSession, announcement_id: int, *, who: audit.Who,
               now: datetime) -> Announcement:
    change = await service.stop(session, announcement_id, by=who.name, now=now)
    return await _decided(session, change, announcement_id, "dừng", who, "announcement.stop",
                          now)


async def cancel(session: AsyncSession, announcement_id: int, *, who: audit.Who,
                 now: datetime) -> Announcement:
    change = await service.cancel(session, announcement_id, by=who.name, now=now)
    return await _decided(session, change, announcement_id, "hủy", who, "announcement.cancel",
                          now)
