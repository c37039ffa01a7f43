"""/thongbao and /duyet through the real handlers: a leader's announcement goes through
approval and reaches only its audience; every bad input is answered and nothing is queued."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from db.models import Announcement, ConversationState, OutboxMessage, RoleGrant
from delivery import announcements as service
from handlers import texts
from messages.types import Inbound, InboundKind
from tests.conftest import MINI_PACK, SHIPPED_PACK, count_rows
from tests.handlers.test_news import options
from tests.scheduler.test_announcements import grant, hamlets_fixture, mini_pack, rows_of
from tests.utils import dialog

NOW = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
TEXT = "Kính mời bà con dự họp tại nhà văn hóa thôn lúc 19 giờ."
_presses = itertools.count(1)


def clock():
    return NOW


async def press(talk, payload: str) -> list[str]:
    """A button press the resident was never shown (a forged or stale payload)."""
    before = len(talk.printed)
    await talk.service.processor.handle(Inbound(
        "console", f"{talk.session}:press{next(_presses)}", talk.user, InboundKind.BUTTON,
        button=payload))
    await talk.service.sender.drain()
    return talk.printed[before:]


async def announcements(database) -> list[Announcement]:
    async with database.read() as session:
        return list((await session.execute(select(Announcement).order_by(Announcement.id)))
                    .scalars())


async def notices_to(database, address: str) -> list[str]:
    async with database.read() as session:
        rows = await session.execute(select(OutboxMessage.payload).where(
            OutboxMessage.recipient == address, OutboxMessage.batch.is_(None),
            OutboxMessage.priority == 0).order_by(OutboxMessage.id))
        return [payload["text"] for payload in rows.scalars()]


@pytest.fixture
async def people(database):
    """Subscribers in two hamlets, a leader of MTTQ and Thôn 1, and a staff member."""
    await hamlets_fixture(database)
    leader = await grant(database, "leader", "leader", groups=["mttq"], areas=["thon-1"])
    await grant(database, "staff", "staff")
    return leader


async def write(talk, text: str = TEXT, audience: str = "Thôn 1 (cả thôn)") -> list[str]:
    await talk("/thongbao")
    await talk(text)
    return await talk.choose(audience)


async def test_residents_are_told_plainly_that_it_is_not_for_them(make_settings, database,
                                                                  people):
    async with dialog(make_settings(), user="an", clock=clock) as talk:
        for attempt, refusal in (("/thongbao", texts.NOT_FOR_YOU),
                                 ("/duyet", texts.NOT_FOR_YOU_STAFF)):
            (reply,) = await talk(attempt)
            assert reply.startswith(refusal + "\n") and "/vaitro" in refusal  # how to get it
        for payload in ("tb:now", "tb:a:h:thon-1", "dy:ok:1", "dy:nr:1"):
            (reply,) = await press(talk, payload)
            assert reply.startswith((texts.NOT_FOR_YOU, texts.NOT_FOR_YOU_STAFF))
    async with dialog(make_settings(), user="leader", clock=clock) as talk:
        (reply,) = await talk("/duyet")  # a leader does not approve
        assert reply.startswith(texts.NOT_FOR_YOU_STAFF)
    assert await count_rows(database, "announcements") == 0


async def test_announcement_goes_through_approval_to_its_audience_only(make_settings, database,
                                                                       people):
    settings = make_settings()
    async with dialog(settings, user="leader", clock=clock) as leader:
        (start,) = await leader("/thongbao")
        assert "Bạn gửi được tới: Ủy ban MTTQ xã, Thôn 1 (cả thôn)." in start
        (choices,) = await leader(TEXT)
        assert options(choices) == ["Ủy ban MTTQ xã", "Thôn 1 (cả thôn)", "Hủy"]
        (preview,) = await leader.choose("Thôn 1 (cả thôn)")
        assert f"📢 Thông báo của Ủy ban MTTQ xã\n\n{TEXT}" in preview
        assert "Gửi tới: người nhận tin ở Thôn 1 — hiện có 2 người nhận." in preview
        assert texts.TB_NEEDS_APPROVAL in preview and "🔔 Mức độ: thường." in preview
        assert options(preview) == ["Gửi ngay", "Hẹn giờ", "Mức độ: thường", "Sửa nội dung",
                                    "Hủy"]
        sent = await leader.choose("Gửi ngay")
        assert sent[0].startswith("📨 Đã gửi thông báo #1 để cán bộ xã duyệt (gửi ngay).")
    (pending,) = await announcements(database)
    assert (pending.status, pending.author, pending.text) == ("pending", "Ủy ban MTTQ xã", TEXT)
    assert pending.audience["hamlets"] == ["thon-1"]
    (staff_notice,) = await notices_to(database, "staff")
    assert "Thông báo #1 của Ủy ban MTTQ xã đang chờ duyệt" in staff_notice
    assert "khoảng 2 người" in staff_notice
    assert await service.release_due(database, mini_pack(), now=NOW) == 0  # not approved yet

    async with dialog(settings, user="staff", clock=clock) as staff:
        (item,) = await staff("/duyet")
        assert "Chờ duyệt: 1 thông báo. Thông báo #1" in item and TEXT in item
        assert options(item) == ["Duyệt #1", "Từ chối #1", "Menu"]
        done, notice = await staff.choose("Duyệt #1")  # the console prints the leader's too
        assert notice.startswith("✅ Thông báo #1 của bạn đã được duyệt.")
        assert done.startswith("Đã duyệt thông báo #1.") and texts.DY_NONE in done
    assert (await announcements(database))[0].status == "scheduled"
    assert "✅ Thông báo #1 của bạn đã được duyệt." in (await notices_to(database, "leader"))[0]

    assert await service.release_due(database, mini_pack(), now=NOW) == 1
    assert [recipient for recipient, _, _ in await rows_of(database, 1)] == ["an", "binh"]
    async with dialog(settings, user="leader", clock=clock) as leader:
        await leader("/thongbao")
        (mine,) = await leader.choose("Thông báo đã gửi")
    assert "#1 · đang gửi" in mine
    assert "Tin nhắn: đã gửi 2, đang chờ 0, lỗi 0, đã dừng 0." in mine
    assert await service.finish_sent(database) == 1


async def test_a_leader_marks_an_announcement_urgent_and_it_leads_the_loudspeaker(
        make_settings, database, people):
    settings = make_settings()
    async with dialog(settings, user="leader", clock=clock) as leader:
        await write(leader)
        (levels,) = await leader.choose("Mức độ: thường")
        assert options(levels) == ["khẩn cấp", "ưu tiên", "thường", "Hủy"]
        (preview,) = await leader.choose("khẩn cấp")
        assert "🔔 Mức độ: khẩn cấp." in preview and "Mức độ: khẩn cấp" in options(preview)
        (retyped,) = await leader.choose("Sửa nội dung")  # the level outlives an edit
        await leader(TEXT + " Mang theo giấy mời.")
        (preview,) = await leader.choose("Thôn 1 (cả thôn)")
        assert "🔔 Mức độ: khẩn cấp." in preview
        await leader.choose("Gửi ngay")
        # a forged level is refused and changes nothing
        await write(leader)
        (forged,) = await press(leader, "tb:pr:rat-khan")
        assert "Mức độ" not in forged
    (urgent,) = await announcements(database)
    assert urgent.priority == "khan-cap" and urgent.text.endswith("Mang theo giấy mời.")
    (staff_notice,) = await notices_to(database, "staff")
    assert "Thông báo #1 (khẩn cấp) của Ủy ban MTTQ xã đang chờ duyệt" in staff_notice
    async with dialog(settings, user="staff", clock=clock) as staff:
        (item,) = await staff("/duyet")
        assert "Thông báo #1 (khẩn cấp):" in item


async def test_staff_reject_with_a_reason_and_the_leader_reads_it(make_settings, database,
                                                                  people):
    settings = make_settings()
    async with dialog(settings, user="leader", clock=clock) as leader:
        await write(leader)
        await leader.choose("Gửi ngay")
    async with dialog(settings, user="staff", clock=clock) as staff:
        await staff("/duyet")
        (ask,) = await staff.choose("Từ chối #1")
        assert ask.startswith("Mời bạn gõ lý do từ chối thông báo #1")
        done = (await staff("Trùng lịch họp của xã, đề nghị dời sang tuần sau."))[0]
        assert done.startswith("Đã từ chối thông báo #1.")
    (rejected,) = await announcements(database)
    assert rejected.status == "rejected"
    assert rejected.decision_note == "Trùng lịch họp của xã, đề nghị dời sang tuần sau."
    notice = (await notices_to(database, "leader"))[0]
    assert "không được duyệt. Lý do: Trùng lịch họp của xã" in notice
    assert await service.release_due(database, mini_pack(), now=NOW) == 0
    assert await rows_of(database, 1) == []


@pytest.mark.parametrize("payload", ["tb:a:h:thon-2", "tb:a:g:khac", "tb:a:all", "tb:a:x:y"])
async def test_an_audience_the_leader_does_not_lead_is_refused(make_settings, database, people,
                                                               payload):
    async with dialog(make_settings(), user="leader", clock=clock) as leader:
        await leader("/thongbao")
        await leader(TEXT)
        (refused,) = await press(leader, payload)
        assert refused.startswith(texts.TB_NOT_YOURS)
        assert options(refused) == ["Ủy ban MTTQ xã", "Thôn 1 (cả thôn)", "Hủy"]
        (after,) = await press(leader, "tb:now")  # no audience chosen: nothing to send
        assert "Gửi ngay" not in options(after)
    assert await count_rows(database, "announcements") == 0
    assert await count_rows(database, "outbox") > 0  # replies only
    assert await notices_to(database, "staff") == []


async def test_too_long_text_is_refused_with_its_count(make_settings, database, people):
    async with dialog(make_settings(), user="leader", clock=clock) as leader:
        await leader("/thongbao")
        (refused,) = await leader("Họp " * 586 + "x")
        assert refused.startswith("Thông báo dài 2.345 ký tự, tối đa 500.")
        (blank,) = await leader("…!!")
        assert blank.startswith(texts.TB_EMPTY)
        (choices,) = await leader(TEXT)  # still writing: a shorter text is taken
        assert options(choices)[0] == "Ủy ban MTTQ xã"
    assert await count_rows(database, "announcements") == 0


async def test_schedule_typed_or_picked_and_bad_times_refused(make_settings, database, people):
    async with dialog(make_settings(), user="leader", clock=clock) as leader:
        await write(leader)
        (ask,) = await leader.choose("Hẹn giờ")
        assert options(ask) == ["19:00 hôm nay (10/01)", "07:00 ngày mai (11/01)",
                                "19:00 ngày mai (11/01)", "Hủy"]
        for typed, answer in [("mai nhé", "Loa Số không đọc được thời điểm “mai nhé”"),
                              ("31/02 07:00", "Loa Số không đọc được thời điểm"),
                              ("25:00 12/01", "Loa Số không đọc được thời điểm"),
                              ("09/01 07:00", "Thời điểm 07:00 ngày 09/01/2026 đã qua."),
                              ("10/01 07:59", "Thời điểm 07:59 ngày 10/01/2026 đã qua."),
                              ("10/01/2028 07:00", texts.TB_TOO_FAR)]:
            (reply,) = await leader(typed)
            assert reply.startswith(answer), reply
        assert await count_rows(database, "announcements") == 0
        done = await leader("12/01 07:30")
        assert "(gửi lúc 07:30 ngày 12/01/2026)" in done[0]
        await write(leader)
        await leader.choose("Hẹn giờ")
        await leader.choose("07:00 ngày mai (11/01)")
    first, second = await announcements(database)
    assert first.send_at == datetime(2026, 1, 12, 0, 30, tzinfo=UTC)
    assert second.send_at == datetime(2026, 1, 11, 0, 0, tzinfo=UTC)
    async with database.transaction() as session:  # approved: released at its time, not before
        await session.execute(update(Announcement).values(status="scheduled"))
    assert await service.release_due(database, mini_pack(), now=NOW) == 0
    assert await service.release_due(database, mini_pack(),
                                     now=datetime(2026, 1, 11, 0, 0, tzinfo=UTC)) == 1


async def test_a_role_revoked_mid_flow_sends_nothing(make_settings, database, people):
    async with dialog(make_settings(), user="leader", clock=clock) as leader:
        await write(leader)
        async with database.transaction() as session:
            await session.execute(update(RoleGrant).where(RoleGrant.id == people)
                                  .values(revoked_at=NOW, revoked_by="test"))
        (refused,) = await leader.choose("Gửi ngay")
        assert refused.startswith(texts.TB_REVOKED)
        (again,) = await leader("/thongbao")
        assert again.startswith(texts.NOT_FOR_YOU)
    assert await count_rows(database, "announcements") == 0
    assert await notices_to(database, "staff") == []


async def test_without_approval_and_for_staff_it_is_scheduled_at_once(make_settings, database,
                                                                      people, tmp_path):
    pack_dir = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack_dir)
    with (pack_dir / "campaign.yaml").open("a", encoding="utf-8") as campaign:
        campaign.write("\nannouncements_need_approval: false\n")
    async with dialog(make_settings(content_dir=pack_dir), user="leader", clock=clock) as leader:
        (preview,) = await write(leader, audience="Ủy ban MTTQ xã")
        assert texts.TB_NEEDS_APPROVAL not in preview
        (done,) = await leader.choose("Gửi ngay")
        assert done.startswith("✅ Thông báo #1 đã được xếp lịch: gửi ngay, tới người nhận tin "
                               "của Ủy ban MTTQ xã.")
    async with dialog(make_settings(), user="staff", clock=clock) as staff:
        (preview,) = await write(staff, audience="Tất cả người đăng ký")
        assert "hiện có 3 người nhận" in preview and texts.TB_NEEDS_APPROVAL not in preview
        (done,) = await staff.choose("Gửi ngay")
        assert done.startswith("✅ Thông báo #2 đã được xếp lịch")
    assert [item.status for item in await announcements(database)] == ["scheduled", "scheduled"]
    assert await notices_to(database, "staff") == []
    assert await service.release_due(database, mini_pack(), now=NOW) == 2
    assert len(await rows_of(database, 2)) == 3
    assert (await rows_of(database, 2))[0][2].startswith("📢 Thông báo của Đảng ủy xã Thử Nghiệm")


async def test_button_payloads_fit_in_64_bytes_with_the_shipped_pack(make_settings, database):
    await grant(database, "staff", "staff")
    await grant(database, "leader", "leader", groups=["hoi-cuu-chien-binh"], areas=["thon-8"])
    seen: list[str] = []

    async def shown(address: str) -> None:
        async with database.read() as session:
            state = await session.get(ConversationState, await user_id(session, address))
            seen.extend(payload for _, payload in state.options)

    async with dialog(make_settings(content_dir=SHIPPED_PACK), user="staff", clock=clock) as staff:
        await staff("/thongbao")
        (first,) = await staff(TEXT)
        await shown("staff")
        while "Xem thêm" in options(staff.printed[-1]):
            await staff.choose("Xem thêm")
            await shown("staff")
        await staff.choose("Hội Cựu chiến binh xã")
        await shown("staff")
        await staff.choose("Hẹn giờ")
        await shown("staff")
        await staff.choose("Hủy")
    assert any(payload.startswith("tb:a:g:hoi-cuu-chien-binh") for payload in seen)
    assert any(payload.startswith("tb:at:") for payload in seen)
    assert max(len(payload.encode("utf-8")) for payload in seen) <= 64


async def user_id(session, address: str) -> int:
    from db.models import User

    return (await session.execute(select(User.id).where(User.address == address))).scalar_one()


async def test_send_now_tapped_twice_at_once_in_two_processes_stores_one(make_settings,
                                                                          database, people):
    """Two `loaso serve` processes get the same tap from two deliveries at one instant. The
    resident's row, locked by the upsert (PostgreSQL), or the single writer (SQLite) puts
    them in order, and the second reads the position the first left: nothing to send."""
    settings = make_settings()
    async with (dialog(settings, user="leader", clock=clock) as first,
                dialog(settings, user="leader", clock=clock) as second):
        await write(first)
        before = len(first.printed), len(second.printed)
        taps = [Inbound("console", f"{talk.session}:tap", "leader", InboundKind.BUTTON,
                        button="tb:now") for talk in (first, second)]
        await asyncio.gather(*(talk.service.processor.handle(tap)
                               for talk, tap in zip((first, second), taps)))
        for talk in (first, second):
            await talk.service.sender.drain()
        # either sender may deliver either reply: read both consoles
        answers = first.printed[before[0]:] + second.printed[before[1]:]
    assert [item.status for item in await announcements(database)] == ["pending"]
    assert sum(text.startswith("📨 Đã gửi thông báo #1") for text in answers) == 1, answers
