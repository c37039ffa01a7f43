"""Floods are bounded (issue 20, item 11): a resident over the per-minute limit gets one
polite notice and then silence; invite codes cannot be guessed from a chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.flood import InboundLimit, Verdict
from db.models import InviteAttempt
from handlers import texts
from tests.conftest import count_rows
from tests.handlers.test_roles import grants, make_invite
from tests.utils import dialog


def test_the_limit_slides_with_the_minute():
    now = [0.0]
    limit = InboundLimit(3, clock=lambda: now[0])
    assert [limit.check("telegram", "1") for _ in range(5)] == [
        Verdict.HANDLE] * 3 + [Verdict.NOTICE, Verdict.SILENCE]
    assert limit.check("telegram", "2") == Verdict.HANDLE  # per resident
    now[0] = 60.5  # the first three are a minute old: room again, and a new notice later
    assert [limit.check("telegram", "1") for _ in range(4)] == [
        Verdict.HANDLE] * 3 + [Verdict.NOTICE]
    assert InboundLimit(0).check("telegram", "1") == Verdict.HANDLE  # 0: no limit


async def test_a_flood_gets_one_notice_then_silence(make_settings, database):
    async with dialog(make_settings(inbound_per_minute=3), user="flood") as talk:
        answered = [await talk("/trogiup") for _ in range(3)]
        notice = await talk("/trogiup")
        silence = [await talk("/trogiup") for _ in range(20)]
        outbox = await count_rows(database, "outbox")
        limited = talk.service.metrics.limited
        counts = (limited.labels("console", "notice")._value.get(),
                  limited.labels("console", "silence")._value.get())
    assert all(replies for replies in answered)
    assert notice == [texts.FLOOD_NOTICE]
    assert silence == [[]] * 20
    assert outbox == sum(map(len, answered)) + 1  # the answers and the notice, nothing more
    assert counts == (1, 20)
    assert await count_rows(database, "inbound_events") == 24  # seen: redeliveries stay duplicates


async def test_another_resident_is_not_held_back(make_settings):
    settings = make_settings(inbound_per_minute=2)
    async with dialog(settings, user="flood") as talk:
        for _ in range(5):
            await talk("/trogiup")
        other = talk.service.processor
        before = len(talk.printed)
        talk.user = "neighbour"
        assert await talk("/trogiup")
        assert other is talk.service.processor and len(talk.printed) > before


async def test_five_wrong_codes_an_hour_then_even_a_right_one_waits(make_settings, database):
    code = await make_invite(database)
    async with dialog(make_settings(), user="guesser") as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        for guess in ("ABCD-EFGH", "HJKL-MNPQ", "RSTU-VWXY", "ZZZZ-ZZZZ", "ABAB-CDCD"):
            (refused, *_) = await talk(f"/vaitro {guess}")
            assert refused.startswith(texts.VT_UNKNOWN)
        (waiting, *_) = await talk(f"/vaitro {code}")
        assert waiting.startswith(texts.VT_TOO_MANY)
    assert await grants(database) == []
    async with database.read() as session:
        attempts = list((await session.execute(select(InviteAttempt))).scalars())
    assert len(attempts) == 5 and {attempt.user_id for attempt in attempts} == {
        attempts[0].user_id}


async def test_wrong_codes_are_forgotten_after_an_hour(make_settings, database):
    code = await make_invite(database)
    now = [datetime.now(UTC)]
    async with dialog(make_settings(), user="slow-guesser", clock=lambda: now[0]) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        for guess in ("ABCD-EFGH", "HJKL-MNPQ", "RSTU-VWXY", "ZZZZ-ZZZZ", "ABAB-CDCD"):
            await talk(f"/vaitro {guess}")
        now[0] += timedelta(hours=1, seconds=1)
        granted = await talk(f"/vaitro {code}")
    assert granted[0].startswith("✅ Bạn đã nhận vai trò")
    assert await count_rows(database, "invite_attempts") == 0  # the old notes went with it


def test_loaso_chat_is_no_flood(tmp_path):
    from tests.cli import run

    env = {"LOASO_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
           "LOASO_INBOUND_PER_MINUTE": "2"}
    result = run(["chat"], env=env, stdin="/trogiup\n" * 5)
    assert result.returncode == 0, result.stderr
    assert texts.FLOOD_NOTICE not in result.stdout
