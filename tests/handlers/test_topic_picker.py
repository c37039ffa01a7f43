"""/dangky's topic picker (issue 16, item 4): a tap redraws the list in place on Telegram
(Capabilities.edits_messages) and sends only the change where messages cannot be edited."""

from __future__ import annotations

import asyncio

from handlers import texts
from messages.render import render_reply
from messages.types import Capabilities, Option, Reply
from tests.handlers.test_news import options
from tests.utils import (
    TelegramResident,
    dialog,
    running_app,
    secret_headers,
    telegram_update,
)


async def test_a_tap_edits_the_list_on_telegram(telegram_settings, fake_telegram):
    settings = telegram_settings(telegram_chat_rate_limit=100, telegram_chat_burst=20)
    async with running_app(settings) as (client, service):
        resident = TelegramResident(client, fake_telegram, 7401)
        await resident.say("/dangky")
        await resident.tap("Đồng ý")
        await resident.tap("Thôn 1")
        await resident.tap(texts.SUB_PICK)
        picker = resident.messages()[-1]
        sent_before = len(resident.messages())
        first = picker["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        response = await client.post("/webhook/telegram", headers=secret_headers(),
                                     json=telegram_update("callback", chat_id=7401, data=first,
                                                          message_id=picker["message_id"]))
        assert response.status_code == 200
        for _ in range(100):
            if fake_telegram.edits:
                break
            await asyncio.sleep(0.02)
    assert len(resident.messages()) == sent_before  # nothing new: the list was redrawn
    (edit,) = fake_telegram.edits
    assert edit["message_id"] == picker["message_id"]
    labels = [row[0]["text"] for row in picker["reply_markup"]["inline_keyboard"]]
    assert labels[0].startswith(texts.SUB_CHOSEN_MARK)  # the stored message shows the mark


async def test_a_tap_sends_only_the_change_where_nothing_can_be_edited(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/dangky")
        await talk.choose("Đồng ý")
        await talk.choose("Thôn 1")
        (picker,) = await talk.choose(texts.SUB_PICK)
        first = options(picker)[0]
        (change,) = await talk.choose(first)
        assert change == texts.SUB_TOPIC_ADDED.format(topic=first, count=1)
        assert len(change) < len(picker) // 2  # not the whole list again
        (again,) = await talk("1")  # numbers still refer to the list
    assert again == texts.SUB_TOPIC_REMOVED.format(topic=first, count=0)


def test_rendering_a_change_by_capability():
    reply = Reply("Chọn chủ đề", (Option("✅ A", "sub:t:a"), Option("B", "sub:t:b")),
                  change="Đã chọn A")
    telegram = Capabilities(buttons=True, max_text_length=4096, edits_messages=True)
    buttons_only = Capabilities(buttons=True, max_text_length=2000)
    text_only = Capabilities(buttons=False, max_text_length=2000)
    assert render_reply(reply, telegram, "42") == [
        {"type": "edit", "message_ref": "42", "text": "Chọn chủ đề",
         "buttons": [["✅ A", "sub:t:a"], ["B", "sub:t:b"]]}]
    assert render_reply(reply, telegram, None)[0]["text"] == "Đã chọn A"  # nothing to edit
    assert render_reply(reply, buttons_only, "42") == [
        {"type": "message", "text": "Đã chọn A",
         "buttons": [["✅ A", "sub:t:a"], ["B", "sub:t:b"]]}]
    assert render_reply(reply, text_only, "42") == [{"type": "message", "text": "Đã chọn A"}]
