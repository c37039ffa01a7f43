"""`loaso outbox status` as staff run it."""

from __future__ import annotations

import sqlite3

from tests.bot.test_cli import run, sqlite_env


def test_outbox_status_counts_by_state_and_shows_common_errors(tmp_path):
    env = sqlite_env(tmp_path)
    assert run(["migrate"], env).returncode == 0
    rows = [("queued", 10, None, None), ("queued", 0, None, None), ("sent", 0, None, None),
            ("stopped", 0, "stopped", "Forbidden: bot was blocked by the user"),
            ("stopped", 0, "stopped", "Forbidden: bot was blocked by the user")]
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        connection.executemany(
            "INSERT INTO outbox (channel, recipient, priority, payload, status, attempts, "
            "next_attempt_at, created_at, error_class, error) VALUES ('telegram', '1', ?, "
            "'{}', ?, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', ?, ?)",
            [(priority, status, error_class, error) for status, priority, error_class, error
             in rows])
    result = run(["outbox", "status"], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    queued = next(line for line in lines if "Đang chờ gửi" in line)
    assert queued.split("│")[2].strip() == "1" and queued.split("│")[3].strip() == "1"
    stopped = next(line for line in lines if line.lstrip("│ ").startswith("Dừng"))
    assert stopped.split("│")[3].strip() == "2"
    assert "2 tin — stopped: Forbidden: bot was blocked by the user" in result.stdout
    assert "Tin chờ lâu nhất" in result.stdout


def test_outbox_status_on_an_unmigrated_database_says_what_to_do(tmp_path):
    result = run(["outbox", "status"], sqlite_env(tmp_path))
    assert result.returncode != 0
    assert "loaso migrate" in result.stderr


def test_retry_failed_requeues_failed_rows_since_a_moment_and_nothing_else(tmp_path):
    env = sqlite_env(tmp_path)
    assert run(["migrate"], env).returncode == 0
    rows = [("failed", "2026-01-01 00:00:00"), ("failed", "2026-03-01 00:00:00"),
            ("stopped", "2026-03-01 00:00:00"), ("sent", "2026-03-01 00:00:00")]
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        connection.executemany(
            "INSERT INTO outbox (channel, recipient, priority, payload, status, attempts, "
            "next_attempt_at, created_at, error_class, error) VALUES ('telegram', '1', 10, "
            "'{}', ?, 5, ?, ?, 'transient', 'Bad Gateway')",
            [(status, created, created) for status, created in rows])
    refused = run(["outbox", "retry"], env)
    assert refused.returncode == 2 and "--failed" in refused.stderr
    bad = run(["outbox", "retry", "--failed", "--since", "hôm qua"], env)
    assert bad.returncode == 2 and "Mốc thời gian không hợp lệ" in bad.stderr
    result = run(["outbox", "retry", "--failed", "--since", "2026-02-01"], env)
    assert result.returncode == 0, result.stderr
    assert "Đã đưa 1 tin gửi lỗi trở lại hàng đợi" in result.stdout
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        stored = connection.execute("SELECT status, attempts, requeued_at IS NOT NULL FROM outbox "
                                    "ORDER BY id").fetchall()
    assert stored == [("failed", 5, 0), ("queued", 0, 1), ("stopped", 5, 0), ("sent", 5, 0)]
    everything = run(["outbox", "retry", "--failed"], env)
    assert "Đã đưa 1 tin" in everything.stdout
    again = run(["outbox", "retry", "--failed"], env)
    assert "Không có tin gửi lỗi nào" in again.stdout
