"""Redeeming an invite code (/vaitro <mã>): a role for a leader or a staff member.

A role is personal data (it says who the resident is), so it is kept only with consent;
the code is checked first, so a wrong code never leads to the consent question.
"""

from __future__ import annotations

from db import roles
from db.models import Role
from handlers.consent import ask_consent
from handlers.menu import show_menu
from handlers.router import Turn, router
from messages.types import Option

ROLE_NAMES = {
    Role.LEADER: "Người phụ trách (bí thư chi bộ, người đứng đầu đoàn thể)",
    Role.STAFF: "Cán bộ xã",
    Role.ADMIN: "Quản trị Loa Số",
}
VT_HOW = (
    "Gõ /vaitro kèm mã mời cán bộ xã gửi bạn, ví dụ: /vaitro ABCD-EFGH "
    "(chữ hoa hay thường, có dấu gạch hay không đều được)."
)
VT_CURRENT = "Vai trò hiện tại của bạn:\n{roles}"
VT_WRITE = "Soạn thông báo"
VT_SENT = "Thông báo đã gửi"
VT_REVIEW = "Duyệt thông báo"
VT_CURRENT_LINE = "• {role}{scope}"
VT_SCOPE = " — phụ trách: {names}"
VT_NEEDS_CONSENT = (
    "Vai trò gắn với bạn là thông tin cá nhân, nên Loa Số cần bạn đồng ý trước khi ghi nhận."
)
VT_CONSENT_REFUSED = ("Không có sự đồng ý thì Loa Số không thể ghi nhận vai trò của bạn. "
                      "Mã mời vẫn dùng được khi bạn đồng ý.")
VT_UNKNOWN = (
    "Mã mời không đúng. Bạn kiểm tra lại mã (8 ký tự, dạng ABCD-EFGH) hoặc hỏi cán bộ "
    "đã gửi mã cho bạn."
)
VT_EXPIRED = "Mã mời này đã hết hạn. Bạn xin cán bộ xã cấp mã mới."
VT_USED = "Mã mời này đã được dùng. Mỗi mã chỉ dùng được một lần; bạn xin cán bộ xã cấp mã mới."
VT_REVOKED = "Mã mời này đã bị thu hồi. Bạn liên hệ cán bộ xã nếu cần."
VT_GRANTED = "✅ Bạn đã nhận vai trò: {role}{scope}."
VT_NEXT_LEADER = "Gõ /thongbao để soạn thông báo gửi tới nhóm, thôn bạn phụ trách."
VT_NEXT_STAFF = "Gõ /duyet để duyệt thông báo, /thongbao để gửi thông báo."

REFUSALS = {
    roles.InviteState.UNKNOWN: VT_UNKNOWN,
    roles.InviteState.EXPIRED: VT_EXPIRED,
    roles.InviteState.USED: VT_USED,
    roles.InviteState.REVOKED: VT_REVOKED,
}


def scope_names(turn: Turn, groups: list[str], areas: list[str]) -> str:
    """The groups and hamlets a grant covers, by their names in the pack."""
    campaign = turn.content.pack.campaign
    group_names = {group.id: group.name for group in campaign.groups}
    hamlet_names = {hamlet.id: hamlet.name for hamlet in campaign.hamlets}
    names = [group_names.get(ref, ref) for ref in groups]
    names += [hamlet_names.get(ref, ref) for ref in areas]
    return VT_SCOPE.format(names=", ".join(names)) if names else ""


@router.command("vaitro")
async def role_command(turn: Turn) -> None:
    """Redeem the code typed after the command, or explain how (with current roles)."""
    if not turn.inbound.text.strip():
        await explain(turn)
        return
    await redeem(turn, turn.inbound.text)


@router.button("vt")
async def role_button(turn: Turn) -> None:
    """Carry on after consent: the code travels in the resume payload."""
    await redeem(turn, turn.value)


async def explain(turn: Turn) -> None:
    grants = await roles.active_grants(turn.session, turn.user.id)
    if grants:
        lines = [VT_CURRENT_LINE.format(role=ROLE_NAMES.get(grant.role, grant.role),
                                        scope=scope_names(turn, grant.groups, grant.areas))
                 for grant in grants]
        # the leaders' and staff's commands get their buttons here, not in everyone's menu
        options = [Option(VT_WRITE, "tb:new"), Option(VT_SENT, "tb:mine")]
        if any(grant.role in (Role.STAFF, Role.ADMIN) for grant in grants):
            options.append(Option(VT_REVIEW, "dy:list"))
        turn.say(VT_CURRENT.format(roles="\n".join(lines)), options)
        return
    show_menu(turn, VT_HOW)


async def redeem(turn: Turn, typed: str) -> None:
    code = roles.normalize_code(typed)
    invite = await roles.find_invite(turn.session, code) if code else None
    state = roles.invite_state(invite, turn.now)
    if state != roles.InviteState.VALID:
        show_menu(turn, REFUSALS[state])
        return
    if not turn.has_consent:
        turn.say(VT_NEEDS_CONSENT)
        ask_consent(turn, resume=f"vt:{code}", refused=VT_CONSENT_REFUSED)
        return
    redeemed = await roles.redeem(turn.session, code=code, user_id=turn.user.id, now=turn.now)
    if redeemed.grant is None:  # someone else redeemed it a moment ago
        show_menu(turn, REFUSALS[redeemed.state])
        return
    grant = redeemed.grant
    turn.say(VT_GRANTED.format(role=ROLE_NAMES.get(grant.role, grant.role),
                               scope=scope_names(turn, grant.groups, grant.areas)))
    show_menu(turn, VT_NEXT_LEADER if grant.role == Role.LEADER else VT_NEXT_STAFF)
