"""A resident's message reaches a reply end to end: webhook → handlers → outbox → fake Bot API."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from db.models import OutboxMessage, User
from handlers import texts
from tests.conftest import count_rows, wait_until
from tests.utils import running_app, secret_headers, telegram_update

CHAT = 5512345678


async def test_start_update_gets_greeting_and_consent_buttons(telegram_settings, fake_telegram):
    async with running_app(telegram_settings()) as (client, service):
        response = await client.post("/webhook/telegram", json=telegram_update("start"),
                                     headers=secret_headers())
        assert response.status_code == 200
        await wait_until(lambda: len(fake_telegram.sent) == 2)
    greeting, notice = fake_telegram.sent
    assert greeting["chat_id"] == CHAT and "Loa Số" in greeting["text"]
    buttons = [row[0] for row in notice["reply_markup"]["inline_keyboard"]]
    assert [button["text"] for button in buttons] == ["Đồng ý", "Không đồng ý", "Xem đầy đủ", "Menu"]
    assert all(len(button["callback_data"].encode()) <= 64 for button in buttons)


async def test_consent_tap_is_recorded_with_version_and_acknowledged(telegram_settings,
                                                                    fake_telegram, database):
    async with running_app(telegram_settings()) as (client, service):
        await client.post("/webhook/telegram", json=telegram_update("start"),
                          headers=secret_headers())
        async with database.read() as session:
            user = (await session.execute(select(User))).scalar_one()
            assert user.consent_at is None and user.consent_version is None
        response = await client.post("/webhook/telegram",
                                     json=telegram_update("callback", data="consent:yes"),
                                     headers=secret_headers())
        assert response.status_code == 200
        await wait_until(lambda: fake_telegram.answered_callbacks)
        await wait_until(lambda: any("ghi nhận" in m["text"] for m in fake_telegram.sent))
    async with database.read() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert user.consent_version == texts.PRIVACY_NOTICE_VERSION and user.consent_at is not None
    assert fake_telegram.answered_callbacks == ["4382153287493152187"]


async def test_same_update_twice_in_a_row_has_one_effect(telegram_settings, fake_telegram,
                                                         database):
    update = telegram_update("text")
    async with running_app(telegram_settings()) as (client, service):
        first = await client.post("/webhook/telegram", json=update, headers=secret_headers())
        second = await client.post("/webhook/telegram", json=update, headers=secret_headers())
        assert (first.status_code, second.status_code) == (200, 200)
        await wait_until(lambda: len(fake_telegram.sent) >= 1)
        await asyncio.sleep(0.2)
    assert len(fake_telegram.sent) == 1
    assert await count_rows(database, "inbound_events") == 1
    assert await count_rows(database, "outbox") == 1


async def test_same_update_twenty_times_concurrently_has_one_effect(telegram_settings,
                                                                    fake_telegram, database):
    update = telegram_update("start")
    async with running_app(telegram_settings()) as (client, service):
        responses = await asyncio.gather(*[
            client.post("/webhook/telegram", json=update, headers=secret_headers())
            for _ in range(20)])
        assert {response.status_code for response in responses} == {200}
        await wait_until(lambda: len(fake_telegram.sent) >= 2)
        await asyncio.sleep(0.2)
    assert len(fake_telegram.sent) == 2  # greeting + notice, once
    assert await count_rows(database, "inbound_events") == 1
    assert await count_rows(database, "outbox") == 2


async def test_handler_that_raises_gets_apology_and_others_keep_flowing(
        telegram_settings, fake_telegram, database, monkeypatch, caplog):
    async def broken(turn):
        turn.user.consent_version = "written-before-the-crash"
        raise RuntimeError("boom")

    async with running_app(telegram_settings()) as (client, service):
        monkeypatch.setitem(service.processor.router.commands, "menu", broken)
        bad = telegram_update("start", text="/menu", chat_id=111)
        good = telegram_update("start", chat_id=222)
        responses = [await client.post("/webhook/telegram", json=u, headers=secret_headers())
                     for u in (bad, good)]
        assert [r.status_code for r in responses] == [200, 200]
        await wait_until(lambda: fake_telegram.texts_to(111) and
                         len(fake_telegram.texts_to(222)) == 2)
    assert "Xin lỗi" in fake_telegram.texts_to(111)[0]
    assert f"event {bad['update_id']}" in caplog.text
    async with database.read() as session:
        crashed = (await session.execute(select(User).where(User.address == "111"))).scalar_one()
    assert crashed.consent_version is None  # the failed step's writes were rolled back


async def test_unsupported_kinds_get_polite_text_only_answer(telegram_settings, fake_telegram):
    async with running_app(telegram_settings()) as (client, service):
        for index, kind in enumerate(("photo", "sticker", "voice", "location")):
            response = await client.post("/webhook/telegram",
                                         json=telegram_update(kind, chat_id=300 + index),
                                         headers=secret_headers())
            assert response.status_code == 200
        await wait_until(lambda: len(fake_telegram.sent) == 4)
    for message in fake_telegram.sent:
        assert "Loa Số hiện chỉ đọc được tin nhắn chữ" in message["text"]


async def test_edits_group_and_channel_posts_are_acknowledged_and_ignored(
        telegram_settings, fake_telegram, database):
    async with running_app(telegram_settings()) as (client, service):
        for kind in ("edited", "group", "channel_post"):
            response = await client.post("/webhook/telegram", json=telegram_update(kind),
                                         headers=secret_headers())
            assert response.status_code == 200
        await asyncio.sleep(0.2)
    assert fake_telegram.sent == []
    for table in ("users", "inbound_events", "outbox"):
        assert await count_rows(database, table) == 0


async def test_blocking_the_bot_stops_the_resident_and_unblocking_resumes(
        telegram_settings, fake_telegram, database):
    async with running_app(telegram_settings()) as (client, service):
        await client.post("/webhook/telegram", json=telegram_update("blocked"),
                          headers=secret_headers())
        async with database.read() as session:
            user = (await session.execute(select(User))).scalar_one()
        assert user.status == "stopped"
        await client.post("/webhook/telegram", json=telegram_update("unblocked"),
                          headers=secret_headers())
        async with database.read() as session:
            user = (await session.execute(select(User))).scalar_one()
        assert user.status == "active"
        await asyncio.sleep(0.1)
    assert fake_telegram.sent == []  # neither event is answered


async def test_long_nfd_and_emoji_texts_are_handled(telegram_settings, fake_telegram, database):
    import unicodedata

    texts = {401: "đại hội " * 1250, 402: unicodedata.normalize("NFD", "Không đồng ý"),
             403: "🎉🇻🇳👍"}
    async with running_app(telegram_settings()) as (client, service):
        for chat, text in texts.items():
            response = await client.post("/webhook/telegram",
                                         json=telegram_update("text", chat_id=chat, text=text),
                                         headers=secret_headers())
            assert response.status_code == 200
        await wait_until(lambda: all(fake_telegram.texts_to(chat) for chat in texts))
    for chat in texts:  # plain text is a search: each gets an answer, none crashes
        assert fake_telegram.texts_to(chat)
    async with database.read() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert set(statuses) == {"sent"}
