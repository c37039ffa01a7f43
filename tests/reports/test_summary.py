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
from bot.reports.layout import date_line, letterhead, place_name
from bot.settings import Settings
from content.loader import load_pack
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK, SHIPPED_PACK, count_rows
from tests.reports.office import needs_libreoffice, on_one_line, pdf_pages
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


SIGNER = {"report_party_parent": "Đảng bộ thành phố Thử", "report_signer_title": "Bí thư",
          "report_signer_name": "Lê Văn Ký",
          "report_recipients": "Ban Tuyên giáo và Dân vận Thành ủy; Lưu: VPĐU"}


async def make_report(database, pack, out, kind=None, layout="party", actor="Nguyễn Văn Cán Bộ",
                      **settings):
    head = letterhead(Settings(_env_file=None, **(settings or SIGNER)), pack, layout)
    return await summary.write_report(database, pack, out=out, kind=kind or out.suffix[1:],
                                      draft_id="bao-cao", actor=actor, head=head, number="7")


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
    assert economy[1] == "=1+1 chưa đúng số liệu"  # Word prints it; no spreadsheet quote
    assert economy[2] == "Ghi chú của cán bộ: Chuyển tổ biên tập"
    assert economy[3].startswith("2. Tán thành")
    assert "nguồn: Hội nghị — Hội nghị thôn 1" in economy[3]
    assert "trạng thái: Tiếp thu" in economy[3]
    general = under(document, "Góp ý chung")
    pseudonym = re.search(r"người góp ý: (ND-[0-9A-F]{8})", general[0]).group(1)
    assert pseudonym in economy[3]  # the same resident, the same label
    assert under(document, "Phần I. Đánh giá (")[1] == "@lệnh"
    assert under(document, "Xã hội") == ["Chưa có ý kiến."]
    body = "\n".join(text for _, text in blocks(document))
    for hidden in ("ý kiến gửi hai lần", "quảng cáo bán hàng", "tôi đổi ý"):
        assert hidden not in body
    assert "Không tính 3 ý kiến trùng lặp, spam hoặc đã được người góp ý rút lại." in body
    with zipfile.ZipFile(out) as archive:
        assert b"111222333" not in archive.read("word/document.xml")


def cell_lines(cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs]


async def test_docx_report_has_the_party_layout_and_count_tables(database, pack, tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    out = tmp_path / "bao-cao.docx"
    await make_report(database, pack, out)
    document = docx.Document(str(out))

    header = document.tables[0]
    assert cell_lines(header.cell(0, 0)) == ["ĐẢNG BỘ THÀNH PHỐ THỬ", "ĐẢNG ỦY XÃ THỬ NGHIỆM", "*"]
    assert cell_lines(header.cell(1, 0)) == ["Số 7-BC/ĐU"]
    assert cell_lines(header.cell(0, 1)) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    title_run = header.cell(0, 1).paragraphs[0].runs[0]
    assert title_run.bold and title_run.underline
    (place,) = cell_lines(header.cell(1, 1))
    assert re.fullmatch(r"Thử Nghiệm, ngày \d\d tháng \d{1,2} năm 20\d\d", place)
    texts = [p.text for p in document.paragraphs]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in texts
    name = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert name.runs[0].bold and name.alignment == 1  # centred
    assert texts[texts.index("BÁO CÁO") + 1] == ("Tổng hợp ý kiến góp ý vào Dự thảo Báo cáo chính "
                                                 "trị (thử nghiệm) (phiên\u00a0bản\u00a02)")
    assert any(text.endswith("Người lập báo cáo: Nguyễn Văn Cán Bộ.") for text in texts)

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

    sign = document.tables[-1]
    assert cell_lines(sign.cell(0, 0)) == ["Nơi nhận:", "- Ban Tuyên giáo và Dân vận Thành ủy,",
                                           "- Lưu: VPĐU."]
    assert cell_lines(sign.cell(0, 1)) == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "", "", "", "",
                                           "Lê Văn Ký"]


