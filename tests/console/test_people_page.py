"""/admin/people: accounts, invite codes with their QR code and link, chat roles, and paper
deletion requests confirmed before anything is erased; the same actions as the commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.console_models import StaffAccount
from db.models import Invite, Subscription
from tests.console.conftest import HTML

PAGE = "/admin/people"


@pytest.fixture
async def admin(desk):
    await desk.account("quan.tri", "admin", name="Trần Văn Quản")
    await desk.sign_in("quan.tri")
    return desk


async def test_staff_may_not_open_it(desk):
    await desk.account("can.bo", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    assert (await desk.client.get(PAGE, headers=HTML)).status_code == 403


async def test_add_disable_and_reset_an_account(admin):
    added = await admin.post(PAGE + "/accounts", {
        "username": "bi.thu.thon1", "name": "Nguyễn Văn Một", "role": "leader",
        "area": "thon-1", "password": "mat-khau-du-dai"})
    assert added.status_code == 303
    short = await admin.post(PAGE + "/accounts/bi.thu.thon1/reset", {"password": "ngan"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.text
    assert (await admin.post(PAGE + "/accounts/bi.thu.thon1/reset",
                             {"password": "mat-khau-moi-dai"})).status_code == 303
    assert (await admin.post(PAGE + "/accounts/bi.thu.thon1/disable")).status_code == 303
    async with admin.database.read() as session:
        account = (await session.execute(select(StaffAccount).where(
            StaffAccount.username == "bi.thu.thon1"))).scalar_one()
    assert account.areas == ["thon-1"] and account.disabled_at is not None
    actions = [entry.action for entry in await admin.audit()]
    assert {"account.add", "account.reset_password", "account.disable"} <= set(actions)
    bad = await admin.post(PAGE + "/accounts", {
        "username": "x y", "name": "A", "role": "staff", "password": "mat-khau-du-dai"})
    assert bad.status_code == 400 and "không hợp lệ" in bad.text


async def test_an_invite_gets_a_qr_code_and_a_link_then_is_revoked(admin):
    admin.service.settings.telegram_bot_username = "LoaSoNamAnPhuBot"
    made = await admin.post(PAGE + "/invites", {"role": "leader", "group": "mttq",
                                                "expires": "7d", "note": "Bí thư chi bộ thôn 1"})
    assert made.status_code == 200
    code = re.search(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4})<', made.text).group(1)
    assert f"https://t.me/LoaSoNamAnPhuBot?start=vt-{code}" in made.text
    assert '<svg' in made.text and 'class="segno"' in made.text
    async with admin.database.read() as session:
        [invite] = (await session.execute(select(Invite))).scalars().all()
    assert code.replace("-", "") not in invite.code_hash  # only its hash is kept
    assert (await admin.post(f"{PAGE}/invites/{invite.id}/revoke")).status_code == 303
    again = await admin.post(f"{PAGE}/invites/{invite.id}/revoke")
    assert again.status_code == 400 and "đã bị thu hồi trước đó" in again.text
    bad = await admin.post(PAGE + "/invites", {"role": "leader", "expires": "7d"})
    assert bad.status_code == 400 and "cần ít nhất một nhóm hoặc một thôn" in bad.text


async def test_a_paper_deletion_request_is_confirmed_first(admin):
    user = await admin.resident(chat_id=8_800_001)
    async with admin.database.transaction() as session:
        session.add(Subscription(user_id=user.id, kind="topic", ref="lich-su"))
    asked = await admin.post(PAGE + "/forget", {"channel": "telegram", "address": "8800001"})
    assert asked.status_code == 200 and "Không hoàn tác được." in asked.text
    async with admin.database.read() as session:
        assert (await session.execute(select(Subscription))).scalars().all()  # nothing yet
    done = await admin.post(PAGE + "/forget", {"channel": "telegram", "address": "8800001",
                                               "confirm": "yes"})
    assert done.status_code == 303
    async with admin.database.read() as session:
        assert not (await session.execute(select(Subscription))).scalars().all()
    assert [entry.target for entry in await admin.audit("resident.forget")] == [f"#{user.id}"]
    unknown = await admin.post(PAGE + "/forget", {"channel": "telegram", "address": "123"})
    assert unknown.status_code == 400 and "Không tìm thấy người dân" in unknown.text
