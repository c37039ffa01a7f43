"""`loaso loa bulletin` as staff run it (real processes, a migrated database)."""

from __future__ import annotations

from datetime import UTC, datetime

import docx

from db.models import Announcement, AnnouncementStatus
from delivery.fanout import Audience
from tests.bot.test_cli_roles import env, loaso  # noqa: F401  (env is a fixture)

DAY = "2026-01-20"  # the mini pack's Đại hội XIV in session


async def notice(database, text, priority="thuong", status=AnnouncementStatus.SCHEDULED,
                 send_at=datetime(2026, 1, 19, 1, 0, tzinfo=UTC)) -> int:
    async with database.transaction() as session:
        row = Announcement(author="Ủy ban MTTQ xã", text=text, priority=priority,
                           audience=Audience(everyone=True).to_json(), status=status,
                           send_at=send_at)
        session.add(row)
        await session.flush()
        return row.id


async def test_txt_script_with_urgent_first_and_reading_time(env, database, tmp_path):
    await notice(database, "Mời bà con dự họp thôn.")
    await notice(database, "Nước lên nhanh, bà con sơ tán ngay.", priority="khan-cap")
    await notice(database, "Không được duyệt.", status=AnnouncementStatus.REJECTED)
    await notice(database, "Tuần trước nữa.", send_at=datetime(2026, 1, 1, tzinfo=UTC))
    out = tmp_path / "ban-tin.txt"
    result = loaso(env, "loa", "bulletin", "--date", DAY, "--minutes", "5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Thời lượng đọc: khoảng" in result.stdout and "KHẨN CẤP" in result.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("BẢN TIN TRUYỀN THANH NGÀY 20/01/2026\nThời lượng đọc: khoảng ")
    assert text.index("[KHẨN CẤP]") < text.index("Mời bà con dự họp thôn.")
    assert "Không được duyệt" not in text and "Tuần trước nữa" not in text


async def test_docx_in_large_type(env, database, tmp_path):
    await notice(database, "Sơ tán ngay.", priority="khan-cap")
    out = tmp_path / "ban-tin.docx"
    result = loaso(env, "loa", "bulletin", "--date", DAY, "--format", "docx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(out))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "BẢN TIN TRUYỀN THANH NGÀY 20/01/2026"
    assert any(t.startswith("[KHẨN CẤP] 1. Thông báo khẩn của Ủy ban MTTQ xã") for t in texts)
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs
             if run.font.size and p.text in ("Sơ tán ngay.",)}
    assert sizes == {18}


def test_nothing_to_read_writes_no_file(env, database, tmp_path):
    out = tmp_path / "rong.txt"
    result = loaso(env, "loa", "bulletin", "--date", "2025-01-01", "--out", str(out))
    assert result.returncode == 2
    assert "không có bài viết hay thông báo nào để đọc" in result.stderr
    assert not out.exists()


def test_bad_date_and_existing_file_are_refused(env, database, tmp_path):
    out = tmp_path / "ban-tin.txt"
    bad = loaso(env, "loa", "bulletin", "--date", "20/01/2026", "--out", str(out))
    assert bad.returncode == 2 and "NĂM-THÁNG-NGÀY" in bad.stderr and not out.exists()
    mismatch = loaso(env, "loa", "bulletin", "--date", DAY, "--out", str(tmp_path / "b.docx"))
    assert mismatch.returncode == 2 and "không khớp --format txt" in mismatch.stderr
    assert not (tmp_path / "b.docx").exists()
    out.write_text("cũ", encoding="utf-8")
    kept = loaso(env, "loa", "bulletin", "--date", DAY, "--out", str(out))
    assert kept.returncode == 2 and "--force" in kept.stderr
    assert out.read_text(encoding="utf-8") == "cũ"


def test_audio_without_a_command_is_refused_before_writing(env, database, tmp_path):
    out, audio = tmp_path / "b.txt", tmp_path / "b.wav"
    result = loaso(env, "loa", "bulletin", "--date", DAY, "--out", str(out), "--audio", str(audio))
    assert result.returncode == 2 and "Chưa đặt LOASO_TTS_COMMAND" in result.stderr
    assert not out.exists() and not audio.exists()


def test_missing_tts_program_still_writes_the_script(env, database, tmp_path):
    out, audio = tmp_path / "b.txt", tmp_path / "b.wav"
    result = loaso({**env, "LOASO_TTS_COMMAND": "khong-co-chuong-trinh-nay -w {out}"}, "loa",
                   "bulletin", "--date", DAY, "--out", str(out), "--audio", str(audio))
    assert result.returncode == 1
    assert "không tìm thấy chương trình “khong-co-chuong-trinh-nay”" in result.stderr
    assert f"Kịch bản vẫn đã được ghi ở {out}" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("BẢN TIN TRUYỀN THANH")
    assert not audio.exists()


def test_failing_tts_command_says_what_failed(env, database, tmp_path):
    out, audio = tmp_path / "b.txt", tmp_path / "b.wav"
    command = "sh -c 'echo giong-doc-khong-co >&2; exit 3'"
    result = loaso({**env, "LOASO_TTS_COMMAND": command}, "loa", "bulletin", "--date", DAY,
                   "--out", str(out), "--audio", str(audio))
    assert result.returncode == 1
    assert "“sh” dừng với mã lỗi 3: giong-doc-khong-co" in result.stderr
    assert out.exists() and not audio.exists()


def test_tts_command_gets_the_spoken_text(env, database, tmp_path):
    out, audio = tmp_path / "b.txt", tmp_path / "b.wav"
    result = loaso({**env, "LOASO_TTS_COMMAND": "sh -c 'cat > {out}'"}, "loa", "bulletin",
                   "--date", DAY, "--out", str(out), "--audio", str(audio))
    assert result.returncode == 0, result.stderr
    spoken = audio.read_text(encoding="utf-8")
    assert spoken.startswith("Đây là Đài truyền thanh") and "Thời lượng đọc" not in spoken


async def test_broadcast_takes_a_priority(env, database):
    from sqlalchemy import select

    from tests.conftest import count_rows

    bad = loaso(env, "broadcast", "--text", "Sơ tán", "--priority", "rất gấp", "--yes",
                "--by", "Cán bộ D")
    assert bad.returncode == 2 and "Mức ưu tiên không hợp lệ: rất gấp" in bad.stderr
    assert await count_rows(database, "announcements") == 0
    sent = loaso(env, "broadcast", "--text", "Sơ tán ngay", "--priority", "khẩn cấp", "--yes",
                 "--by", "Cán bộ D")
    assert sent.returncode == 0, sent.stderr
    async with database.read() as session:
        assert (await session.execute(select(Announcement.priority))).scalar_one() == "khan-cap"
