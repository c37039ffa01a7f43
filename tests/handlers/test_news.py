"""Browsing, search, FAQ and calendar through the real handlers (terminal channel)."""

from __future__ import annotations

import shutil

import pytest

from handlers import texts
from tests.conftest import MINI_PACK, SHIPPED_PACK
from tests.utils import dialog


def options(reply: str) -> list[str]:
    return [line.partition(". ")[2] for line in reply.splitlines()
            if line[:1].isdigit() and ". " in line]


@pytest.mark.parametrize("as_of, heading, topics", [
    ("2025-08-15", "Đợt I", ["Lịch sử Đảng", "Dự thảo văn kiện", "Quay lại"]),  # not yet XIV
    ("2025-09-05", "Đợt I", ["Lịch sử Đảng", "Dự thảo văn kiện", "Đại hội XIV"]),
    ("2025-12-01", "Giai đoạn hiện nay: Trước khai mạc Đại hội XIV.", ["Đại hội XIV"]),
    ("2026-06-01", "Đợt III", ["Nghị quyết Đại hội"]),
])
async def test_tin_shows_the_topics_of_the_phase_on_that_date(make_settings, as_of, heading,
                                                              topics):
    async with dialog(make_settings(), as_of=as_of) as talk:
        (home,) = await talk("/tin")
    assert heading in home
    shown = options(home)
    assert shown[:len(topics)] == topics
    assert shown[-2:] == ["Quay lại", "Menu"]


async def test_topic_then_article_then_back(make_settings):
    async with dialog(make_settings(), as_of="2025-08-15") as talk:
        await talk("/tin")
        (listing,) = await talk.choose("Lịch sử Đảng")
        assert options(listing) == ["Lịch sử vẻ vang của Đảng", "Quay lại", "Menu"]
        (article,) = await talk.choose("Lịch sử vẻ vang của Đảng")
        assert "LỊCH SỬ VẺ VANG CỦA ĐẢNG" in article
        assert "lịch sử của Đảng" in article and "**" not in article  # markdown made plain
        assert "trang chính thức (https://dangcongsan.vn)" in article
        assert "Nguồn chính thức:" in article and "Đăng ngày 25/7/2025." in article
        (back,) = await talk.choose("Quay lại")
    assert options(back)[0] == "Lịch sử vẻ vang của Đảng"


async def test_placeholders_are_shown_as_being_updated(make_settings):
    async with dialog(make_settings(), as_of="2025-08-15") as talk:
        await talk("/tin")
        await talk.choose("Dự thảo văn kiện")
        (article,) = await talk.choose("Dự thảo văn kiện Đại hội Đảng bộ xã")
    assert texts.PLACEHOLDER_SHOWN in article and "CẦN BỔ SUNG" not in article


async def test_archive_reaches_earlier_phases(make_settings):
    async with dialog(make_settings(), as_of="2026-06-01") as talk:
        await talk("/tin")
        (archive,) = await talk.choose("Các đợt trước")
        assert options(archive)[:2] == ["Đợt II: Đến khi bế mạc Đại hội XIV",
                                        "Đợt I: Đến khi xong Đại hội Đảng bộ Thành phố"]
        (phase,) = await talk.choose("Đợt I: Đến khi xong Đại hội Đảng bộ Thành phố")
    assert "Lịch sử Đảng" in options(phase)


async def test_long_topic_lists_are_paginated_by_eight(make_settings):
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of="2025-08-15") as talk:
        (first,) = await talk("/tin")
        assert len(options(first)) == 8 + 3  # 8 topics, then Xem thêm, Quay lại, Menu
        (second,) = await talk.choose("Xem thêm")
    assert options(first)[8] == "Xem thêm"
    assert set(options(second)).isdisjoint(options(first)[:8])


