"""`loaso comments report`: the summary report for the standing committee, DOCX and XLSX."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from bot.reports import summary
from content.loader import load_pack
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK, SHIPPED_PACK, count_rows
from tests.reports.test_export import add_comments, assert_no_formula, audits, cli_env

CONSULTATION = [
    {"text": "Nên nói rõ hơn về nông thôn mới.", "stance": "dong_y_mot_phan",
     "address": "111222333"},
    {"section": "p1-c1", "stance": "khong_tan_thanh", "text": "=1+1 chưa đúng số liệu",
     "signed": "Trần Thị Bình", "note": "Chuyển tổ biên tập", "hamlet": "thon-1"},
    {"section": "p1-c1", "text": "Đồng ý với đánh giá kinh tế.", "address": "111222333",
     "source": "meeting", "detail": "Hội nghị thôn 1", "status": "tiep_thu"},
    {"section": "p1", "text": "@lệnh", "status": "da_xem"},
    {"section": "p1-c1", "text": "ý kiến gửi hai lần", "status": "trung_lap"},
    {"section": "p2", "text": "quảng cáo bán hàng", "status": "spam"},
    {"section": "p2", "text": "tôi đổi ý", "status": "rut_lai"},
    {"section": "muc-cu", "label": "Mục 9. Đã bỏ ở bản mới", "order": 99, "text": "mục cũ"},
]


@pytest.fixture(scope="module")
def pack():
    loaded, report = load_pack(MINI_PACK)
    assert loaded is not None, report.render()
    return loaded


async def make_report(database, pack, out, kind=None):
    return await summary.write_report(database, pack, out=out, kind=kind or out.suffix[1:],
                                      draft_id="bao-cao", actor="Nguyễn Văn Cán Bộ")


def blocks(document) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph, in order."""
    return [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]


def under(document, heading_part: str) -> list[str]:
    """Texts of the paragraphs between the heading that contains `heading_part` and the next."""
    texts, inside = [], False
    for style, text in blocks(document):
        if style.startswith("Heading"):
            inside = heading_part in text
        elif inside:
            texts.append(text)
    return texts


