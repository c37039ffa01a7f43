"""`loaso backup` and `loaso restore` on both backends: a running service backed up mid-traffic,
restored into a new database with every row; refusals that change nothing; the nightly job."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3

import pytest
from sqlalchemy import select, text

from bot.settings import Settings
from db import migrations
from db.engine import Database
from db.models import Comment
from scheduler.jobs import nightly_backup
from tests.cli import run
from tests.conftest import BACKEND, MINI_PACK, PG_SERVER_URL, _pg_url, count_rows
from tests.utils import running_app, secret_headers, telegram_update

SUFFIX = "db" if BACKEND == "sqlite" else "dump"


@pytest.fixture
def new_database_url(tmp_path):
    """An empty database to restore into (a new file, or a new PostgreSQL database)."""
    if BACKEND == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    from tests.pg_server import connect_maintenance

    name = f"loaso_test_{os.getpid()}_restored"

    async def admin(sql: str) -> None:
        connection = await connect_maintenance(PG_SERVER_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def env_for(url: str, tmp_path, **more) -> dict[str, str]:
    return {"LOASO_DATABASE_URL": url, "LOASO_CONTENT_DIR": str(MINI_PACK),
            "LOASO_RUN_DIR": str(tmp_path / "run"), **more}


async def seed_comments(database: Database, count: int) -> set[str]:
    receipts = {f"GY-BK{number:06d}" for number in range(count)}
    async with database.transaction() as session:
        session.add_all(Comment(receipt=receipt, submission_key=f"seed:{receipt}",
                                draft_id="bao-cao", draft_version="1", stance="tan_thanh",
                                text=f"Góp ý {receipt}", source="telegram")
                        for receipt in receipts)
    return receipts


async def ids(database: Database, table: str) -> set[int]:
    async with database.read() as session:
        return set((await session.execute(text(f"SELECT id FROM {table}"))).scalars())


async def test_a_running_service_backed_up_mid_traffic_restores_every_row(
        telegram_settings, database, database_url, new_database_url, tmp_path):
    receipts = await seed_comments(database, 300)
    out = tmp_path / f"sao-luu.{SUFFIX}"
    async with running_app(telegram_settings()) as (client, _service):
        stop = asyncio.Event()
        posted = []

        async def resident(chat: int) -> None:
            while not stop.is_set():
                update = telegram_update("text", chat_id=chat, text="/start")
                response = await client.post("/webhook/telegram", json=update,
                                             headers=secret_headers())
                assert response.status_code == 200
                posted.append(update["update_id"])

        traffic = [asyncio.create_task(resident(7_000 + n)) for n in range(4)]
        await asyncio.sleep(0.5)
        outbox_before = await ids(database, "outbox")
        events_before = await ids(database, "inbound_events")
        posted_before = len(posted)
        made = await asyncio.to_thread(run, ["backup", "--out", str(out)],
                                       env=env_for(database_url, tmp_path))
        posted_during = len(posted) - posted_before
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*traffic)
    assert made.returncode == 0, made.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert outbox_before and posted_during > 0  # the service was busy while it was copied

    restored = run(["restore", str(out), "--yes"], env=env_for(new_database_url, tmp_path))
    assert restored.returncode == 0, restored.stderr
    copy = Database(new_database_url)
    try:
        assert await migrations.is_up_to_date(copy)
        async with copy.read() as session:
            assert set((await session.execute(select(Comment.receipt))).scalars()) == receipts
        outbox_after, events_after = await ids(copy, "outbox"), await ids(copy, "inbound_events")
        assert outbox_before <= outbox_after <= await ids(database, "outbox")
        assert events_before <= events_after <= await ids(database, "inbound_events")
    finally:
        await copy.dispose()


def test_backup_refuses_to_overwrite_without_force(database_url, tmp_path):
    out = tmp_path / f"sao-luu.{SUFFIX}"
    out.write_bytes(b"last night's backup")
    refused = run(["backup", "--out", str(out)], env=env_for(database_url, tmp_path))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_bytes() == b"last night's backup"
    assert run(["backup", "--out", str(out), "--force"],
               env=env_for(database_url, tmp_path)).returncode == 0


async def test_restore_refuses_while_the_service_runs_and_changes_nothing(
        database, database_url, new_database_url, tmp_path):
    await seed_comments(database, 3)
    out = tmp_path / f"sao-luu.{SUFFIX}"
    assert run(["backup", "--out", str(out)], env=env_for(database_url, tmp_path)).returncode == 0
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / f"loaso-serve-{os.getpid()}.pid").write_text(str(os.getpid()))  # alive: us
    refused = run(["restore", str(out), "--yes"], env=env_for(new_database_url, tmp_path))
    assert refused.returncode == 2
    assert f"serve pid {os.getpid()}" in refused.stderr and "systemctl stop" in refused.stderr
    target = Database(new_database_url)
    try:
        assert await migrations.current_revision(target) is None  # still empty
    finally:
        await target.dispose()


@pytest.mark.skipif(BACKEND != "postgresql", reason="the advisory lock exists on PostgreSQL only")
async def test_restore_refuses_while_a_worker_holds_the_database(database, database_url, tmp_path):
    from scheduler.leader import Leadership

    out = tmp_path / "sao-luu.dump"
    assert run(["backup", "--out", str(out)], env=env_for(database_url, tmp_path)).returncode == 0
    leadership = Leadership(database)
    await leadership.acquire()
    try:
        refused = await asyncio.to_thread(run, ["restore", str(out), "--yes"],
                                          env=env_for(database_url, tmp_path))
    finally:
        await leadership.release()
    assert refused.returncode == 2 and "worker" in refused.stderr


def test_restore_refuses_what_is_not_a_backup_of_this_release(database_url, tmp_path):
    other = tmp_path / "ghi-chu.txt"
    other.write_text("không phải sao lưu", encoding="utf-8")
    result = run(["restore", str(other), "--yes"], env=env_for(database_url, tmp_path))
    assert result.returncode == 2 and "không phải bản sao lưu" in result.stderr


@pytest.mark.skipif(BACKEND != "sqlite", reason="edits the schema version inside a SQLite backup")
def test_restore_refuses_a_backup_from_a_newer_release(database_url, tmp_path):
    out = tmp_path / "sao-luu.db"
    assert run(["backup", "--out", str(out)], env=env_for(database_url, tmp_path)).returncode == 0
    with sqlite3.connect(out) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    result = run(["restore", str(out), "--yes"], env=env_for(database_url, tmp_path))
    assert result.returncode == 2 and "0099" in result.stderr and "mới hơn" in result.stderr


@pytest.mark.skipif(BACKEND != "sqlite", reason="an older schema made with the SQLite migrations")
async def test_an_older_backup_is_restored_then_migrated(tmp_path):
    old = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await migrations.upgrade(old, "0004")
    await old.dispose()
    out = tmp_path / "cu.db"
    env = env_for(f"sqlite:///{tmp_path / 'old.db'}", tmp_path)
    assert (await asyncio.to_thread(run, ["backup", "--out", str(out)], env=env)).returncode == 0
    restored = await asyncio.to_thread(
        run, ["restore", str(out), "--yes"], env=env_for(f"sqlite:///{tmp_path / 'new.db'}",
                                                          tmp_path))
    assert restored.returncode == 0, restored.stderr
    assert "đã cập nhật cấu trúc" in restored.stdout
    new = Database(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        assert await migrations.is_up_to_date(new)
    finally:
        await new.dispose()


@pytest.mark.skipif(BACKEND != "postgresql", reason="pg_dump is for PostgreSQL")
def test_without_pg_dump_the_message_says_what_to_install(database_url, tmp_path):
    out = tmp_path / "sao-luu.dump"
    result = run(["backup", "--out", str(out)],
                 env={**env_for(database_url, tmp_path), "PATH": str(tmp_path)})
    assert result.returncode == 2 and "postgresql-client" in result.stderr
    assert not out.exists()


# -- the nightly backup of the active worker ---------------------------------------------------

def test_no_nightly_backup_unless_a_folder_is_set(make_settings):
    assert nightly_backup(make_settings()) == {}


async def test_the_nightly_backup_runs_daily_in_the_scheduler_and_keeps_the_newest(
        make_settings, database, tmp_path):
    from bot.service import Service

    folder = tmp_path / "backups"
    settings: Settings = make_settings(backup_dir=folder, backup_keep=2, backup_time="03:45")
    service = Service(settings)
    try:
        await service.scheduler.start()
        job = service.scheduler.scheduler.get_job("backup")
        assert job is not None
        local = job.next_run_time.astimezone(settings.zone)
        assert (local.hour, local.minute) == (3, 45)
    finally:
        await service.close()
    folder.mkdir(exist_ok=True)
    for day in ("20250101-020000", "20250102-020000", "20250103-020000"):
        (folder / f"loaso-{day}.{SUFFIX}").write_bytes(b"old")
    (folder / "ghi-chu.txt").write_text("not a backup")
    await nightly_backup(settings)["backup"][1]()
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == 3 and "ghi-chu.txt" in kept and f"loaso-20250103-020000.{SUFFIX}" in kept
    newest = max(name for name in kept if name.startswith("loaso-"))
    assert newest.startswith(f"loaso-{dt.datetime.now(dt.UTC):%Y%m%d}")
    assert (folder / newest).read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert await count_rows(database, "users") == 0
