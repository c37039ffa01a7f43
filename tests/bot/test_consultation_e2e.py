"""The consultation on Telegram end to end: webhook → flow → receipt; staff answer → resident."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, update

from content.loader import load_pack
from db.models import Comment, User
from scheduler.notices import answer_comment
from tests.conftest import MINI_PACK, count_rows, wait_until
from tests.utils import TelegramResident, running_app

# A resident tapping through a flow faster than Telegram's 1 message/s per chat would be
# paced by the sender; these tests are about the flow, so the chat limit is lifted.

RECEIPT = re.compile(r"GY-[A-Z0-9]{6,}")
CHAT = 7001


async def comment_through_telegram(resident: TelegramResident) -> str:
    await resident.say("/gopy")
    await resident.tap("Dự thảo Báo cáo chính trị (thử nghiệm)")
    await resident.tap("Phần II. Phương hướng")
    await resident.tap("Góp ý mục này")
    await resident.tap("Đồng ý")
    await resident.tap("Đồng ý một phần")
    await resident.say("Nên bổ sung phương hướng phát triển làng nghề của xã.")
    await resident.tap("Ẩn danh")
    (receipt,) = await resident.tap("Gửi")
    return RECEIPT.search(receipt["text"]).group(0)


async def test_a_resident_comments_on_telegram_and_hears_back(telegram_settings, fake_telegram,
                                                              database):
    settings = telegram_settings(telegram_chat_rate_limit=100, telegram_chat_burst=20)
    async with running_app(settings) as (client, service):
        resident = TelegramResident(client, fake_telegram, CHAT)
        code = await comment_through_telegram(resident)
        assert len(fake_telegram.answered_callbacks) >= 7  # every tap acknowledged
        async with database.transaction() as session:
            outcome = await answer_comment(
                session, load_pack(MINI_PACK)[0], receipt=code, decision="tiep_thu",
                answer="Đã bổ sung vào Phần II.", by="Cán bộ C", now=datetime.now(UTC))
        assert outcome.notified
        service.sender.wake()
        await wait_until(lambda: any("Phản hồi về góp ý" in m["text"]
                                     for m in resident.messages()))
    notice = resident.messages()[-1]["text"]
    assert code in notice and "Kết quả: Tiếp thu" in notice and "Đã bổ sung vào Phần II." in notice
    async with database.read() as session:
        stored = (await session.execute(select(Comment))).scalar_one()
    assert (stored.source, stored.section_id, stored.status) == ("telegram", "p2", "tiep_thu")


async def test_redelivered_send_update_makes_one_comment(telegram_settings, fake_telegram,
                                                         database):
    from tests.utils import secret_headers, telegram_update

    settings = telegram_settings(telegram_chat_rate_limit=100, telegram_chat_burst=20)
    async with running_app(settings) as (client, service):
        resident = TelegramResident(client, fake_telegram, CHAT)
        await resident.say("/gopy")
        await resident.tap("Dự thảo Báo cáo chính trị (thử nghiệm)")
        await resident.tap("Góp ý chung")
        await resident.tap("Đồng ý")
        await resident.tap("Tán thành")
        await resident.tap("Bỏ qua")
        await resident.tap("Ẩn danh")
        send = next(row[0]["callback_data"] for row in
                    resident.messages()[-1]["reply_markup"]["inline_keyboard"]
                    if row[0]["text"] == "Gửi")
        tap = telegram_update("callback", chat_id=CHAT, data=send)
        for _ in range(3):  # Telegram redelivers the same update
            response = await client.post("/webhook/telegram", json=tap, headers=secret_headers())
            assert response.status_code == 200
        await wait_until(lambda: any("Mã biên nhận" in m["text"] for m in resident.messages()))
    assert await count_rows(database, "comments") == 1
    assert sum("Mã biên nhận" in m["text"] for m in resident.messages()) == 1


async def test_no_answer_is_sent_to_a_resident_who_left(telegram_settings, fake_telegram,
                                                        database):
    settings = telegram_settings(telegram_chat_rate_limit=100, telegram_chat_burst=20)
    async with running_app(settings) as (client, service):
        code = await comment_through_telegram(TelegramResident(client, fake_telegram, CHAT))
    async with database.transaction() as session:
        await session.execute(update(User).values(status="stopped"))
        blocked = await answer_comment(session, load_pack(MINI_PACK)[0], receipt=code,
                                       decision=None, answer="Cảm ơn.", by="C",
                                       now=datetime.now(UTC))
        await session.execute(update(Comment).values(user_id=None))  # data deleted
        deleted = await answer_comment(session, load_pack(MINI_PACK)[0], receipt=code,
                                       decision=None, answer="Cảm ơn.", by="C",
                                       now=datetime.now(UTC))
    assert (blocked.notified, deleted.notified) == (False, False)
    async with database.read() as session:
        queued = (await session.execute(select(Comment.answer))).scalar_one()
    assert queued == "Cảm ơn."
