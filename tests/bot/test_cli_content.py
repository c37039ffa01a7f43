"""`loaso content …` and `loaso phase …` as staff run them."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

from tests.bot.test_cli import sqlite_env
from tests.cli import free_port, popen, run
from tests.conftest import MINI_PACK, SHIPPED_PACK


def test_content_check_passes_the_shipped_pack():
    result = run(["content", "check", str(SHIPPED_PACK)])
    assert result.returncode == 0, result.stdout
    assert "0 lỗi" in result.stdout and "Gói nội dung hợp lệ" in result.stdout


def test_content_check_fails_with_file_and_line(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    article = pack / "articles" / "du-thao-xa.md"
    article.write_text(article.read_text().replace("topic: van-kien", "topic: khong-co"))
    result = run(["content", "check", str(pack)])
    assert result.returncode == 1
    assert "LỖI articles/du-thao-xa.md:5: chủ đề 'khong-co' không tồn tại" in result.stdout


def test_service_refuses_to_start_on_an_invalid_pack(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "faq.yaml").write_text("- id: [", encoding="utf-8")
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(pack)}
    assert run(["migrate"], env=env).returncode == 0
    for command in (["serve", "--port", str(free_port())], ["chat"]):
        result = run(command, env=env, stdin="/start\n")
        assert result.returncode == 2
        assert "faq.yaml:1: YAML sai cú pháp" in result.stderr and "loaso content check" in result.stderr
        assert "Traceback" not in result.stderr


def test_chat_previews_the_campaign_as_of_a_date(tmp_path):
    env = sqlite_env(tmp_path)
    first = run(["chat", "--as-of", "2025-08-15"], env=env, stdin="/tin\n")
    during = run(["chat", "--as-of", "2026-01-20"], env=env, stdin="/tin\n")
    after = run(["chat", "--as-of", "2026-06-01"], env=env, stdin="/tin\n")
    assert "Tin Đại hội — Đợt I:" in first.stdout
    assert "Trong thời gian diễn ra Đại hội XIV" in during.stdout
    assert "Tin Đại hội — Đợt III:" in after.stdout


def test_phase_set_show_and_clear_are_recorded(tmp_path):
    env = sqlite_env(tmp_path)
    run(["migrate"], env=env)
    wrong = run(["phase", "set", "dot-9", "--by", "Nguyễn Văn A"], env=env)
    assert wrong.returncode == 2 and "dot-1" in wrong.stderr
    pinned = run(["phase", "set", "dot-2", "--stage", "trong-dai-hoi", "--by", "Nguyễn Văn A"],
                 env=env)
    assert pinned.returncode == 0, pinned.stderr
    shown = run(["phase", "show", "--as-of", "2025-08-15"], env=env)
    assert "Theo lịch, ngày 15/08/2025: Đợt I" in shown.stdout
    assert "Đang ghim: Đợt II — Trong thời gian diễn ra Đại hội XIV — do Nguyễn Văn A" in shown.stdout
    chat = run(["chat"], env=env, stdin="/tin\n")
    assert "Trong thời gian diễn ra Đại hội XIV" in chat.stdout
    cleared = run(["phase", "clear", "--by", "Nguyễn Văn A"], env=env)
    assert cleared.returncode == 0 and "Đã bỏ ghim" in cleared.stdout
    assert "Đang ghim" not in run(["phase", "show"], env=env).stdout


def test_phase_commands_refuse_an_unmigrated_database(tmp_path):
    result = run(["phase", "set", "dot-1", "--by", "A"], env=sqlite_env(tmp_path))
    assert result.returncode == 2 and "loaso migrate" in result.stderr


def test_content_reload_reaches_a_running_service(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(pack),
           "LOASO_RUN_DIR": str(tmp_path / "run")}
    run(["migrate"], env=env)
    process = popen(["serve", "--port", str(free_port())], env=env,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not list((tmp_path / "run").glob("loaso-serve-*.pid")):
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        (pack / "faq.yaml").write_text("- id: [", encoding="utf-8")
        refused = run(["content", "reload"], env=env)
        assert refused.returncode == 1 and "giữ nguyên nội dung cũ" in refused.stderr
        shutil.copy(MINI_PACK / "faq.yaml", pack / "faq.yaml")
        accepted = run(["content", "reload"], env=env)
        assert accepted.returncode == 0 and "Đã yêu cầu 1 tiến trình" in accepted.stdout
        time.sleep(1.0)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert "content reloaded: 6 articles" in stderr
    assert not list((tmp_path / "run").glob("*.pid"))  # removed on shutdown


def _save_edit(env: dict[str, str], path: str, text: str) -> None:
    """An edit made in the console, through the same action."""
    import asyncio
    import datetime as dt
    from pathlib import Path

    from bot.actions.content import save_text
    from db.audit import Who
    from db.engine import Database

    async def save():
        database = Database(env["LOASO_DATABASE_URL"].replace("sqlite:", "sqlite+aiosqlite:"))
        try:
            async with database.transaction() as session:
                await save_text(session, Path(env["LOASO_CONTENT_DIR"]), path=path, text=text,
                                base_version=0, who=Who("Lê Thị Lan", None, "127.0.0.1"),
                                now=dt.datetime.now(dt.UTC), note="sửa bài viết")
        finally:
            await database.dispose()

    asyncio.run(save())


def test_export_overlay_writes_the_console_edits_back_to_pack_files(tmp_path):
    env = {**sqlite_env(tmp_path), "LOASO_CONTENT_DIR": str(MINI_PACK)}
    assert run(["migrate"], env=env).returncode == 0
    article = (MINI_PACK / "articles" / "du-thao-xa.md").read_text(encoding="utf-8")
    _save_edit(env, "articles/du-thao-xa.md", article.replace(
        "[[CẦN BỔ SUNG: thời gian hội nghị lấy ý kiến]]", "Hội nghị ngày 15/9."))
    checked = run(["content", "check"], env=env)
    assert checked.returncode == 0, checked.stdout
    out = tmp_path / "xuat"
    result = run(["content", "export-overlay", "--out", str(out)], env=env)
    assert result.returncode == 0, result.stderr
    assert "1 tệp sửa trên trang quản trị" in result.stdout
    assert "Hội nghị ngày 15/9." in (out / "articles" / "du-thao-xa.md").read_text()
    assert (out / "campaign.yaml").read_text() == (MINI_PACK / "campaign.yaml").read_text()
    assert run(["content", "check", str(out)]).returncode == 0
    assert "CẦN BỔ SUNG" in (MINI_PACK / "articles" / "du-thao-xa.md").read_text()  # untouched
    again = run(["content", "export-overlay", "--out", str(out)], env=env)
    assert again.returncode == 2 and "đã có tệp" in again.stderr
