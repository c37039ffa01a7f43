"""After a crash, nothing the platform already accepted is sent again, and a reply whose
conversation has moved on is never sent late.

The worker is a real `loaso worker` process killed with SIGKILL right after the platform
accepted a reply, before the sender's batched outcome write: the sent journal
(delivery/journal.py) is what tells the next worker that the row went out.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db import outbox as outbox_queries
from db.models import OutboxMessage, OutboxStatus, Priority, User
from tests.cli import LOASO, hermetic_env, workdir
from tests.conftest import MINI_PACK, WEBHOOK_SECRET, wait_until

CHAT = 6_200_000_001
TEXT = "Cảm ơn bạn đã góp ý. Mã biên nhận: GY-ABC123."


async def queue_reply(database, *, text: str = TEXT, at: datetime | None = None,
                      status: str = OutboxStatus.QUEUED, lease_until: datetime | None = None,
                      priority: int = Priority.REPLY) -> int:
    at = at or datetime.now(UTC)
    async with database.transaction() as session:
        user = (await session.execute(select(User).where(
            User.address == str(CHAT)))).scalar_one_or_none()
        if user is None:
            user = User(channel="telegram", address=str(CHAT), status="active")
            session.add(user)
            await session.flush()
        row = outbox_queries.new_message(
            channel="telegram", recipient=str(CHAT), user_id=user.id, priority=priority,
            payload={"type": "message", "text": text}, now=at)
        row.status, row.lease_until = status, lease_until
        session.add(row)
        await session.flush()
        return row.id


def journalled(run_dir: Path, row_id: int) -> bool:
    return any(f"{row_id} " in path.read_text() for path in run_dir.glob("journal/*.journal"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_a_reply_accepted_just_before_kill_9_is_not_sent_again(
        database_url, database, fake_telegram, tmp_path):
    row_id = await queue_reply(database)
    run_dir = tmp_path / "run"
    env = hermetic_env({
        "LOASO_DATABASE_URL": database_url, "LOASO_TELEGRAM_TOKEN": fake_telegram.token,
        "LOASO_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOASO_TELEGRAM_API_BASE": fake_telegram.base_url, "LOASO_OUTBOX_LEASE_SECONDS": "5",
        "LOASO_SENDER_POLL_SECONDS": "0.2", "LOASO_CONTENT_DIR": str(MINI_PACK),
        "LOASO_RUN_DIR": str(run_dir), "LOASO_LOG_LEVEL": "WARNING"})

    async def start():
        return await asyncio.create_subprocess_exec(
            LOASO, "worker", env=env, cwd=workdir(), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "ab"))

    worker = await start()
    loop = asyncio.get_running_loop()
    accepted = loop.create_future()
    fake_telegram.on_send = lambda chat, text, at: accepted.done() or accepted.set_result(at)
    try:
        await asyncio.wait_for(accepted, 30)
        # Kill as soon as the worker has noted the acceptance (or, without a journal, well
        # inside the 0.2 s its outcome waits to be written in a batch).
        deadline = loop.time() + 0.1
        while not journalled(run_dir, row_id) and loop.time() < deadline:
            await asyncio.sleep(0.002)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        async with database.read() as session:
            killed_with = (await session.get(OutboxMessage, row_id)).status
        worker = await start()

        async def settled() -> bool:
            async with database.read() as session:
                row = await session.get(OutboxMessage, row_id)
            return row.status != OutboxStatus.SENDING

        await wait_until(settled, timeout=30)
        await asyncio.sleep(1.0)  # a resend, if any, would go out right after the release
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.wait(), 20)
    async with database.read() as session:
        row = await session.get(OutboxMessage, row_id)
    assert fake_telegram.texts_to(CHAT) == [TEXT]
    assert row.status == OutboxStatus.SENT and row.platform_message_id
    if killed_with != OutboxStatus.SENDING:
        pytest.skip("the outcome was written before the kill: nothing was at stake this time")


async def test_an_abandoned_reply_is_not_sent_after_the_conversation_moved_on(database):
    now = datetime.now(UTC)
    gone = now - timedelta(seconds=1)
    stale_reply = await queue_reply(database, text="Mời bạn chọn mục", at=now - timedelta(
        seconds=70), status=OutboxStatus.SENDING, lease_until=gone)
    same_turn = await queue_reply(database, text="(nút chọn)", at=now - timedelta(seconds=70),
                                  status=OutboxStatus.QUEUED)
    await queue_reply(database, text="Câu trả lời bước sau", at=now - timedelta(seconds=5))
    bulk = await queue_reply(database, text="Bản tin", at=now - timedelta(seconds=70),
                             status=OutboxStatus.SENDING, lease_until=gone,
                             priority=Priority.BULK)
    async with database.transaction() as session:
        released = await outbox_queries.release_expired_leases(session, now=now,
                                                                max_attempts=5)
    assert released == 2
    async with database.read() as session:
        rows = {row.id: row for row in (await session.execute(select(OutboxMessage))).scalars()}
    assert (rows[stale_reply].status, rows[stale_reply].error_class) == ("stopped", "superseded")
    assert rows[same_turn].status == "queued"  # untouched: it was never claimed
    assert rows[bulk].status == "queued"  # a bulletin is still worth sending


async def test_an_abandoned_reply_with_nothing_after_it_is_sent_again(database):
    now = datetime.now(UTC)
    row_id = await queue_reply(database, at=now - timedelta(seconds=70),
                               status=OutboxStatus.SENDING, lease_until=now - timedelta(seconds=1))
    async with database.transaction() as session:
        assert await outbox_queries.release_expired_leases(session, now=now, max_attempts=5) == 1
    async with database.read() as session:
        assert (await session.get(OutboxMessage, row_id)).status == "queued"
