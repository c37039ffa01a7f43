"""One-time sign-in links: `create_login_link`, the `/dangnhap` step, the link's pages."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from bot.actions import accounts
from db import login_links
from db.audit import Who
from db.console_models import LoginLink, StaffAccount, StaffSession
from db.models import Role, RoleGrant
from db.roles import create_invite, revoke_grant
from tests.conftest import count_rows
from tests.console.conftest import HTML, csrf_of


async def make_link(desk, account, *, now=None) -> str:
    async with desk.database.transaction() as session:
        return await accounts.create_login_link(
            session, account, public_url="http://loaso.test", who=Who("Kiểm thử"),
            now=now or dt.datetime.now(dt.UTC))


async def follow(desk, url: str):
    """Open the link, then press its button (as a person does)."""
    path = url.removeprefix("http://loaso.test")
    page = await desk.client.get(path, headers=HTML)
    token = desk.client.cookies.get("loaso_login_csrf")
    pressed = await desk.client.post(path, headers=HTML, data={"csrf_token": token})
    return page, pressed


async def test_a_link_is_the_public_address_and_only_its_hash_is_stored(desk):
    account = await desk.account("can.bo")
    url = await make_link(desk, account)
    assert url.startswith("http://loaso.test/admin/link/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 40
    async with desk.database.read() as session:
        [link] = (await session.execute(select(LoginLink))).scalars()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (link.token_hash, str(link.id))
    assert link.expires_at - link.created_at == dt.timedelta(minutes=10)


async def test_opening_a_link_spends_nothing_and_its_button_signs_in_once(desk):
    account = await desk.account("can.bo", name="Trần Văn Bình")
    url = await make_link(desk, account)
    page, pressed = await follow(desk, url)
    assert page.status_code == 200 and "Đăng nhập" in page.text
    assert pressed.status_code == 303 and pressed.headers["location"] == "/admin"
    home = await desk.client.get("/admin", headers=HTML)
    assert home.status_code == 200 and "Trần Văn Bình" in home.text
    [login] = await desk.audit("login")
    assert login.details == {"via": "link"}
    # a second use, from another browser: a clear page and no session
    desk.client.cookies.clear()
    page, again = await follow(desk, url)
    assert page.status_code == 410 and "đã được dùng" in page.text
    assert again.status_code == 410 and "đã được dùng" in again.text
    assert "loaso_session" not in again.headers.get("set-cookie", "")
    assert await count_rows(desk.database, "staff_sessions") == 1


async def test_an_expired_link_shows_a_clear_page_and_makes_no_session(desk):
    account = await desk.account("can.bo")
    url = await make_link(desk, account, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11))
    page, pressed = await follow(desk, url)
    assert page.status_code == pressed.status_code == 410
    assert "hết hạn" in pressed.text and "/dangnhap" in pressed.text
    assert await count_rows(desk.database, "staff_sessions") == 0
    async with desk.database.read() as session:
        assert (await session.execute(select(LoginLink.used_at))).scalar_one() is None


@pytest.mark.parametrize("token", ["gia-mao", "A" * 43, "%3Cscript%3Ealert(1)%3C-script%3E"])
async def test_a_forged_link_shows_a_clear_page_and_makes_no_session(desk, token):
    await desk.account("can.bo")
    page, pressed = await follow(desk, f"/admin/link/{token}")
    assert page.status_code == pressed.status_code == 404
    assert "không đúng" in pressed.text and "<script>alert" not in pressed.text
    assert await count_rows(desk.database, "staff_sessions") == 0


async def test_a_link_of_a_disabled_account_does_not_sign_in(desk):
    account = await desk.account("can.bo")
    url = await make_link(desk, account)
    async with desk.database.transaction() as session:
        await accounts.disable_account(session, "can.bo", who=Who("Quản trị"),
                                       now=dt.datetime.now(dt.UTC))
    page, pressed = await follow(desk, url)
    assert page.status_code in (403, 404) and pressed.status_code in (403, 404)
    assert await count_rows(desk.database, "staff_sessions") == 0


async def test_the_link_button_needs_its_csrf_token(desk):
    account = await desk.account("can.bo")
    url = await make_link(desk, account)
    path = url.removeprefix("http://loaso.test")
    await desk.client.get(path, headers=HTML)
    refused = await desk.client.post(path, headers=HTML, data={})
    assert refused.status_code == 403 and await count_rows(desk.database, "staff_sessions") == 0
    _, pressed = await follow(desk, url)  # still usable
    assert pressed.status_code == 303


# --- /dangnhap ---------------------------------------------------------------------------

async def grant(desk, user, role, *, groups=(), areas=()) -> RoleGrant:
    async with desk.database.transaction() as session:
        row = RoleGrant(user_id=user.id, role=role, groups=list(groups), areas=list(areas))
        session.add(row)
    return row


async def offer(desk, user, public_url="http://loaso.test", label=None):
    async with desk.database.transaction() as session:
        return await login_links.login_link_for_resident(
            session, user_id=user.id, public_url=public_url, now=dt.datetime.now(dt.UTC),
            label=label)


async def test_dangnhap_refuses_a_resident_without_a_role(desk):
    user = await desk.resident()
    answer = await offer(desk, user)
    assert answer.url is None and answer.refused == login_links.Refusal.NO_ROLE
    assert await count_rows(desk.database, "staff_accounts") == 0
    assert await count_rows(desk.database, "login_links") == 0


async def test_dangnhap_without_a_public_address_says_so(desk):
    user = await desk.resident()
    await grant(desk, user, Role.STAFF)
    answer = await offer(desk, user, public_url=None)
    assert answer.url is None and answer.refused == login_links.Refusal.NO_ADDRESS
    assert await count_rows(desk.database, "login_links") == 0
    assert await count_rows(desk.database, "staff_accounts") == 0


async def test_dangnhap_names_a_new_account_after_the_invite_that_gave_the_role(desk):
    user = await desk.resident()
    now = dt.datetime.now(dt.UTC)
    async with desk.database.transaction() as session:
        invite, _ = await create_invite(session, role=Role.STAFF, groups=[], areas=[],
                                        expires_at=now + dt.timedelta(days=1),
                                        note="Văn phòng Đảng ủy", created_by="Kiểm thử", now=now)
        session.add(RoleGrant(user_id=user.id, role=Role.STAFF, groups=[], areas=[],
                              invite_id=invite.id))
    assert (await offer(desk, user)).url
    async with desk.database.read() as session:
        [account] = (await session.execute(select(StaffAccount))).scalars()
    assert (account.name, account.role) == ("Văn phòng Đảng ủy", "staff")


async def test_dangnhap_gives_a_leader_a_link_to_an_account_with_the_chat_roles_scope(desk):
    user = await desk.resident()
    await grant(desk, user, Role.LEADER, groups=["mttq"], areas=["thon-1"])
    first = await offer(desk, user, label="Chủ tịch MTTQ")
    assert first.url.startswith("http://loaso.test/admin/link/") and first.refused is None
    second = await offer(desk, user)
    assert second.url != first.url
    async with desk.database.read() as session:
        [account] = (await session.execute(select(StaffAccount))).scalars()
    assert (account.username, account.name, account.user_id, account.password_hash) == (
        f"chat-{user.id}", "Chủ tịch MTTQ", user.id, None)
    mine = await desk.comment(hamlet="thon-1")
    other = await desk.comment(hamlet="thon-2")
    await follow(desk, second.url)
    assert (await desk.client.get(f"/admin/comments/{mine}", headers=HTML)).status_code == 200
    assert (await desk.client.get(f"/admin/comments/{other}", headers=HTML)).status_code == 403


async def test_revoking_the_chat_role_closes_the_console_at_once(desk):
    user = await desk.resident()
    role = await grant(desk, user, Role.STAFF)
    await follow(desk, (await offer(desk, user)).url)
    assert (await desk.client.get("/admin/comments", headers=HTML)).status_code == 200
    async with desk.database.transaction() as session:
        await revoke_grant(session, role.id, by="Quản trị", now=dt.datetime.now(dt.UTC))
    assert (await desk.client.get("/admin/comments", headers=HTML)).status_code == 303
    async with desk.database.read() as session:
        assert (await session.execute(select(StaffSession))).first() is None
    assert (await offer(desk, user)).url is None


async def test_dangnhap_refuses_a_disabled_linked_account(desk):
    user = await desk.resident()
    await grant(desk, user, Role.STAFF)
    await offer(desk, user)
    async with desk.database.transaction() as session:
        await accounts.disable_account(session, f"chat-{user.id}", who=Who("Quản trị"),
                                       now=dt.datetime.now(dt.UTC))
    answer = await offer(desk, user)
    assert answer.url is None and answer.refused == login_links.Refusal.DISABLED
    form = await desk.client.get("/admin/login", headers=HTML)
    signed = await desk.client.post("/admin/login", headers=HTML, data={
        "username": f"chat-{user.id}", "password": "", "csrf_token": csrf_of(form.text)})
    assert signed.status_code == 401  # a linked account has no password to sign in with
