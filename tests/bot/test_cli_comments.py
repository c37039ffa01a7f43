"""`loaso comments list|show|review|answer` as staff run them."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.bot.test_cli import run, sqlite_env
from tests.conftest import MINI_PACK

LINES = "/gopy\n1\n4\n1\n1\n2\nPhương hướng cần cụ thể hơn cho các thôn.\n1\n1\n"


@pytest.fixture
def staff_env(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    chat = run(["chat", "--user", "bac-tu"], env=env, stdin=LINES)
    code = re.search(r"GY-[A-Z0-9]{8}", chat.stdout)
    assert code, chat.stdout
    return env, code.group(0), tmp_path / "cli.db"


def row(path, code):
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT status, staff_note, answer, reviewed_by FROM comments WHERE receipt=?",
            (code,)).fetchone()


def test_list_and_show(staff_env):
    env, code, _ = staff_env
    listed = run(["comments", "list", "--draft", "bao-cao"], env=env)
    assert listed.returncode == 0 and code in listed.stdout and "Không tán thành" in listed.stdout
    shown = run(["comments", "show", code.lower()], env=env)
    assert "Mục: Phần II. Phương hướng" in shown.stdout
    assert "Phương hướng cần cụ thể hơn cho các thôn." in shown.stdout
    assert "không có góp ý" in run(["comments", "list", "--status", "spam"], env=env).stdout.lower()


def test_review_then_answer_reaches_the_resident(staff_env):
    env, code, path = staff_env
    reviewed = run(["comments", "review", code, "--status", "da_xem", "--note", "Chuyển tổ biên tập",
                    "--by", "Cán bộ D"], env=env)
    assert reviewed.returncode == 0
    assert row(path, code) == ("da_xem", "Chuyển tổ biên tập", None, "Cán bộ D")
    answered = run(["comments", "answer", code, "--decision", "khong_tiep_thu", "--text",
                    "Nội dung này đã có ở Phần I.", "--by", "Cán bộ D"], env=env)
    assert answered.returncode == 0 and "sẽ nhận được tin" in answered.stdout
    assert row(path, code)[0] == "khong_tiep_thu"
    chat = run(["chat", "--user", "bac-tu"], env=env, stdin="/gopycuatoi\n")
    assert f"Phản hồi về góp ý {code}" in chat.stdout and "Kết quả: Không tiếp thu" in chat.stdout


@pytest.mark.parametrize("args, words", [
    (["review", "GY-KHONGCO1", "--status", "da_xem", "--by", "A"], "Không có góp ý mã"),
    (["review", "{code}", "--status", "xong", "--by", "A"], "Trạng thái không hợp lệ"),
    (["review", "{code}", "--status", "da_xem", "--by", "  "], "--by"),
    (["answer", "{code}", "--text", "  ", "--by", "A"], "không được để trống"),
    (["answer", "{code}", "--text", "x" * 3001, "--by", "A"], "tối đa 3000"),
    (["answer", "{code}", "--text", "Được", "--decision", "ok", "--by", "A"], "Quyết định không hợp lệ"),
    (["list", "--status", "moi,lạ"], "Trạng thái không hợp lệ: lạ"),
])
def test_bad_staff_input_is_refused_and_changes_nothing(staff_env, args, words):
    env, code, path = staff_env
    before = row(path, code)
    result = run(["comments", *[arg.replace("{code}", code) for arg in args]], env=env)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert row(path, code) == before