async def test_docx_report_lists_every_comment_under_its_section(database, pack, tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    out = tmp_path / "bao-cao.docx"
    published = await make_report(database, pack, out)
    assert published.rows == 5  # duplicate, spam and withdrawn are left out
    document = docx.Document(str(out))

    headings = [text for style, text in blocks(document) if style == "Heading 2"]
    assert headings == [
        "1. Góp ý chung (1 ý kiến)", "2. Phần I. Đánh giá (1 ý kiến)",
        "3. Phần I. Đánh giá › Chương 1. Kinh tế (2 ý kiến)",
        "4. Phần I. Đánh giá › Chương 2. Xã hội (0 ý kiến)",
        "5. Phần II. Phương hướng (0 ý kiến)",
        "6. Mục 9. Đã bỏ ở bản mới (không còn trong bản hiện hành) (1 ý kiến)"]
    economy = under(document, "Chương 1. Kinh tế")
    assert economy[0].startswith("1. Không tán thành — mã GY-")
    assert "người góp ý: Trần Thị Bình" in economy[0] and "thôn: Thôn 1" in economy[0]
    assert "trạng thái: Mới" in economy[0]
    assert economy[1] == "'=1+1 chưa đúng số liệu"
    assert economy[2] == "Ghi chú của cán bộ: Chuyển tổ biên tập"
    assert economy[3].startswith("2. Tán thành")
    assert "nguồn: Hội nghị — Hội nghị thôn 1" in economy[3]
    assert "trạng thái: Tiếp thu" in economy[3]
    general = under(document, "Góp ý chung")
    pseudonym = re.search(r"người góp ý: (ND-[0-9A-F]{8})", general[0]).group(1)
    assert pseudonym in economy[3]  # the same resident, the same label
    assert under(document, "Phần I. Đánh giá (")[1] == "'@lệnh"
    assert under(document, "Xã hội") == ["Chưa có ý kiến."]
    body = "\n".join(text for _, text in blocks(document))
    for hidden in ("ý kiến gửi hai lần", "quảng cáo bán hàng", "tôi đổi ý"):
        assert hidden not in body
    assert "Không tính 3 ý kiến trùng lặp, spam hoặc đã được người góp ý rút lại." in body
    with zipfile.ZipFile(out) as archive:
        assert b"111222333" not in archive.read("word/document.xml")


async def test_docx_report_has_the_administrative_header_and_count_tables(database, pack,
                                                                          tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    out = tmp_path / "bao-cao.docx"
    await make_report(database, pack, out)
    document = docx.Document(str(out))

    header = document.tables[0].rows[0].cells
    assert header[0].text.splitlines()[0] == "ĐẢNG ỦY XÃ THỬ NGHIỆM"
    nation, motto, _, place = header[1].text.splitlines()
    assert nation == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert motto == "Độc lập - Tự do - Hạnh phúc"
    motto_run = header[1].paragraphs[1].runs[0]
    assert motto_run.bold and motto_run.underline
    assert re.fullmatch(r"Thử Nghiệm, ngày \d\d tháng \d{1,2} năm 20\d\d", place)
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý")
    assert title.runs[0].bold and title.alignment == 1  # centred

    sections, stances, sources = ([[cell.text for cell in row.cells] for row in table.rows]
                                  for table in document.tables[1:4])
    assert sections == [["STT", "Phần, mục", "Số ý kiến"],
                        ["1", "Góp ý chung", "1"], ["2", "Phần I. Đánh giá", "1"],
                        ["3", "Phần I. Đánh giá › Chương 1. Kinh tế", "2"],
                        ["4", "Phần I. Đánh giá › Chương 2. Xã hội", "0"],
                        ["5", "Phần II. Phương hướng", "0"],
                        ["6", "Mục 9. Đã bỏ ở bản mới (không còn trong bản hiện hành)", "1"],
                        ["", "Tổng cộng", "5"]]
    assert stances[1:] == [["Tán thành", "3", "60%"], ["Không tán thành", "1", "20%"],
                           ["Đồng ý một phần", "1", "20%"], ["Tổng cộng", "5", "100%"]]
    assert sources[1:] == [["Telegram", "4", "80%"], ["Hội nghị", "1", "20%"],
                           ["Tổng cộng", "5", "100%"]]


async def test_docx_report_is_times_new_roman_throughout(database, pack, tmp_path):
    out = tmp_path / "bao-cao.docx"
    await make_report(database, pack, out)
    document = docx.Document(str(out))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 13
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:cs")) == "Times New Roman"
    for name in ("Heading 1", "Heading 2"):
        assert document.styles[name].font.name == "Times New Roman"
    with zipfile.ZipFile(out) as archive:
        styles = archive.read("word/styles.xml").decode()
    assert not re.search(r"(ascii|hAnsi|eastAsia|cs)[tT]heme=", styles)  # no theme font at all
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S).group(0)
    assert 'w:eastAsia="Times New Roman"' in defaults and 'w:val="vi-VN"' in defaults


async def test_xlsx_report_has_counts_a_native_chart_and_the_comments(database, pack, tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    out = tmp_path / "bao-cao.xlsx"
    published = await make_report(database, pack, out)
    assert_no_formula(out)
    with zipfile.ZipFile(out) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and '<c:barDir val="col"/>' in chart
    assert "'Tổng hợp'!$A$7:$A$12" in chart and "'Tổng hợp'!$B$7:$B$12" in chart

    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Tổng hợp", "Ý kiến theo mục"]
    counts = [[value for value in row if value is not None]
              for row in workbook["Tổng hợp"].iter_rows(values_only=True)]
    assert counts[0] == ["BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý"]
    assert ["Phần I. Đánh giá › Chương 2. Xã hội", 0, "0%"] in counts
    assert ["Tán thành", 3, "60%"] in counts and ["Hội nghị", 1, "20%"] in counts
    listing = list(workbook["Ý kiến theo mục"].iter_rows(values_only=True))
    assert listing[0][:5] == ("Mục", "STT", "Mã biên nhận", "Ý kiến", "Nội dung")
    assert [row[0] for row in listing[1:]] == [
        "Góp ý chung", "Phần I. Đánh giá", "Phần I. Đánh giá › Chương 1. Kinh tế",
        "Phần I. Đánh giá › Chương 1. Kinh tế",
        "Mục 9. Đã bỏ ở bản mới (không còn trong bản hiện hành)"]
    assert listing[2][4] == "'@lệnh" and listing[3][4] == "'=1+1 chưa đúng số liệu"
    assert listing[3][9] == "Chuyển tổ biên tập"
    (audit,) = await audits(database)
    assert audit.kind == "report-xlsx" and audit.row_count == published.rows == 5
    assert audit.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert audit.filters == {"draft_id": "bao-cao",
                             "statuses": "moi,da_xem,tiep_thu,khong_tiep_thu"}


def test_the_date_line_follows_administrative_custom(pack):
    assert summary.date_line(pack, dt.date(2026, 2, 5)) == "Thử Nghiệm, ngày 05 tháng 02 năm 2026"
    assert summary.date_line(pack, dt.date(2025, 11, 26)) == \
        "Thử Nghiệm, ngày 26 tháng 11 năm 2025"
    shipped, _ = load_pack(SHIPPED_PACK)
    assert summary.place_name(shipped) == "Nam An Phụ"


async def test_report_command_writes_an_audited_docx(database, database_url, pack, tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    out = tmp_path / "bao-cao.docx"
    result = run(["comments", "report", "--draft", "bao-cao", "--out", str(out),
                  "--by", "Nguyễn Văn A"], env=cli_env(database_url))
    assert result.returncode == 0, result.stderr
    assert f"Đã lập báo cáo (5 ý kiến) ra {out}" in result.stdout
    (audit,) = await audits(database)
    assert audit.kind == "report-docx" and audit.actor == "Nguyễn Văn A"
    assert audit.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


@pytest.mark.parametrize("arguments, message", [
    (["--draft", "khong-co", "--out", "{out}/a.docx"], "Không có dự thảo 'khong-co'"),
    (["--out", "{out}/a.docx"], "Cần chọn dự thảo"),
    (["--draft", "bao-cao", "--out", "{out}/a.csv"], "--format docx hoặc --format xlsx"),
    (["--draft", "bao-cao", "--out", "{out}/thieu/a.docx"], "không tồn tại"),
])
async def test_report_command_refuses_bad_input_leaving_nothing(database, database_url,
                                                                tmp_path, arguments, message):
    folder = tmp_path / "out"
    folder.mkdir()
    args = [argument.replace("{out}", str(folder)) for argument in arguments]
    result = run(["comments", "report", *args, "--by", "Nguyễn Văn A"],
                 env=cli_env(database_url))
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []
    assert await count_rows(database, "export_audit") == 0
