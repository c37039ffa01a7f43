"""/phananh through the real handlers (terminal channel) on the mini pack: receipts, the bad
inputs the issue names, and nothing written when refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.listening_models import Inquiry
from handlers import texts
from messages.types import Inbound, InboundKind
from tests.conftest import count_rows
from tests.utils import dialog

RECEIPT = re.compile(r"PA-[A-Z0-9]{8}")
RUMOUR = "Trên mạng có bài nói Đại hội xã bị hoãn, xem https://vi-du.vn/bai-viet?id=3 ạ."


async def inquiries(database) -> list[Inquiry]:
    async with database.read() as session:
        return list((await session.execute(select(Inquiry).order_by(Inquiry.id))).scalars())


async def open_kind(talk, kind: str = "Báo tin sai/xấu độc") -> list[str]:
    await talk("/phananh")
    await talk.choose("Đồng ý")
    return await talk.choose(kind)


async def send_photo(talk, *, caption: str = "", size: int = 60_512) -> list[str]:
    before = len(talk.printed)
    event = Inbound("console", f"{talk.session}:photo:{size}", talk.user, InboundKind.UNSUPPORTED,
                    what="photo", text=caption, photo="telegram:AgACAgUAAxk", photo_bytes=size)
    await talk.service.processor.handle(event)
    await talk.service.sender.drain()
    return talk.printed[before:]


async def test_a_rumour_report_with_a_link_ends_with_a_receipt(make_settings, database):
    async with dialog(make_settings()) as talk:
        (ask,) = await open_kind(talk)
        assert ask.startswith("Báo tin sai/xấu độc: mời bạn gõ nội dung (tối đa 4.000 ký tự)")
        (preview,) = await talk(RUMOUR)
        assert "👤 Ẩn danh" in preview and "🔗 https://vi-du.vn/bai-viet?id=3" in preview
        (receipt,) = await talk.choose("Gửi")
        again = await talk("1")  # the menu now; "Gửi" is gone, nothing is sent twice
    code = RECEIPT.search(receipt).group(0)
    (stored,) = await inquiries(database)
    assert (stored.receipt, stored.kind, stored.status, stored.text) == (
        code, "tin_sai", "moi", RUMOUR)
    assert stored.link == "https://vi-du.vn/bai-viet?id=3" and stored.source == "console"
    assert stored.tags == [] and stored.sensitive is False and again


async def test_the_menu_has_the_button(make_settings, database):
    async with dialog(make_settings()) as talk:
        (menu,) = await talk("/menu")
    assert "Hỏi – Phản ánh" in menu


async def test_a_photo_with_a_caption_is_kept_as_a_handle(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_kind(talk)
        (preview,) = await send_photo(talk, caption="Tờ rơi này nói sai về lịch bầu cử")
        assert texts.PA_PHOTO_LINE.strip() in preview
        await talk.choose("Gửi")
    (stored,) = await inquiries(database)
    assert stored.photo == "telegram:AgACAgUAAxk" and stored.text.startswith("Tờ rơi")


async def test_a_photo_without_caption_asks_for_text(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_kind(talk, "Hỏi")
        (asked,) = await send_photo(talk)
        assert asked.startswith(texts.PA_PHOTO_NEEDS_TEXT)
        (preview,) = await talk("Ảnh này chụp ở đâu vậy?")
        assert texts.PA_PHOTO_LINE.strip() in preview
        await talk.choose("Gửi")
    (stored,) = await inquiries(database)
    assert (stored.kind, stored.photo) == ("hoi", "telegram:AgACAgUAAxk")


async def answer_to(talk, inbound_kind: str, payload) -> list[str]:
    if inbound_kind == "sticker":
        before = len(talk.printed)
        await talk.service.processor.handle(Inbound(
            "console", f"{talk.session}:sticker", talk.user, InboundKind.UNSUPPORTED,
            what="sticker"))
        await talk.service.sender.drain()
        return talk.printed[before:]
    if inbound_kind == "photo":
        return await send_photo(talk, caption="ảnh", size=payload)
    return await talk(payload)


@pytest.mark.parametrize("inbound_kind, payload, expected", [
    ("sticker", None, texts.PA_NO_WORDS),
    ("text", "   🎉 !!! ", texts.PA_NO_WORDS),
    ("text", "x" * 4001, "Nội dung dài 4.001 ký tự, vượt giới hạn 4.000 ký tự."),
    ("photo", 25 * 1024 * 1024, "Ảnh này nặng 25,0 MB, vượt giới hạn 20 MB"),
])
async def test_bad_reports_are_refused_clearly_and_nothing_is_written(
        make_settings, database, inbound_kind, payload, expected):
    async with dialog(make_settings()) as talk:
        await open_kind(talk)
        (answer,) = await answer_to(talk, inbound_kind, payload)
    assert answer.startswith(expected)
    assert await count_rows(database, "inquiries") == 0


async def test_cancel_writes_nothing(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_kind(talk, "Kiến nghị")
        await talk("Đề nghị mở thêm buổi đối thoại ở thôn 2")
        (cancelled,) = await talk.choose("Hủy")
    assert cancelled.startswith(texts.PA_CANCELLED)
    assert await count_rows(database, "inquiries") == 0


def test_photos_from_telegram_and_zalo_oa_carry_a_handle_and_their_caption():
    from telegram import Update

    from bot.channels.telegram import classify
    from bot.channels.zalo_oa import ZaloOAChannel
    from tests.conftest import fixture

    photo = classify(Update.de_json(fixture("telegram/photo.json"), None))
    assert (photo.kind, photo.photo, photo.photo_bytes, photo.text) == (
        InboundKind.UNSUPPORTED, "telegram:AgACAgUAAxkBAAIBZ2dFaKf", 60512, "Ảnh băng rôn")
    # parse_event reads nothing of the channel's own state
    image = ZaloOAChannel.parse_event(None, fixture("zalo_oa/user_send_image.json"))
    assert (image.kind, image.photo, image.text) == (
        InboundKind.UNSUPPORTED, "zalo-oa:https://photo-stal.zadn.vn/abc.jpg", "")
    sticker = ZaloOAChannel.parse_event(None, fixture("zalo_oa/user_send_sticker.json"))
    assert sticker.photo is None
