"""Signing in and out, sessions, the throttle, CSRF and the headers every answer carries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.actions.accounts import disable_account, reset_password
from bot.console import signin, throttle
from db.audit import Who
from db.console_models import StaffSession
from tests.conftest import count_rows
from tests.console.conftest import HTML, PASSWORD, csrf_of
from tests.utils import running_app

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


async def sessions_of(desk) -> list[StaffSession]:
    async with desk.database.read() as session:
        return list((await session.execute(select(StaffSession))).scalars())


async def test_the_form_has_username_and_password_and_success_lands_on_admin(desk):
    await desk.account("can.bo", name="Nguyễn Thị Hoa")
    form = await desk.client.get("/admin/login", headers=HTML)
    assert form.status_code == 200
    assert 'name="username"' in form.text and 'name="password"' in form.text
    assert 'type="password"' in form.text and 'lang="vi"' in form.text
    signed = await desk.sign_in("can.bo")
    assert signed.status_code == 303 and signed.headers["location"] == "/admin"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # LOASO_PUBLIC_URL is http:// here
    home = await desk.client.get("/admin", headers=HTML)
    assert home.status_code == 200 and "Nguyễn Thị Hoa" in home.text
    [login] = await desk.audit("login")
    assert (login.actor, login.address, login.details) == ("Nguyễn Thị Hoa", "127.0.0.1",
                                                           {"via": "password"})


async def test_the_cookie_is_secure_when_the_public_address_is_https(telegram_settings):
    from tests.console.conftest import Desk

    settings = telegram_settings(public_url="https://xa.example.vn")
    async with running_app(settings) as (client, service):
        client.base_url = "https://loaso.test"  # a Secure cookie only travels over https
        desk = Desk(client, service)
        await desk.account("can.bo")
        signed = await desk.sign_in("can.bo")
    assert signed.status_code == 303 and "Secure" in signed.headers["set-cookie"]


@pytest.mark.parametrize("username, password", [("can.bo", "sai-mat-khau-roi"),
                                                ("khong.co.ai", PASSWORD)])
async def test_unknown_user_and_wrong_password_get_the_same_answer(desk, username, password):
    await desk.account("can.bo")
    answer = await desk.sign_in(username, password)
    assert answer.status_code == 401 and WRONG in answer.text
    assert "loaso_session" not in answer.headers.get("set-cookie", "")
    assert await sessions_of(desk) == []
    [failed] = await desk.audit("login.failed")
    assert failed.actor == username


async def test_five_failures_lock_the_account_for_fifteen_minutes(desk):
    await desk.account("can.bo")
    for _ in range(throttle.LIMIT):
        assert (await desk.sign_in("can.bo", "doan-mo-mat-khau")).status_code == 401
    locked = await desk.sign_in("can.bo")  # the right password, but too late
    assert locked.status_code == 429
    assert "sai quá 5 lần trong 15 phút" in locked.text and "khóa 15 phút" in locked.text
    assert await sessions_of(desk) == []
    assert len(await desk.audit("login.locked")) == 1
    # an unknown name is locked the same way (the lock does not tell which names exist)
    for _ in range(throttle.LIMIT):
        await desk.sign_in("khong.co.ai", "doan-mo-mat-khau")
    assert "sai quá 5 lần" in (await desk.sign_in("khong.co.ai")).text


async def test_the_lock_lifts_after_fifteen_minutes_and_counts_per_address(desk):
    await desk.account("can.bo")
    start = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    for minute in range(throttle.LIMIT):
        attempt = await signin.password_sign_in(desk.database, "can.bo", "sai-mat-khau-roi",
                                                address="10.0.0.7", now=start + dt.timedelta(minutes=minute))
        assert attempt.outcome == signin.Outcome.WRONG
    last = start + dt.timedelta(minutes=throttle.LIMIT - 1)

    async def attempt(username, address, at):
        return (await signin.password_sign_in(desk.database, username, PASSWORD,
                                              address=address, now=at)).outcome

    assert await attempt("can.bo", "10.0.0.8", last + dt.timedelta(minutes=14)) == "locked"
    # the address is locked too, for every name typed from it
    await desk.account("can.bo.khac")
    assert await attempt("can.bo.khac", "10.0.0.7", last + dt.timedelta(minutes=14)) == "locked"
    assert await attempt("can.bo.khac", "10.0.0.9", last + dt.timedelta(minutes=14)) == "ok"
    assert await attempt("can.bo", "10.0.0.8", last + dt.timedelta(minutes=15)) == "ok"


async def test_good_sign_ins_from_one_office_address_are_not_counted(desk):
    await desk.account("can.bo")
    for _ in range(throttle.LIMIT + 2):
        desk.client.cookies.clear()
        assert (await desk.sign_in("can.bo")).status_code == 303


async def test_the_session_id_changes_at_sign_in_and_sign_out_ends_it(desk):
    await desk.account("can.bo")
    await desk.sign_in("can.bo")
    first = desk.client.cookies.get("loaso_session")
    await desk.sign_in("can.bo")
    second = desk.client.cookies.get("loaso_session")
    assert first != second and len(await sessions_of(desk)) == 1  # the old one ended
    out = await desk.post("/admin/logout")
    assert out.status_code == 303 and out.headers["location"] == "/admin/login"
    assert await sessions_of(desk) == [] and len(await desk.audit("logout")) == 1
    desk.client.cookies.set("loaso_session", second, domain="loaso.test", path="/admin")
    again = await desk.client.get("/admin", headers=HTML)
    assert again.status_code == 303 and again.headers["location"].startswith("/admin/login")


async def test_an_idle_session_ends_after_the_idle_time(desk):
    await desk.account("can.bo")
    await desk.sign_in("can.bo")
    assert (await desk.client.get("/admin", headers=HTML)).status_code == 200
    async with desk.database.transaction() as session:
        await session.execute(update(StaffSession).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=8, minutes=1)))
    assert (await desk.client.get("/admin", headers=HTML)).status_code == 303
    assert await sessions_of(desk) == []


@pytest.mark.parametrize("change", ["disable", "reset"])
async def test_disabling_or_resetting_an_account_stops_its_open_sessions_at_once(desk, change):
    await desk.account("can.bo")
    await desk.sign_in("can.bo")
    assert (await desk.client.get("/admin/comments", headers=HTML)).status_code == 200
    now = dt.datetime.now(dt.UTC)
    async with desk.database.transaction() as session:
        if change == "disable":
            await disable_account(session, "can.bo", who=Who("Quản trị"), now=now)
        else:
            await reset_password(session, "can.bo", password_hash="x", who=Who("Quản trị"), now=now)
    answer = await desk.client.get("/admin/comments", headers=HTML)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/login")
    if change == "disable":  # and it cannot sign in again
        assert (await desk.sign_in("can.bo")).status_code == 401


@pytest.mark.parametrize("path", ["/admin", "/admin/comments", "/admin/audit",
                                  "/admin/comments/GY-ABCD2345"])
async def test_without_a_session_a_browser_goes_to_sign_in_and_anything_else_gets_401(desk, path):
    page = await desk.client.get(path, headers=HTML)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/admin/login?next=%2Fadmin")
    api = await desk.client.get(path, headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.json() == {"detail": "Cần đăng nhập."}
    htmx = await desk.client.get(path, headers={**HTML, "HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/admin/login"


async def test_a_post_without_a_session_changes_nothing(desk):
    receipt = await desk.comment()
    answer = await desk.client.post(f"/admin/comments/{receipt}/status",
                                    data={"status": "spam", "csrf_token": "x"})
    assert answer.status_code == 401
    assert (await desk.row(receipt)).status == "moi"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin",
                                    "/\\evil.example", "javascript:alert(1)"])
async def test_sign_in_never_sends_the_browser_to_another_site(desk, target):
    await desk.account("can.bo")
    form = await desk.client.get("/admin/login", headers=HTML, params={"next": target})
    signed = await desk.client.post("/admin/login", headers=HTML, data={
        "username": "can.bo", "password": PASSWORD, "next": target,
        "csrf_token": csrf_of(form.text)})
    assert signed.headers["location"] == "/admin"


async def test_sign_in_returns_to_the_page_asked_for(desk):
    await desk.account("can.bo")
    form = await desk.client.get("/admin/login", headers=HTML,
                                 params={"next": "/admin/comments?status=moi"})
    signed = await desk.client.post("/admin/login", headers=HTML, data={
        "username": "can.bo", "password": PASSWORD, "next": "/admin/comments?status=moi",
        "csrf_token": csrf_of(form.text)})
    assert signed.headers["location"] == "/admin/comments?status=moi"


@pytest.mark.parametrize("token", [None, "", "gia-mao"])
async def test_a_missing_or_wrong_csrf_token_is_refused_with_403(desk, token):
    await desk.account("can.bo")
    await desk.sign_in("can.bo")
    receipt = await desk.comment()
    data = {"status": "spam", "note": "thử"}
    if token is not None:
        data["csrf_token"] = token
    answer = await desk.client.post(f"/admin/comments/{receipt}/status", data=data, headers=HTML)
    assert answer.status_code == 403 and "CSRF" in answer.text
    row = await desk.row(receipt)
    assert (row.status, row.staff_note) == ("moi", None)
    assert await desk.audit("comment.status") == []
    out = await desk.client.post("/admin/logout", headers=HTML, data={"csrf_token": token or ""})
    assert out.status_code == 403 and len(await sessions_of(desk)) == 1


async def test_the_sign_in_form_needs_its_csrf_cookie(desk):
    await desk.account("can.bo")
    answer = await desk.client.post("/admin/login", headers=HTML,
                                    data={"username": "can.bo", "password": PASSWORD})
    assert answer.status_code == 403 and await sessions_of(desk) == []
    assert await count_rows(desk.database, "login_failures") == 0


@pytest.mark.parametrize("path", ["/admin/login", "/admin", "/admin/audit", "/admin/khong-co",
                                  "/admin/link/gia-mao"])
async def test_every_answer_carries_the_security_headers(desk, path):
    await desk.account("can.bo")
    await desk.sign_in("can.bo")
    answer = await desk.client.get(path, headers=HTML)
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "<script>" not in answer.text  # no inline script: only <script src=…>


async def test_pages_load_their_script_and_styles_from_loa_so_itself(desk):
    page = await desk.client.get("/admin/login", headers=HTML)
    for name in ("console.css", "htmx-2.0.11.min.js", "console.js"):
        assert f'/admin/static/{name}?v=' in page.text
        asset = await desk.client.get(f"/admin/static/{name}")
        assert asset.status_code == 200 and len(asset.content) > 100
    assert "https://" not in page.text
    assert (await desk.client.get("/admin/static/..%2Fauth.py")).status_code == 404
