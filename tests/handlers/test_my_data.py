"""Dữ liệu của tôi (/dulieu) and /xoadulieu, in the terminal channel and on Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import Announcement, Comment, DataRequest, OutboxMessage, Subscription, User
from handlers import my_data, texts
from messages.types import Inbound, InboundKind
from tests.conftest import count_rows
from tests.db.test_erasure import seed_resident
from tests.utils import TelegramResident, dialog, running_app


async def user_row(database, address="resident-1") -> User:
    async with database.read() as session:
        return (await session.execute(select(User).where(User.address == address))).scalar_one()


async def press(talk, payload: str, event: str) -> list[str]:
    """A tap on a button sent earlier (terminal residents can only type the current ones)."""
    before = len(talk.printed)
    await talk.service.processor.handle(Inbound("console", event, talk.user,
                                                 InboundKind.BUTTON, button=payload))
    await talk.service.sender.drain()
    return talk.printed[before:]


async def test_my_data_shows_everything_kept_in_plain_vietnamese(make_settings, database):
    user_id = await seed_resident(database, comments=7)
    async with database.transaction() as session:
        session.add(Announcement(author_user_id=user_id, author="Ủy ban MTTQ xã",
                                 text="Họp thôn tối thứ Bảy.", status="done"))
    async with dialog(make_settings(retention_days=90)) as talk:
        (shown,) = await talk("/dulieu")
    assert shown.startswith(texts.DATA_TITLE)
    assert "Mã cuộc trò chuyện trên Trò chuyện thử: resident-1" in shown
    # 20:30 UTC on 1 September is 03:30 on 2 September in the campaign's zone
    assert f"từ 03:30 ngày 02/09/2025 (thông báo phiên bản {texts.PRIVACY_NOTICE_VERSION})" in shown
    assert "Thôn: Thôn 1." in shown
    assert ("Đăng ký nhận tin: tất cả các tin; chủ đề Lịch sử Đảng; tin của Ủy ban MTTQ xã."
            in shown)
    assert "Tên trên bảng xếp hạng thi tìm hiểu: Tư." in shown
    assert "Vai trò: phụ trách chi bộ, đoàn thể (Ủy ban MTTQ xã, Thôn 1)." in shown
    assert "Thông báo bạn đã soạn gửi đến người dân: 1." in shown
    assert "Góp ý đã gửi: 7." in shown and shown.count("• GY-SEED") == my_data.RECENT_COMMENTS
    assert "… và 2 góp ý khác" in shown
    assert "1 lượt đã làm xong, điểm cao nhất 7/10 câu đúng" in shown
    assert "trong 90 ngày" in shown
    assert "1. Xóa dữ liệu của tôi" in shown and "2. Xem góp ý của tôi" in shown


async def test_the_whole_comment_list_is_paged_from_my_data(make_settings, database):
    await seed_resident(database, comments=11)
    async with dialog(make_settings()) as talk:
        await talk("/dulieu")
        (first,) = await talk.choose(texts.DATA_SEE_COMMENTS)
        (second,) = await talk.choose(texts.MORE)
    assert "Góp ý của bạn (11)" in first
    assert first.count("GY-SEED") + second.count("GY-SEED") == 11


async def test_the_menu_has_my_data(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/menu")
        (shown,) = await talk.choose(texts.MENU_MY_DATA)
    assert shown.startswith("🗂 Dữ liệu của tôi")


async def test_without_consent_nothing_personal_is_kept_and_it_says_why(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk("2")  # Không đồng ý
        (shown,) = await talk("/dulieu")
    assert shown.startswith(texts.DATA_NOTHING_KEPT.format(channel="Trò chuyện thử"))
    assert await count_rows(database, "data_requests") == 0


async def test_erasing_asks_first_then_does_everything_at_once(make_settings, database):
    await seed_resident(database, comments=2)
    async with dialog(make_settings()) as talk:
        (question,) = await talk("/xoadulieu")
        assert question.startswith(texts.DATA_ERASE_CONFIRM)
        assert await count_rows(database, "subscriptions") == 3  # nothing yet
        (done,) = await talk.choose(texts.DATA_ERASE_YES)
        (after,) = await talk("/dulieu")
        (mine,) = await talk("/gopycuatoi")
    assert done.startswith(texts.DATA_ERASED)
    for line in ("• Đã hủy 3 đăng ký nhận tin.", "• Đã xóa thôn và tên hiển thị của bạn.",
                 "• 2 góp ý được giữ lại dưới dạng ẩn danh", "• Đã xóa 1 lượt thi tìm hiểu.",
                 "• Đã thu hồi 1 vai trò.", "• Đã rút lại sự đồng ý lưu dữ liệu."):
        assert line in done
    assert after.startswith("🗂 Dữ liệu của tôi") and "không giữ thông tin cá nhân" in after
    assert mine.startswith(texts.MY_NONE)
    user = await user_row(database)
    assert (user.consent_at, user.hamlet_id, user.leaderboard_name) == (None, None, None)
    async with database.read() as session:
        comments = list((await session.execute(select(Comment))).scalars())
        (logged,) = (await session.execute(select(DataRequest))).scalars()
    assert len(comments) == 2 and all(c.user_id is None and c.signed_name is None
                                      and c.hamlet_id is None for c in comments)
    assert (logged.kind, logged.via, logged.actions["comments_anonymised"]) == ("erase",
                                                                                 "console", 2)
    assert all(type(count) is int for count in logged.actions.values())  # counts, no person


async def test_declining_the_confirmation_changes_nothing(make_settings, database):
    await seed_resident(database)
    async with dialog(make_settings()) as talk:
        await talk("/xoadulieu")
        (kept,) = await talk.choose(texts.DATA_ERASE_NO)
    assert kept.startswith(texts.DATA_ERASE_KEPT)
    assert await count_rows(database, "subscriptions") == 3
    assert await count_rows(database, "data_requests") == 0
    assert (await user_row(database)).consent_at is not None


async def test_an_old_confirm_button_only_asks_again(make_settings, database):
    await seed_resident(database)
    async with dialog(make_settings()) as talk:
        await talk("/xoadulieu")
        await talk("/menu")  # the resident moved on
        (asked,) = await press(talk, "data:yes", "old-tap-1")
    assert asked.startswith(texts.DATA_ERASE_CONFIRM)
    assert await count_rows(database, "data_requests") == 0
    assert await count_rows(database, "subscriptions") == 3


async def test_typing_text_at_the_confirmation_is_not_a_yes(make_settings, database):
    await seed_resident(database)
    async with dialog(make_settings()) as talk:
        await talk("/xoadulieu")
        await talk("xóa đi")
    assert await count_rows(database, "data_requests") == 0
    assert (await user_row(database)).consent_at is not None


async def test_erase_with_no_data_answers_clearly_and_writes_nothing(make_settings, database):
    async with dialog(make_settings()) as talk:
        (answer,) = await talk("/xoadulieu")
        (again,) = await press(talk, "data:yes", "tap-1")
    assert answer.startswith(texts.DATA_ERASE_NOTHING) and "Xóa ngay" not in answer
    assert again.startswith(texts.DATA_ERASE_NOTHING)
    assert await count_rows(database, "data_requests") == 0
    assert await count_rows(database, "subscriptions") == 0


async def test_a_second_confirmation_finds_nothing_left(make_settings, database):
    await seed_resident(database)
    async with dialog(make_settings()) as talk:
        await talk("/xoadulieu")
        await talk.choose(texts.DATA_ERASE_YES)
        (second,) = await press(talk, "data:yes", "double-tap")
    assert second.startswith(texts.DATA_ERASE_NOTHING)
    assert await count_rows(database, "data_requests") == 1


async def test_deleting_during_a_broadcast_stops_what_was_not_yet_sent(make_settings, database):
    user_id = await seed_resident(database)
    other_id = await seed_resident(database, address="resident-2", name="Trần Thị Hoa")
    now = datetime.now(UTC)

    def row(user, address, status, text):
        return OutboxMessage(channel="console", recipient=address, user_id=user, priority=0,
                             payload={"type": "message", "text": text}, status=status,
                             batch="announcement:7", next_attempt_at=now,
                             lease_until=now + timedelta(minutes=1) if status == "sending"
                             else None)

    async with dialog(make_settings()) as talk:
        await talk("/xoadulieu")
        # The broadcast is going out: one part in a sender's hands, two still queued for
        # this resident, one queued for a neighbour.
        async with database.transaction() as session:
            session.add_all([row(user_id, "resident-1", "sending", "Bản tin 7, phần 1"),
                             row(user_id, "resident-1", "queued", "Bản tin 7, phần 2"),
                             row(None, "resident-1", "queued", "Bản tin 7, phần 3"),
                             row(other_id, "resident-2", "queued", "Bản tin 7 cho hàng xóm")])
        replies = await talk.choose(texts.DATA_ERASE_YES)
        await talk.service.sender.drain()
    assert "• Đã dừng 2 tin đang chờ gửi cho bạn." in replies[0]
    assert "• 1 tin đang được gửi đúng lúc này nên không dừng kịp." in replies[0]
    assert not any(text.startswith("Bản tin 7, phần") for text in talk.printed)
    assert "Bản tin 7 cho hàng xóm" in talk.printed
    async with database.read() as session:
        broadcast = (await session.execute(
            select(OutboxMessage.recipient, OutboxMessage.status, OutboxMessage.error_class)
            .where(OutboxMessage.batch == "announcement:7").order_by(OutboxMessage.id))).all()
    assert [tuple(part) for part in broadcast] == [("resident-1", "sending", None),
                                       ("resident-1", "stopped", "cancelled"),
                                       ("resident-1", "stopped", "cancelled"),
                                       ("resident-2", "sent", None)]
    async with database.read() as session:
        left = (await session.execute(select(Subscription.user_id).distinct())).scalars().all()
    assert left == [other_id]  # a later broadcast reaches only the neighbour


async def test_erasing_with_buttons_on_telegram(telegram_settings, fake_telegram, database):
    async with running_app(telegram_settings(telegram_chat_rate_limit=100,
                                             telegram_chat_burst=20)) as (client, _):
        resident = TelegramResident(client, fake_telegram, 7101)
        await resident.say("/start")
        await resident.tap(texts.CONSENT_YES)
        await resident.say("/menu")
        (shown,) = await resident.tap(texts.MENU_MY_DATA)
        assert shown["text"].startswith(texts.DATA_TITLE)
        (question,) = await resident.tap(texts.DATA_ERASE)
        assert question["text"].startswith(texts.DATA_ERASE_CONFIRM)
        (done,) = await resident.tap(texts.DATA_ERASE_YES)
    assert done["text"].startswith(texts.DATA_ERASED)
    assert (await user_row(database, "7101")).consent_at is None
    async with database.read() as session:
        (logged,) = (await session.execute(select(DataRequest))).scalars()
    assert (logged.kind, logged.via) == ("erase", "telegram")
