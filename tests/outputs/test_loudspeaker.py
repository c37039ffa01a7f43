"""The loudspeaker script: order, flags, shortening, warnings (bot/outputs/loudspeaker.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.outputs import bulletin_files
from bot.outputs.loudspeaker import (
    NothingToRead,
    Notice,
    ScriptBuilder,
    count_words,
    fit,
)
from content.models import Article
from content.pack import Pack
from content.search import SearchIndex
from content.store import Content
from tests.scheduler.test_announcements import mini_pack

DAY = dt.date(2026, 1, 20)  # Đại hội XIV in session: the mini pack's "trong-dai-hoi" stage
ABBREVIATIONS = {"UBND": "Ủy ban nhân dân"}


def view_of(pack, day=DAY):
    return Content(pack, SearchIndex(pack)).visible(day)


def with_article(pack, body: str, summary: str = "Tóm tắt ngắn.", **fields):
    article = Article.model_validate({
        "id": "bai-dai", "title": "Bài rất dài về Đại hội", "phases": ["dot-2"],
        "stages": ["trong-dai-hoi"], "topic": pack.articles[0].topic, "summary": summary,
        "from": dt.date(2026, 1, 19), "body": body, **fields})
    return Pack.build(
        pack.campaign, [*pack.articles, article], pack.faq, pack.slogans,
        list(pack.drafts.values()), bulletins=pack.bulletins, quiz=pack.quiz)


def build(pack, notices=(), minutes=10):
    return ScriptBuilder(pack, ABBREVIATIONS).build(view_of(pack), list(notices), minutes=minutes)


def test_urgent_announcement_leads_and_is_flagged():
    notices = [Notice(1, "Chi bộ Thôn 1", "Họp chi bộ tối nay.", "thuong"),
               Notice(2, "UBND xã", "Bão số 3 vào đêm nay, bà con chằng chống nhà cửa.",
                      "khan-cap"),
               Notice(3, "MTTQ xã", "Mời bà con góp ý dự thảo.", "uu-tien")]
    script = build(mini_pack(), notices)
    labels = [item.label for item in script.items]
    assert labels[:3] == ["Thông báo #2 (khẩn cấp)", "Thông báo #3 (ưu tiên)",
                          "Thông báo #1 (thường)"]
    assert [item.urgent for item in script.items[:3]] == [True, False, False]
    assert script.items[0].heading == "Thông báo khẩn của Ủy ban nhân dân xã."
    assert "bão số ba" in script.items[0].text.lower()
    text = bulletin_files.to_text(script)
    assert "[KHẨN CẤP] Thông báo khẩn của Ủy ban nhân dân xã." in text
    assert "Có 1 thông báo khẩn cấp, đọc đầu tiên." in text
    assert text.index("Bão số ba") < text.index("Họp chi bộ")


def test_articles_of_the_day_only_and_formulas_from_the_pack():
    script = build(mini_pack())
    titles = [item.label for item in script.items]
    assert titles and all(label.startswith("Bài: ") for label in titles)
    assert "Bài: Học tập Nghị quyết Đại hội XIV" not in titles  # dated after the day
    assert script.opening.startswith("Đây là Đài truyền thanh Đảng ủy xã Thử Nghiệm")
    assert "ngày hai mươi tháng Một năm hai nghìn không trăm hai mươi sáu" in script.opening
    assert script.closing.endswith("Cảm ơn bà con đã chú ý lắng nghe.")


def test_an_article_longer_than_the_time_is_cut_at_a_sentence_boundary():
    sentences = [f"Câu thứ {n} nói về việc chuẩn bị Đại hội ở thôn xóm." for n in range(1, 200)]
    body = " ".join(sentences)
    # the summary is too long as well, so the body itself is cut
    pack = with_article(mini_pack(), body, summary=" ".join(sentences[:150]))
    script = build(pack, minutes=1)
    item = next(item for item in script.items if item.label == "Bài: Bài rất dài về Đại hội")
    assert item.shortened
    assert item.text.endswith("thôn xóm.")  # a whole sentence, never a cut word
    spoken_sentences = [s + "." for s in item.text.split(". ") if s]
    assert len(spoken_sentences) < len(sentences)
    assert script.words <= 140  # one minute at the pack's pace
    assert script.reading_time.startswith("Thời lượng đọc: khoảng ")
    assert "đã rút gọn" in " ".join(bulletin_files.note_lines(script))


def test_a_long_article_falls_back_to_its_summary():
    pack = with_article(mini_pack(), "Một câu dài về Đại hội. " * 400,
                        summary="Đại hội bàn việc lớn của đất nước.")
    item = next(item for item in build(pack, minutes=2).items if item.label.endswith("Đại hội"))
    assert (item.text, item.shortened) == ("Đại hội bàn việc lớn của đất nước.", True)


def test_what_does_not_fit_is_listed_not_cut_mid_word():
    notices = [Notice(n, "UBND xã", "Thông tin rất dài. " * 50, "thuong") for n in range(1, 6)]
    script = build(mini_pack(), notices, minutes=1)
    assert script.left_out  # named for the announcer
    for item in script.items:
        assert item.text.endswith("dài.")


def test_unknown_symbols_are_kept_and_listed():
    notice = Notice(1, "UBND xã", "Mức hỗ trợ ¤ 2 triệu đồng, hạn nộp ∆ cuối tháng.", "thuong")
    script = build(mini_pack(), [notice])
    assert "¤" in script.items[0].text and "∆" in script.items[0].text
    notes = " ".join(bulletin_files.note_lines(script))
    assert "Thông báo #1 (thường): Ký hiệu “¤” chưa biết cách đọc" in notes
    assert "“∆”" in notes


def test_a_period_with_nothing_to_read_is_refused():
    pack = mini_pack()
    with pytest.raises(NothingToRead, match="không có bài viết hay thông báo nào"):
        ScriptBuilder(pack, {}).build(view_of(pack, dt.date(2025, 1, 1)), [], minutes=10)


@pytest.mark.parametrize(("text", "limit", "expected", "cut"), [
    ("Một hai ba. Bốn năm.", 5, "Một hai ba. Bốn năm.", False),
    ("Một hai ba. Bốn năm.", 4, "Một hai ba.", True),
    ("Một hai ba. Bốn năm.", 2, "", True),
    ("Có không? Có! Thế…  Được.", 3, "Có không? Có!", True),
])
def test_fit_keeps_whole_sentences(text, limit, expected, cut):
    assert fit(text, limit) == (expected, cut)
    assert count_words(fit(text, limit)[0]) <= limit
