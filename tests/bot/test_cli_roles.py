"""`loaso invites …` and `loaso roles …` as staff run them (real processes, both backends)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db import roles
from db.models import Invite, RoleGrant
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK, count_rows
from tests.scheduler.test_announcements import resident

CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")


@pytest.fixture
def env(database_url) -> dict[str, str]:
    return {"LOASO_DATABASE_URL": database_url, "LOASO_CONTENT_DIR": str(MINI_PACK)}


def loaso(env, *args):
    return run(list(args), env=env)


async def invites(database) -> list[Invite]:
    async with database.read() as session:
        return list((await session.execute(select(Invite).order_by(Invite.id))).scalars())


async def test_create_prints_the_code_once_and_keeps_only_its_hash(env, database):
    result = loaso(env, "invites", "create", "--role", "leader", "--group", "mttq", "--area",
                   "thon-1", "--expires", "48h", "--note", "Chủ tịch MTTQ xã", "--by", "Cán bộ D")
    assert result.returncode == 0, result.stderr
    code = CODE.search(result.stdout).group(1)
    assert f"/vaitro {code}" in result.stdout and "Mã mời #1" in result.stdout
    (invite,) = await invites(database)
    assert invite.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert (invite.role, invite.groups, invite.areas, invite.note) == (
        "leader", ["mttq"], ["thon-1"], "Chủ tịch MTTQ xã")
    assert invite.created_by == "Cán bộ D"
    hours = (invite.expires_at - invite.created_at).total_seconds() / 3600
    assert 47.9 < hours <= 48.1
    listed = loaso(env, "invites", "list")
    assert "#1\tngười phụ trách\tnhóm mttq; thôn thon-1\tcòn hiệu lực" in listed.stdout
    assert code not in listed.stdout


@pytest.mark.parametrize("args, words", [
    (["--role", "boss"], "Vai trò không hợp lệ: boss"),
    (["--role", "leader"], "cần ít nhất một --group hoặc --area"),
    (["--role", "leader", "--group", "hoi-khac"], "Không có nhóm mã hoi-khac trong gói nội dung"),
    (["--role", "leader", "--area", "thon-9"], "Không có thôn mã thon-9"),
    (["--role", "staff", "--expires", "3x"], "Thời hạn không hợp lệ: '3x'"),
    (["--role", "staff", "--expires", "2020-01-01"], "đã qua"),
    (["--role", "staff", "--expires", "0d"], "đã qua"),
    (["--role", "staff", "--expires", "400d"], "tối đa 365 ngày"),
])
async def test_bad_invites_are_refused_and_nothing_is_written(env, database, args, words):
    result = loaso(env, "invites", "create", *args, "--by", "Cán bộ D")
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert await count_rows(database, "invites") == 0


async def test_an_expiry_date_is_valid_through_that_day(env, database):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    day = datetime.now(zone).date() + timedelta(days=30)
    result = loaso(env, "invites", "create", "--role", "staff", "--expires", day.isoformat(),
                   "--by", "Cán bộ D")
    assert result.returncode == 0, result.stderr
    next_day = day + timedelta(days=1)
    assert f"Hết hạn: 00:00 {next_day:%d/%m/%Y}" in result.stdout
    (invite,) = await invites(database)
    assert invite.expires_at == datetime.combine(next_day, time(), tzinfo=zone)


async def test_revoke_an_unused_invite_then_it_cannot_be_redeemed(env, database):
    code = CODE.search(loaso(env, "invites", "create", "--role", "staff", "--by", "Cán bộ D")
                       .stdout).group(1)
    revoked = loaso(env, "invites", "revoke", "1", "--by", "Cán bộ D")
    assert revoked.returncode == 0 and "Đã thu hồi mã mời #1" in revoked.stdout
    again = loaso(env, "invites", "revoke", "1", "--by", "Cán bộ D")
    assert again.returncode == 2 and "đã bị thu hồi trước đó" in again.stderr
    missing = loaso(env, "invites", "revoke", "9", "--by", "Cán bộ D")
    assert missing.returncode == 2 and "Không có mã mời #9" in missing.stderr
    assert "đã thu hồi lúc" in loaso(env, "invites", "list").stdout
    user_id = await resident(database, "ai-do", subscriptions=())
    async with database.transaction() as session:
        redeemed = await roles.redeem(session, code=code, user_id=user_id,
                                      now=datetime.now(UTC))
    assert redeemed.state == roles.InviteState.REVOKED and redeemed.grant is None


async def test_roles_list_and_revoke(env, database):
    code = CODE.search(loaso(env, "invites", "create", "--role", "leader", "--area", "thon-2",
                             "--note", "Bí thư chi bộ thôn 2", "--by", "Cán bộ D").stdout).group(1)
    user_id = await resident(database, "bi-thu", subscriptions=())
    async with database.transaction() as session:
        await roles.redeem(session, code=code, user_id=user_id, now=datetime.now(UTC))
    used = loaso(env, "invites", "revoke", "1", "--by", "Cán bộ D")
    assert used.returncode == 2 and "đã được dùng" in used.stderr
    listed = loaso(env, "roles", "list")
    assert listed.returncode == 0
    assert (f"#1\tngười phụ trách\tthôn thon-2\tngười dùng #{user_id}" in listed.stdout
            and "Bí thư chi bộ thôn 2" in listed.stdout)
    revoked = loaso(env, "roles", "revoke", "1", "--by", "Cán bộ D")
    assert revoked.returncode == 0 and "Đã thu hồi vai trò #1" in revoked.stdout
    async with database.read() as session:
        grant = (await session.execute(select(RoleGrant))).scalar_one()
        assert grant.revoked_by == "Cán bộ D"
        assert not await roles.active_role(session, user_id)
    assert "Chưa có vai trò nào" in loaso(env, "roles", "list").stdout
    assert "đã thu hồi lúc" in loaso(env, "roles", "list", "--all").stdout
    again = loaso(env, "roles", "revoke", "1", "--by", "Cán bộ D")
    assert again.returncode == 2 and "đã bị thu hồi trước đó" in again.stderr
    missing = loaso(env, "roles", "revoke", "7", "--by", "Cán bộ D")
    assert missing.returncode == 2 and "Không có vai trò #7" in missing.stderr
