"""A number outside the options on screen (issue 16, item 2): "Bạn chọn từ 1 đến N" and the
same options again, on every screen that shows options; never a search, nothing written."""

from __future__ import annotations

import pytest

from handlers import texts
from tests.conftest import count_rows
from tests.handlers.test_news import options
from tests.utils import dialog

CONSENT = "Đồng ý"
# How to reach each screen: typed lines, or ("choose", label) for an option on screen.
SCREENS = {
    "menu": ["/menu"],
    "news": ["/tin"],
    "topic": ["/tin", ("choose", "Lịch sử Đảng")],
    "article": ["/tin", ("choose", "Lịch sử Đảng"), ("choose", "Lịch sử vẻ vang của Đảng")],
    "calendar": ["/lich"],
    "faq": ["hỏi đáp"],
    "search": ["/timkiem đại hội"],
    "consent": ["/start"],
    "quiz": ["/thi"],
    "quiz_question": ["/thi", ("choose", texts.QUIZ_START), ("choose", CONSENT)],
    "sub_hamlet": ["/dangky", ("choose", CONSENT)],
    "sub_what": ["/dangky", ("choose", CONSENT), ("choose", "Thôn 1")],
    "sub_topics": ["/dangky", ("choose", CONSENT), ("choose", "Thôn 1"),
                   ("choose", texts.SUB_PICK)],
    "consultation": ["/gopy"],
    "my_data": ["/dulieu"],
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("typed", ["0", "99", "số 42"])
async def test_a_number_outside_the_list_shows_the_range_and_the_options(
        make_settings, database, screen, typed):
    async with dialog(make_settings(quiz_round_size=2), as_of="2025-08-15") as talk:
        for step in SCREENS[screen]:
            replies = await (talk.choose(step[1]) if isinstance(step, tuple) else talk(step))
        shown = options(replies[-1])
        assert shown, f"{screen} shows no options"
        before = {table: await count_rows(database, table)
                  for table in ("subscriptions", "quiz_rounds", "comments")}
        (answer,) = await talk(typed)
        assert answer.startswith(texts.CHOOSE_IN_RANGE.format(count=len(shown)))
        assert options(answer) == shown
        assert {table: await count_rows(database, table) for table in before} == before
        (first, *_) = await talk("1")  # the options still work
    assert not first.startswith(texts.CHOOSE_IN_RANGE[:10])


async def test_options_stored_before_labels_were_kept_still_work(make_settings, database):
    """Rows written by the previous release hold payloads only: numbers still choose, and
    one outside the list gets the menu (there are no labels to show again)."""
    from sqlalchemy import update

    from db.models import ConversationState

    async with dialog(make_settings()) as talk:
        await talk("/menu")
        async with database.transaction() as session:
            await session.execute(update(ConversationState).values(
                options=["menu:show", "faq:list:0"]))
        (faq,) = await talk("2")
        assert faq.startswith(texts.FAQ_TITLE)
        async with database.transaction() as session:
            await session.execute(update(ConversationState).values(options=["menu:show"]))
        (answer,) = await talk("7")
    assert answer.startswith(texts.NUMBER_WITHOUT_OPTIONS) and "1. Tin Đại hội" in answer
