"""Group commit: events that wait for the writer are stored together, each with its own effects."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest
from sqlalchemy import select

from bot.channels.console import ConsoleChannel
from bot.pipeline import Outcome
from bot.service import Service
from db import outbox as outbox_queries
from db import residents
from db.models import OutboxMessage, User
from handlers.texts import PRIVACY_NOTICE_VERSION


@pytest.fixture
async def service(make_settings, monkeypatch):
    channel = ConsoleChannel(io.StringIO())
    service = Service(make_settings(), channels={"console": channel})
    service.groups = []  # the event ids of each transaction, as record_events saw them
    original = residents.record_events

    def recording(session, keys, now):
        service.groups.append([event_id for _, event_id in keys])
        return original(session, keys, now)

    monkeypatch.setattr(residents, "record_events", recording)
    yield service
    await service.close()


def in_one_group(service: Service, *events) -> bool:
    """True if these events were stored in the same transaction, in this order."""
    ids = [event.event_id for event in events]
    return any([i for i in group if i in ids] == ids for group in service.groups)


def event(service: Service, address: str, line: str, event_id: str):
    return service.channels["console"].event(address, line, session=event_id)


async def replies_to(service: Service, address: str) -> list[str]:
    async with service.database.read() as session:
        rows = (await session.execute(
            select(OutboxMessage.payload).where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id))).scalars().all()
    return [payload["text"] for payload in rows if payload["type"] == "message"]


async def test_waiting_events_share_one_transaction(service):
    events = [event(service, f"r{index}", "/start", f"s{index}") for index in range(20)]
    outcomes = await asyncio.gather(*(service.processor.handle(e) for e in events))
    assert outcomes == [Outcome.HANDLED] * 20
    assert sorted(sum(service.groups, [])) == sorted(e.event_id for e in events)
    assert len(service.groups) < 20 and max(map(len, service.groups)) > 1
    greeting = await replies_to(service, "r0")
    assert len(greeting) == 2 and "Đồng ý" in greeting[-1]  # the greeting, then consent
    for index in range(1, 20):
        assert await replies_to(service, f"r{index}") == greeting
    async with service.database.read() as session:
        assert len((await session.execute(select(User))).scalars().all()) == 20


async def test_one_resident_twice_in_a_group_reads_their_own_new_state(service):
    first = event(service, "other", "/start", "a")
    start, agree = event(service, "r1", "/start", "b"), event(service, "r1", "1", "b")
    await asyncio.gather(*(service.processor.handle(e) for e in (first, start, agree)))
    assert in_one_group(service, start, agree)
    async with service.database.read() as session:
        user = (await session.execute(select(User).where(User.address == "r1"))).scalar_one()
    assert user.consent_version == PRIVACY_NOTICE_VERSION  # "1" pressed the consent button


async def test_a_copy_in_the_same_group_is_a_duplicate(service):
    first = event(service, "other", "/start", "a")
    once = event(service, "r1", "/start", "b")
    outcomes = await asyncio.gather(*(service.processor.handle(e) for e in (first, once, once)))
    assert outcomes == [Outcome.HANDLED, Outcome.HANDLED, Outcome.DUPLICATE]
    assert len(await replies_to(service, "r1")) == 2  # the greeting and consent, once


async def test_a_failing_step_costs_only_its_own_effects(service, monkeypatch, caplog):
    async def broken(turn):
        turn.user.consent_version = "written-before-the-crash"
        raise RuntimeError("boom")

    monkeypatch.setitem(service.processor.router.commands, "menu", broken)
    first = event(service, "other", "/start", "a")
    bad, good = event(service, "r1", "/menu", "b"), event(service, "r2", "/start", "c")
    again = event(service, "r1", "/start", "d")  # the same resident after the failure
    await asyncio.gather(*(service.processor.handle(e) for e in (first, bad, good, again)))
    assert in_one_group(service, bad, good, again)
    r1 = await replies_to(service, "r1")
    assert "Xin lỗi" in r1[0] and "Đồng ý" in r1[-1]
    assert "Đồng ý" in (await replies_to(service, "r2"))[-1]
    async with service.database.read() as session:
        user = (await session.execute(select(User).where(User.address == "r1"))).scalar_one()
    assert user.consent_version is None  # the failed step's write was rolled back
    assert f"event {bad.event_id}" in caplog.text


async def test_a_group_that_cannot_commit_is_stored_event_by_event(service, monkeypatch,
                                                                   caplog):
    original = outbox_queries.enqueue

    def refuses_groups(session, rows, **options):
        if len({row["recipient"] for row in rows}) > 1:
            raise RuntimeError("simulated failure of the group's transaction")
        return original(session, rows, **options)

    monkeypatch.setattr(outbox_queries, "enqueue", refuses_groups)
    events = [event(service, f"r{index}", "/start", f"s{index}") for index in range(5)]
    with caplog.at_level(logging.WARNING):
        outcomes = await asyncio.gather(*(service.processor.handle(e) for e in events))
    assert outcomes == [Outcome.HANDLED] * 5
    assert "storing each alone" in caplog.text
    for index in range(5):  # each answered exactly once, not once per attempt
        assert len(await replies_to(service, f"r{index}")) == 2
    assert service.metrics.updates.labels("console", "command")._value.get() == 5


async def test_an_event_that_cannot_be_stored_fails_alone(service, monkeypatch):
    original = outbox_queries.enqueue

    def refuses_r2(session, rows, **options):
        if any(row["recipient"] == "r2" for row in rows):
            raise RuntimeError("simulated database failure")
        return original(session, rows, **options)

    monkeypatch.setattr(outbox_queries, "enqueue", refuses_r2)
    events = [event(service, f"r{index}", "/start", f"s{index}") for index in range(4)]
    results = await asyncio.gather(*(service.processor.handle(e) for e in events),
                                   return_exceptions=True)
    assert isinstance(results[2], RuntimeError)  # the webhook answers 500: redelivered later
    assert [results[i] for i in (0, 1, 3)] == [Outcome.HANDLED] * 3
    assert await replies_to(service, "r2") == []
    async with service.database.read() as session:
        addresses = (await session.execute(select(User.address))).scalars().all()
    assert "r2" not in addresses  # nothing of the failed event was written
