"""The commune's Telegram channel: bulletins and announcements for everyone posted once each
through the outbox; a channel the bot may not post to is stopped, not retried, and shown in
`loaso outbox status` (scheduler/channel_posts.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.cli.outbox import _channel_posts, channel_lines
from db.models import Announcement, AnnouncementStatus, BulletinOccurrence, OutboxMessage
from delivery.fanout import Audience
from scheduler.bulletins import all_bulletins
from scheduler.channel_posts import post_new
from scheduler.jobs import CampaignScheduler
from tests.scheduler.test_announcements import mini_pack
from tests.scheduler.test_sender import service  # noqa: F401  (a fixture)

CHANNEL_ID = "-1001234567890"


def now() -> datetime:
    return datetime.now(UTC)


async def fanned_out(database, *, audience: Audience, text: str, at: datetime) -> int:
    async with database.transaction() as session:
        row = Announcement(author="Ủy ban MTTQ xã", text=text, audience=audience.to_json(),
                           status=AnnouncementStatus.DONE, fanned_out_at=at, recipients=3)
        session.add(row)
        await session.flush()
        return row.id


async def channel_rows(database) -> list[OutboxMessage]:
    async with database.read() as session:
        return list((await session.execute(
            select(OutboxMessage).where(OutboxMessage.batch.like("channel:%"))
            .order_by(OutboxMessage.id))).scalars())


async def test_each_item_is_queued_once_for_the_channel(database):
    pack = mini_pack()
    everyone = await fanned_out(database, audience=Audience(everyone=True),
                                text="Mời bà con dự lễ chào cờ.", at=now())
    await fanned_out(database, audience=Audience(hamlets=("thon-1",)), text="Chỉ Thôn 1.",
                     at=now())
    await fanned_out(database, audience=Audience(everyone=True), text="Tuần trước.",
                     at=now() - timedelta(days=3))
    async with database.transaction() as session:
        occurrence = BulletinOccurrence(bulletin_id=all_bulletins(pack)[0].id,
                                        scheduled_for=now(), recipients=5, created_at=now())
        session.add(occurrence)
        await session.flush()
        occurrence_id = occurrence.id
    queued = await post_new(database, pack, CHANNEL_ID, now=now())
    stored = await channel_rows(database)
    assert queued == len(stored) == 2
    assert {row.batch for row in stored} == {f"channel:announcement:{everyone}",
                                             f"channel:bulletin:{occurrence_id}"}
    assert all(row.recipient == CHANNEL_ID and row.user_id is None for row in stored)
    announcement = next(row for row in stored if row.batch == f"channel:announcement:{everyone}")
    assert "Mời bà con dự lễ chào cờ." in announcement.payload["text"]
    assert not any("Chỉ Thôn 1" in row.payload["text"] or "Tuần trước" in row.payload["text"]
                   for row in stored)
    # again (a restart, a second worker, the next run): nothing more
    assert await post_new(database, pack, CHANNEL_ID, now=now()) == 0
    assert len(await channel_rows(database)) == len(stored)


async def test_the_scheduler_job_posts_only_when_the_channel_is_set(database):
    pack = mini_pack()
    await fanned_out(database, audience=Audience(everyone=True), text="Thông báo chung.",
                     at=now())
    off = CampaignScheduler(database, lambda: pack, grace=timedelta(hours=1), retention_days=30)
    assert off.telegram_channel_id is None
    on = CampaignScheduler(database, lambda: pack, grace=timedelta(hours=1), retention_days=30,
                           telegram_channel_id=CHANNEL_ID)
    await on.post_to_channel()
    await on.post_to_channel()
    assert len(await channel_rows(database)) == 1


async def test_a_channel_the_bot_may_not_post_to_is_stopped_and_explained(service,
                                                                          fake_telegram):
    fake_telegram.blocked = {int(CHANNEL_ID)}  # Telegram answers 403
    await fanned_out(service.database, audience=Audience(everyone=True), text="Chào cờ.",
                     at=now())
    assert await post_new(service.database, mini_pack(), CHANNEL_ID, now=now()) == 1

    service.start_background(sender=True)
    for _ in range(200):  # the sender's first (and only) attempt
        if all(row.status == "stopped" for row in await channel_rows(service.database)):
            break
        await asyncio.sleep(0.05)
    (row,) = await channel_rows(service.database)
    assert row.status == "stopped" and row.attempts == 1 and "Forbidden" in row.error
    assert fake_telegram.errors.get("403") == 1
    async with service.database.read() as session:
        lines = channel_lines(await _channel_posts(session))
    assert lines[0] == "Kênh Telegram của xã: dừng (chặn bot, hủy, ngoài hạn) 1."
    assert lines[1].startswith("Telegram không cho bot đăng lên kênh (Forbidden")
