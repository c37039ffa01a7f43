"""The staff inbox (bot.actions.inbox, `loaso inbox`): the answer comes back to the resident
with the PA- receipt through the outbox, "nhạy cảm" tells the staff on duty, tags come from
the pack, corrections are published after approval; bad input changes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.actions import ActionRefused, inbox
from content.loader import load_pack
from db.audit import Who
from db.listening_models import Correction, Inquiry
from db.models import OutboxMessage, Role, RoleGrant, User
from tests.bot.test_cli import run, sqlite_env
from tests.conftest import MINI_PACK
from tests.listening.test_phananh import RECEIPT, RUMOUR, open_kind
from tests.utils import dialog

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
STAFF = Who("Cán bộ Lan")


@pytest.fixture(scope="module")
def pack():
    return load_pack(MINI_PACK)[0]


async def report(talk) -> str:
    await open_kind(talk)
    await talk(RUMOUR)
    (receipt,) = await talk.choose("Gửi")
    return RECEIPT.search(receipt).group(0)


async def test_the_answer_comes_back_with_the_receipt(make_settings, database):
    async with dialog(make_settings()) as talk:
        code = await report(talk)
        async with database.transaction() as session:
            done = await inbox.answer(
                session, code, text="Tin này sai: Đại hội xã vẫn họp đúng lịch.", who=STAFF,
                now=NOW, correction_title="Đại hội xã không hoãn",
                correction_body="Đảng ủy xã khẳng định Đại hội diễn ra đúng lịch.")
        assert done.notified and done.correction_id is not None
        await talk.service.sender.drain()
        notice = talk.printed[-1]
    assert notice.startswith(f"📬 Trả lời phản ánh {code}")
    assert "Đại hội xã vẫn họp đúng lịch" in notice and "Đại hội xã không hoãn" in notice
    async with database.read() as session:
        row = (await session.execute(select(Inquiry))).scalar_one()
        batches = list((await session.execute(select(OutboxMessage.batch))).scalars())
    assert row.status == "da_tra_loi" and row.handled_by == "Cán bộ Lan"
    assert f"pa-answer:{row.id}" in batches


async def test_a_correction_is_published_only_after_approval(make_settings, database):
    async with dialog(make_settings()) as talk:
        code = await report(talk)
    async with database.transaction() as session:
        done = await inbox.answer(session, code, text="Đã kiểm chứng.", who=STAFF, now=NOW,
                                  correction_title="Kiểm chứng", correction_body="Nội dung.")
    async with database.transaction() as session:
        assert (await session.get(Correction, done.correction_id)).status == "pending"
        await inbox.decide_correction(session, done.correction_id, approve=True,
                                      who=Who("Trưởng ban"), now=NOW)
    async with database.transaction() as session:
        row = await session.get(Correction, done.correction_id)
        assert (row.status, row.decided_by) == ("published", "Trưởng ban")
        with pytest.raises(ActionRefused, match="đã được xử lý"):
            await inbox.decide_correction(session, row.id, approve=False, who=STAFF, now=NOW)


async def test_sensitive_tells_the_staff_on_duty_at_once(make_settings, database, pack):
    async with dialog(make_settings()) as talk:
        code = await report(talk)
    async with database.transaction() as session:
        for index, role in enumerate((Role.STAFF, Role.ADMIN, Role.LEADER)):
            user = User(channel="console", address=f"can-bo-{index}", consent_at=NOW)
            session.add(user)
            await session.flush()
            session.add(RoleGrant(user_id=user.id, role=role, groups=[], areas=[]))
    async with database.transaction() as session:
        await inbox.set_tags(session, pack, code, tags=["lich-su", "Đại hội XIV"], who=STAFF,
                             now=NOW)
        row, told = await inbox.set_sensitive(session, pack, code, sensitive=True, who=STAFF,
                                              now=NOW)
    assert told == 2 and row.tags == ["lich-su", "dai-hoi-xiv"]
    async with database.read() as session:
        alerts = list((await session.execute(select(OutboxMessage).where(
            OutboxMessage.batch == f"pa-alert:{row.id}"))).scalars())
    assert sorted(alert.recipient for alert in alerts) == ["can-bo-0", "can-bo-1"]
    assert code in alerts[0].payload["text"] and "Lịch sử Đảng, Đại hội XIV" in alerts[0].payload["text"]


@pytest.mark.parametrize("work, words", [
    (lambda s, p, c: inbox.set_status(s, c, status="xong", who=STAFF, now=NOW),
     "Trạng thái không hợp lệ"),
    (lambda s, p, c: inbox.set_tags(s, p, c, tags=["khong-co"], who=STAFF, now=NOW),
     "Không có chủ đề khong-co"),
    (lambda s, p, c: inbox.answer(s, c, text="  ", who=STAFF, now=NOW), "không được để trống"),
    (lambda s, p, c: inbox.answer(s, c, text="x" * 3001, who=STAFF, now=NOW), "tối đa 3000"),
    (lambda s, p, c: inbox.answer(s, c, text="Được", who=STAFF, now=NOW,
                                  correction_title="Chỉ tiêu đề"), "cả tiêu đề và nội dung"),
    (lambda s, p, c: inbox.answer(s, "PA-KHONGCO1", text="Được", who=STAFF, now=NOW),
     "Không có phản ánh mã"),
])
async def test_bad_staff_input_is_refused_and_changes_nothing(make_settings, database, pack,
                                                             work, words):
    async with dialog(make_settings()) as talk:
        code = await report(talk)
    with pytest.raises(ActionRefused, match=words):
        async with database.transaction() as session:
            await work(session, pack, code)
    async with database.read() as session:
        row = (await session.execute(select(Inquiry))).scalar_one()
        corrections = (await session.execute(select(Correction))).all()
    assert (row.status, row.tags, row.answer, corrections) == ("moi", [], None, [])


def test_the_cli_lists_pages_and_sets_vietnamese_statuses(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    chat = run(["chat", "--user", "bac-tu"], env=env,
               stdin="/phananh\n1\n1\nKhi nào bầu cử đại biểu Quốc hội?\n1\n")
    code = re.search(r"PA-[A-Z0-9]{8}", chat.stdout).group(0)
    listed = run(["inbox", "list"], env=env)
    assert listed.returncode == 0 and code in listed.stdout and "\tHỏi\tmới\t" in listed.stdout
    moved = run(["inbox", "status", code, "--to", "chuyen cap tren", "--by", "Cán bộ D"], env=env)
    assert moved.returncode == 0 and "chuyển cấp trên" in moved.stdout
    refused = run(["inbox", "status", code, "--to", "xong", "--by", "Cán bộ D"], env=env)
    assert refused.returncode == 2 and "Trạng thái không hợp lệ" in refused.stderr
    assert "Không có phản ánh" in run(["inbox", "list", "--status", "mới"], env=env).stdout
    shown = run(["inbox", "show", code], env=env)
    assert "Trạng thái: chuyển cấp trên" in shown.stdout


async def test_a_published_correction_is_found_by_every_resident(make_settings, database):
    async with dialog(make_settings()) as talk:
        code = await report(talk)
        async with database.transaction() as session:
            done = await inbox.answer(
                session, code, text="Đã kiểm chứng.", who=STAFF, now=NOW,
                correction_title="Đại hội Đảng bộ xã không hoãn",
                correction_body="Tin đồn Đại hội Đảng bộ xã bị hoãn là sai sự thật.")
        assert not await talk.service.refresh_corrections()  # not approved yet: nothing shown
        async with database.transaction() as session:
            await inbox.decide_correction(session, done.correction_id, approve=True,
                                          who=Who("Trưởng ban"), now=NOW)
        assert await talk.service.refresh_corrections()
        pack = talk.service.content.current.pack
        assert pack.topics["kiem-chung-thong-tin"].name == "Kiểm chứng thông tin"
        found = await talk("/timkiem hoãn đại hội")
    assert any("Đại hội Đảng bộ xã không hoãn" in reply for reply in found)


async def test_erasing_a_resident_unlinks_their_reports_and_the_answer_reaches_nobody(
        make_settings, database):
    from db.erasure import anonymise_resident

    async with dialog(make_settings()) as talk:
        code = await report(talk)
    async with database.transaction() as session:
        user = (await session.execute(select(User).where(User.address == "resident-1"))).scalar_one()
        counts = await anonymise_resident(session, user.id, now=NOW)
    assert counts["inquiries_unlinked"] == 1
    async with database.transaction() as session:
        done = await inbox.answer(session, code, text="Đã xử lý.", who=STAFF, now=NOW)
    assert done.notified is False
