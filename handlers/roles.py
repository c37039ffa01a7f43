"""Redeeming an invite code (/vaitro <mã>): a role for a leader or a staff member.

A role is personal data (it says who the resident is), so it is kept only with consent;
the code is checked first, so a wrong code never leads to the consent question. The steps
are drawn in handlers/roles.mmd.
"""

from __future__ import annotations

from db import roles
from db.models import Role
from handlers import texts
from handlers.consent import ask_consent
from handlers.menu import show_menu
from handlers.router import Router, Turn
from messages.types import Option

REFUSALS = {
    roles.InviteState.UNKNOWN: texts.VT_UNKNOWN,
    roles.InviteState.EXPIRED: texts.VT_EXPIRED,
    roles.InviteState.USED: texts.VT_USED,
    roles.InviteState.REVOKED: texts.VT_REVOKED,
}


def scope_names(turn: Turn, groups: list[str], areas: list[str]) -> str:
    """The groups and hamlets a grant covers, by their names in the pack."""
    campaign = turn.content.pack.campaign
    group_names = {group.id: group.name for group in campaign.groups}
    hamlet_names = {hamlet.id: hamlet.name for hamlet in campaign.hamlets}
    names = [group_names.get(ref, ref) for ref in groups]
    names += [hamlet_names.get(ref, ref) for ref in areas]
    return texts.VT_SCOPE.format(names=", ".join(names)) if names else ""


async def role_command(turn: Turn) -> None:
    """Redeem the code typed after the command, or explain how (with current roles)."""
    if not turn.inbound.text.strip():
        await explain(turn)
        return
    await redeem(turn, turn.inbound.text)


async def role_button(turn: Turn) -> None:
    """vt:<code>: carry on after consent; the code travels in the resume payload."""
    await redeem(turn, turn.value)


async def explain(turn: Turn) -> None:
    grants = await roles.active_grants(turn.session, turn.user.id)
    if grants:
        lines = [texts.VT_CURRENT_LINE.format(role=texts.VT_ROLE_NAMES.get(grant.role, grant.role),
                                              scope=scope_names(turn, grant.groups, grant.areas))
                 for grant in grants]
        # the leaders' and staff's commands get their buttons here, not in everyone's menu
        options = [Option(texts.VT_WRITE, "tb:new"), Option(texts.VT_SENT, "tb:mine")]
        if any(grant.role in (Role.STAFF, Role.ADMIN) for grant in grants):
            options.append(Option(texts.VT_REVIEW, "dy:list"))
        options.append(Option(texts.VT_CONSOLE, "dn"))
        turn.say(texts.VT_CURRENT.format(roles="\n".join(lines)), options)
        return
    show_menu(turn, texts.VT_HOW)


async def redeem(turn: Turn, typed: str) -> None:
    if await roles.too_many_wrong_codes(turn.session, turn.user.id, turn.now):
        show_menu(turn, texts.VT_TOO_MANY)  # checked first: even a right code waits
        return
    code = roles.normalize_code(typed)
    invite = await roles.find_invite(turn.session, code) if code else None
    state = roles.invite_state(invite, turn.now)
    if state == roles.InviteState.UNKNOWN:
        await roles.record_wrong_code(turn.session, turn.user.id, turn.now)
    if code is None or state != roles.InviteState.VALID:
        show_menu(turn, REFUSALS[state])
        return
    if not turn.has_consent:
        turn.say(texts.VT_NEEDS_CONSENT)
        ask_consent(turn, resume=f"vt:{code}", refused=texts.VT_CONSENT_REFUSED)
        return
    redeemed = await roles.redeem(turn.session, code=code, user_id=turn.user.id, now=turn.now)
    if redeemed.grant is None:  # someone else redeemed it a moment ago
        show_menu(turn, REFUSALS[redeemed.state])
        return
    grant = redeemed.grant
    turn.say(texts.VT_GRANTED.format(role=texts.VT_ROLE_NAMES.get(grant.role, grant.role),
                                     scope=scope_names(turn, grant.groups, grant.areas)))
    show_menu(turn, texts.VT_NEXT_LEADER if grant.role == Role.LEADER else texts.VT_NEXT_STAFF)


def register(router: Router) -> None:
    router.command("vaitro", step=role_command)
    router.button("vt", role_button)
