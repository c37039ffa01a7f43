"""Signing in and out: the password form, the one-time link from `/dangnhap`, sign-out.

Opening a sign-in link shows a button and spends nothing: chat apps fetch links to draw a
preview, and that fetch must not use up a link the person has not opened yet. The link is
spent by the button's POST.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from bot.actions.accounts import LinkState, check_login_link, use_login_link
from bot.console import sessions
from bot.console.auth import (
    Signed,
    client_address,
    login_csrf_token,
    now,
    principal_of,
    remember_login_csrf,
    secure_cookies,
    service,
)
from bot.console.forms import read_form, text
from bot.console.page import Page
from bot.console.render import redirect, render
from bot.console.signin import Outcome, password_sign_in
from db import audit
from db.console_models import StaffAccount
from db.models import Role

page = Page("login", role=None)
HOME = "/admin"

LINK_PAGES = {  # state → (status, title, message)
    LinkState.VALID: (200, "Đăng nhập bằng đường dẫn",
                      "Bấm nút dưới đây để đăng nhập trang quản trị Loa Số."),
    LinkState.UNKNOWN: (404, "Đường dẫn không đúng",
                        "Đường dẫn đăng nhập này không đúng (có thể bị chép thiếu). Hãy gõ "
                        "/dangnhap trong Loa Số để nhận đường dẫn mới."),
    LinkState.EXPIRED: (410, "Đường dẫn đã hết hạn",
                        "Đường dẫn đăng nhập chỉ dùng được trong 10 phút và đã hết hạn. Hãy gõ "
                        "/dangnhap trong Loa Số để nhận đường dẫn mới."),
    LinkState.USED: (410, "Đường dẫn đã được dùng",
                     "Mỗi đường dẫn đăng nhập chỉ dùng được một lần, và đường dẫn này đã được "
                     "dùng. Hãy gõ /dangnhap trong Loa Số để nhận đường dẫn mới. Nếu không "
                     "phải bạn đã dùng, hãy báo ngay quản trị viên."),
    LinkState.BLOCKED: (403, "Tài khoản không còn quyền",
                        "Tài khoản gắn với đường dẫn này đã bị khóa hoặc không còn vai trò cán "
                        "bộ. Hãy liên hệ quản trị viên Loa Số."),
}


def safe_next(target: str | None) -> str:
    """Only a path inside the console: never another site (`//evil`, `/\\evil`, `https:`)."""
    if (not target or not target.startswith("/admin") or target.startswith("//")
            or "\\" in target or any(ord(char) < 32 for char in target)):
        return HOME
    return target


def _login_form(request: Request, *, status: int = 200, error: str | None = None,
                username: str = "", next_path: str = HOME) -> Response:
    token = login_csrf_token(request)
    response = render(request, "login.html", {
        "login_csrf": token, "error": error, "username": username, "next": next_path,
        "title": "Đăng nhập"}, status=status)
    remember_login_csrf(request, response, token)
    return response


async def _signed_in(request: Request, account: StaffAccount, to: str) -> Response:
    """A new session (the browser's old one ends) and its cookie, on the way to `to`."""
    token, _ = await sessions.start(service(request).database, account,
                                    address=client_address(request), now=now(),
                                    previous=request.cookies.get(sessions.COOKIE))
    response = redirect(to)
    sessions.set_cookie(response, token, secure=secure_cookies(request))
    return response


@page.get("/admin/login")
async def login_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if await principal_of(request) is not None:
        return redirect(next_path)
    return _login_form(request, next_path=next_path)


@page.post("/admin/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    username, next_path = text(form, "username"), safe_next(text(form, "next"))
    attempt = await password_sign_in(service(request).database, username,
                                     text(form, "password"), address=client_address(request),
                                     now=now())
    if attempt.outcome != Outcome.OK or attempt.account is None:  # OK comes with its account
        return _login_form(request, status=429 if attempt.outcome == Outcome.LOCKED else 401,
                           error=attempt.message, username=username[:40], next_path=next_path)
    return await _signed_in(request, attempt.account, next_path)


@page.post("/admin/logout", role=Role.LEADER)
async def logout(request: Request, who: Signed) -> Response:
    database = service(request).database
    async with database.transaction() as session:
        await audit.record(session, who.who, "logout", now=now())
    await sessions.end(database, request.cookies.get(sessions.COOKIE))
    response = redirect("/admin/login", flash="Bạn đã đăng xuất.")
    sessions.clear_cookie(response, secure=secure_cookies(request))
    return response


def _link_page(request: Request, state: LinkState, token: str) -> Response:
    status, title, message = LINK_PAGES[state]
    csrf = login_csrf_token(request)
    response = render(request, "link.html", {
        "title": title, "message": message, "valid": state == LinkState.VALID,
        "action": f"/admin/link/{token}", "login_csrf": csrf}, status=status)
    remember_login_csrf(request, response, csrf)
    return response


@page.get("/admin/link/{token}")
async def link_form(request: Request, token: str) -> Response:
    async with service(request).database.read() as session:
        state, _, _ = await check_login_link(session, token, now())
    return _link_page(request, state, token)


@page.post("/admin/link/{token}")
async def link_sign_in(request: Request, token: str) -> Response:
    moment = now()
    async with service(request).database.transaction() as session:
        state, account = await use_login_link(session, token, moment)
        if state == LinkState.VALID and account is not None:  # a valid link names its account
            await audit.record(session, audit.Who(account.name, account.id,
                                                  client_address(request)),
                               "login", now=moment, details={"via": "link"})
    if state != LinkState.VALID or account is None:
        return _link_page(request, state, token)
    return await _signed_in(request, account, HOME)
