"""Chat roles, invite codes and deletion requests received on paper, shared by `loaso invites`,
`loaso roles`, `loaso residents forget` and the console's People page (/admin/people).

An invite's code is shown once, when it is made; the database keeps only its hash.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from bot.actions.accounts import check_scope
from content.pack import Pack
from db import audit, residents
from db import roles as role_queries
from db.audit import Who
from db.erasure import erase_resident, has_personal_data
from db.models import Invite, Role, RoleGrant

_RELATIVE = re.compile(r"^(\d{1,4})([dh])$")
MAX_VALIDITY = dt.timedelta(days=365)
NOTE_MAX = 200


def parse_expiry(text: str, *, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`7d`, `48h`, or a date (valid through that day, campaign time)."""
    value = text.strip().lower()
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        expires = now + (dt.timedelta(days=amount) if unit == "d" else dt.timedelta(hours=amount))
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ActionRefused(f"Thời hạn không hợp lệ: '{text}'. Dùng dạng 7d, 48h hoặc "
                                "YYYY-MM-DD.") from None
        expires = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    if expires <= now:
        raise ActionRefused(f"Thời hạn '{text}' đã qua hoặc bằng 0; mã mời phải còn hiệu lực "
                            "sau lúc này.")
    if expires - now > MAX_VALIDITY:
        raise ActionRefused(f"Thời hạn '{text}' quá dài; tối đa 365 ngày.")
    return expires


async def create_invite(session: AsyncSession, pack: Pack, *, role: str, groups: list[str],
                        areas: list[str], expires: str, note: str | None, who: Who,
                        now: dt.datetime, zone: dt.tzinfo) -> tuple[Invite, str]:
    """A new invite code for a chat role; returns the invite and the code (shown once)."""
    if role == "leader" and not (groups or areas):
        raise ActionRefused("Người phụ trách (leader) cần ít nhất một nhóm hoặc một thôn.")
    groups, areas = check_scope(pack, role, groups, areas)
    expires_at = parse_expiry(expires, now=now, zone=zone)
    clean_note = " ".join((note or "").split())[:NOTE_MAX] or None
    invite, code = await role_queries.create_invite(
        session, role=Role(role), groups=groups, areas=areas, expires_at=expires_at, note=clean_note,
        created_by=who.name, now=now)
    await audit.record(session, who, "invite.create", now=now, target=f"#{invite.id}",
                       details={"role": role, "groups": groups, "areas": areas})
    return invite, code


async def revoke_invite(session: AsyncSession, invite_id: int, *, who: Who,
                        now: dt.datetime) -> Invite:
    invite, state = await role_queries.revoke_invite(session, invite_id, by=who.name, now=now)
    if invite is None:
        raise ActionRefused(f"Không có mã mời #{invite_id}.")
    if state == role_queries.InviteState.USED:
        raise ActionRefused(f"Mã mời #{invite_id} đã được dùng; muốn bỏ vai trò đã cấp, thu hồi "
                            "vai trò đó.")
    if state == role_queries.InviteState.REVOKED:
        raise ActionRefused(f"Mã mời #{invite_id} đã bị thu hồi trước đó.")
    await audit.record(session, who, "invite.revoke", now=now, target=f"#{invite_id}")
    return invite


async def revoke_grant(session: AsyncSession, grant_id: int, *, who: Who,
                       now: dt.datetime) -> RoleGrant:
    grant, revoked = await role_queries.revoke_grant(session, grant_id, by=who.name, now=now)
    if grant is None:
        raise ActionRefused(f"Không có vai trò #{grant_id}.")
    if not revoked:
        raise ActionRefused(f"Vai trò #{grant_id} đã bị thu hồi trước đó.")
    await audit.record(session, who, "role.revoke", now=now, target=f"#{grant_id}")
    return grant


# --- deletion requests on paper --------------------------------------------------------------

ERASED = {
    "subscriptions": "Đã hủy {n} đăng ký nhận tin.",
    "messages_cancelled": "Đã dừng {n} tin đang chờ gửi.",
    "messages_in_flight": "{n} tin đang được gửi đúng lúc này, không dừng kịp.",
    "messages_cleared": "Đã xóa nội dung {n} tin đã gửi.",
    "profile": "Đã xóa thôn và tên hiển thị.",
    "comments_anonymised": "Đã tách {n} góp ý khỏi người dân (giữ nội dung, ẩn danh).",
    "quiz_rounds": "Đã xóa {n} lượt thi tìm hiểu.",
    "roles_revoked": "Đã thu hồi {n} vai trò.",
    "announcements_unlinked": "Đã bỏ tên người gửi khỏi {n} thông báo.",
    "consent": "Đã xóa bản ghi đồng ý.",
    "conversation": "Đã đặt lại trạng thái trò chuyện.",
    "role_history_removed": "Đã xóa {n} dòng lịch sử vai trò.",
    "invites_unlinked": "Đã tách {n} mã mời đã dùng khỏi người dân.",
    "staff_account_unlinked": "Đã bỏ liên kết tài khoản trang quản trị với cuộc trò chuyện.",
    "inquiries_unlinked": "Đã tách {n} câu hỏi, phản ánh khỏi người dân (giữ nội dung, ẩn danh).",
    "meetings_unlinked": "Đã tách {n} buổi sinh hoạt khỏi người ghi.",
    "web_history": "Đã xóa {n} dòng trò chuyện trên trang web.",
}


@dataclass(frozen=True)
class Found:
    user_id: int
    has_data: bool


async def find_resident(session: AsyncSession, *, channel: str, address: str) -> Found:
    """The resident a paper request names, or ActionRefused listing the channels there are."""
    from sqlalchemy import select

    from db.models import User

    channel, address = channel.strip(), address.strip()
    if not channel or not address:
        raise ActionRefused("Cần ghi cả kênh và mã cuộc trò chuyện của người dân.")
    user = await residents.find_user(session, channel=channel, address=address)
    if user is None:
        known = sorted((await session.execute(select(User.channel).distinct())).scalars().all())
        raise ActionRefused(f"Không tìm thấy người dân có mã '{address}' trên kênh '{channel}'. "
                            f"Các kênh đang có người dân: {', '.join(known) or 'chưa có'}.")
    return Found(user.id, await has_personal_data(session, user.id))


async def forget_resident(session: AsyncSession, *, channel: str, address: str, via: str,
                          who: Who, now: dt.datetime) -> list[str]:
    """Carry out the request with the function behind the chat's /xoadulieu; returns what
    was done, in words. Nothing to erase is a refusal (nothing changes)."""
    found = await find_resident(session, channel=channel, address=address)
    if not found.has_data:
        raise ActionRefused(f"Người dân '{address.strip()}' ({channel.strip()}) không có dữ liệu "
                            "cá nhân nào để xóa (chỉ còn mã cuộc trò chuyện). Không thay đổi gì.")
    counts = await erase_resident(session, found.user_id, now=now, via=via)
    await audit.record(session, who, "resident.forget", now=now, target=f"#{found.user_id}")
    return [line.format(n=counts[key]) for key, line in ERASED.items() if counts.get(key)]
