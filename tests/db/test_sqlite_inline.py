"""SQLite runs inline on the event loop; waiting for another process's write lock must not."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time

import pytest
from sqlalchemy import exc

from db import residents, sqlite_inline
from tests.conftest import BACKEND, count_rows

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's inline connection")
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _hold_write_lock(database_url: str) -> sqlite3.Connection:
    """What a `loaso` command in another process looks like while it writes."""
    other = sqlite3.connect(database_url.removeprefix("sqlite+aiosqlite:///"),
                            isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_writer_waits_for_the_lock_and_the_loop_keeps_running(database, database_url):
    async with database.read():  # connect first, so the pool is not what we time
        pass
    other = _hold_write_lock(database_url)
    # Only a free event loop can run this: if the wait blocked the loop, the writer below
    # would wait for a commit that can never come.
    asyncio.get_running_loop().call_later(0.3, other.commit)
    started = time.monotonic()
    async with database.transaction() as session:
        assert await session.run_sync(residents.record_events, [("telegram", "1")], NOW)
    assert time.monotonic() - started >= 0.25
    other.close()
    assert await count_rows(database, "inbound_events") == 1


async def test_the_wait_is_bounded(database, database_url, monkeypatch):
    monkeypatch.setattr(sqlite_inline, "_BUSY_WAIT_SECONDS", 0.2)
    other = _hold_write_lock(database_url)
    try:
        with pytest.raises(exc.OperationalError, match="database is locked"):
            async with database.transaction() as session:
                await session.run_sync(residents.record_events, [("telegram", "1")], NOW)
    finally:
        other.rollback()
        other.close()
    async with database.transaction() as session:  # the connection is still usable
        assert await session.run_sync(residents.record_events, [("telegram", "1")], NOW)
