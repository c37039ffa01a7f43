"""`loaso invites …` and `loaso roles …`: who may announce, who approves.

An invite's code is printed once, when it is made; the database keeps only its hash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from bot.actions import ActionRefused, people
from bot.cli.common import Actor, check_ids, fail, in_transaction, pack_or_exit, settings_or_exit
from db.audit import Who

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

invites_app = typer.Typer(help="Mã mời nhận vai trò: tạo, xem, thu hồi.", no_args_is_help=True)
roles_app = typer.Typer(help="Vai trò đã cấp: xem, thu hồi.", no_args_is_help=True)

ROLES = ("leader", "staff", "admin")
ROLE_NAMES = {"leader": "người phụ trách", "staff": "cán bộ", "admin": "quản trị"}


def _local(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y") if moment else ""


def _scope(groups: list[str], areas: list[str]) -> str:
    parts = ([f"nhóm {', '.join(groups)}"] if groups else []) + (
        [f"thôn {', '.join(areas)}"] if areas else [])
    return "; ".join(parts) or "toàn xã"


@invites_app.command("create")
def create(role: Annotated[str, typer.Option(help="leader, staff hoặc admin.")],
           group: Annotated[list[str] | None, typer.Option(
               "--group", help="Mã nhóm (chi bộ, MTTQ, đoàn thể) trong gói; lặp lại được.")]
           = None,
           area: Annotated[list[str] | None, typer.Option(
               "--area", help="Mã thôn trong gói nội dung; lặp lại được.")] = None,
           expires: Annotated[str, typer.Option(
               help="Hiệu lực: 7d, 48h hoặc đến hết ngày YYYY-MM-DD.")] = "7d",
           note: Annotated[str | None, typer.Option(
               help="Ghi chú: mã này cấp cho ai, ví dụ 'Bí thư chi bộ thôn 1'.")] = None,
           by: Actor = "") -> None:
    """Tạo mã mời; mã chỉ hiện một lần, người nhận gõ /vaitro <mã> trong Loa Số."""
    settings = settings_or_exit()
    if role not in ROLES:
        fail(f"Vai trò không hợp lệ: {role}. Có: {', '.join(ROLES)}")
    groups, areas = list(dict.fromkeys(group or [])), list(dict.fromkeys(area or []))
    if role == "leader" and not (groups or areas):
        fail("Người phụ trách (leader) cần ít nhất một --group hoặc --area.")
    pack = pack_or_exit(settings)
    check_ids("nhóm", groups, {item.id: item.name for item in pack.campaign.groups})
    check_ids("thôn", areas, {item.id: item.name for item in pack.campaign.hamlets})
    now = dt.datetime.now(dt.UTC)

    async def work(session: AsyncSession) -> tuple[int, dt.datetime, str]:
        invite, code = await people.create_invite(
            session, pack, role=role, groups=groups, areas=areas, expires=expires, note=note,
            who=Who(by), now=now, zone=settings.zone)
        return invite.id, invite.expires_at, code

    try:
        invite_id, expires_at, code = asyncio.run(in_transaction(settings, work))
    except ActionRefused as error:
        fail(str(error))
    typer.echo("\n".join([
        f"Mã mời #{invite_id}: {code}",
        f"Vai trò: {ROLE_NAMES[role]} — {_scope(groups, areas)}",
        f"Hết hạn: {_local(expires_at, settings.zone)}",
        f"Người nhận gõ trong Loa Số: /vaitro {code}",
        "Mã chỉ hiện một lần này; Loa Số không lưu mã, chỉ lưu dấu vết băm của mã.",
    ]))


@invites_app.command("list")
def list_invites() -> None:
    """Liệt kê mã mời: vai trò, phạm vi, trạng thái."""
    settings = settings_or_exit()
    from db import roles

    now = dt.datetime.now(dt.UTC)
    invites = asyncio.run(in_transaction(settings, roles.list_invites))
    if not invites:
        typer.echo("Chưa có mã mời nào.")
        return
    zone = settings.zone
    states = {roles.InviteState.VALID: "còn hiệu lực", roles.InviteState.EXPIRED: "hết hạn"}
    for invite in invites:
        state = roles.invite_state(invite, now)
        if state == roles.InviteState.USED:
            shown = f"đã dùng lúc {_local(invite.used_at, zone)} (người dùng #{invite.used_by})"
        elif state == roles.InviteState.REVOKED:
            shown = f"đã thu hồi lúc {_local(invite.revoked_at, zone)}"
        else:
            shown = states[state]
        typer.echo(f"#{invite.id}\t{ROLE_NAMES.get(invite.role, invite.role)}\t"
                   f"{_scope(invite.groups, invite.areas)}\t{shown}\t"
                   f"hết hạn {_local(invite.expires_at, zone)}\t{invite.note or ''}")


@invites_app.command("revoke")
def revoke_invite(invite_id: Annotated[int, typer.Argument(help="Số của mã mời (#).")],
                  by: Actor = "") -> None:
    """Thu hồi một mã mời chưa dùng."""
    settings = settings_or_exit()
    now = dt.datetime.now(dt.UTC)
    try:
        asyncio.run(in_transaction(settings, lambda session: people.revoke_invite(
            session, invite_id, who=Who(by), now=now)))
    except ActionRefused as error:
        fail(str(error))
    typer.echo(f"Đã thu hồi mã mời #{invite_id}; mã này không dùng được nữa.")


@roles_app.command("list")
def list_roles(all_: Annotated[bool, typer.Option(
        "--all", help="Cả vai trò đã thu hồi.")] = False) -> None:
    """Liệt kê vai trò đang có hiệu lực (kèm ghi chú của mã mời đã cấp)."""
    settings = settings_or_exit()
    from db import roles

    rows = asyncio.run(in_transaction(settings, lambda session: roles.list_grants(
        session, include_revoked=all_)))
    if not rows:
        typer.echo("Chưa có vai trò nào được cấp.")
        return
    zone = settings.zone
    for grant, invite in rows:
        state = (f"đã thu hồi lúc {_local(grant.revoked_at, zone)}" if grant.revoked_at
                 else "đang hiệu lực")
        typer.echo(f"#{grant.id}\t{ROLE_NAMES.get(grant.role, grant.role)}\t"
                   f"{_scope(grant.groups, grant.areas)}\tngười dùng #{grant.user_id}\t"
                   f"cấp lúc {_local(grant.granted_at, zone)}\t{state}\t"
                   f"{(invite.note or '') if invite else ''}")


@roles_app.command("revoke")
def revoke_role(grant_id: Annotated[int, typer.Argument(help="Số của vai trò (#).")],
                by: Actor = "") -> None:
    """Thu hồi một vai trò; có hiệu lực ngay với thao tác tiếp theo của người đó."""
    settings = settings_or_exit()
    now = dt.datetime.now(dt.UTC)
    try:
        asyncio.run(in_transaction(settings, lambda session: people.revoke_grant(
            session, grant_id, who=Who(by), now=now)))
    except ActionRefused as error:
        fail(str(error))
    typer.echo(f"Đã thu hồi vai trò #{grant_id}.")
