"""`loaso announcements …` and `loaso broadcast` as staff run them (real processes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from db.models import Announcement, AnnouncementStatus, OutboxMessage, OutboxStatus
from delivery import announcements as service
from delivery.fanout import Audience
from tests.bot.test_cli_roles import env, loaso  # noqa: F401  (env is a fixture)
from tests.conftest import count_rows
from tests.handlers.test_announcements import notices_to
from tests.scheduler.test_announcements import (
    announcement,
    grant,
    hamlets_fixture,
    mini_pack,
    resident,
    rows_of,
    status_of,
)


@pytest.fixture
async def pending(database) -> int:
    """A leader's announcement to Thôn 1 waiting for approval; returns its id."""
    await hamlets_fixture(database)
    await grant(database, "leader", "leader", areas=["thon-1"])  # who may write to Thôn 1
    author = await resident(database, "leader", subscriptions=())
    return await announcement(database, audience=Audience(hamlets=("thon-1",)),
                              status=AnnouncementStatus.PENDING, author_user_id=author,
                              text="Kính mời bà con dự họp thôn.")


async def test_list_approve_then_status(env, database, pending):
    listed = loaso(env, "announcements", "list", "--status", "pending")
    assert listed.returncode == 0, listed.stderr
    assert ("#1\tchờ duyệt\tỦy ban MTTQ xã\ttới người nhận tin ở Thôn 1 (2 người)\tgửi: ngay\t"
            "«Kính mời bà con dự họp thôn.»") in listed.stdout
    assert "Không có thông báo nào" in loaso(env, "announcements", "list", "--status",
                                            "done").stdout
    approved = loaso(env, "announcements", "approve", "1", "--by", "Cán bộ D")
    assert approved.returncode == 0 and "Đã duyệt thông báo #1 (hiện: đã lên lịch)" in approved.stdout
    stored = await status_of(database, pending)
    assert (stored.status, stored.decided_by) == ("scheduled", "Cán bộ D")
    assert "đã được duyệt" in (await notices_to(database, "leader"))[0]
    again = loaso(env, "announcements", "approve", "1", "--by", "Cán bộ D")
    assert again.returncode == 2 and "đang ở trạng thái “đã lên lịch”" in again.stderr
    status = loaso(env, "announcements", "status", "1")
    assert "Thông báo #1: đã lên lịch" in status.stdout
    assert "Tin nhắn: đã gửi 0, đang chờ 0, lỗi 0, đã dừng 0" in status.stdout


async def test_reject_with_a_reason_reaches_the_leader(env, database, pending):
    rejected = loaso(env, "announcements", "reject", "1", "--reason", "Trùng lịch của xã",
                     "--by", "Cán bộ D")
    assert rejected.returncode == 0, rejected.stderr
    stored = await status_of(database, pending)
    assert (stored.status, stored.decision_note) == ("rejected", "Trùng lịch của xã")
    assert "Lý do: Trùng lịch của xã" in (await notices_to(database, "leader"))[0]


async def test_cancel_pending_or_scheduled_but_not_sending(env, database, pending):
    assert loaso(env, "announcements", "cancel", "1", "--by", "Cán bộ D").returncode == 0
    assert (await status_of(database, pending)).status == "cancelled"
    sending = await announcement(database, audience=Audience(everyone=True),
                                 status=AnnouncementStatus.SENDING)
    refused = loaso(env, "announcements", "cancel", str(sending), "--by", "Cán bộ D")
    assert refused.returncode == 2 and "đang gửi" in refused.stderr
    assert (await status_of(database, sending)).status == "sending"


async def test_stop_cancels_the_remaining_rows(env, database, pending):
    loaso(env, "announcements", "approve", "1", "--by", "Cán bộ D")
    await service.release_due(database, mini_pack(), now=datetime.now(UTC))
    async with database.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.recipient == "an")
                              .values(status=OutboxStatus.SENT))
    stopped = loaso(env, "announcements", "stop", "1", "--by", "Cán bộ D")
    assert stopped.returncode == 0, stopped.stderr
    assert [status for _, status, _ in await rows_of(database, pending)] == ["sent", "stopped"]
    status = loaso(env, "announcements", "status", "1")
    assert "Thông báo #1: đã dừng" in status.stdout
    assert "đã gửi 1, đang chờ 0, lỗi 0, đã dừng 1" in status.stdout
    again = loaso(env, "announcements", "stop", "1", "--by", "Cán bộ D")
    assert again.returncode == 2 and "không thể dừng" in again.stderr


