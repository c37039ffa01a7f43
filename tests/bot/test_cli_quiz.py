"""`loaso quiz stats` as staff run it: participation by hamlet, never a person's results."""

from __future__ import annotations

import json
import sqlite3

from tests.bot.test_cli import run, sqlite_env
from tests.conftest import MINI_PACK

STAMP = "2026-03-01 08:00:00.000000"
# address → (hamlet, rounds as (score, answered, finished)); ten questions a round
PLAYERS = {
    "a": ("thon-1", [(8, 10, True), (6, 10, True)]),
    "b": ("thon-1", [(9, 10, True)]),
    "c": ("thon-1", [(2, 3, False)]),
    "d": ("thon-2", [(10, 10, True)]),
    "e": (None, [(5, 10, True)]),
}


def seed(path) -> None:
    with sqlite3.connect(path) as connection:
        for address, (hamlet, rounds) in PLAYERS.items():
            user_id = connection.execute(
                "INSERT INTO users (channel, address, status, created_at, last_seen_at, hamlet_id)"
                " VALUES ('telegram', ?, 'active', ?, ?, ?)",
                (address, STAMP, STAMP, hamlet)).lastrowid
            for number, (score, answered, finished) in enumerate(rounds):
                connection.execute(
                    "INSERT INTO quiz_rounds (user_id, token, questions, answers, score,"
                    " started_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (user_id, f"{address}{number}", json.dumps([f"q{i}" for i in range(10)]),
                     json.dumps([1] * answered), score, STAMP, STAMP,
                     STAMP if finished else None))


def cells(output: str, label: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(label + " "))
    return line[len(label):].split()


def test_stats_aggregate_by_hamlet_and_withhold_small_groups(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    assert run(["migrate"], env=env).returncode == 0
    seed(tmp_path / "cli.db")
    result = run(["quiz", "stats"], env=env)
    assert result.returncode == 0, result.stderr
    assert cells(result.stdout, "Thôn 1") == ["3", "4", "3", "7,7", "76,7%"]
    assert cells(result.stdout, "Thôn 2") == ["1", "1", "1", "—", "—"]  # one player: withheld
    assert cells(result.stdout, "Chưa rõ thôn") == ["1", "1", "1", "—", "—"]
    assert cells(result.stdout, "Toàn xã") == ["5", "6", "5", "7,6", "76,0%"]
    for address in PLAYERS:
        assert f" {address} " not in result.stdout


def test_stats_of_a_quiz_nobody_played_are_zeros(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    assert run(["migrate"], env=env).returncode == 0
    result = run(["quiz", "stats"], env=env)
    assert result.returncode == 0
    assert cells(result.stdout, "Thôn 1") == ["0", "0", "0", "—", "—"]
    assert cells(result.stdout, "Toàn xã") == ["0", "0", "0", "—", "—"]


def test_stats_ask_for_a_migration_first(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    result = run(["quiz", "stats"], env=env)
    assert result.returncode == 2 and "loaso migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_round_played_in_loaso_chat_is_counted(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK),
           "LOASO_QUIZ_ROUND_SIZE": "2"}
    chat = run(["chat", "--user", "bac-hai"], env=env, stdin="/thi\n1\n1\n1\n1\n")
    assert chat.returncode == 0, chat.stderr
    assert "Câu 1/2" in chat.stdout and "Câu 2/2" in chat.stdout
    assert "Hết lượt thi! Bạn trả lời đúng" in chat.stdout and "1. Chơi lượt mới" in chat.stdout
    result = run(["quiz", "stats"], env=env)
    assert cells(result.stdout, "Chưa rõ thôn")[:3] == ["1", "1", "1"]
