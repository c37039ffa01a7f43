"""Nothing a resident sees is from the future (issue 16, item 8): on five campaign dates,
through `loaso chat --as-of` semantics (the same phase engine and ContentView), every kind of
content — /tin lists and articles, FAQ, search, quiz questions and /lich — shows only what
is true on that date, and a button naming something not yet true is a stale button."""

from __future__ import annotations

import datetime as dt

import pytest

from content.calendar import as_known_on
from content.loader import load_pack
from handlers import texts
from tests.conftest import MINI_PACK, SHIPPED_PACK
from tests.handlers.test_news import options
from tests.handlers.test_quiz import press
from tests.utils import dialog

PACK = load_pack(SHIPPED_PACK)[0]
DATES = ["2025-08-10", "2025-10-20", "2025-12-01", "2026-01-21", "2026-03-01"]


def day_of(as_of: str) -> dt.date:
    return dt.date.fromisoformat(as_of)


@pytest.mark.parametrize("as_of", DATES)
async def test_articles_open_only_from_their_date(make_settings, as_of):
    day = day_of(as_of)
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of=as_of) as talk:
        for article in PACK.articles:
            (answer, *_) = await press(talk, f"news:art:{article.id}")
            assert answer.startswith(texts.STALE) != article.visible_on(day), article.id


@pytest.mark.parametrize("as_of", DATES)
async def test_topic_lists_hold_only_articles_true_that_day(make_settings, as_of):
    day = day_of(as_of)
    visible = {article.title for article in PACK.articles if article.visible_on(day)}
    future = {article.title for article in PACK.articles if not article.visible_on(day)}
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of=as_of) as talk:
        for topic in PACK.campaign.topics:
            (listing, *_) = await press(talk, f"news:topic:{topic.id}:0")
            shown = [label for label in options(listing)
                     if label not in (texts.BACK, texts.MENU, texts.MORE)]
            if not listing.startswith(texts.STALE):
                assert shown and all(label.rstrip("…") and any(
                    title.startswith(label.rstrip("…")) for title in visible)
                    for label in shown), listing
            assert not set(shown) & future


@pytest.mark.parametrize("as_of", DATES)
async def test_faq_shows_only_entries_true_that_day(make_settings, as_of):
    day = day_of(as_of)
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of=as_of) as talk:
        for entry in PACK.faq:
            (answer, *_) = await press(talk, f"faq:q:{entry.id}")
            assert answer.startswith(texts.STALE) != entry.visible_on(day), entry.id


@pytest.mark.parametrize("as_of", DATES)
async def test_search_never_finds_an_article_before_its_date(make_settings, as_of):
    day = day_of(as_of)
    future = [article for article in PACK.articles if not article.visible_on(day)]
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of=as_of) as talk:
        for article in future:
            replies = await talk(f"/timkiem {article.title}")
            found = [label for reply in replies for label in options(reply)]
            assert not any(article.title.startswith(label.rstrip("…")) for label in found
                           if len(label) > 12), (article.id, found)


@pytest.mark.parametrize("as_of", DATES)
async def test_quiz_asks_only_questions_true_that_day(make_settings, as_of):
    day = day_of(as_of)
    visible = {question.question: question for question in PACK.quiz
               if question.visible_on(day)}
    settings = make_settings(content_dir=SHIPPED_PACK, quiz_round_size=len(PACK.quiz))
    async with dialog(settings, as_of=as_of) as talk:
        await talk("/thi")
        replies = await talk.choose(texts.QUIZ_START)
        if "Đồng ý" in options(replies[-1]):
            replies = await talk.choose("Đồng ý")
        asked = 0
        while replies[-1].startswith("Câu "):
            question = visible[replies[-1].split("\n\n")[1]]  # KeyError: not true that day
            asked += 1
            replies = await talk(str(question.answer))
    assert asked == len(visible)


@pytest.mark.parametrize("as_of", DATES)
async def test_calendar_shows_events_only_as_known_that_day(make_settings, as_of):
    day = day_of(as_of)
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of=as_of) as talk:
        (calendar,) = await talk("/lich")
    for event in PACK.campaign.events:
        if not event.visible_on(day):
            assert event.name not in calendar, event.id
        elif not as_known_on(event, day).dated:  # dates not announced yet: none shown
            assert f"{event.start.day}/{event.start.month}/{event.start.year}" not in "".join(
                line for line in calendar.splitlines() if event.name in line)


async def test_the_14th_congress_is_on_the_calendar_from_the_first_day(make_settings):
    async with dialog(make_settings(content_dir=SHIPPED_PACK), as_of="2025-08-10") as talk:
        (calendar,) = await talk("/lich")
    assert "Đại hội đại biểu toàn quốc lần thứ XIV của Đảng" in calendar
    assert "📌 Tháng 8/2025" in calendar


async def test_earlier_stages_of_the_current_phase_are_browsable(make_settings):
    async with dialog(make_settings(content_dir=MINI_PACK), as_of="2026-01-20") as talk:
        (home,) = await talk("/tin")
        assert "Trong thời gian Đại hội XIV" in home
        (archive,) = await talk.choose(texts.ARCHIVE)
        assert options(archive)[:2] == ["Trước khai mạc Đại hội XIV",
                                        "Đợt I: Đến khi xong Đại hội Đảng bộ Thành phố"]
        (stage,) = await talk.choose("Trước khai mạc Đại hội XIV")
        assert "Đại hội XIV" in options(stage)
        (listing,) = await talk.choose("Đại hội XIV")
        assert options(listing)[0] == "Không khí trước thềm Đại hội XIV"
        (back,) = await talk.choose(texts.BACK)
    assert back.startswith("🗂")
