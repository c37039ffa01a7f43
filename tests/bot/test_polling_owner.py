"""Who polls and who can be watched (issue 20, item 14): `serve --no-sender` never polls
(two pollers get 409 from Telegram), only the active worker does; `loaso worker
--health-port` answers /healthz so a process supervisor can watch it."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time

import httpx

from tests.cli import free_port, popen, run
from tests.conftest import wait_until
from tests.fakes.telegram_api import FakeTelegram, running_in_thread
from tests.utils import running_app, telegram_update


async def test_serve_without_sender_never_polls(telegram_settings, fake_telegram):
    fake_telegram.pending_updates = [telegram_update("start")]
    settings = telegram_settings(telegram_mode="polling", telegram_webhook_secret=None)
    async with running_app(settings, run_sender=False) as (client, service):
        for _ in range(20):  # give a poller every chance to start
            await asyncio.sleep(0)
        health = (await client.get("/healthz")).json()
        tasks = [task.get_name() for task in service._tasks]
    assert not any(name.endswith("-poll") for name in tasks), tasks
    assert not {"getUpdates", "deleteWebhook"} & {method for _, method in fake_telegram.calls}
    assert health["checks"]["polling"] == {"telegram": "off"}
    assert health["status"] == "ok"


async def test_the_active_process_polls(telegram_settings, fake_telegram):
    fake_telegram.pending_updates = [telegram_update("start")]
    settings = telegram_settings(telegram_mode="polling", telegram_webhook_secret=None)
    async with running_app(settings) as (client, service):
        await wait_until(lambda: fake_telegram.sent)
        assert [task.get_name() for task in service._tasks if task.get_name().endswith("-poll")] \
            == ["telegram-poll"]


def test_worker_health_port_answers_healthz_for_a_supervisor(tmp_path):
    fake = FakeTelegram()
    port = free_port()
    with running_in_thread(fake) as base_url:
        env = {"LOASO_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
               "LOASO_RUN_DIR": str(tmp_path), "LOASO_TELEGRAM_TOKEN": fake.token,
               "LOASO_TELEGRAM_MODE": "polling", "LOASO_TELEGRAM_API_BASE": base_url}
        assert run(["migrate"], env=env).returncode == 0
        process = popen(["worker", "--health-port", str(port)], env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            health = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
                    if health["checks"].get("polling") == {"telegram": "ok"}:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            webhook = httpx.post(f"http://127.0.0.1:{port}/webhook/telegram", json={},
                                 timeout=2)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert health is not None, stderr
    assert health["status"] == "ok", health
    assert health["checks"]["sender"] == "ok" and health["checks"]["polling"] == {
        "telegram": "ok"}
    assert webhook.status_code == 404  # only health and metrics on the worker's port
    assert process.returncode == 0 and "Traceback" not in stderr, stderr


def test_worker_health_port_in_use_is_one_clear_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"LOASO_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
               "LOASO_RUN_DIR": str(tmp_path)}
        result = run(["worker", "--health-port", str(port)], env=env)
    assert result.returncode != 0
    assert f"Cổng {port} đang bị dùng" in result.stderr and "Traceback" not in result.stderr
