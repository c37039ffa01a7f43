"""Releasing announcements at their time: claimed once, fanned out to their audience only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from content.loader import load_pack
from db.engine import Database
from db.models import (
    Announcement,
    AnnouncementStatus,
    OutboxMessage,
    OutboxStatus,
    RoleGrant,
    Subscription,
    User,
)
from delivery import announcements as service
from delivery.fanout import Audience
from tests.conftest import MINI_PACK, count_rows

NOW = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)


def mini_pack():
    pack, report = load_pack(MINI_PACK)
    assert pack is not None, report.render()
    return pack


async def resident(database, address: str, *, hamlet: str | None = None,
                   subscriptions=(("all", "*"),), consent: bool = True) -> int:
    """A console resident, optionally consenting and subscribed; returns the user id."""
    async with database.transaction() as session:
        user = (await session.execute(select(User).where(
            User.channel == "console", User.address == address))).scalar_one_or_none()
        if user is None:
            user = User(channel="console", address=address, status="active", hamlet_id=hamlet,
                        consent_at=NOW if consent else None,
                        consent_version="2026-11-26" if consent else None)
            session.add(user)
            await session.flush()
        for kind, ref in subscriptions:
            session.add(Subscription(user_id=user.id, kind=kind, ref=ref))
        return user.id


async def grant(database, address: str, role: str, *, groups=(), areas=()) -> int:
    """Give a resident a role directly (the invite path has its own tests); returns the grant."""
    user_id = await resident(database, address, subscriptions=())
    async with database.transaction() as session:
        row = RoleGrant(user_id=user_id, role=role, groups=list(groups), areas=list(areas))
        session.add(row)
        await session.flush()
        return row.id


async def announcement(database, *, audience: Audience, status: str, text: str = "Họp thôn",
                       send_at: datetime | None = None, author_user_id: int | None = None,
                       author: str = "Ủy ban MTTQ xã") -> int:
    async with database.transaction() as session:
        row = Announcement(author_user_id=author_user_id, author=author, text=text,
                           audience=audience.to_json(), status=status, send_at=send_at,
                           created_at=NOW)
        session.add(row)
        await session.flush()
        return row.id


async def rows_of(database, announcement_id: int) -> list[tuple[str, str, str]]:
    """(recipient, status, text) of an announcement's outbox rows, by recipient."""
    async with database.read() as session:
        rows = await session.execute(
            select(OutboxMessage.recipient, OutboxMessage.status, OutboxMessage.payload)
            .where(OutboxMessage.batch == service.batch_of(announcement_id))
            .order_by(OutboxMessage.recipient))
        return [(recipient, status, payload["text"]) for recipient, status, payload in rows]


async def status_of(database, announcement_id: int) -> Announcement:
    async with database.read() as session:
        return await session.get(Announcement, announcement_id)


async def hamlets_fixture(database) -> None:
    await resident(database, "an", hamlet="thon-1")
    await resident(database, "binh", hamlet="thon-1")
    await resident(database, "chi", hamlet="thon-2")
    await resident(database, "dung", hamlet="thon-1", consent=False)  # never reached
    await resident(database, "em", hamlet="thon-1", subscriptions=())  # not subscribed


async def test_due_announcement_reaches_only_its_audience(database):
    await hamlets_fixture(database)
    ann = await announcement(database, audience=Audience(hamlets=("thon-1",)),
                             status=AnnouncementStatus.SCHEDULED, text="Họp thôn lúc 19 giờ.")
    assert await service.release_due(database, mini_pack(), now=NOW) == 1
    rows = await rows_of(database, ann)
    assert [(recipient, status) for recipient, status, _ in rows] == [
        ("an", OutboxStatus.QUEUED), ("binh", OutboxStatus.QUEUED)]
    assert rows[0][2] == "📢 Thông báo của Ủy ban MTTQ xã\n\nHọp thôn lúc 19 giờ."
    stored = await status_of(database, ann)
    assert (stored.status, stored.recipients, stored.fanned_out_at) == (
        AnnouncementStatus.SENDING, 2, NOW)


async def test_only_scheduled_and_due_ones_are_released(database):
    await hamlets_fixture(database)
    everyone = Audience(everyone=True)
    later = await announcement(database, audience=everyone, status=AnnouncementStatus.SCHEDULED,
                               send_at=NOW + timedelta(minutes=5))
    pending = await announcement(database, audience=everyone, status=AnnouncementStatus.PENDING)
    cancelled = await announcement(database, audience=everyone,
                                   status=AnnouncementStatus.CANCELLED)
    due = await announcement(database, audience=everyone, status=AnnouncementStatus.SCHEDULED,
                             send_at=NOW - timedelta(minutes=1))
    assert await service.release_due(database, mini_pack(), now=NOW) == 1
    assert len(await rows_of(database, due)) == 3
    for untouched in (later, pending, cancelled):
        assert await rows_of(database, untouched) == []
    assert (await status_of(database, later)).status == AnnouncementStatus.SCHEDULED
    assert await service.release_due(database, mini_pack(),
                                     now=NOW + timedelta(minutes=5)) == 1
    assert len(await rows_of(database, later)) == 3


