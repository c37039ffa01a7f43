"""The `loaso` command as an operator runs it: real processes, real exit codes."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from db import migrations
from tests.conftest import WEBHOOK_SECRET
from tests.fakes.telegram_api import FakeTelegram, running_in_thread

LOASO = str(Path(sys.executable).parent / "loaso")


def run(args, env=None, stdin="", timeout=60) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LOASO_")}
    return subprocess.run([LOASO, *args], input=stdin, capture_output=True, text=True,
                          env={**clean, **(env or {})}, timeout=timeout, cwd=Path(__file__).parents[2])


def sqlite_env(tmp_path) -> dict[str, str]:
    return {"LOASO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def tables(path: Path) -> list[str]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]


def test_chat_from_a_pipe_shows_greeting_and_consent_options(tmp_path):
    result = run(["chat"], env=sqlite_env(tmp_path), stdin="/start\n")
    assert result.returncode == 0, result.stderr
    assert "Xin chào! Đây là Loa Số" in result.stdout
    assert "1. Đồng ý" in result.stdout and "2. Không đồng ý" in result.stdout
    assert "Traceback" not in result.stderr


def test_chat_remembers_the_resident_between_runs(tmp_path):
    env = sqlite_env(tmp_path)
    run(["chat", "--user", "bac-ba"], env=env, stdin="/start\n1\n")
    result = run(["chat", "--user", "bac-ba"], env=env, stdin="/start\n")
    assert "Bạn muốn xem gì?" in result.stdout  # consent was kept: straight to the menu


def test_chat_rejects_a_bad_as_of_date(tmp_path):
    result = run(["chat", "--as-of", "31/02/2026"], env=sqlite_env(tmp_path), stdin="/start\n")
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr
    assert tables(tmp_path / "cli.db") == []


@pytest.mark.parametrize("env, setting", [
    ({"LOASO_DATABASE_URL": "mysql://root@localhost/loaso"}, "LOASO_DATABASE_URL"),
    ({"LOASO_DATABASE_URL": "::::"}, "LOASO_DATABASE_URL"),
    ({"LOASO_TELEGRAM_TOKEN": "123:abc"}, "LOASO_TELEGRAM_WEBHOOK_SECRET"),
    ({"LOASO_TELEGRAM_MODE": "carrier-pigeon"}, "LOASO_TELEGRAM_MODE"),
])
def test_bad_setting_stops_start_up_with_one_clear_line(env, setting):
    result = run(["serve"], env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and setting in lines[0] and lines[0].startswith("Cấu hình sai")


def test_serve_refuses_an_unmigrated_database_and_says_how_to_fix_it(tmp_path):
    result = run(["serve", "--port", "1"], env=sqlite_env(tmp_path))
    assert result.returncode == 2 and "loaso migrate" in result.stderr
    assert tables(tmp_path / "cli.db") == []


def test_worker_refuses_an_unmigrated_database(tmp_path):
    result = run(["worker"], env=sqlite_env(tmp_path))
    assert result.returncode == 2 and "loaso migrate" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_migrate_then_serve_is_healthy_and_stops_cleanly(tmp_path):
    env = sqlite_env(tmp_path)
    migrated = run(["migrate"], env=env)
    assert migrated.returncode == 0 and f"({migrations.head_revision()})" in migrated.stdout
    assert {"users", "outbox", "inbound_events", "conversation_states", "phase_overrides"} <= set(
        tables(tmp_path / "cli.db"))
    port = free_port()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LOASO_")}
    process = subprocess.Popen([LOASO, "serve", "--port", str(port)], env={**clean, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health.status_code == 200
        assert health.json()["checks"] == {"database": "ok", "migrations": "ok", "sender": "ok"}
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells the truth.
    assert process.returncode in (0, -15), stderr
    assert "Application shutdown complete" in stderr and "Traceback" not in stderr


def test_webhook_set_registers_url_and_secret():
    fake = FakeTelegram()
    with running_in_thread(fake) as base_url:
        result = run(["webhook", "set"], env={
            "LOASO_TELEGRAM_TOKEN": fake.token, "LOASO_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOASO_TELEGRAM_API_BASE": base_url, "LOASO_PUBLIC_URL": "https://loaso.namanphu.vn/"})
    assert result.returncode == 0, result.stderr
    assert fake.webhook["url"] == "https://loaso.namanphu.vn/webhook/telegram"
    assert fake.webhook["secret_token"] == WEBHOOK_SECRET
    assert "callback_query" in fake.webhook["allowed_updates"]
    assert fake.token not in result.stdout + result.stderr


def test_webhook_set_without_public_url_says_what_is_missing():
    result = run(["webhook", "set"], env={"LOASO_TELEGRAM_TOKEN": "1:x",
                                          "LOASO_TELEGRAM_WEBHOOK_SECRET": "s"})
    assert result.returncode == 2 and "LOASO_PUBLIC_URL" in result.stderr


def test_webhook_set_reports_a_rejected_token_without_printing_it():
    fake = FakeTelegram()
    token = "987654321:AAWrongTokenWrongTokenWrongToken12"
    with running_in_thread(fake) as base_url:
        result = run(["webhook", "set"], env={
            "LOASO_TELEGRAM_TOKEN": token, "LOASO_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOASO_TELEGRAM_API_BASE": base_url, "LOASO_PUBLIC_URL": "https://x.vn"})
    assert result.returncode == 2 and "Telegram từ chối" in result.stderr
    assert token not in result.stderr and "Traceback" not in result.stderr


def test_serve_is_healthy_on_the_suites_database(database_url):
    """On PostgreSQL too: the start-up check must not leave a connection on a dead loop."""
    port = free_port()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LOASO_")}
    process = subprocess.Popen([LOASO, "serve", "--port", str(port)],
                               env={**clean, "LOASO_DATABASE_URL": database_url},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None and health.json()["status"] == "ok"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert "Traceback" not in stderr, stderr