async def test_a_button_for_content_removed_by_a_reload_is_answered(make_settings, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    async with dialog(make_settings(content_dir=pack), as_of="2025-08-15") as talk:
        await talk("/tin")
        await talk.choose("Lịch sử Đảng")
        (pack / "articles" / "lich-su-dang.md").unlink()
        assert (await talk.service.reload_content()) is True
        (answer,) = await talk.choose("Lịch sử vẻ vang của Đảng")
    assert answer.startswith(texts.STALE)


async def test_an_invalid_reload_keeps_the_old_pack(make_settings, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    async with dialog(make_settings(content_dir=pack), as_of="2025-08-15") as talk:
        (pack / "campaign.yaml").write_text("organisation: [", encoding="utf-8")
        assert (await talk.service.reload_content()) is False
        (home,) = await talk("/tin")
    assert "Lịch sử Đảng" in options(home)


@pytest.mark.parametrize("query", ["/timkiem dai hoi xiv", "/timkiem DAI HOI 14", "đại hội xiv"])
async def test_search_lists_articles_about_congress_xiv(make_settings, query):
    async with dialog(make_settings()) as talk:
        (results,) = await talk(query)
    shown = options(results)
    assert "Ý nghĩa Đại hội XIV của Đảng" in shown and shown[-1] == "Menu"


async def test_search_answers_faq_first(make_settings):
    async with dialog(make_settings()) as talk:
        replies = await talk("góp ý văn kiện như thế nào")
    assert replies[0] == "💬 Bạn chọn “Văn kiện & Góp ý” trong menu."
    # articles after an answer are further reading, not "the results for" the question
    (related,) = replies[1:]
    assert related.startswith(texts.SEARCH_RELATED) and "Kết quả cho" not in related


@pytest.mark.parametrize("query", ["!!!", "🎉🎉🎉", "x" * 5000, "zzzkhongco"])
async def test_searches_that_find_nothing_get_help_and_the_menu(make_settings, query):
    async with dialog(make_settings()) as talk:
        (answer,) = await talk(f"/timkiem {query}")
    assert answer.startswith(("Bạn gõ từ khóa", "Loa Số chưa tìm thấy")) and "Tin Đại hội" in answer
    assert len(answer) < 1000  # a 5,000-character query is not echoed back whole


async def test_greetings_are_greeted_not_searched(make_settings):
    async with dialog(make_settings()) as talk:
        (answer,) = await talk("Xin chào!")
    assert answer.startswith(texts.HELLO)


async def test_faq_menu_lists_questions_and_answers(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/menu")
        (listing,) = await talk.choose("Hỏi đáp")
        assert options(listing)[:2] == ["Góp ý dự thảo văn kiện như thế nào?", "Ai vận hành Loa Số?"]
        (answer,) = await talk.choose("Ai vận hành Loa Số?")
    assert "Đảng ủy xã Thử Nghiệm." in answer and options(answer) == ["Quay lại", "Menu"]


async def test_calendar_groups_next_events_and_key_dates_by_month(make_settings):
    async with dialog(make_settings(), as_of="2025-09-01") as talk:
        (calendar,) = await talk("/lich")
    months = calendar.split("📌 ")
    assert [month.splitlines()[0] for month in months[1:]] == [
        "Tháng 7/2025", "Tháng 8/2025", "Tháng 9/2025", "Tháng 1/2026"]
    assert "Thứ Ba, 22/7/2025: Ban hành kế hoạch" in months[1]  # the phase starts on it
    assert "20–21/8/2025: Đại hội Đảng bộ xã lần thứ I (dự kiến, chưa chính thức)" in months[2]
    assert "26–27/9/2025: Đại hội Đảng bộ thành phố" in months[3]
    assert "19–23/1/2026: Đại hội đại biểu toàn quốc lần thứ XIV" in months[4]
    assert calendar.count("Ban hành kế hoạch") == 1  # a key date is not repeated as past


async def test_staff_pin_overrides_the_date_but_not_a_preview(make_settings, database):
    import datetime as dt

    from db import campaign

    async with database.transaction() as session:
        await campaign.set_override(session, phase_id="dot-3", stage_id=None, by="Cán bộ A",
                                    now=dt.datetime.now(dt.UTC))
    async with dialog(make_settings()) as talk:
        (pinned,) = await talk("/tin")
    assert "Đợt III" in pinned and texts.NEWS_PINNED in pinned
    async with dialog(make_settings(), as_of="2025-08-15") as talk:
        (preview,) = await talk("/tin")
    assert "Đợt I" in preview and texts.NEWS_PINNED not in preview
