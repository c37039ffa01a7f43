"""A database blip does not stop the service: `loaso serve` whose database connections are
terminated again and again during traffic keeps running, answers 503 while the database is
away (the platform delivers those updates again), takes its duties up again when it wins the
active-worker lock back, and every resident gets their answer once."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.cli import LOASO, free_port, hermetic_env, workdir
from tests.conftest import MINI_PACK, WEBHOOK_SECRET, wait_until
from tests.utils import secret_headers, telegram_update

FIRST_CHAT = 6_300_000_000
RESIDENTS = 45
BLIPS = 3  # times every connection is cut, each after the lock was won back


async def terminate_connections(url: str) -> int:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            cut = (await connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))).scalar_one()
            await connection.commit()
            return cut
    finally:
        await engine.dispose()


async def deliver(client: httpx.AsyncClient, update: dict) -> int:
    """Post until accepted, as the platform redelivers a refused update; the 5xx seen."""
    refused = 0
    for _ in range(300):
        response = await client.post("/webhook/telegram", json=update, headers=secret_headers())
        if response.status_code == 200:
            return refused
        assert response.status_code >= 500, response.text  # never a 4xx: that would be lost
        refused += 1
        await asyncio.sleep(0.1)
    raise AssertionError("the service never recovered")


async def test_terminated_connections_during_traffic_lose_nothing_and_stop_nothing(
        database_url, database, fake_telegram, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend: PostgreSQL only")
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = hermetic_env({
        "LOASO_DATABASE_URL": database_url, "LOASO_TELEGRAM_TOKEN": fake_telegram.token,
        "LOASO_TELEGRAM_MODE": "webhook", "LOASO_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOASO_TELEGRAM_API_BASE": fake_telegram.base_url, "LOASO_CONTENT_DIR": str(MINI_PACK),
        "LOASO_SENDER_POLL_SECONDS": "0.2", "LOASO_RUN_DIR": str(tmp_path / "run"),
        "LOASO_PUBLIC_URL": "https://loaso.test", "LOASO_LOG_LEVEL": "INFO"})
    with open(log_path, "ab") as log:
        serve = await asyncio.create_subprocess_exec(
            LOASO, "serve", "--host", "127.0.0.1", "--port", str(port), env=env,
            cwd=workdir(), stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
    chats: list[int] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            async def healthy() -> bool:
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_until(healthy, timeout=30)
            blips_done = asyncio.Event()

            async def traffic() -> None:
                while not blips_done.is_set() or len(chats) < RESIDENTS:
                    chat = FIRST_CHAT + len(chats)
                    await deliver(client, telegram_update("start", chat_id=chat,
                                                          update_id=900_000 + len(chats)))
                    chats.append(chat)
                    await asyncio.sleep(0.05)

            def taken() -> int:
                return log_path.read_text(errors="replace").count(
                    "this worker is now the active one")

            async def blips() -> int:
                cut = 0
                for _ in range(BLIPS):
                    before = taken()
                    cut += await terminate_connections(database_url)
                    await wait_until(lambda before=before: taken() > before, timeout=60)  # lost, won back
                blips_done.set()
                return cut

            sent, cut = await asyncio.gather(traffic(), blips())
            assert cut >= BLIPS  # the service's connections (and its lock's) were cut

            def everyone_answered() -> bool:
                return all(fake_telegram.texts_to(chat) for chat in chats)

            await wait_until(everyone_answered, timeout=90)
            await wait_until(healthy, timeout=30)
            assert serve.returncode is None, "serve exited"
    finally:
        if serve.returncode is None:
            serve.terminate()
            await asyncio.wait_for(serve.wait(), 30)
    logged = log_path.read_text(errors="replace")
    assert logged.count("this worker is now the active one") == 1 + BLIPS, logged[-3000:]
    assert len(chats) >= RESIDENTS
    greetings = [len(fake_telegram.texts_to(chat)) for chat in chats]
    assert set(greetings) == {greetings[0]}, "someone got a reply twice or not at all"
