"""`loaso residents forget`: a deletion request received on paper, carried out by staff."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.bot.test_cli import run, sqlite_env
from tests.cli import run_in_terminal
from tests.conftest import MINI_PACK

# Consent, then a signed comment on the open draft, through the real terminal chat.
LINES = ("/start\n1\n/gopy\n1\n4\n1\n2\nPhương hướng cần cụ thể hơn cho các thôn.\n2\n"
         "Lê Văn Bảy\n1\n1\n")


@pytest.fixture
def staff_env(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    chat = run(["chat", "--user", "bac-bay"], env=env, stdin=LINES)
    assert "Mã biên nhận" in chat.stdout, chat.stdout
    return env, tmp_path / "cli.db"


def query(path, sql, *args):
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, args).fetchall()


def test_forget_erases_and_prints_what_was_done(staff_env):
    env, path = staff_env
    assert query(path, "SELECT signed_name FROM comments") == [("Lê Văn Bảy",)]
    result = run(["residents", "forget", "--channel", "console", "--address", "bac-bay", "--yes"],
                 env=env)
    assert result.returncode == 0, result.stderr
    assert "Đã xóa dữ liệu cá nhân của người dân 'bac-bay' (console)" in result.stdout
    assert "Đã tách 1 góp ý khỏi người dân" in result.stdout
    assert "Đã xóa bản ghi đồng ý." in result.stdout
    assert query(path, "SELECT user_id, signed_name, hamlet_id, text FROM comments") == [
        (None, None, None, "Phương hướng cần cụ thể hơn cho các thôn.")]
    assert query(path, "SELECT consent_at FROM users WHERE address='bac-bay'") == [(None,)]
    ((kind, via, actions),) = query(path, "SELECT kind, via, actions FROM data_requests")
    assert (kind, via, json.loads(actions)["comments_anonymised"]) == ("erase", "cli", 1)
    chat = run(["chat", "--user", "bac-bay"], env=env, stdin="/dulieu\n")
    assert "Loa Số không giữ thông tin cá nhân nào của bạn" in chat.stdout


def test_forget_again_says_there_is_nothing_left(staff_env):
    env, path = staff_env
    args = ["residents", "forget", "--channel", "console", "--address", "bac-bay", "--yes"]
    run(args, env=env)
    again = run(args, env=env)
    assert again.returncode == 0 and "không có dữ liệu cá nhân nào để xóa" in again.stdout
    assert query(path, "SELECT count(*) FROM data_requests") == [(1,)]


@pytest.mark.parametrize("args, words", [
    (["--channel", "telegram", "--address", "123", "--yes"],
     "Không tìm thấy người dân có mã '123' trên kênh 'telegram'. Các kênh đang có người dân: "
     "console."),
    (["--channel", "console", "--address", "  ", "--yes"], "--address"),
])
def test_an_unknown_resident_is_a_clear_error_and_changes_nothing(staff_env, args, words):
    env, path = staff_env
    result = run(["residents", "forget", *args], env=env)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert query(path, "SELECT count(*) FROM data_requests") == [(0,)]
    assert query(path, "SELECT signed_name FROM comments") == [("Lê Văn Bảy",)]


@pytest.mark.parametrize("typed", ["k\n", "không\n", "\n", "n\n"])
def test_without_yes_staff_are_asked_and_no_means_nothing_happens(staff_env, typed):
    env, path = staff_env
    code, shown = run_in_terminal(
        ["residents", "forget", "--channel", "console", "--address", "bac-bay"], env=env,
        typed=typed)
    assert "Không hoàn tác được. [c/K]" in shown and "[y/N]" not in shown
    assert code == 1 and "Chưa xóa gì." in shown
    assert query(path, "SELECT count(*) FROM data_requests") == [(0,)]
    assert query(path, "SELECT signed_name FROM comments") == [("Lê Văn Bảy",)]


def test_at_a_terminal_yes_in_vietnamese_erases(staff_env):
    env, path = staff_env
    code, shown = run_in_terminal(
        ["residents", "forget", "--channel", "console", "--address", "bac-bay"], env=env,
        typed="có\n")
    assert code == 0 and "Đã xóa dữ liệu cá nhân" in shown
    assert query(path, "SELECT signed_name FROM comments") == [(None,)]


def test_without_yes_and_without_a_terminal_the_refusal_explains_yes(staff_env):
    env, path = staff_env
    result = run(["residents", "forget", "--channel", "console", "--address", "bac-bay"],
                 env=env, stdin="c\n")  # a script cannot answer: it must say --yes
    assert result.returncode == 2
    assert result.stderr.startswith("Chưa xóa gì. Thêm --yes để xác nhận.")
    assert query(path, "SELECT count(*) FROM data_requests") == [(0,)]
    assert query(path, "SELECT signed_name FROM comments") == [("Lê Văn Bảy",)]
