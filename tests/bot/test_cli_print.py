"""`loaso print sheet` and `loaso print slogans` (real processes, a migrated database)."""

from __future__ import annotations

from datetime import UTC, datetime

import docx
import pytest

from bot.outputs.sheet import Sheet
from bot.outputs.sheet_docx import PAGE_HEIGHT_CM, estimated_height_cm, fit_to_page
from bot.outputs.slogans import SloganTooWide, wrap
from db.models import AnnouncementStatus
from delivery.fanout import Audience
from tests.bot.test_cli_loa import notice
from tests.bot.test_cli_roles import env, loaso  # noqa: F401  (env is a fixture)
from tests.conftest import SHIPPED_PACK
from tests.scheduler.test_announcements import mini_pack

WEEK = "2026-01-20"
URL = {"LOASO_PUBLIC_URL": "https://loaso.example.vn"}


def texts_of(path) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(str(path)).paragraphs]


async def test_sheet_with_a_hamlet_of_its_own(env, database, tmp_path):
    await notice(database, "Toàn xã: họp dân ngày 22/1.")
    async with database.transaction() as session:
        from db.models import Announcement

        session.add(Announcement(author="Chi bộ Thôn 1", text="Thôn 1 dọn vệ sinh sáng Chủ nhật.",
                                 audience=Audience(hamlets=("thon-1",)).to_json(),
                                 status=AnnouncementStatus.DONE, priority="khan-cap",
                                 send_at=datetime(2026, 1, 20, 1, tzinfo=UTC)))
    out = tmp_path / "ban-tin.docx"
    result = loaso({**env, **URL}, "print", "sheet", "--week", WEEK, "--out", str(out))
    assert result.returncode == 0, result.stderr
    common, own = texts_of(out), texts_of(tmp_path / "ban-tin-thon-1.docx")
    assert common[1] == "BẢN TIN THÔN" and own[1] == "BẢN TIN THÔN — THÔN 1"
    assert "Tuần từ 19/01 đến 25/01/2026" in common
    assert "Ủy ban MTTQ xã: Toàn xã: họp dân ngày 22/1." in common
    assert not any("dọn vệ sinh" in line for line in common)
    assert "[KHẨN CẤP] Chi bộ Thôn 1: Thôn 1 dọn vệ sinh sáng Chủ nhật." in own
    assert own.index("[KHẨN CẤP] Chi bộ Thôn 1: Thôn 1 dọn vệ sinh sáng Chủ nhật.") < own.index(
        "Ủy ban MTTQ xã: Toàn xã: họp dân ngày 22/1.")
    assert "LỊCH SỰ KIỆN SẮP TỚI" in common
    assert len(docx.Document(str(out)).inline_shapes) == 1  # the QR code
    assert not (tmp_path / "ban-tin-thon-2.docx").exists()  # no notice of its own


def test_sheet_bad_inputs_write_nothing(env, database, tmp_path):
    out = tmp_path / "ban-tin.docx"
    for args, message in (
            (["--week", "tuần này", "--out", str(out)], "NĂM-THÁNG-NGÀY"),
            (["--week", WEEK, "--out", str(tmp_path / "x.pdf")], "ghi dạng .docx"),
            (["--week", WEEK, "--out", str(out), "--hamlet", "thon-9"], "Không có thôn mã thon-9"),
            (["--week", "2024-01-03", "--out", str(out)], "không có tin hay thông báo nào để in")):
        result = loaso(env, "print", "sheet", *args)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.pdf"))


def test_sheet_without_links_has_no_qr_and_says_so(env, database, tmp_path):
    out = tmp_path / "ban-tin.docx"
    result = loaso(env, "print", "sheet", "--week", WEEK, "--out", str(out))
    assert result.returncode == 0 and "chưa có mã QR" in result.stderr
    assert len(docx.Document(str(out)).inline_shapes) == 0


def test_a_crowded_sheet_is_trimmed_to_one_page():
    pack = mini_pack()
    from bot.outputs.sheet import SheetNotice

    sheet = Sheet("Đảng ủy xã", datetime(2026, 1, 19).date(), datetime(2026, 1, 25).date(),
                  articles=list(pack.articles) * 3,
                  notices=[SheetNotice("MTTQ", "Thông báo rất dài. " * 20)] * 6)
    assert estimated_height_cm(sheet) > PAGE_HEIGHT_CM
    fit_to_page(sheet)
    assert estimated_height_cm(sheet) <= PAGE_HEIGHT_CM and sheet.articles


def test_slogans_for_a_board(env, tmp_path):
    result = loaso(env, "print", "slogans", "--width", "16")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(len(line) <= 16 for line in lines)
    out = tmp_path / "led.txt"
    written = loaso(env, "print", "slogans", "--width", "20", "--upper", "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert out.read_text(encoding="utf-8").isupper()


@pytest.mark.parametrize(("width", "expected"), [
    (20, ["Đảng Cộng sản Việt", "Nam quang vinh muôn", "năm!"]),
    (60, ["Đảng Cộng sản Việt Nam quang vinh muôn năm!"]),
])
def test_wrap_breaks_between_words(width, expected):
    assert wrap("Đảng Cộng sản Việt Nam quang vinh muôn năm!", width) == expected


def test_a_word_wider_than_the_board_is_refused(env, tmp_path):
    with pytest.raises(SloganTooWide, match="“2025–2030!”"):
        wrap("nhiệm kỳ 2025–2030!", 8)
    out = tmp_path / "led.txt"
    result = loaso({**env, "LOASO_CONTENT_DIR": str(SHIPPED_PACK)}, "print", "slogans",
                   "--width", "8", "--out", str(out))
    assert result.returncode == 2 and "hãy chọn --width lớn hơn" in result.stderr
    assert not out.exists()