async def test_docx_report_for_the_peoples_committee_keeps_the_state_motto(database, pack,
                                                                         tmp_path):
    out = tmp_path / "bao-cao.docx"
    await make_report(database, pack, out, layout="state",
                      report_state_signer_title="Chủ tịch", report_state_signer_name="Phạm Thị C")
    document = docx.Document(str(out))
    header = document.tables[0]
    assert cell_lines(header.cell(0, 0))[0] == "UBND XÃ THỬ NGHIỆM"
    assert cell_lines(header.cell(0, 1)) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                            "Độc lập - Tự do - Hạnh phúc"]
    assert cell_lines(header.cell(1, 0)) == ["Số: 7/BC-UBND"]
    sign = document.tables[-1]
    assert cell_lines(sign.cell(0, 0)) == ["Nơi nhận:", "- Lưu: VT."]
    assert cell_lines(sign.cell(0, 1)) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "", "",
                                           "Phạm Thị C"]


async def test_signer_and_actor_are_escaped_in_the_xlsx_and_printed_as_written_in_the_docx(
        database, pack, tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    settings = {**SIGNER, "report_signer_name": "@Lê Văn Ký"}
    sheet_out, word_out = tmp_path / "bao-cao.xlsx", tmp_path / "bao-cao.docx"
    await make_report(database, pack, sheet_out, actor="=Cán bộ", **settings)
    await make_report(database, pack, word_out, actor="=Cán bộ", **settings)
    assert_no_formula(sheet_out)
    cells = {cell.value for row in openpyxl.load_workbook(sheet_out)["Tổng hợp"].iter_rows()
             for cell in row if isinstance(cell.value, str)}
    assert {"'@Lê Văn Ký", "'=Cán bộ", "T/M BAN THƯỜNG VỤ, BÍ THƯ"} <= cells
    assert "@Lê Văn Ký" not in cells and "=Cán bộ" not in cells
    document = docx.Document(str(word_out))
    assert cell_lines(document.tables[-1].cell(0, 1))[-1] == "@Lê Văn Ký"
    with zipfile.ZipFile(word_out) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "'@" not in xml and "'=" not in xml and ">'" not in xml


@needs_libreoffice
async def test_printed_report_keeps_header_lines_and_table_headings_on_one_line(
        database, tmp_path):
    shipped, _ = load_pack(SHIPPED_PACK)
    await add_comments(database, shipped, *[{"draft": draft_id, "text": "Ý kiến thử."}
                                            for draft_id in list(shipped.drafts)[:1]])
    draft_id = next(iter(shipped.drafts))
    out = tmp_path / "bao-cao.docx"
    head = letterhead(Settings(_env_file=None, report_signer_title="Phó Bí thư Thường trực",
                               report_signer_name="Ngô Xuân Phương"), shipped)
    await summary.write_report(database, shipped, out=out, kind="docx", draft_id=draft_id,
                               actor="Nguyễn Văn A", head=head, number="12")
    pages = pdf_pages(out, tmp_path)
    for line in ("ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "ĐẢNG ỦY XÃ NAM AN PHỤ", "Số 12-BC/ĐU",
                 "ĐẢNG CỘNG SẢN VIỆT NAM", "BÁO CÁO", "T/M BAN THƯỜNG VỤ",
                 "PHÓ BÍ THƯ THƯỜNG TRỰC"):
        assert on_one_line(pages, line), (line, pages[0])
    assert re.search(r"Nam An Phụ, ngày \d\d tháng \d{1,2} năm 20\d\d", pages[0])
    assert on_one_line(pages, "STT", "Phần, mục", "Số ý kiến"), pages[0]  # not "ST / T"
    assert on_one_line(pages, "Ý kiến", "Số ý kiến", "Tỷ lệ"), pages[0]


async def test_docx_report_is_times_new_roman_throughout(database, pack, tmp_path):
    out = tmp_path / "bao-cao.docx"
    await make_report(database, pack, out)
    document = docx.Document(str(out))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
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
    assert "'Tổng hợp'!$A$10:$A$15" in chart and "'Tổng hợp'!$B$10:$B$15" in chart

    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Tổng hợp", "Ý kiến theo mục"]
    sheet = workbook["Tổng hợp"]
    counts = [[value for value in row if value is not None]
              for row in sheet.iter_rows(values_only=True)]
    assert counts[:2] == [["ĐẢNG ỦY XÃ THỬ NGHIỆM"], ["BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý"]]
    assert ["Người lập báo cáo", "Nguyễn Văn Cán Bộ"] in counts
    assert ["T/M BAN THƯỜNG VỤ, BÍ THƯ", "Lê Văn Ký"] in counts
    assert ["Phần I. Đánh giá › Chương 2. Xã hội", 0, 0] in counts
    assert ["Tán thành", 3, 0.6] in counts and ["Hội nghị", 1, 0.2] in counts
    shares = [row[2] for row in sheet.iter_rows() if isinstance(row[1].value, int)]
    assert shares and all(cell.data_type == "n" and cell.number_format == "0.0%"
                          for cell in shares)  # numbers Excel can sum, shown as percent
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
    assert date_line(place_name(pack), dt.date(2026, 2, 5)) == \
        "Thử Nghiệm, ngày 05 tháng 02 năm 2026"
    assert date_line("Thử Nghiệm", dt.date(2025, 11, 26)) == \
        "Thử Nghiệm, ngày 26 tháng 11 năm 2025"
    shipped, _ = load_pack(SHIPPED_PACK)
    assert place_name(shipped) == "Nam An Phụ"


async def test_report_command_writes_an_audited_docx(database, database_url, pack, tmp_path):
    await add_comments(database, pack, *CONSULTATION)
    out = tmp_path / "bao-cao.docx"
    result = run(["comments", "report", "--draft", "bao-cao", "--out", str(out),
                  "--by", "Nguyễn Văn A"], env=cli_env(database_url))
    assert result.returncode == 0, result.stderr
    assert f"Đã lập báo cáo (5 ý kiến) ra {out}" in result.stdout
    assert "Lưu ý: chưa đặt LOASO_REPORT_SIGNER_NAME" in result.stdout
    (audit,) = await audits(database)
    assert audit.kind == "report-docx" and audit.actor == "Nguyễn Văn A"
    assert audit.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    header = docx.Document(str(out)).tables[0]
    assert cell_lines(header.cell(0, 1)) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]  # the Party's by default


