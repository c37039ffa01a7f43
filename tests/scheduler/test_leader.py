"""One active worker per database on PostgreSQL; fan-out once whatever the workers do."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import time
from pathlib import Path

import pytest

from db.engine import Database
from scheduler.bulletins import fire, occurrences
from scheduler.leader import Leadership
from tests.cli import popen
from tests.conftest import BACKEND, count_rows
from tests.scheduler.test_bulletins import WEEKLY, mini_pack, subscribe

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql",
                                     reason="the advisory lock exists on PostgreSQL only")


async def test_sqlite_needs_no_lock(database):
    leadership = Leadership(database)
    await asyncio.wait_for(leadership.acquire(), 1)
    assert leadership.needed is (BACKEND == "postgresql")
    await leadership.release()


@postgresql_only
async def test_a_standby_takes_over_when_the_active_worker_lets_go(database_url):
    first, second = Database(database_url), Database(database_url)
    active = Leadership(first, retry_seconds=0.05)
    standby = Leadership(second, retry_seconds=0.05)
    try:
        await active.acquire()
        waiting = asyncio.create_task(standby.acquire())
        await asyncio.sleep(0.4)
        assert not waiting.done(), "two workers must never be active at once"
        await active._connection.invalidate()  # its connection drops, as on kill -9
        await asyncio.wait_for(waiting, 5)
    finally:
        await standby.release()
        await second.dispose()
        await first.dispose()


async def test_two_schedulers_fan_an_occurrence_out_once(database_url, database):
    """Even without the lock (or while it changes hands), the occurrence row decides."""
    await subscribe(database, 40)
    pack = mini_pack(WEEKLY)
    due = next(occurrences(pack, dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                           dt.datetime(2026, 3, 2, tzinfo=dt.UTC)))
    other = Database(database_url)
    try:
        results = await asyncio.gather(fire(database, pack, due, now=due.at),
                                       fire(other, pack, due, now=due.at))
    finally:
        await other.dispose()
    assert sorted(result or 0 for result in results) == [0, 40]
    assert await count_rows(database, "outbox") == 40


def _worker(database_url: str, log: Path) -> subprocess.Popen:
    env = {"LOASO_DATABASE_URL": database_url, "LOASO_LOG_LEVEL": "INFO",
           "LOASO_RUN_DIR": str(log.parent / log.stem)}
    return popen(["worker"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def _wait_for(log: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{log.name}: no {text!r} within {timeout}s:\n{log.read_text()}")


@postgresql_only
def test_kill_9_of_the_active_worker_hands_over_to_the_standby(database_url, tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _worker(database_url, first_log)
    second = None
    try:
        _wait_for(first_log, "this worker is now the active one")
        second = _worker(database_url, second_log)
        _wait_for(second_log, "another worker is active; standing by")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        _wait_for(second_log, "this worker is now the active one")
        _wait_for(second_log, "scheduler started")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(15)
