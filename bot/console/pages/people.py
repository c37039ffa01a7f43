"""/admin/people (admins): console accounts (add, disable, reset the password), chat roles and
invite codes (create, with a QR code and a link that opens the bot with the code; list;
revoke), and deletion requests received on paper (`loaso residents forget`), confirmed first.
The same staff actions as the `loaso staff|invites|roles|residents` commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bot.actions import ActionRefused
from bot.actions import accounts as account_actions
from bot.actions import people as actions
from bot.console.auth import Signed, now, service
from bot.console.forms import read_form, text, texts
from bot.console.page import Nav, Page
from bot.console.passwords import hash_password
from bot.console.render import redirect, render
from content.pack import Pack
from db import accounts as account_queries
from db import roles as role_queries
from db.models import Role

page = Page("people", role=Role.ADMIN, nav=Nav("Người dùng", "/admin/people", order=50))
PATH = "/admin/people"
VIA = "console"
MIN_PASSWORD = 10
ROLE_NAMES = {"leader": "người phụ trách", "staff": "cán bộ", "admin": "quản trị"}


def _pack(request: Request) -> Pack:
    return service(request).content.current.pack


async def _page(request: Request, *, status: int = 200, error: str | None = None,
                made: dict[str, object] | None = None) -> HTMLResponse:
    moment = now()
    async with service(request).database.read() as session:
        accounts = await account_queries.list_accounts(session)
        invites = await role_queries.list_invites(session)
        grants = await role_queries.list_grants(session)
    states = {role_queries.InviteState.VALID: "còn hiệu lực",
              role_queries.InviteState.EXPIRED: "hết hạn",
              role_queries.InviteState.USED: "đã dùng",
              role_queries.InviteState.REVOKED: "đã thu hồi"}
    pack = _pack(request)
    return render(request, "people.html", {
        "title": "Người dùng và vai trò", "accounts": accounts, "error": error, "made": made,
        "invites": [(invite, states[role_queries.invite_state(invite, moment)],
                     role_queries.invite_state(invite, moment) == role_queries.InviteState.VALID)
                    for invite in invites],
        "grants": grants, "role_names": ROLE_NAMES,
        "groups": pack.campaign.groups, "hamlets": pack.campaign.hamlets}, status=status)


@page.get(PATH)
async def people(request: Request, who: Signed) -> HTMLResponse:
    return await _page(request)


async def _password(form: FormData) -> str:
    password = text(form, "password")
    if len(password) < MIN_PASSWORD:
        raise ActionRefused(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    return await asyncio.to_thread(hash_password, password)  # outside any transaction


async def _act(request: Request, work: Callable[[AsyncSession], Awaitable[object]],
               done: str) -> Response:
    try:
        async with service(request).database.transaction() as session:
            await work(session)
    except ActionRefused as error:
        return await _page(request, status=400, error=str(error))
    return redirect(PATH, flash=done)


@page.post(PATH + "/accounts")
async def add(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    try:
        hashed = await _password(form)
    except ActionRefused as error:
        return await _page(request, status=400, error=str(error))
    username = text(form, "username")
    return await _act(request, lambda session: account_actions.add_account(
        session, _pack(request), username=username, name=text(form, "name"),
        role=text(form, "role"), groups=texts(form, "group"), areas=texts(form, "area"),
        password_hash=hashed, who=who.who, now=now()), f"Đã thêm tài khoản {username}.")


@page.post(PATH + "/accounts/{username}/disable")
async def disable(request: Request, who: Signed, username: str) -> Response:
    if username == who.username:
        return await _page(request, status=400, error="Không tự khóa tài khoản đang dùng.")
    return await _act(request, lambda session: account_actions.disable_account(
        session, username, who=who.who, now=now()), f"Đã khóa tài khoản {username}.")


@page.post(PATH + "/accounts/{username}/reset")
async def reset(request: Request, who: Signed, username: str) -> Response:
    form = await read_form(request)
    try:
        hashed = await _password(form)
    except ActionRefused as error:
        return await _page(request, status=400, error=str(error))
    return await _act(request, lambda session: account_actions.reset_password(
        session, username, password_hash=hashed, who=who.who, now=now()),
        f"Đã đặt mật khẩu mới cho {username}; các phiên đăng nhập cũ đã kết thúc.")


def invite_link(request: Request, code: str) -> str | None:
    """A link that opens the bot with the code (handlers/consent.py reads `start=vt-…`)."""
    username = getattr(service(request).settings, "telegram_bot_username", None)
    return f"https://t.me/{username}?start=vt-{code}" if username else None


def qr_svg(value: str) -> Markup:
    """The QR code as inline SVG (drawn here: no script, nothing fetched)."""
    import segno  # 9 MB of imports, for the one page that draws a code

    return Markup(segno.make(value, error="m").svg_inline(scale=5, light="#fff", title="Mã QR của mã mời"))


@page.post(PATH + "/invites")
async def create_invite(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    settings = service(request).settings
    try:
        async with service(request).database.transaction() as session:
            invite, code = await actions.create_invite(
                session, _pack(request), role=text(form, "role"), groups=texts(form, "group"),
                areas=texts(form, "area"), expires=text(form, "expires") or "7d",
                note=text(form, "note"), who=who.who, now=now(), zone=settings.zone)
    except ActionRefused as error:
        return await _page(request, status=400, error=str(error))
    link = invite_link(request, code)
    made: dict[str, object] = {"id": invite.id, "code": code, "link": link, "role": ROLE_NAMES[invite.role],
            "expires_at": invite.expires_at, "qr": qr_svg(link or f"/vaitro {code}")}
    return await _page(request, made=made)  # the code is shown this once, never stored


@page.post(PATH + "/invites/{invite_id}/revoke")
async def revoke_invite(request: Request, who: Signed, invite_id: int) -> Response:
    return await _act(request, lambda session: actions.revoke_invite(
        session, invite_id, who=who.who, now=now()), f"Đã thu hồi mã mời #{invite_id}.")


@page.post(PATH + "/roles/{grant_id}/revoke")
async def revoke_role(request: Request, who: Signed, grant_id: int) -> Response:
    return await _act(request, lambda session: actions.revoke_grant(
        session, grant_id, who=who.who, now=now()), f"Đã thu hồi vai trò #{grant_id}.")


@page.post(PATH + "/forget")
async def forget(request: Request, who: Signed) -> Response:
    """A paper request: first what would be erased and a confirmation, then the erasure."""
    form = await read_form(request)
    channel, address = text(form, "channel").strip(), text(form, "address").strip()
    try:
        if text(form, "confirm") != "yes":
            async with service(request).database.read() as session:
                found = await actions.find_resident(session, channel=channel, address=address)
            return render(request, "people_forget.html", {
                "title": "Xác nhận xóa dữ liệu", "channel": channel, "address": address,
                "has_data": found.has_data})
        async with service(request).database.transaction() as session:
            done = await actions.forget_resident(session, channel=channel, address=address,
                                                 via=VIA, who=who.who, now=now())
    except ActionRefused as error:
        return await _page(request, status=400, error=str(error))
    return redirect(PATH, flash=f"Đã xóa dữ liệu cá nhân của người dân '{address}' ({channel}): "
                                + " ".join(done))
