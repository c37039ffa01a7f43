"""Pushes that can be trusted and read well (issue 16, items 5, 11 and 12): a bulletin that
is not confirmed is held, phase starts are sentences, pushes of one minute are merged, and
no pushed message is longer than 600 characters."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from content.loader import load_pack
from db.models import OutboxMessage
from scheduler.bulletins import (
    UNSOLICITED_LIMIT,
    _merged,
    all_bulletins,
    fire,
    fire_together,
    occurrences,
)
from scheduler.jobs import CampaignScheduler
from tests.conftest import SHIPPED_PACK, count_rows
from tests.scheduler.test_bulletins import mini_pack, subscribe

UTC = dt.UTC


def due_of(pack, bulletin_id: str, start: dt.datetime, days: int = 2):
    return next(due for due in occurrences(pack, start, start + dt.timedelta(days=days))
                if due.bulletin.id == bulletin_id)


async def payload_texts(database) -> list[tuple[str, str]]:
    async with database.read() as session:
        rows = (await session.execute(select(OutboxMessage.recipient, OutboxMessage.payload)
                                      .order_by(OutboxMessage.id))).all()
    return [(recipient, payload.get("text", "")) for recipient, payload in rows]


async def test_a_bulletin_whose_article_needs_completing_is_held(database, caplog):
    await subscribe(database, 5)
    pack = mini_pack({"id": "du-thao", "schedule": {"at": ["2025-08-12T07:00:00"]},
                      "audience": {"everyone": True}, "article": "du-thao-xa"})
    due = due_of(pack, "du-thao", dt.datetime(2025, 8, 11, tzinfo=UTC))
    with caplog.at_level(logging.WARNING):
        assert await fire(database, pack, due, now=due.at) is None
    assert "du-thao" in caplog.text and "HELD" in caplog.text and "cần bổ sung" in caplog.text
    assert await count_rows(database, "outbox") == 0
    assert await count_rows(database, "bulletin_occurrences") == 0  # held, not spent


async def test_a_bulletin_about_an_unconfirmed_event_is_held(database, caplog):
    await subscribe(database, 2)
    pack = mini_pack({"id": "dai-hoi-xa", "schedule": {"at": ["2025-08-12T07:00:00"]},
                      "audience": {"everyone": True}, "text": "Mời bà con theo dõi Đại hội xã.",
                      "since": ["dai-hoi-xa"]})
    due = due_of(pack, "dai-hoi-xa", dt.datetime(2025, 8, 11, tzinfo=UTC))
    with caplog.at_level(logging.WARNING):
        assert await fire(database, pack, due, now=due.at) is None
    assert "chưa được xác nhận" in caplog.text
    assert await count_rows(database, "outbox") == 0


def test_phase_and_stage_starts_are_sentences():
    pack = mini_pack()
    texts = {bulletin.id: bulletin.text for bulletin in all_bulletins(pack)}
    assert texts["bat-dau-dot-2"].startswith(
        "Từ hôm nay, 28/9/2025, chiến dịch tuyên truyền bước vào Đợt II (đến khi bế mạc "
        "Đại hội XIV).")
    assert texts["bat-dau-truoc-khai-mac"].startswith(
        "Từ hôm nay, 28/9/2025, chiến dịch bước vào giai đoạn trước khai mạc Đại hội XIV "
        "của Đợt II.")
    assert all("—" not in text for key, text in texts.items() if key.startswith("bat-dau-"))


async def test_pushes_due_in_the_same_minute_are_one_message_per_resident(database):
    await subscribe(database, 2, kind="all")  # r1, r2: everything
    await subscribe(database, 1, kind="topic", ref="lich-su", first=10)  # r10: one topic
    pack = mini_pack(
        {"id": "sang-1", "schedule": {"at": ["2026-05-01T07:00:00"]},
         "audience": {"everyone": True}, "text": "Mời bà con đọc tin trong tuần."},
        {"id": "sang-2", "schedule": {"at": ["2026-05-01T07:00:00"]},
         "audience": {"topics": ["dai-hoi-xiv"]}, "text": "Tin Đại hội XIV hôm nay."})
    start = dt.datetime(2026, 4, 30, tzinfo=UTC)
    dues = [due_of(pack, "sang-1", start), due_of(pack, "sang-2", start)]
    scheduler = CampaignScheduler(database, lambda: pack, grace=dt.timedelta(hours=1),
                                  retention_days=365, clock=lambda: dues[0].at)
    await scheduler.fire(dues[0])
    await scheduler.fire(dues[1])  # its job finds it sent with the first
    sent = await payload_texts(database)
    assert sorted(recipient for recipient, _ in sent) == ["r1", "r10", "r2"]
    merged = dict(sent)
    assert merged["r1"] == ("Mời bà con đọc tin trong tuần.\n\nTin Đại hội XIV hôm nay.")
    assert merged["r10"] == "Mời bà con đọc tin trong tuần."
    assert await fire_together(database, pack, dues, now=dues[0].at) is None  # once only
    assert await count_rows(database, "outbox") == 3


def test_no_pushed_message_is_longer_than_600_characters():
    pack = load_pack(SHIPPED_PACK)[0]
    bulletins = all_bulletins(pack)
    for bulletin in bulletins:
        text, _ = _merged(pack, [bulletin])
        assert len(text) <= UNSOLICITED_LIMIT, bulletin.id
    text, _ = _merged(pack, bulletins[:5])  # merged, each part shortened
    assert len(text) <= UNSOLICITED_LIMIT
    assert all(not part.endswith(" …") for part in text.split("\n\n"))


def test_no_announcement_pushed_is_longer_than_600_characters():
    """The longest announcement a leader or staff may write, with its header, for every
    author the shipped pack can name."""
    from delivery.announcements import HEADER
    from handlers.announcements import MAX_LENGTH

    pack = load_pack(SHIPPED_PACK)[0]
    authors = [pack.campaign.organisation.name, *(group.name for group in pack.campaign.groups)]
    longest = max(len(HEADER.format(author=author, text="x" * MAX_LENGTH)) for author in authors)
    assert longest <= UNSOLICITED_LIMIT
