"""Replies go to the sender in this process already claimed; elsewhere they wait in the queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from db import outbox as outbox_queries
from db.models import OutboxMessage, OutboxStatus, Priority
from tests.conftest import wait_until
from tests.utils import running_app, secret_headers, telegram_update


async def outbox_rows(service) -> list[OutboxMessage]:
    async with service.database.read() as session:
        return list((await session.execute(
            select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


async def test_a_reply_is_handed_to_the_running_sender_already_claimed(
        telegram_settings, fake_telegram, monkeypatch):
    claims = []
    original_claim = outbox_queries.claim

    async def counting_claim(session, **options):
        rows = await original_claim(session, **options)
        claims.extend(rows)
        return rows

    monkeypatch.setattr(outbox_queries, "claim", counting_claim)
    async with running_app(telegram_settings()) as (client, service):
        handed = []
        take = service.sender.take
        service.sender.take = lambda rows, at: (handed.extend(rows), take(rows, at))
        response = await client.post("/webhook/telegram", json=telegram_update("start"),
                                     headers=secret_headers())
        assert response.status_code == 200
        await wait_until(lambda: len(fake_telegram.sent) == 2)
        await wait_until(lambda: _all_sent(service))
        rows = await outbox_rows(service)
    assert sorted(row.id for row in handed) == [row.id for row in rows]
    assert claims == []  # no claim statement picked them up
    assert [(row.status, row.attempts) for row in rows] == [(OutboxStatus.SENT, 1)] * 2


async def _all_sent(service) -> bool:
    rows = await outbox_rows(service)
    return bool(rows) and all(row.status == OutboxStatus.SENT for row in rows)


async def test_without_a_sender_here_replies_wait_in_the_queue(telegram_settings, fake_telegram):
    async with running_app(telegram_settings(), run_sender=False) as (client, service):
        response = await client.post("/webhook/telegram", json=telegram_update("start"),
                                     headers=secret_headers())
        assert response.status_code == 200
        rows = await outbox_rows(service)
    assert [(row.status, row.attempts, row.lease_until) for row in rows] == [
        (OutboxStatus.QUEUED, 0, None)] * 2
    assert fake_telegram.sent == []


async def test_replies_of_a_process_that_died_before_sending_come_back_after_the_lease(
        telegram_settings, fake_telegram):
    async with running_app(telegram_settings()) as (client, service):
        service.sender.take = lambda rows, at: None  # the process "dies" right after commit
        await client.post("/webhook/telegram", json=telegram_update("start"),
                          headers=secret_headers())
        rows = await outbox_rows(service)
        assert [row.status for row in rows] == [OutboxStatus.SENDING] * 2
        assert fake_telegram.sent == []
        now = datetime.now(UTC)
        assert all(row.lease_until > now for row in rows)
        async with service.database.transaction() as session:  # the lease runs out
            await session.execute(update(OutboxMessage).values(
                lease_until=now - timedelta(seconds=1)))
            released = await outbox_queries.release_expired_leases(session, now=now,
                                                                    max_attempts=5)
        assert released == 2
        service.sender.wake()
        await wait_until(lambda: len(fake_telegram.sent) == 2)


async def test_rows_handed_over_while_the_sender_stops_go_back_to_the_queue(
        telegram_settings, fake_telegram):
    async with running_app(telegram_settings()) as (client, service):
        await client.post("/webhook/telegram", json=telegram_update("start"),
                          headers=secret_headers())
        await wait_until(lambda: _all_sent(service))
        async with service.database.transaction() as session:
            claimed = await session.run_sync(
                outbox_queries.enqueue, [outbox_queries.queued_row(
                    channel="telegram", recipient="42", payload={"type": "message", "text": "x"},
                    priority=1, now=datetime.now(UTC))], leased_until=datetime.now(UTC))
        await service.sender.stop()
        service.sender.take(claimed, 0.0)
    async with service.database.read() as session:
        row = await session.get(OutboxMessage, claimed[0].id)
    assert (row.status, row.attempts, row.lease_until) == (OutboxStatus.QUEUED, 0, None)


async def test_bulk_queued_by_another_process_goes_out_while_replies_keep_the_sender_busy(
        telegram_settings, fake_telegram):
    # Rows written elsewhere wake no one here, and a stream of replies keeps waking the loop,
    # so a poll timeout never comes: the sender must still look for due rows once a poll.
    async with running_app(telegram_settings(sender_poll_seconds=1.0)) as (client, service):
        chatting = True

        async def residents_chatting() -> None:
            chat = 100
            while chatting:
                chat += 1
                await client.post("/webhook/telegram", json=telegram_update("start", chat_id=chat),
                                  headers=secret_headers())
                await asyncio.sleep(0.03)

        talk = asyncio.create_task(residents_chatting())
        await asyncio.sleep(1.5)
        async with service.database.transaction() as session:  # no wake: "another process"
            await session.run_sync(outbox_queries.enqueue, [outbox_queries.queued_row(
                channel="telegram", recipient=str(7000 + chat), priority=Priority.BULK,
                payload={"type": "message", "text": "Thông báo"}, now=datetime.now(UTC))
                for chat in range(50)])
        try:
            await wait_until(
                lambda: sum(m["text"] == "Thông báo" for m in fake_telegram.sent) == 50,
                timeout=4)
        finally:
            chatting = False
            await talk
