"""The `loaso` command as an operator runs it: real processes, real exit codes."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from db import migrations
from tests.cli import LOASO, free_port, popen, run  # noqa: F401  (shared by the CLI tests)
from tests.conftest import WEBHOOK_SECRET
from tests.fakes.telegram_api import FakeTelegram, running_in_thread


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
    result = run(["serve", "--port", str(free_port())], env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and setting in lines[0] and lines[0].startswith("Cấu hình sai")


def test_serve_refuses_an_unmigrated_database_and_says_how_to_fix_it(tmp_path):
    result = run(["serve", "--port", str(free_port())], env=sqlite_env(tmp_path))
    assert result.returncode == 2 and "loaso migrate" in result.stderr
    assert tables(tmp_path / "cli.db") == []


def test_worker_refuses_an_unmigrated_database(tmp_path):
    result = run(["worker"], env=sqlite_env(tmp_path))
    assert result.returncode == 2 and "loaso migrate" in result.stderr


def test_migrate_then_serve_is_healthy_and_stops_cleanly(tmp_path):
    env = sqlite_env(tmp_path)
    migrated = run(["migrate"], env=env)
    assert migrated.returncode == 0 and f"({migrations.head_revision()})" in migrated.stdout
    assert {"users", "outbox", "inbound_events", "conversation_states", "phase_overrides"} <= set(
        tables(tmp_path / "cli.db"))
    port = free_port()
    process = popen(["serve", "--port", str(port)], env={**env, "LOASO_RUN_DIR": str(tmp_path)},
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


def test_serve_is_healthy_on_the_suites_database(database_url, tmp_path):
    """On PostgreSQL too: the start-up check must not leave a connection on a dead loop."""
    port = free_port()
    process = popen(["serve", "--port", str(port)],
                    env={"LOASO_DATABASE_URL": database_url, "LOASO_RUN_DIR": str(tmp_path)},
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


# A Telegram token in webhook mode without its secret: a set-up half done.
HALF_WEBHOOK = {"LOASO_TELEGRAM_TOKEN": "123:abc", "LOASO_TELEGRAM_MODE": "webhook"}


@pytest.mark.parametrize("command, stdin", [
    (["chat"], "/start\n"), (["content", "check"], ""), (["outbox", "status"], ""),
    (["phase", "show"], ""),
])
def test_commands_that_run_no_channel_ignore_a_half_finished_webhook(tmp_path, command, stdin):
    env = {**sqlite_env(tmp_path), **HALF_WEBHOOK}
    run(["migrate"], env=env)
    result = run(command, env=env, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "WEBHOOK_SECRET" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [["serve", "--port", "PORT"], ["worker"], ["webhook", "set"]])
def test_commands_that_run_channels_refuse_a_half_finished_webhook(tmp_path, command):
    env = {**sqlite_env(tmp_path), **HALF_WEBHOOK, "LOASO_PUBLIC_URL": "https://x.vn"}
    run(["migrate"], env=env)
    command = [str(free_port()) if part == "PORT" else part for part in command]
    result = run(command, env=env, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == ("Cấu hình sai: LOASO_TELEGRAM_WEBHOOK_SECRET: cần đặt khi "
                                     "dùng LOASO_TELEGRAM_MODE=webhook (hoặc chọn polling)")


def test_migrate_of_an_empty_database_records_when_it_was_installed(tmp_path):
    env = sqlite_env(tmp_path)
    assert run(["migrate"], env=env).returncode == 0
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        first = connection.execute(
            "SELECT created_at FROM app_secrets WHERE name = 'installed_at'").fetchall()
    assert len(first) == 1
    assert run(["migrate"], env=env).returncode == 0  # an upgrade is not an installation
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute(
            "SELECT created_at FROM app_secrets WHERE name = 'installed_at'").fetchall() == first