@pytest.mark.parametrize("args, words", [
    (["list", "--status", "xong"], "Trạng thái không hợp lệ: xong"),
    (["approve", "9", "--by", "Cán bộ D"], "Không có thông báo #9"),
    (["reject", "1", "--reason", "x" * 501, "--by", "Cán bộ D"], "tối đa 500"),
    (["stop", "1", "--by", "Cán bộ D"], "đang ở trạng thái “chờ duyệt”, không thể dừng"),
    (["status", "9"], "Không có thông báo #9"),
])
async def test_bad_staff_input_changes_nothing(env, database, pending, args, words):
    result = loaso(env, "announcements", *args)
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (await status_of(database, pending)).status == "pending"
    assert await count_rows(database, "outbox") == 0


async def test_broadcast_queues_a_staff_announcement_for_subscribers(env, database):
    await hamlets_fixture(database)
    result = loaso(env, "broadcast", "--text", "Lịch tiếp xúc cử tri tối nay.", "--area",
                   "thon-1", "--yes", "--by", "Cán bộ D")
    assert result.returncode == 0, result.stderr
    assert re.search(r"Đã xếp hàng thông báo #1 tới người nhận tin ở Thôn 1: 2 người nhận",
                     result.stdout)
    rows = await rows_of(database, 1)
    assert [(recipient, status) for recipient, status, _ in rows] == [
        ("an", "queued"), ("binh", "queued")]
    assert rows[0][2] == "📢 Thông báo của Đảng ủy xã Thử Nghiệm\n\nLịch tiếp xúc cử tri tối nay."
    async with database.read() as session:
        stored = (await session.execute(select(Announcement))).scalar_one()
    assert (stored.status, stored.recipients, stored.decided_by) == ("sending", 2, "Cán bộ D")
    everyone = loaso(env, "broadcast", "--text", "Chúc mừng năm mới.", "--yes", "--by", "Cán bộ D")
    assert "tới mọi người đăng ký nhận tin: 3 người nhận" in everyone.stdout


@pytest.mark.parametrize("args, words", [
    (["--text", "Tin"], "Chưa gửi. Gửi tới mọi người đăng ký nhận tin: 3 người nhận. "
                        "Thêm --yes để xác nhận."),
    (["--text", "   ", "--yes"], "không được để trống"),
    (["--text", "x" * 2345, "--yes"], "Thông báo dài 2.345 ký tự, tối đa 500."),
    (["--text", "Tin", "--area", "thon-9", "--yes"], "Không có thôn mã thon-9"),
    (["--text", "Tin", "--topic", "khong-co", "--yes"], "Không có chủ đề mã khong-co"),
    (["--text", "Tin", "--group", "khong-co", "--yes"], "Không có nhóm mã khong-co"),
])
async def test_bad_broadcasts_queue_nothing(env, database, args, words):
    await hamlets_fixture(database)
    result = loaso(env, "broadcast", *args, "--by", "Cán bộ D")
    assert result.returncode == 2 and words in result.stderr, result.stderr
    assert await count_rows(database, "announcements") == 0
    assert await count_rows(database, "outbox") == 0


async def test_approving_for_an_author_who_lost_the_role_is_refused(env, database, pending):
    result = loaso(env, "announcements", "approve", str(pending), "--by", "Cán bộ B")
    assert result.returncode == 0, result.stderr
    # a second pending one, then the leader's role goes
    await announcement(database, audience=Audience(hamlets=("thon-1",)),
                       status=AnnouncementStatus.PENDING,
                       author_user_id=await resident(database, "leader", subscriptions=()),
                       text="Họp thôn lần hai.")
    async with database.transaction() as session:
        from db.models import RoleGrant
        await session.execute(update(RoleGrant).values(revoked_at=datetime(2026, 1, 1,
                                                                             tzinfo=UTC)))
    refused = loaso(env, "announcements", "approve", str(pending + 1), "--by", "Cán bộ B")
    assert refused.returncode == 2
    assert service.AUTHOR_LOST_ROLE in refused.stderr
    assert (await status_of(database, pending + 1)).status == AnnouncementStatus.CANCELLED
