"""The consultation flow through the real handlers (terminal channel) on the mini pack."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import Comment
from handlers import texts
from tests.conftest import count_rows
from tests.handlers.test_news import options
from tests.utils import dialog

RECEIPT = re.compile(r"GY-[A-Z0-9]{6,}")
REASONS = "Phần đánh giá cần nêu rõ hơn khó khăn của thôn xóm."


async def comments(database) -> list[Comment]:
    async with database.read() as session:
        return list((await session.execute(select(Comment).order_by(Comment.id))).scalars())


async def open_section(talk, section: str = "Chương 1. Kinh tế") -> None:
    await talk("/gopy")
    await talk.choose("Dự thảo Báo cáo chính trị (thử nghiệm)")
    await talk.choose("  " + section if section.startswith("Chương") else section)


async def compose(talk, stance: str = "Không tán thành", text: str = REASONS) -> list[str]:
    """From a section screen up to the preview (consenting inline if asked)."""
    replies = await talk.choose("Góp ý mục này")
    if any("Đồng ý" in line for line in options(replies[-1])):
        await talk.choose("Đồng ý")
    await talk.choose(stance)
    await talk(text)
    return await talk.choose("Ẩn danh")


async def test_comment_on_a_section_ends_with_a_receipt(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        (preview,) = await compose(talk)
        assert "📌 Phần I. Đánh giá › Chương 1. Kinh tế" in preview and REASONS in preview
        (receipt,) = await talk.choose("Gửi")
    code = RECEIPT.search(receipt).group(0)
    (stored,) = await comments(database)
    assert stored.receipt == code and stored.draft_id == "bao-cao" and stored.draft_version == "2"
    assert stored.section_id == "p1-c1" and stored.section_quote == "Nội dung chương 1."
    assert stored.section_label == "Phần I. Đánh giá › Chương 1. Kinh tế"
    assert (stored.stance, stored.text, stored.signed_name) == ("khong_tan_thanh", REASONS, None)
    assert stored.source == "console" and stored.status == "moi"


async def test_consent_is_asked_inline_and_the_resident_continues(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        notice_replies = await talk.choose("Góp ý mục này")
        assert notice_replies[0] == texts.GY_NEEDS_CONSENT
        after = await talk.choose("Đồng ý")
    assert after[-1].startswith("Bạn góp ý về: Phần I. Đánh giá › Chương 1. Kinh tế")
    assert options(after[-1])[:3] == ["Tán thành", "Không tán thành", "Đồng ý một phần"]


async def test_refusing_consent_stores_no_comment(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await talk.choose("Góp ý mục này")
        (refused,) = await talk.choose("Không đồng ý")
    assert refused.startswith(texts.GY_CONSENT_REFUSED)
    assert await count_rows(database, "comments") == 0


async def test_general_comment_with_agreement_needs_no_text(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/gopy")
        await talk.choose("Dự thảo Báo cáo chính trị (thử nghiệm)")
        await talk.choose("Góp ý chung")
        await talk.choose("Đồng ý")
        await talk.choose("Tán thành")
        await talk.choose("Bỏ qua")
        (preview,) = await talk.choose("Ẩn danh")
        assert "toàn văn dự thảo" in preview and texts.GY_NO_TEXT in preview
        await talk.choose("Gửi")
    (stored,) = await comments(database)
    assert (stored.section_id, stored.section_order, stored.text) == (None, -1, "")


async def test_signed_comment_keeps_name_and_hamlet(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await talk.choose("Góp ý mục này")
        await talk.choose("Đồng ý")
        await talk.choose("Đồng ý một phần")
        await talk(REASONS)
        await talk.choose("Ghi tên")
        await talk("  Trần   Thị Hoa ")
        (preview,) = await talk.choose("Thôn 2")
        assert "👤 Trần Thị Hoa, Thôn 2" in preview
        await talk.choose("Gửi")
    (stored,) = await comments(database)
    assert (stored.signed_name, stored.hamlet_id) == ("Trần Thị Hoa", "thon-2")


@pytest.mark.parametrize("text, expected", [
    ("   ", texts.GY_NO_WORDS),
    ("🎉🎉🎉👍", texts.GY_NO_WORDS),
    ("ok ạ", "Góp ý mới có 4 ký tự; cần ít nhất 10 ký tự."),
    ("x" * 4001, "Góp ý dài 4.001 ký tự, vượt giới hạn 4.000 ký tự."),
])
async def test_bad_comment_texts_are_refused_with_counts_and_nothing_is_written(
        make_settings, database, text, expected):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await talk.choose("Góp ý mục này")
        await talk.choose("Đồng ý")
        await talk.choose("Không tán thành")
        (answer,) = await talk(text)
        assert answer.startswith(expected)
        (accepted,) = await talk(REASONS)  # still waiting for the text: a good one goes on
    assert accepted.startswith(texts.GY_IDENTITY)
    assert await count_rows(database, "comments") == 0


async def test_reasons_are_required_for_disagreement(make_settings):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await talk.choose("Góp ý mục này")
        await talk.choose("Đồng ý")
        (prompt,) = await talk.choose("Không tán thành")
        assert "Bỏ qua" not in options(prompt) and "lý do" in prompt
        from messages.types import Inbound, InboundKind

        await talk.service.processor.handle(Inbound(  # an old "Bỏ qua" button pressed anyway
            "console", "skip-1", "resident-1", InboundKind.BUTTON, button="gy:skip"))
        await talk.service.sender.drain()
    assert "lý do" in talk.printed[-1]


async def test_pressing_send_twice_makes_one_comment(make_settings, database):
    from db.models import ConversationState
    from messages.types import Inbound, InboundKind

    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await compose(talk)
        async with database.read() as session:
            (state,) = (await session.execute(select(ConversationState))).scalars()
        send = f"gy:send:{state.data['key']}"
        for press in ("tap-1", "tap-2"):  # two taps on the same "Gửi" button
            await talk.service.processor.handle(Inbound(
                "console", press, "resident-1", InboundKind.BUTTON, button=send))
        await talk.service.sender.drain()
    first, second = talk.printed[-2:]
    code = RECEIPT.search(first).group(0)
    assert second == texts.GY_ALREADY_SENT.format(receipt=code)
    assert await count_rows(database, "comments") == 1


async def test_a_consultation_closing_while_typing_echoes_the_text(make_settings, database):
    moment = [datetime(2025, 8, 31, 9, 0, tzinfo=UTC)]  # 16:00 in Hải Phòng, closes 17:00
    async with dialog(make_settings(), clock=lambda: moment[0]) as talk:
        await talk("/gopy")
        await talk.choose("Dự thảo đã hết hạn góp ý")
        await talk.choose("Mục 1. Mục một")
        await compose(talk)
        moment[0] += timedelta(hours=2)
        (closed,) = await talk.choose("Gửi")
    assert "đã hết hạn góp ý lúc 17:00 ngày 31/08/2025" in closed and REASONS in closed
    assert await count_rows(database, "comments") == 0


async def test_a_closed_consultation_is_readable_and_takes_no_comments(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/gopy")
        (draft,) = await talk.choose("Dự thảo đã hết hạn góp ý")
        assert "Đã hết hạn góp ý lúc 17:00 ngày 31/08/2025" in draft
        assert texts.GY_GENERAL not in options(draft)
        (section,) = await talk.choose("Mục 1. Mục một")
    assert "Nội dung mục một." in section and texts.GY_THIS_SECTION not in options(section)


async def test_my_comments_lists_edits_and_withdraws(make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await compose(talk)
        (receipt,) = await talk.choose("Gửi")
        code = RECEIPT.search(receipt).group(0)
        (listing,) = await talk("/gopycuatoi")
        assert options(listing)[0].startswith(f"{code} · Mới nhận")
        (detail,) = await talk.choose(options(listing)[0])
        assert "Trạng thái: Mới nhận" in detail and options(detail)[:2] == ["Sửa", "Rút lại"]
        await talk.choose("Sửa")
        (too_short,) = await talk("ngắn")
        assert too_short.startswith("Góp ý mới có 4 ký tự")
        (edited,) = await talk("Nội dung mới, đã viết lại cho rõ ý hơn.")
        assert edited.startswith(f"Đã lưu nội dung mới cho góp ý {code}")
        await talk("/gopycuatoi")
        await talk("1")
        await talk.choose("Rút lại")
        (withdrawn,) = await talk.choose("Rút lại góp ý")
        assert withdrawn.startswith(f"Đã rút lại góp ý {code}")
        await talk("/gopycuatoi")
        (after,) = await talk("1")
    assert "Trạng thái: Đã rút lại" in after and "Sửa" not in options(after)
    (stored,) = await comments(database)
    assert (stored.text, stored.status) == ("Nội dung mới, đã viết lại cho rõ ý hơn.", "rut_lai")


async def test_nobody_can_open_someone_elses_comment(make_settings):
    async with dialog(make_settings(), user="author") as talk:
        await open_section(talk)
        await compose(talk)
        code = RECEIPT.search((await talk.choose("Gửi"))[0]).group(0)
    async with dialog(make_settings(), user="stranger") as talk:
        from messages.types import Inbound, InboundKind

        for step in ("c", "e", "w", "wy"):
            await talk.service.processor.handle(Inbound(
                "console", f"peek-{step}", "stranger", InboundKind.BUTTON, button=f"my:{step}:{code}"))
        await talk.service.sender.drain()
    assert all(reply.startswith(texts.STALE) for reply in talk.printed)
    assert not any(REASONS in reply for reply in talk.printed)