async def test_report_command_takes_the_layout_number_and_signer_from_settings(
        database, database_url, pack, tmp_path):
    out = tmp_path / "bao-cao.docx"
    env = {**cli_env(database_url), "LOASO_REPORT_STATE_BODY": "UBND xã Thử Nghiệm Mới",
           "LOASO_REPORT_STATE_SIGNER_TITLE": "Chủ tịch",
           "LOASO_REPORT_STATE_SIGNER_NAME": "Phạm Thị C",
           "LOASO_REPORT_STATE_RECIPIENTS": "Thường trực Đảng ủy; Lưu: VT"}
    result = run(["comments", "report", "--draft", "bao-cao", "--out", str(out), "--layout",
                  "state", "--number", "12", "--by", "Nguyễn Văn A"], env=env)
    assert result.returncode == 0, result.stderr
    assert "Lưu ý" not in result.stdout
    document = docx.Document(str(out))
    header, sign = document.tables[0], document.tables[-1]
    assert cell_lines(header.cell(0, 0))[0] == "UBND XÃ THỬ NGHIỆM MỚI"
    assert cell_lines(header.cell(0, 1))[1] == "Độc lập - Tự do - Hạnh phúc"
    assert cell_lines(header.cell(1, 0)) == ["Số: 12/BC-UBND"]
    assert cell_lines(sign.cell(0, 0)) == ["Nơi nhận:", "- Thường trực Đảng ủy;", "- Lưu: VT."]
    assert cell_lines(sign.cell(0, 1)) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "", "",
                                           "Phạm Thị C"]


@pytest.mark.parametrize("arguments, message", [
    (["--draft", "khong-co", "--out", "{out}/a.docx"], "Không có dự thảo 'khong-co'"),
    (["--out", "{out}/a.docx"], "Cần chọn dự thảo"),
    (["--draft", "bao-cao", "--out", "{out}/a.csv"], "--format docx hoặc --format xlsx"),
    (["--draft", "bao-cao", "--out", "{out}/thieu/a.docx"], "không tồn tại"),
    (["--draft", "bao-cao", "--out", "{out}/a.docx", "--layout", "ubnd"],
     "Thể thức 'ubnd' không có: dùng --layout party (Đảng ủy) hoặc --layout state (UBND xã)"),
    (["--draft", "bao-cao", "--out", "{out}/a.docx", "--number", "12-BC/ĐU"],
     "Số văn bản '12-BC/ĐU' không hợp lệ: chỉ ghi con số, ví dụ --number 12"),
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
