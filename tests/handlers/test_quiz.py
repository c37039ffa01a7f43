"""The knowledge quiz through the real handlers (terminal channel) on the mini pack's bank."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from content.loader import load_pack
from db import quiz as quiz_queries
from db.models import QuizRound, User
from handlers import quiz, texts
from messages.types import Inbound, InboundKind
from tests.conftest import MINI_PACK, count_rows
from tests.handlers.test_news import options
from tests.utils import TelegramResident, dialog, running_app

BANK = {question.question: question for question in load_pack(MINI_PACK)[0].quiz}


def asked(reply: str):
    """The bank question a "Câu n/N" reply asks."""
    assert reply.startswith("Câu "), reply
    return BANK[reply.split("\n\n")[1]]


def wrong(question) -> str:
    return str(question.answer % 4 + 1)


async def start(talk, *, consent: bool = True) -> list[str]:
    await talk("/thi")
    replies = await talk.choose(texts.QUIZ_START)
    if consent and any("Đồng ý" == label for label in options(replies[-1])):
        replies = await talk.choose("Đồng ý")
    return replies


async def rounds(database) -> list[QuizRound]:
    async with database.read() as session:
        return list((await session.execute(select(QuizRound).order_by(QuizRound.id))).scalars())


async def press(talk, payload: str) -> list[str]:
    """Tap a button shown earlier (the terminal can only type the number of the last one)."""
    before = len(talk.printed)
    inbound = Inbound("console", uuid.uuid4().hex, talk.user, InboundKind.BUTTON, button=payload)
    await talk.service.processor.handle(inbound)
    await talk.service.sender.drain()
    return talk.printed[before:]


async def test_a_full_round_explains_every_answer_and_ends_with_the_score(make_settings,
                                                                          database):
    async with dialog(make_settings(quiz_round_size=3)) as talk:
        replies = await start(talk)
        assert replies[0] == texts.QUIZ_NEEDS_CONSENT or replies[-1].startswith("Câu 1/3")
        first = asked(replies[-1])
        assert options(replies[-1]) == [*first.options, texts.MENU]
        explained, question_2 = await talk(str(first.answer))
        assert explained.startswith(texts.QUIZ_RIGHT) and first.explanation in explained
        assert f"Nguồn: {first.source.title}" in explained
        second = asked(question_2)
        assert question_2.startswith("Câu 2/3")
        explained, question_3 = await talk(wrong(second))
        assert explained.startswith(texts.QUIZ_WRONG.format(
            number=second.answer, answer=second.options[second.answer - 1]))
        third = asked(question_3)
        _, score = await talk(str(third.answer))
        assert score.startswith(texts.QUIZ_FINISHED.format(score=2, total=3))
        assert texts.QUIZ_AGAIN in options(score)
        (stored,) = await rounds(database)
        assert stored.questions == [first.id, second.id, third.id]
        assert (stored.score, len(stored.answers), stored.finished_at is not None) == (2, 3, True)
        again = await talk.choose(texts.QUIZ_AGAIN)
    assert again[-1].startswith("Câu 1/3") and len(await rounds(database)) == 2


async def test_a_round_never_asks_more_than_the_bank_holds(make_settings, database):
    async with dialog(make_settings(quiz_round_size=50)) as talk:
        replies = await start(talk)
    assert replies[-1].startswith(f"Câu 1/{len(BANK)}")


async def test_refusing_consent_starts_no_round(make_settings, database):
    async with dialog(make_settings()) as talk:
        replies = await start(talk, consent=False)
        assert replies[0] == texts.QUIZ_NEEDS_CONSENT
        await talk.choose("Không đồng ý")
    assert await count_rows(database, "quiz_rounds") == 0


async def test_answering_the_same_question_twice_counts_once(make_settings, database):
    async with dialog(make_settings(quiz_round_size=3)) as talk:
        first = asked((await start(talk))[-1])
        await talk(wrong(first))
        (before,) = await rounds(database)
        again = await press(talk, f"qz:{before.token}:0:{first.answer}")
        assert again[0] == texts.QUIZ_ANSWERED.format(number=1)
        assert again[1].startswith("Câu 2/3")  # the question still waiting for an answer
    (after,) = await rounds(database)
    assert (after.answers, after.score) == (before.answers, 0)


async def test_a_button_of_a_finished_round_changes_nothing(make_settings, database):
    async with dialog(make_settings(quiz_round_size=1)) as talk:
        only = asked((await start(talk))[-1])
        await talk(str(only.answer))
        (finished,) = await rounds(database)
        replies = await press(talk, f"qz:{finished.token}:0:{wrong(only)}")
    assert len(replies) == 1
    assert replies[0].startswith(texts.QUIZ_ALREADY_FINISHED.format(score=1, total=1))
    assert texts.QUIZ_AGAIN in options(replies[0])
    (after,) = await rounds(database)
    assert (after.answers, after.score, after.finished_at) == (
        finished.answers, 1, finished.finished_at)


async def test_a_round_left_for_more_than_a_day_has_expired(make_settings, database):
    now = [datetime(2026, 3, 1, 8, 0, tzinfo=UTC)]
    async with dialog(make_settings(quiz_round_size=3), clock=lambda: now[0]) as talk:
        first = asked((await start(talk))[-1])
        now[0] += quiz_queries.ROUND_TTL + timedelta(minutes=1)
        (late,) = await talk(str(first.answer))
        assert late.startswith(texts.QUIZ_EXPIRED.format(hours=24))
        (home,) = await talk("/thi")
        old_button = await press(talk, "quiz:go")  # "Tiếp tục" shown before it expired
    assert not any(label.startswith("Tiếp tục") for label in options(home))
    assert old_button[0] == texts.QUIZ_NOTHING_TO_CONTINUE.format(hours=24)
    (stored,) = await rounds(database)
    assert (stored.answers, stored.score, stored.finished_at) == ([], 0, None)


async def test_a_button_of_a_replaced_round_changes_nothing(make_settings, database):
    async with dialog(make_settings(quiz_round_size=3)) as talk:
        first = asked((await start(talk))[-1])
        await talk("/thi")
        await talk.choose(texts.QUIZ_START)
        old, _ = await rounds(database)
        replies = await press(talk, f"qz:{old.token}:0:{first.answer}")
    assert replies[0] == texts.QUIZ_REPLACED
    assert [r.answers for r in await rounds(database)] == [[], []]


async def test_another_residents_button_changes_nothing(make_settings, database):
    settings = make_settings(quiz_round_size=3)
    async with dialog(settings, user="bac-ba") as talk:
        first = asked((await start(talk))[-1])
    (theirs,) = await rounds(database)
    async with dialog(settings, user="bac-tu") as other:
        replies = await press(other, f"qz:{theirs.token}:0:{first.answer}")
    assert replies[0] == texts.QUIZ_NOT_YOURS
    (after,) = await rounds(database)
    assert after.answers == []


@pytest.mark.parametrize("payload", ["qz:abc", "qz:abc:x:1", "qz:abc:0:5", "qz:abc:0:1:2"])
async def test_malformed_quiz_buttons_are_stale(make_settings, database, payload):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        replies = await press(talk, payload)
    assert "Lựa chọn này đã cũ" in replies[0]
    assert await count_rows(database, "quiz_rounds") == 0


async def test_a_round_survives_a_restart(make_settings, database):
    settings = make_settings(quiz_round_size=3)
    async with dialog(settings, user="bac-nam") as talk:
        first = asked((await start(talk))[-1])
        _, question_2 = await talk(str(first.answer))
    second = asked(question_2)
    async with dialog(settings, user="bac-nam") as talk:  # a new process, the same database
        explained, question_3 = await talk(str(second.answer))  # the number typed earlier
        assert explained.startswith(texts.QUIZ_RIGHT) and question_3.startswith("Câu 3/3")
        (home,) = await talk("/thi")
        assert texts.QUIZ_CONTINUE.format(number=3, total=3) in options(home)
        (resumed,) = await talk.choose(texts.QUIZ_CONTINUE.format(number=3, total=3))
        third = asked(resumed)
        _, score = await talk(str(third.answer))
    assert score.startswith(texts.QUIZ_FINISHED.format(score=3, total=3))


async def play_one(settings, user: str, *, name: str | None, hamlet: str = "Thôn 1") -> None:
    async with dialog(settings, user=user) as talk:
        only = asked((await start(talk))[-1])
        _, score = await talk(str(only.answer))
        if name is not None:
            (ask,) = await talk.choose(texts.QUIZ_JOIN)
            assert ask.startswith(texts.QUIZ_ASK_NAME)
            (hamlets,) = await talk(name)
            assert options(hamlets)[-3:] == [texts.QUIZ_NO_HAMLET, texts.QUIZ_CANCEL, texts.MENU]
            await talk.choose(hamlet)


async def test_the_leaderboard_shows_only_residents_who_opted_in(make_settings, database):
    settings = make_settings(quiz_round_size=1)
    await play_one(settings, "lan", name="lan")
    await play_one(settings, "khong-tham-gia", name=None)
    await play_one(settings, "rut-ten", name="Hùng", hamlet="Thôn 2")
    async with dialog(settings, user="rut-ten") as talk:
        await talk("/thi")
        (left,) = await talk.choose(texts.QUIZ_LEAVE)
        assert left.startswith(texts.QUIZ_LEFT)
        (board,) = await talk.choose(texts.QUIZ_BOARD)
    lines = [line for line in board.splitlines() if " — đúng " in line]
    assert lines == ["1. Lan (Thôn 1) — đúng 1/1 câu"]
    assert "Hùng" not in board
    async with database.read() as session:
        names = dict((await session.execute(select(User.address, User.leaderboard_name))).all())
    assert names == {"lan": "Lan", "khong-tham-gia": None, "rut-ten": None}


@pytest.mark.parametrize("name", ["0912345678", "Lan https://x.vn", "Một Hai Ba Bốn",
                                  "A" * 31, "Lan@", "   "])
async def test_a_name_that_is_not_a_first_name_is_refused(make_settings, database, name):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await talk("/thi")
        await talk.choose(texts.QUIZ_JOIN)
        (refused,) = await talk(name)
    assert refused.startswith(texts.QUIZ_BAD_NAME.format(words=quiz.NAME_WORDS,
                                                         limit=quiz.NAME_LENGTH))
    async with database.read() as session:
        assert (await session.execute(select(User.leaderboard_name))).scalars().all() == [None]


async def test_results_of_lists_finished_rounds_and_forget_erases_them(make_settings,
                                                                       database):
    settings = make_settings(quiz_round_size=2)
    async with dialog(settings, user="bac-sau") as talk:
        first = asked((await start(talk))[-1])
        _, second = await talk(str(first.answer))
        await talk(wrong(asked(second)))
        await talk("/thi")
        await talk.choose(texts.QUIZ_START)  # a second round, left unfinished
    async with database.transaction() as session:
        user_id = (await session.execute(select(User.id))).scalar_one()
        (result,) = await quiz_queries.results_of(session, user_id)
        assert (result.score, result.out_of) == (1, 2)
        assert await quiz_queries.forget(session, user_id) == 2
    assert await count_rows(database, "quiz_rounds") == 0


async def test_a_round_on_telegram_uses_short_button_payloads(telegram_settings, fake_telegram,
                                                             database):
    settings = telegram_settings(quiz_round_size=2, telegram_chat_rate_limit=100,
                                 telegram_chat_burst=20)
    async with running_app(settings) as (client, service):
        resident = TelegramResident(client, fake_telegram, 7301)
        await resident.say("/thi")
        await resident.tap(texts.QUIZ_START)
        await resident.tap("Đồng ý")
        for _ in range(2):
            message = resident.messages()[-1]
            question = asked(message["text"])
            buttons = [row[0] for row in message["reply_markup"]["inline_keyboard"]]
            assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
            await resident.tap(question.options[question.answer - 1])
    assert resident.messages()[-1]["text"].startswith(texts.QUIZ_FINISHED.format(score=2, total=2))
    (stored,) = await rounds(database)
    assert stored.score == 2 and stored.finished_at is not None


async def test_an_answer_after_consent_was_withdrawn_waits_for_consent(make_settings,
                                                                       database):
    async with dialog(make_settings(quiz_round_size=2)) as talk:
        first = asked((await start(talk))[-1])
        (stored,) = await rounds(database)
        await talk("/menu")
        await talk.choose("Quyền riêng tư")
        await talk.choose("Không đồng ý")
        replies = await press(talk, f"qz:{stored.token}:0:{first.answer}")
        assert replies[0] == texts.QUIZ_NEEDS_CONSENT
        assert (await rounds(database))[0].answers == []
        resumed = await talk.choose("Đồng ý")
    assert any(reply.startswith(texts.QUIZ_RIGHT) for reply in resumed)
    assert (await rounds(database))[0].answers == [first.answer]


async def test_a_pack_without_questions_says_so(make_settings, database, tmp_path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    shutil.rmtree(pack / "quiz")
    async with dialog(make_settings(content_dir=pack)) as talk:
        (reply,) = await talk("/thi")
    assert reply.startswith(texts.QUIZ_NO_QUESTIONS)
    assert await count_rows(database, "quiz_rounds") == 0
