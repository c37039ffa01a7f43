"""/admin/announcements: compose with preview and count, the scope a leader may address, the
approval queue (the leader told in chat, approval twice sends once), stopping, and every bad
input refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db.console_models import StaffAccount
from db.models import Announcement, OutboxMessage, RoleGrant, Subscription, User
from tests.console.conftest import HTML

TEXT = "Tối thứ Bảy họp dân thôn 1 tại nhà văn hóa, bàn góp ý dự thảo văn kiện."


async def residents(desk, hamlet: str, count: int, *, channel: str = "telegram") -> list[int]:
    """Consenting residents of a hamlet subscribed to everything."""
    now = dt.datetime.now(dt.UTC)
    ids = []
    async with desk.database.transaction() as session:
        for number in range(count):
            user = User(channel=channel, address=f"{hamlet}-{channel}-{number}",
                        consent_version="1", consent_at=now, hamlet_id=hamlet)
            session.add(user)
            await session.flush()
            session.add(Subscription(user_id=user.id, kind="all", ref="*", created_at=now))
            ids.append(user.id)
    return ids


async def counts(desk) -> tuple[int, int]:
    async with desk.database.read() as session:
        return ((await session.execute(select(func.count()).select_from(Announcement)))
                .scalar_one(),
                (await session.execute(select(func.count()).select_from(OutboxMessage)))
                .scalar_one())


async def leader(desk, *, linked_chat: bool = False) -> User | None:
    await desk.account("truong.thon", "leader", areas=["thon-1"], name="Trưởng thôn 1")
    user = None
    if linked_chat:  # a leader whose console account is their chat account (/dangnhap)
        user = await desk.resident()
        async with desk.database.transaction() as session:
            account = (await session.execute(select(StaffAccount).where(
                StaffAccount.username == "truong.thon"))).scalar_one()
            account.user_id = user.id  # role and scope now come from the chat role
            session.add(RoleGrant(user_id=user.id, role="leader", areas=["thon-1"], groups=[],
                                  granted_at=dt.datetime.now(dt.UTC)))
    await desk.sign_in("truong.thon")
    return user


async def test_a_leader_sees_only_their_hamlets_and_the_preview_counts_recipients(desk):
    await residents(desk, "thon-1", 3)
    await residents(desk, "thon-2", 2)
    await leader(desk)
    form = await desk.client.get("/admin/announcements/new", headers=HTML)
    assert form.status_code == 200
    assert 'value="h:thon-1"' in form.text and 'value="h:thon-2"' not in form.text
    assert 'value="all"' not in form.text and 'data-limit="500"' in form.text
    preview = await desk.post("/admin/announcements/preview",
                              {"text": TEXT, "audience": "h:thon-1"})
    assert preview.status_code == 200
    assert "Telegram" in preview.text and "Zalo" in preview.text
    assert preview.text.count(TEXT) == 2 and "<strong>3</strong> người nhận" in preview.text
    long = await desk.post("/admin/announcements/preview", {"text": "a " * 300,
                                                           "audience": "h:thon-1"})
    assert "quá giới hạn 500" in long.text


async def test_a_hamlet_not_theirs_by_editing_the_form_is_403_and_nothing_queued(desk):
    await residents(desk, "thon-2", 2)
    await leader(desk)
    for path in ("/admin/announcements", "/admin/announcements/preview"):
        answer = await desk.post(path, {"text": TEXT, "audience": "h:thon-2", "when": "now"})
        assert answer.status_code == 403
        assert "không phụ trách" in answer.text
    answer = await desk.post("/admin/announcements", {"text": TEXT, "audience": "all",
                                                      "when": "now"})
    assert answer.status_code == 403
    assert await counts(desk) == (0, 0)


@pytest.mark.parametrize("typed, problem", [
    ({"text": "x" * 501}, "tối đa 500"),
    ({"text": "   \n  "}, "không được để trống"),
    ({"text": "😀" * 499 + "ab"}, "tối đa 500"),
    ({"when": "later", "day": "2020-01-01", "time": "07:00"}, "đã qua"),
    ({"when": "later", "day": "31/02/2030", "time": "07:00"}, "không hợp lệ"),
    ({"when": "later", "day": "ngày mai", "time": "7 giờ"}, "không hợp lệ"),
    ({"when": "later", "day": "", "time": ""}, "không hợp lệ"),
    ({"audience": ""}, "chọn người nhận"),
    ({"priority": "rat-khan"}, "Mức độ không hợp lệ"),
])
async def test_bad_input_is_refused_with_the_reason_and_nothing_is_written(desk, typed,
                                                                          problem):
    await residents(desk, "thon-1", 2)
    await leader(desk)
    form = {"text": TEXT, "audience": "h:thon-1", "when": "now"} | typed
    answer = await desk.post("/admin/announcements", form)
    assert answer.status_code == 400
    assert problem in answer.text and 'role="alert"' in answer.text
    if typed.get("text", "").strip():  # what was typed is kept to fix
        assert typed["text"][:50] in answer.text
    assert await counts(desk) == (0, 0)


async def test_an_urgent_announcement_is_marked_for_staff_and_the_loudspeaker(desk):
    await residents(desk, "thon-1", 2)
    await leader(desk)
    form = await desk.client.get("/admin/announcements/new", headers=HTML)
    assert '<option value="thuong" selected>Thường</option>' in form.text
    assert '<option value="khan-cap">Khẩn cấp</option>' in form.text
    sent = await desk.post("/admin/announcements", {"text": TEXT, "audience": "h:thon-1",
                                                    "priority": "khan-cap", "when": "now"})
    assert sent.status_code == 303
    async with desk.database.read() as session:
        item = (await session.execute(select(Announcement))).scalar_one()
    assert item.priority == "khan-cap"
    await desk.account("can.bo", "staff", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    queue = await desk.client.get("/admin/announcements", headers=HTML)
    assert f"Thông báo #{item.id}</a> (khẩn cấp) của" in queue.text
    detail = await desk.client.get(f"/admin/announcements/{item.id}", headers=HTML)
    assert "<dt>Mức độ</dt><dd>Khẩn cấp</dd>" in detail.text


async def test_staff_approve_once_the_leader_is_told_and_residents_get_it_once(desk):
    subscribers = await residents(desk, "thon-1", 3, channel="zalo-bot")  # not sent in tests
    await residents(desk, "thon-2", 2, channel="zalo-bot")
    author = await leader(desk, linked_chat=True)
    sent = await desk.post("/admin/announcements", {"text": TEXT, "audience": "h:thon-1",
                                                    "when": "now"})
    assert sent.status_code == 303
    async with desk.database.read() as session:
        item = (await session.execute(select(Announcement))).scalar_one()
    assert (item.status, item.author_user_id, item.audience["hamlets"]) == (
        "pending", author.id, ["thon-1"])
    await desk.account("can.bo", "staff", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    queue = await desk.client.get("/admin/announcements", headers=HTML)
    assert f"Duyệt #{item.id}" in queue.text and "<strong>3</strong> người nhận" in queue.text
    first = await desk.post(f"/admin/announcements/{item.id}/approve", {"back": "list"})
    second = await desk.post(f"/admin/announcements/{item.id}/approve", {"back": "list"})
    assert first.status_code == second.status_code == 303
    page = await desk.client.get("/admin/announcements", headers=HTML)  # the second's flash
    assert "không thể duyệt nữa" in page.text
    async with desk.database.read() as session:
        rows = list((await session.execute(select(OutboxMessage).where(
            OutboxMessage.batch == f"announcement:{item.id}"))).scalars())
        notices = list((await session.execute(select(OutboxMessage).where(
            OutboxMessage.user_id == author.id))).scalars())
        item = await session.get(Announcement, item.id)
    assert sorted(row.user_id for row in rows) == subscribers  # once each, thon-1 only
    assert item.status == "sending" and item.decided_by == "Lê Thị Lan"
    assert any("đã được duyệt" in row.payload["text"] for row in notices)
    assert [entry.action for entry in await desk.audit("announcement.approve")] == [
        "announcement.approve"]
    detail = await desk.client.get(f"/admin/announcements/{item.id}", headers=HTML)
    assert 'hx-trigger="every 2s"' in detail.text and "Zalo Bot" in detail.text
    assert ">3</td></tr>" in detail.text.replace(" ", "")  # 3 waiting


async def test_staff_reject_with_a_reason_and_stop_one_sending(desk):
    await residents(desk, "thon-1", 4, channel="zalo-bot")
    author = await leader(desk, linked_chat=True)
    await desk.post("/admin/announcements", {"text": TEXT, "audience": "h:thon-1",
                                             "when": "now"})
    await desk.account("can.bo", "staff", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    await desk.post("/admin/announcements/1/reject", {"reason": "Trùng lịch họp xã."})
    async with desk.database.read() as session:
        item = await session.get(Announcement, 1)
        notices = [row.payload["text"] for row in (await session.execute(
            select(OutboxMessage).where(OutboxMessage.user_id == author.id))).scalars()]
    assert (item.status, item.decision_note) == ("rejected", "Trùng lịch họp xã.")
    assert any("Lý do: Trùng lịch họp xã." in text for text in notices)

    sent = await desk.post("/admin/announcements", {"text": TEXT, "audience": "all",
                                                    "when": "now"})  # staff: no approval
    assert sent.headers["location"] == "/admin/announcements/2"
    detail = await desk.client.get("/admin/announcements/2", headers=HTML)
    assert "Dừng gửi" in detail.text and "đang gửi" in detail.text
    listed = await desk.client.get("/admin/announcements", headers=HTML)
    assert "Dừng gửi #2" in listed.text and "Dừng gửi #1" not in listed.text
    await desk.post("/admin/announcements/2/stop", {"back": "list"})
    async with desk.database.read() as session:
        item = await session.get(Announcement, 2)
        states = [row.status for row in (await session.execute(select(OutboxMessage).where(
            OutboxMessage.batch == "announcement:2"))).scalars()]
    assert item.status == "stopped" and states == ["stopped"] * 4
    detail = await desk.client.get("/admin/announcements/2", headers=HTML)
    assert "cán bộ đã dừng hoặc hủy: 4" in detail.text and "every 2s" not in detail.text


async def test_a_time_to_send_is_kept_and_nothing_goes_out_before_it(desk):
    await residents(desk, "thon-1", 2, channel="zalo-bot")
    await desk.account("can.bo", "staff")
    await desk.sign_in("can.bo")
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).astimezone(
        desk.service.settings.zone).date()
    answer = await desk.post("/admin/announcements", {
        "text": TEXT, "audience": "h:thon-1", "when": "later", "day": day.isoformat(),
        "time": "07:30"})
    assert answer.status_code == 303
    async with desk.database.read() as session:
        item = (await session.execute(select(Announcement))).scalar_one()
    local = item.send_at.astimezone(desk.service.settings.zone)
    assert (item.status, local.date(), local.hour, local.minute) == ("scheduled", day, 7, 30)
    assert (await counts(desk))[1] == 0


async def test_residents_past_zalo_oas_window_are_counted_as_skipped_with_the_reason(desk):
    await residents(desk, "thon-1", 2, channel="zalo-oa")
    async with desk.database.transaction() as session:
        user = await session.get(User, 1)
        user.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    await desk.account("can.bo", "staff")
    await desk.sign_in("can.bo")
    await desk.post("/admin/announcements", {"text": TEXT, "audience": "h:thon-1",
                                             "when": "now"})
    detail = (await desk.client.get("/admin/announcements/1", headers=HTML)).text
    row = detail[detail.index("<th scope=\"row\">Zalo OA</th>"):]
    cells = row[:row.index("</tr>")].replace(" ", "")
    assert cells.endswith('<tdclass="num">0</td><tdclass="num">0</td><tdclass="num">1</td>'
                          '<tdclass="num">1</td>')  # sent, failed, skipped, waiting
    assert "quá 7 ngày kể từ lần nhắn cuối (Zalo OA): 1" in detail
