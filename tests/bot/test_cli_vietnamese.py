"""The command line speaks Vietnamese throughout: typer's and click's own texts, pydantic's
value checks, flag labels, confirmation, status names as printed, a port in use, and files
that are never overwritten without --force."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
import typer.main

from bot.cli import app
from bot.cli.vietnamese import VietnameseContext, localise
from tests.bot.test_cli import sqlite_env
from tests.cli import free_port, run
from tests.conftest import MINI_PACK, SHIPPED_PACK

ENGLISH = ["Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "[required]",
           "default:", "<bool>", "<str>", "<int>", "<path>", "Error:", "Missing", "Aborted",
           "Try '", "Input should", "No such", "[y/N]", "TEXT", "INTEGER"]


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


def every_command(command, path=("loaso",)):
    yield path, command
    for name, child in getattr(command, "commands", {}).items():
        yield from every_command(child, (*path, name))


def test_every_help_page_is_vietnamese():
    root = typer.main.get_command(app)
    localise(root)
    pages = 0
    for path, command in every_command(root):
        context = VietnameseContext(command, info_name=" ".join(path))
        page = command.get_help(context)
        assert english_in(page) == [], (path, page)
        assert "Cách dùng: " in page and "Hiện hướng dẫn này rồi thoát." in page
        pages += 1
    assert pages > 40


def test_a_help_page_as_printed():
    result = run(["residents", "forget", "--help"])
    assert result.returncode == 0
    assert result.stdout.startswith("Cách dùng: loaso residents forget [TÙY CHỌN]")
    assert "Tùy chọn:" in result.stdout and "[bắt buộc]" in result.stdout
    flag = next(line for line in result.stdout.splitlines() if "--yes" in line)
    assert flag.split()[:2] == ["--yes", "Xác"]  # a flag takes no value: no <bool> label


@pytest.mark.parametrize("args, words", [
    (["comments", "answer", "GY-AAAA2222"], "Lỗi: Thiếu tùy chọn --text."),
    (["comments", "review"], "Lỗi: Thiếu đối số MÃ-GÓP-Ý."),
    (["khong-co-lenh"], "Lỗi: Không có lệnh 'khong-co-lenh'."),
    (["comments", "list", "--pag", "2"], "Lỗi: Không có tùy chọn --pag. Có phải ý bạn là --page?"),
    (["comments", "list", "--page", "abc"], "Lỗi: Giá trị không hợp lệ cho --page: cần một số nguyên."),
    (["comments", "list", "--page", "0"], "Lỗi: Giá trị không hợp lệ cho --page: cần từ 1 trở lên."),
    (["comments", "list", "--page"], "Lỗi: Tùy chọn '--page' cần một giá trị."),
    (["chat", "thua"], "Lỗi: Thừa đối số: thua."),
])
def test_usage_errors_are_vietnamese_and_change_nothing(tmp_path, args, words):
    result = run(args, env=sqlite_env(tmp_path))
    assert result.returncode == 2
    assert words in result.stderr and english_in(result.stderr) == [], result.stderr
    assert not (tmp_path / "cli.db").exists()


def test_a_group_alone_shows_its_commands_in_vietnamese():
    result = run(["comments"])
    assert result.returncode == 2 and "Lệnh:" in result.stderr
    assert english_in(result.stderr) == []


def test_a_bad_setting_is_worded_in_vietnamese(tmp_path):
    result = run(["outbox", "status"], env={**sqlite_env(tmp_path),
                                            "LOASO_SEND_MAX_ATTEMPTS": "nhiều",
                                            "LOASO_TELEGRAM_MODE": "bồ câu"})
    assert result.returncode == 2 and english_in(result.stderr) == []
    assert "Cấu hình sai: LOASO_SEND_MAX_ATTEMPTS: cần một số nguyên" in result.stderr
    assert "Cấu hình sai: LOASO_TELEGRAM_MODE: chỉ nhận 'webhook' hoặc 'polling'" in result.stderr


def test_an_unanswered_prompt_is_cancelled_in_vietnamese(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_ZALO_OA_APP_ID": "1", "LOASO_ZALO_OA_APP_SECRET": "s",
           "LOASO_ZALO_OA_SECRET_KEY": "k"}
    result = run(["zalo", "oa-auth", "--redirect-uri", "https://xa.example.vn/cb"], env=env)
    assert result.returncode == 1 and "Đã hủy, chưa làm gì." in result.stderr
    assert english_in(result.stdout + result.stderr) == []


@pytest.mark.parametrize("status", ["chờ duyệt", "Chờ duyệt", "cho duyet", "pending"])
def test_announcement_status_is_accepted_as_it_is_printed(tmp_path, status):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    run(["migrate"], env=env)
    result = run(["announcements", "list", "--status", status], env=env)
    assert result.returncode == 0, result.stderr


def test_an_unknown_status_lists_codes_with_their_printed_names(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    run(["migrate"], env=env)
    result = run(["announcements", "list", "--status", "đang ngủ"], env=env)
    assert result.returncode == 2 and "pending (chờ duyệt)" in result.stderr


def test_comment_statuses_are_accepted_as_printed(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    run(["migrate"], env=env)
    assert run(["comments", "list", "--status", "Mới nhận,da_xem,Tiếp thu"],
               env=env).returncode == 0
    wrong = run(["comments", "list", "--status", "Mới nhận,chưa có"], env=env)
    assert wrong.returncode == 2 and "chưa có" in wrong.stderr and "moi (Mới nhận)" in wrong.stderr


def test_a_port_in_use_is_one_vietnamese_line(tmp_path):
    env = sqlite_env(tmp_path)
    run(["migrate"], env=env)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "--port", str(port)], env={**env, "LOASO_RUN_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"Cổng {port} đang bị dùng")
    assert "Traceback" not in result.stderr and english_in(result.stderr) == []


# -- files are never overwritten without --force -----------------------------------------------

def audit_rows(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM export_audit").fetchone()[0]


@pytest.mark.parametrize("command, name", [
    (["comments", "export", "--by", "Cán bộ A"], "gop-y.csv"),
    (["comments", "export", "--by", "Cán bộ A"], "gop-y.xlsx"),
    (["comments", "report", "--draft", "bao-cao", "--by", "Cán bộ A"], "bao-cao.docx"),
    (["comments", "template"], "mau.xlsx"),
])
def test_a_command_writing_a_file_refuses_to_overwrite_without_force(tmp_path, command, name):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    run(["migrate"], env=env)
    out = tmp_path / name
    out.write_bytes(b"yesterday's work")
    refused = run([*command, "--out", str(out)], env=env)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_bytes() == b"yesterday's work" and audit_rows(tmp_path / "cli.db") == 0
    replaced = run([*command, "--out", str(out), "--force"], env=env)
    assert replaced.returncode == 0, replaced.stderr
    assert out.read_bytes() != b"yesterday's work"


def test_drafts_import_never_writes_into_the_shipped_pack_by_default(tmp_path):
    before = sorted(path.name for path in (SHIPPED_PACK / "drafts").iterdir())
    result = run(["drafts", "import", str(tmp_path / "du-thao.docx"), "--id", "moi",
                  "--title", "Dự thảo mới"], env=sqlite_env(tmp_path))
    assert result.returncode == 2
    assert "LOASO_CONTENT_DIR" in result.stderr and "/var/lib/loaso/pack" in result.stderr
    assert sorted(path.name for path in (SHIPPED_PACK / "drafts").iterdir()) == before


def test_the_port_helper_hands_out_a_free_port():
    port = free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # still free: nothing took it
