"""Plain words as commands (issue 16, items 1–3): every phrasing in the table opens its
screen, with and without diacritics, in any case, with polite padding; searches stay
searches; a comment sentence is offered to /gopy with its text kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Stance, Subscription
from handlers import intents, texts
from tests.conftest import count_rows
from tests.handlers.test_news import options
from tests.utils import dialog

# What each screen's first reply starts with.
SCREENS = {
    "menu": texts.MENU_TITLE,
    "news": "📰 Tin Đại hội",
    "consultation": texts.GY_DRAFTS,
    "quiz": texts.QUIZ_INTRO[:30],
    "calendar": texts.CALENDAR_TITLE,
    "faq": texts.FAQ_TITLE,
    "subscribe": texts.PRIVACY_NOTICE[:30],  # no consent yet: the notice comes first
    "unsubscribe": texts.SUB_NOT_SUBSCRIBED,
    "help": texts.HELP[:30],
    "my_data": "🗂 Dữ liệu",
    "my_comments": texts.MY_NONE,
    "privacy": texts.CONSENT_STATUS_NONE,
    "hello": texts.HELLO,
    "thanks": texts.THANKS,
    "search_hint": texts.SEARCH_HINT,
    "search": "🔎 Kết quả cho",
    "nothing_found": "Loa Số chưa tìm thấy",
}

PHRASES = [
    # menu
    ("menu", "menu"), ("Menu", "menu"), ("MENU", "menu"), ("mê nu", "menu"),
    ("cho tôi xem menu", "menu"), ("về menu ạ", "menu"), ("trang chủ", "menu"),
    ("danh mục", "menu"), ("danh muc", "menu"), ("Quay lại", "menu"), ("quay lai", "menu"),
    ("trở lại", "menu"), ("tro lai nhe", "menu"),
    # consultation
    ("góp ý", "consultation"), ("gop y", "consultation"), ("GÓP Ý", "consultation"),
    ("bác muốn góp ý", "consultation"), ("bac muon gop y a", "consultation"),
    ("tôi muốn góp ý văn kiện", "consultation"), ("gửi góp ý", "consultation"),
    # quiz
    ("thi", "quiz"), ("Thi", "quiz"), ("thi tìm hiểu", "quiz"), ("thi tim hieu", "quiz"),
    ("cho cháu thi với", "quiz"), ("cuộc thi", "quiz"), ("THI TÌM HIỂU ạ", "quiz"),
    # calendar
    ("lịch", "calendar"), ("lich", "calendar"), ("Lịch!", "calendar"),
    ("cho tôi xem lịch", "calendar"), ("xem lịch ạ", "calendar"),
    ("lịch sự kiện", "calendar"), ("lich su kien nhe", "calendar"),
    ("bác muốn xem lịch đại hội", "calendar"),
    # news, FAQ
    ("tin tức", "news"), ("tin tuc", "news"), ("cho tôi xem tin", "news"),
    ("hỏi đáp", "faq"), ("hoi dap", "faq"),
    # subscriptions
    ("đăng ký", "subscribe"), ("dang ky", "subscribe"), ("đăng kí", "subscribe"),
    ("tôi muốn đăng ký nhận tin", "subscribe"), ("Đăng Ký Nhận Tin ạ", "subscribe"),
    ("hủy", "unsubscribe"), ("huỷ", "unsubscribe"), ("huy", "unsubscribe"),
    ("dừng", "unsubscribe"), ("dung lai", "unsubscribe"), ("STOP", "unsubscribe"),
    ("hủy đăng ký", "unsubscribe"),
    # help, data, privacy
    ("trợ giúp", "help"), ("tro giup", "help"), ("hướng dẫn", "help"),
    ("huong dan a", "help"), ("cho tôi hướng dẫn với", "help"),
    ("dữ liệu của tôi", "my_data"), ("du lieu cua toi", "my_data"),
    ("Dữ Liệu Của Tôi", "my_data"), ("góp ý của tôi", "my_comments"),
    ("quyền riêng tư", "privacy"),
    # greetings
    ("xin chào", "hello"), ("xin chao", "hello"), ("chào", "hello"), ("Chào bạn!", "hello"),
    ("alo", "hello"), ("chào Loa Số", "hello"), ("cảm ơn", "thanks"),
    ("cam on ban", "thanks"),
    # search only when clearly asked; words that are also search terms stay searches
    ("tìm", "search_hint"), ("tìm đại hội XIV", "search"), ("tim dai hoi 14", "search"),
    ("tra cứu đại hội XIV nhé", "search"), ("lịch sử Đảng", "search"),
    ("thi đua", "search"), ("đường làng zzz", "nothing_found"),
]


def test_the_table_has_at_least_sixty_phrasings():
    assert len(PHRASES) >= 60
    assert {screen for _, screen in PHRASES} == set(SCREENS)


@pytest.mark.parametrize("phrase, screen", PHRASES)
async def test_each_phrase_opens_its_screen(make_settings, phrase, screen):
    async with dialog(make_settings()) as talk:
        replies = await talk(phrase)
    assert replies[0].startswith(SCREENS[screen]), (phrase, replies[0][:80])


@pytest.mark.parametrize("text, meant", [
    ("Cho tôi xem LỊCH ạ!", ("/lich", "")),
    ("tìm Tô Lâm nhé", ("/timkiem", "Tô Lâm")),
    ("lịch sử Đảng", None),
    ("đường làng", None),
])
def test_understand_reads_the_whole_message(text, meant):
    assert intents.understand(text, False) == meant


async def test_words_where_a_flow_waits_for_a_button(make_settings, database):
    async with dialog(make_settings(), as_of="2025-09-05") as talk:
        await talk("/dangky")
        await talk.choose("Đồng ý")
        await talk.choose("Thôn 1")
        await talk.choose(texts.SUB_PICK)
        await talk.choose("Lịch sử Đảng")
        (left,) = await talk("hủy")  # inside the flow: leaves it, ends nothing
        assert left.startswith(texts.FLOW_LEFT)
        assert await count_rows(database, "subscriptions") == 0
        await talk("/dangky")
        (calendar,) = await talk("xem lịch")  # another screen, nothing saved
        assert calendar.startswith(texts.CALENDAR_TITLE)
        (searched,) = await talk("Lịch sử Đảng")  # the flow is left: a search again
        assert searched.startswith("🔎")
    async with database.read() as session:
        assert (await session.execute(select(Subscription))).first() is None


async def test_where_a_flow_waits_for_typed_text_the_text_is_the_answer(make_settings):
    async with dialog(make_settings(quiz_round_size=1)) as talk:
        await talk("/thi")
        await talk.choose(texts.QUIZ_JOIN)
        await talk.choose("Đồng ý")
        (hamlets,) = await talk("lịch")  # a name for the leaderboard, not the calendar
    assert hamlets.startswith(texts.QUIZ_ASK_HAMLET)


async def test_back_returns_to_the_screen_before(make_settings):
    async with dialog(make_settings(), as_of="2025-08-15") as talk:
        (home,) = await talk("/tin")
        await talk.choose("Lịch sử Đảng")
        (back,) = await talk("quay lại ạ")
    assert back == home


@pytest.mark.parametrize("sentence", [
    "bác muốn góp ý về đường làng xóm mình",
    "Đề nghị sửa lại đường làng thôn 2",
    "kiến nghị lắp thêm đèn đường",
])
async def test_a_comment_sentence_is_offered_to_gopy_with_its_text_kept(make_settings,
                                                                        sentence):
    async with dialog(make_settings()) as talk:
        replies = await talk(sentence)
        assert texts.GY_KEEP_COMMENT in options(replies[-1])
        replies = await talk.choose(texts.GY_KEEP_COMMENT)
        if "Đồng ý" in options(replies[-1]):
            replies = await talk.choose("Đồng ý")
        assert texts.STANCES[Stance.PARTLY] in options(replies[-1])  # the stance first
        replies = await talk.choose(texts.STANCES[Stance.PARTLY])
    text = "\n".join(replies)
    assert texts.GY_KEPT_USED.format(text=sentence) in text  # not typed again
    assert texts.GY_IDENTITY in text
