"""/vaitro <mã>: redeeming an invite, with consent; every bad code answered, nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db import roles
from db.models import Invite, RoleGrant
from handlers import texts
from tests.conftest import count_rows
from tests.handlers.test_news import options
from tests.utils import dialog


async def make_invite(database, *, role="leader", groups=("mttq",), areas=("thon-1",),
                      expires_in=timedelta(days=7), used=False, revoked=False) -> str:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        invite, code = await roles.create_invite(
            session, role=role, groups=list(groups), areas=list(areas),
            expires_at=now + expires_in, note="Chủ tịch MTTQ xã", created_by="test", now=now)
        if used:
            invite.used_at = now
        if revoked:
            invite.revoked_at, invite.revoked_by = now, "test"
    return code


async def grants(database) -> list[RoleGrant]:
    async with database.read() as session:
        return list((await session.execute(select(RoleGrant).order_by(RoleGrant.id))).scalars())


async def invite_row(database) -> Invite:
    async with database.read() as session:
        return (await session.execute(select(Invite))).scalar_one()


def test_codes_are_easy_to_read_aloud():
    code = roles.new_code()
    assert len(code) == 9 and code[4] == "-"
    assert not set(code.replace("-", "")) & set("0O1I")
    assert roles.normalize_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert roles.normalize_code("ABCD-EFG0") is None and roles.normalize_code("abc") is None


async def test_consent_then_the_role_is_granted(make_settings, database):
    code = await make_invite(database)
    async with dialog(make_settings(), user="bi-thu") as talk:
        asked = await talk(f"/vaitro {code}")
        assert asked[0] == texts.VT_NEEDS_CONSENT
        assert options(asked[-1]) == ["Đồng ý", "Không đồng ý", "Xem đầy đủ", "Menu"]
        assert await grants(database) == []  # nothing before consent
        granted = await talk.choose("Đồng ý")
    assert any("✅ Bạn đã nhận vai trò: Người phụ trách" in line
               and "phụ trách: Ủy ban MTTQ xã, Thôn 1" in line for line in granted)
    (grant,) = await grants(database)
    assert (grant.role, grant.groups, grant.areas) == ("leader", ["mttq"], ["thon-1"])
    invite = await invite_row(database)
    assert invite.used_by == grant.user_id and grant.invite_id == invite.id
    assert code not in (invite.code_hash, invite.note)  # only the hash is kept


async def test_lower_case_without_dash_works_for_a_consenting_resident(make_settings, database):
    code = await make_invite(database, role="staff", groups=(), areas=())
    async with dialog(make_settings(), user="can-bo") as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        replies = await talk("/vaitro " + code.lower().replace("-", ""))
        assert replies[0] == "✅ Bạn đã nhận vai trò: Cán bộ xã."
        assert replies[1].startswith(texts.VT_NEXT_STAFF)
        shown = await talk("/vaitro")
        assert shown[0].startswith("Vai trò hiện tại của bạn:\n• Cán bộ xã\n\n1. Soạn thông báo")
        assert "3. Duyệt thông báo" in shown[0]  # staff get the /duyet button too
        reviewed = await talk.choose("Duyệt thông báo")
    assert "Không có thông báo nào chờ duyệt." in reviewed[0]
    assert len(await grants(database)) == 1


async def test_refusing_consent_grants_nothing(make_settings, database):
    code = await make_invite(database)
    async with dialog(make_settings(), user="bi-thu") as talk:
        await talk(f"/vaitro {code}")
        await talk.choose("Không đồng ý")
    assert await grants(database) == []
    assert (await invite_row(database)).used_at is None


@pytest.mark.parametrize("kind, answer", [
    ("expired", texts.VT_EXPIRED),
    ("used", texts.VT_USED),
    ("revoked", texts.VT_REVOKED),
    ("unknown", texts.VT_UNKNOWN),
    ("malformed", texts.VT_UNKNOWN),
])
async def test_bad_codes_get_a_clear_answer_and_write_nothing(make_settings, database, kind,
                                                              answer):
    code = await make_invite(database, expires_in=timedelta(hours=-1) if kind == "expired"
                             else timedelta(days=7), used=kind == "used",
                             revoked=kind == "revoked")
    typed = {"unknown": "ABCD-EFGH", "malformed": "xin chào"}.get(kind, code)
    before = await invite_row(database)
    async with dialog(make_settings(), user="ai-do") as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        (reply,) = await talk(f"/vaitro {typed}")
    assert reply.startswith(answer)
    assert await grants(database) == []
    after = await invite_row(database)
    assert (after.used_at, after.used_by) == (before.used_at, before.used_by)
    assert await count_rows(database, "role_grants") == 0


async def test_a_code_works_once(make_settings, database):
    code = await make_invite(database)
    async with dialog(make_settings(), user="mot") as first:
        await first("/start")
        await first.choose("Đồng ý")
        await first(f"/vaitro {code}")
    async with dialog(make_settings(), user="hai") as second:
        await second("/start")
        await second.choose("Đồng ý")
        (reply,) = await second(f"/vaitro {code}")
    assert reply.startswith(texts.VT_USED)
    assert len(await grants(database)) == 1


async def test_a_revoked_role_is_gone_at_once(database):
    code = await make_invite(database)
    now = datetime.now(UTC)
    async with database.transaction() as session:
        from db.models import User

        user = User(channel="console", address="x", status="active", consent_at=now)
        session.add(user)
        await session.flush()
        redeemed = await roles.redeem(session, code=code, user_id=user.id, now=now)
        assert (await roles.active_role(session, user.id)).may_address(groups=("mttq",))
        assert not (await roles.active_role(session, user.id)).may_address(groups=("khac",))
        await roles.revoke_grant(session, redeemed.grant.id, by="test", now=now)
        assert not await roles.active_role(session, user.id)


async def test_the_invite_link_opens_the_bot_with_the_code(make_settings, database):
    """t.me/<bot>?start=vt-<code> (the console's link beside the QR code) arrives as
    `/start vt-<code>`: the code is redeemed as /vaitro would, consent first."""
    code = await make_invite(database)
    async with dialog(make_settings(), user="bi-thu-link") as talk:
        asked = await talk(f"/start vt-{code}")
        assert asked[0] == texts.VT_NEEDS_CONSENT
        granted = await talk.choose("Đồng ý")
    assert any("Bạn đã nhận vai trò" in line for line in granted)
    assert len(await grants(database)) == 1
