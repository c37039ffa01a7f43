"""Meetings: /hop for leaders (their own hamlets and groups only), `loaso meetings` for staff,
edits by the author for 7 days, audited; every bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.actions import ActionRefused
from bot.actions.meetings import MeetingInput, edit_meeting, record_meeting
from content.loader import load_pack
from db.audit import Who
from db.console_models import AuditEntry
from db.listening_models import Meeting
from db.models import Role, RoleGrant, User
from tests.bot.test_cli import run, sqlite_env
from tests.conftest import MINI_PACK, count_rows
from tests.utils import dialog

NOW = dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 10)


@pytest.fixture(scope="module")
def pack():
    return load_pack(MINI_PACK)[0]


async def leader(talk, database, *, areas=("thon-1",), groups=()) -> None:
    await talk("/start")
    async with database.transaction() as session:
        user = (await session.execute(select(User).where(User.address == talk.user))).scalar_one()
        session.add(RoleGrant(user_id=user.id, role=Role.LEADER, groups=list(groups),
                              areas=list(areas)))


async def record_in_chat(talk, *, day="05/01/2026", place="Thôn 1", attendance="45") -> list[str]:
    await talk("/hop")
    await talk.choose("Ghi buổi mới")
    await talk(day)
    await talk.choose(place)
    await talk.choose("Lịch sử Đảng")
    await talk(attendance)
    await talk("12")
    await talk("Bà con hỏi nhiều về lịch bầu cử.")
    return await talk.choose("Lưu")


async def test_a_leader_records_a_meeting_in_chat(make_settings, database):
    async with dialog(make_settings(), as_of="2026-01-10") as talk:
        await leader(talk, database)
        (saved,) = await record_in_chat(talk)
    assert saved.startswith("✅ Đã ghi buổi sinh hoạt số 1.")
    async with database.read() as session:
        meeting = (await session.execute(select(Meeting))).scalar_one()
        entries = list((await session.execute(select(AuditEntry.action))).scalars())
    assert (meeting.held_on, meeting.hamlet_id, meeting.topic_id, meeting.attendance,
            meeting.comments_gathered) == (dt.date(2026, 1, 5), "thon-1", "lich-su", 45, 12)
    assert meeting.notes == "Bà con hỏi nhiều về lịch bầu cử." and entries == ["meeting.add"]


async def test_residents_cannot_record_meetings(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        (answer,) = await talk("/hop")
    assert "Ghi buổi mới" not in answer and await count_rows(database, "meetings") == 0


@pytest.mark.parametrize("typed, expected", [
    ("01/01/2099", "ở tương lai"),
    ("01/07/2025", "trước khi đợt tuyên truyền bắt đầu (22/07/2025)"),
    ("hôm qua", "chưa phải là ngày"),
    ("31/02/2026", "chưa phải là ngày"),
])
async def test_bad_dates_are_refused_in_chat(make_settings, database, typed, expected):
    async with dialog(make_settings()) as talk:
        await leader(talk, database)
        await talk("/hop")
        await talk.choose("Ghi buổi mới")
        (answer,) = await talk(typed)
        assert expected in answer
    assert await count_rows(database, "meetings") == 0


@pytest.mark.parametrize("typed, expected", [
    ("-3", "Số người dự -3 không hợp lý; từ 0 đến 5.000."),
    ("6000", "Số người dự 6.000 không hợp lý"),
    ("nhiều", "chưa phải là một con số"),
])
async def test_bad_attendance_is_refused_in_chat(make_settings, database, typed, expected):
    async with dialog(make_settings()) as talk:
        await leader(talk, database)
        await talk("/hop")
        await talk.choose("Ghi buổi mới")
        await talk.choose("Hôm nay")
        await talk.choose("Thôn 1")
        await talk.choose("Lịch sử Đảng")
        (answer,) = await talk(typed)
        assert answer.startswith(expected) or expected in answer
    assert await count_rows(database, "meetings") == 0


async def test_a_leader_cannot_record_for_a_hamlet_not_theirs(make_settings, database):
    async with dialog(make_settings()) as talk:
        await leader(talk, database)
        await talk("/hop")
        await talk.choose("Ghi buổi mới")
        (places,) = await talk.choose("Hôm nay")
        assert "Thôn 2" not in places
        from messages.types import Inbound, InboundKind
        before = len(talk.printed)
        await talk.service.processor.handle(Inbound(
            "console", f"{talk.session}:forged", talk.user, InboundKind.BUTTON,
            button="hop:at:h:thon-2"))
        await talk.service.sender.drain()
        (answer,) = talk.printed[before:]
    assert answer.startswith("Bạn chỉ ghi được buổi sinh hoạt của thôn")
    assert await count_rows(database, "meetings") == 0


async def test_the_author_edits_for_seven_days_and_nobody_else(database, pack):
    given = MeetingInput(held_on=dt.date(2026, 1, 5), topic_id="van-kien", attendance=30,
                         hamlet_id="thon-2")
    author = Who("Cán bộ An")
    async with database.transaction() as session:
        meeting = await record_meeting(session, pack, given, author="Cán bộ An",
                                       author_user_id=None, scope=None, who=author,
                                       today=TODAY, now=NOW)
    async with database.transaction() as session:
        await edit_meeting(session, pack, meeting.id, {"attendance": 35}, editor="Cán bộ An",
                           editor_user_id=None, scope=None, who=author, today=TODAY, now=NOW)
    refusals = [
        ({"attendance": 40}, "Cán bộ Bình", NOW, "Chỉ người đã ghi"),
        ({"attendance": 40}, "Cán bộ An", NOW + dt.timedelta(days=8), "quá 7 ngày"),
        ({"attendance": 5001}, "Cán bộ An", NOW, "không hợp lý"),
        ({"held_on": dt.date(2026, 2, 1)}, "Cán bộ An", NOW, "ở tương lai"),
    ]
    for changes, editor, when, words in refusals:
        with pytest.raises(ActionRefused, match=words):
            async with database.transaction() as session:
                await edit_meeting(session, pack, meeting.id, changes, editor=editor,
                                   editor_user_id=None, scope=None, who=Who(editor),
                                   today=TODAY, now=when)
    async with database.read() as session:
        stored = await session.get(Meeting, meeting.id)
        edits = list((await session.execute(select(AuditEntry).where(
            AuditEntry.action == "meeting.edit"))).scalars())
    assert stored.attendance == 35 and len(edits) == 1
    assert edits[0].details == {"changed": {"attendance": 35}}


def test_staff_add_and_list_meetings_with_the_cli(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    assert run(["migrate"], env=env).returncode == 0
    added = run(["meetings", "add", "--date", "2026-01-05", "--topic", "lich-su",
                 "--attendance", "60", "--group", "mttq", "--by", "Cán bộ An"], env=env)
    assert added.returncode == 0 and "số 1" in added.stdout
    for args, words in [
        (["--date", "2099-01-01", "--attendance", "5"], "ở tương lai"),
        (["--date", "05/01/2026", "--attendance", "5"], "Ngày không hợp lệ"),
        (["--date", "2026-01-05", "--attendance", "-1"], "không hợp lý"),
    ]:
        refused = run(["meetings", "add", *args, "--topic", "lich-su", "--group", "mttq",
                       "--by", "A"], env=env)
        assert refused.returncode == 2 and words in refused.stderr, refused.stderr
    listed = run(["meetings", "list"], env=env)
    assert listed.stdout.count("\n") == 1 and "mttq" in listed.stdout


async def test_meeting_comments_are_imported_into_a_recorded_meeting(tmp_path, database, pack):
    from bot.actions.comments import import_meeting_sheet
    from bot.reports import meeting_import as mi
    from db.models import Comment
    from tests.reports.test_meeting_import import GOOD, workbook
    from tests.reports.test_meeting_import import TODAY as SHEET_DAY

    sheet = mi.read_sheet(workbook(tmp_path / "hn.xlsx", GOOD), pack, SHEET_DAY)
    async with database.transaction() as session:
        meeting = await record_meeting(
            session, pack, MeetingInput(held_on=dt.date(2025, 9, 5), topic_id="van-kien",
                                        attendance=80, hamlet_id="thon-1", comments_gathered=3),
            author="Cán bộ Tư", author_user_id=None, scope=None, who=Who("Cán bộ Tư"),
            today=TODAY, now=NOW)
    with pytest.raises(ActionRefused, match="Không có buổi sinh hoạt số 99"):
        async with database.transaction() as session:
            await import_meeting_sheet(session, pack, sheet, file_name="hn.xlsx",
                                       who=Who("Cán bộ Tư"), now=NOW, meeting_id=99)
    assert await count_rows(database, "comments") == 0
    async with database.transaction() as session:
        await import_meeting_sheet(session, pack, sheet, file_name="hn.xlsx",
                                   who=Who("Cán bộ Tư"), now=NOW, meeting_id=meeting.id)
    async with database.read() as session:
        linked = list((await session.execute(select(Comment.meeting_id))).scalars())
    assert linked == [meeting.id] * 3