async def test_two_schedulers_release_an_announcement_once(database, database_url):
    await hamlets_fixture(database)
    ann = await announcement(database, audience=Audience(everyone=True),
                             status=AnnouncementStatus.SCHEDULED)
    other = Database(database_url)
    try:
        released = await asyncio.gather(service.release_due(database, mini_pack(), now=NOW),
                                        service.release_due(other, mini_pack(), now=NOW))
    finally:
        await other.dispose()
    assert sorted(released) == [0, 1]
    assert len(await rows_of(database, ann)) == 3
    assert await service.release_due(database, mini_pack(), now=NOW) == 0
    assert await count_rows(database, "outbox") == 3


async def test_a_fan_out_interrupted_by_a_crash_is_completed_without_duplicates(database):
    await hamlets_fixture(database)
    ann = await announcement(database, audience=Audience(everyone=True),
                             status=AnnouncementStatus.SCHEDULED)
    pack = mini_pack()
    claimed_at = NOW - timedelta(hours=1)
    async with database.transaction() as session:  # claimed, one chunk written, process died
        await session.execute(update(Announcement).values(
            status=AnnouncementStatus.SENDING, fanned_out_at=claimed_at))
    await service.fanout.fan_out(database, batch=service.batch_of(ann),
                                 audience=Audience(hamlets=("thon-2",)), text="x", now=claimed_at)
    assert await service.release_due(database, pack, now=claimed_at + timedelta(minutes=1)) == 0
    assert await service.finish_sent(database) == 0  # not finished: never marked done
    assert await service.release_due(database, pack, now=NOW) == 1
    assert [recipient for recipient, _, _ in await rows_of(database, ann)] == ["an", "binh", "chi"]
    stored = await status_of(database, ann)
    assert (stored.fanned_out_at, stored.recipients) == (NOW, 3)


async def test_finish_sent_waits_for_the_last_queued_row(database):
    await hamlets_fixture(database)
    ann = await announcement(database, audience=Audience(everyone=True),
                             status=AnnouncementStatus.SCHEDULED)
    await service.release_due(database, mini_pack(), now=NOW)
    assert await service.finish_sent(database) == 0
    async with database.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.recipient != "chi")
                              .values(status=OutboxStatus.SENT))
    assert await service.finish_sent(database) == 0
    async with database.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.recipient == "chi")
                              .values(status=OutboxStatus.FAILED))
    assert await service.finish_sent(database) == 1
    assert (await status_of(database, ann)).status == AnnouncementStatus.DONE
    async with database.read() as session:
        counts = await service.delivery(session, await status_of(database, ann))
    assert counts == {"queued": 0, "sent": 2, "failed": 1, "stopped": 0}


async def test_stop_cancels_what_has_not_gone_out_and_tells_the_author(database):
    await hamlets_fixture(database)
    await grant(database, "leader", "staff")  # an author whose role lets them address everyone
    author = await resident(database, "leader", subscriptions=())
    ann = await announcement(database, audience=Audience(everyone=True), author_user_id=author,
                             status=AnnouncementStatus.SCHEDULED)
    await service.release_due(database, mini_pack(), now=NOW)
    async with database.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.recipient == "an")
                              .values(status=OutboxStatus.SENT))
        change = await service.stop(session, ann, by="Cán bộ D", now=NOW)
    assert change.done and change.announcement.status == AnnouncementStatus.STOPPED
    assert [status for _, status, _ in await rows_of(database, ann)] == [
        OutboxStatus.SENT, OutboxStatus.STOPPED, OutboxStatus.STOPPED]
    async with database.read() as session:
        notice = (await session.execute(select(OutboxMessage.payload).where(
            OutboxMessage.recipient == "leader"))).scalar_one()
    assert "dừng khi đang gửi: 1 tin đã gửi, 2 tin không gửi nữa" in notice["text"]
    assert await service.finish_sent(database) == 0  # stopped stays stopped


async def test_decisions_only_apply_in_the_right_state(database):
    ann = await announcement(database, audience=Audience(everyone=True),
                             status=AnnouncementStatus.PENDING)
    pack = mini_pack()
    async with database.transaction() as session:
        assert (await service.approve(session, pack, ann, by="A", now=NOW)).done
        assert not (await service.approve(session, pack, ann, by="B", now=NOW)).done
        assert not (await service.reject(session, ann, by="B", reason=None, now=NOW)).done
        assert not (await service.stop(session, ann, by="B", now=NOW)).done
        assert (await service.cancel(session, ann, by="B", now=NOW)).done
        assert not (await service.cancel(session, ann, by="B", now=NOW)).done
    stored = await status_of(database, ann)
    assert (stored.status, stored.decided_by) == (AnnouncementStatus.CANCELLED, "B")
