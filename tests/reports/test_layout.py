"""The layout of documents for the Party committee and the People's Committee: read back with
python-docx, and printed through LibreOffice where it is installed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import struct
import zlib

import docx
import pytest
from docx.oxml.ns import qn

from bot.reports.layout import (
    DocumentSpec,
    Heading,
    Image,
    Paragraph,
    Percent,
    Run,
    Table,
    letterhead,
    percent_text,
    write_docx,
)
from bot.reports.layout.fit import Line, fit_two_columns, roomy, table_widths
from bot.reports.layout.metrics import text_width_cm
from bot.reports.layout.rules import HEADER_PADDING_CM, HEADER_WIDTH_CM, TEXT_WIDTH_CM
from bot.settings import Settings
from content.loader import load_pack
from tests.conftest import MINI_PACK, SHIPPED_PACK
from tests.reports.office import needs_libreoffice, on_one_line, pdf_pages

DAY = dt.date(2025, 11, 5)
SIGNED = {"report_signer_title": "Phó Bí thư Thường trực",
          "report_signer_name": "Ngô Xuân Phương",
          "report_recipients": "Ban Tuyên giáo và Dân vận Thành ủy; UBND xã; Lưu: VPĐU",
          "report_state_signer_title": "Chủ tịch", "report_state_signer_name": "Trần Văn Bình",
          "report_state_recipients": "Thường trực Đảng ủy; Lưu: VT"}


@pytest.fixture(scope="module")
def shipped():
    loaded, report = load_pack(SHIPPED_PACK)
    assert loaded is not None, report.render()
    return loaded


@pytest.fixture(scope="module")
def mini():
    loaded, report = load_pack(MINI_PACK)
    assert loaded is not None, report.render()
    return loaded


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def spec(head, *blocks, number="12") -> DocumentSpec:
    return DocumentSpec(head, type_name="Báo cáo", type_code="BC",
                        subject="Kết quả thực hiện Kế hoạch tuyên truyền", day=DAY,
                        number=number, blocks=blocks or (
                            Heading("I. KẾT QUẢ"),
                            Table(("STT", "Nội dung", "Số lượng", "Tỷ lệ"),
                                  ((1, "Hội nghị ở thôn", 12, Percent(0.125)),
                                   (2, "Tin đã gửi", 10_000, Percent(0.875))),
                                  title="1. Theo hình thức",
                                  total=("", "Tổng cộng", 10_012, Percent(1))),
                            Paragraph("=1+1 là ý kiến của người dân, in nguyên văn.")))


def cell_texts(cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs]


def write(tmp_path, document_spec, name="van-ban.docx"):
    out = tmp_path / name
    write_docx(out, document_spec)
    return out, docx.Document(str(out))


# --- the letterhead's words -----------------------------------------------------------------

def test_letterhead_comes_from_the_pack_unless_a_setting_says_otherwise(shipped, mini):
    party = letterhead(settings(), shipped, "party")
    assert (party.parent, party.body, party.symbol, party.place) == (
        "Đảng bộ thành phố Hải Phòng", "Đảng ủy xã Nam An Phụ", "ĐU", "Nam An Phụ")
    assert party.authority == "T/M BAN THƯỜNG VỤ" and party.recipients == ("Lưu: VPĐU",)
    assert party.signer_title is None and party.signer_name is None
    state = letterhead(settings(), shipped, "state")
    assert (state.parent, state.body, state.symbol) == (None, "UBND xã Nam An Phụ", "UBND")
    assert state.authority == "TM. ỦY BAN NHÂN DÂN" and state.recipients == ("Lưu: VT",)
    assert letterhead(settings(), mini, "party").parent is None  # the address names no city

    chosen = letterhead(settings(report_party_parent="Đảng bộ tỉnh Thử",
                                 report_party_body="Đảng ủy phường Một", **SIGNED), mini)
    assert (chosen.parent, chosen.body) == ("Đảng bộ tỉnh Thử", "Đảng ủy phường Một")
    assert (chosen.signer_title, chosen.signer_name) == ("Phó Bí thư Thường trực",
                                                         "Ngô Xuân Phương")
    assert chosen.recipients == ("Ban Tuyên giáo và Dân vận Thành ủy", "UBND xã", "Lưu: VPĐU")


def test_recipients_setting_reads_one_line_split_at_semicolons(monkeypatch):
    monkeypatch.setenv("LOASO_REPORT_RECIPIENTS", " Ban A ;; Ban B;Lưu: VPĐU; ")
    loaded = Settings(_env_file=None)
    assert loaded.report_recipients == ["Ban A", "Ban B", "Lưu: VPĐU"]
    assert loaded.report_state_recipients == ["Lưu: VT"]


# --- the DOCX read back ---------------------------------------------------------------------

def test_party_document_has_the_party_letterhead_title_recipients_and_signature(
        shipped, tmp_path):
    _, document = write(tmp_path, spec(letterhead(settings(**SIGNED), shipped, "party")))
    head = document.tables[0]
    assert cell_texts(head.cell(0, 0)) == ["ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG",
                                          "ĐẢNG ỦY XÃ NAM AN PHỤ", "*"]
    assert cell_texts(head.cell(1, 0)) == ["Số 12-BC/ĐU"]
    assert cell_texts(head.cell(0, 1)) == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert cell_texts(head.cell(1, 1)) == ["Nam An Phụ, ngày 05 tháng 11 năm 2025"]
    parent, body, _ = (paragraph.runs[0] for paragraph in head.cell(0, 0).paragraphs)
    assert not parent.bold and body.bold
    title = head.cell(0, 1).paragraphs[0].runs[0]
    assert title.bold and title.underline and title.font.size.pt == 15
    assert head.cell(1, 1).paragraphs[0].runs[0].italic
    body_text = [paragraph.text for paragraph in document.paragraphs]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in body_text
    name = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert name.runs[0].bold and name.alignment == 1 and name.runs[0].font.size.pt == 16
    assert body_text[body_text.index("BÁO CÁO") + 1:][:2] == [
        "Kết quả thực hiện Kế hoạch tuyên truyền", "-----"]

    sign = document.tables[-1]
    assert cell_texts(sign.cell(0, 0)) == ["Nơi nhận:", "- Ban Tuyên giáo và Dân vận Thành ủy,",
                                          "- UBND xã,", "- Lưu: VPĐU."]
    assert sign.cell(0, 0).paragraphs[0].runs[0].underline
    assert cell_texts(sign.cell(0, 1)) == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC",
                                          "", "", "", "", "Ngô Xuân Phương"]
    assert all(run.bold for paragraph in sign.cell(0, 1).paragraphs for run in paragraph.runs)


def test_state_document_keeps_the_national_title_and_motto(shipped, tmp_path):
    _, document = write(tmp_path, spec(letterhead(settings(**SIGNED), shipped, "state")))
    head = document.tables[0]
    assert cell_texts(head.cell(0, 0)) == ["UBND XÃ NAM AN PHỤ", ""]  # and the short rule
    assert head.cell(0, 0).paragraphs[1]._p.pPr.find(qn("w:pBdr")) is not None
    assert cell_texts(head.cell(0, 1)) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                          "Độc lập - Tự do - Hạnh phúc"]
    motto = head.cell(0, 1).paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    assert cell_texts(head.cell(1, 0)) == ["Số: 12/BC-UBND"]
    assert cell_texts(head.cell(1, 1)) == ["Nam An Phụ, ngày 05 tháng 11 năm 2025"]
    everything = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        "\n".join(cell_texts(cell)) for table in document.tables for cell in table._cells)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in everything and "-----" not in everything
    sign = document.tables[-1]
    assert cell_texts(sign.cell(0, 0)) == ["Nơi nhận:", "- Thường trực Đảng ủy;", "- Lưu: VT."]
    heading = sign.cell(0, 0).paragraphs[0].runs[0]
    assert heading.bold and heading.italic and heading.font.size.pt == 12
    assert cell_texts(sign.cell(0, 1))[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert cell_texts(sign.cell(0, 1))[-1] == "Trần Văn Bình"


def test_unnumbered_unsigned_document_leaves_room_to_fill_in_by_hand(mini, tmp_path):
    _, document = write(tmp_path, spec(letterhead(settings(), mini, "party"), number=None))
    head = document.tables[0]
    assert cell_texts(head.cell(0, 0)) == ["ĐẢNG ỦY XÃ THỬ NGHIỆM", "*"]  # no parent known
    assert re.fullmatch(r"Số \u00a0{6}-BC/ĐU", head.cell(1, 0).text)
    assert cell_texts(document.tables[-1].cell(0, 1)) == ["T/M BAN THƯỜNG VỤ", "", "", "", "",
                                                          ""]


def test_page_setup_fonts_and_page_numbers_follow_the_rules(shipped, tmp_path):
    _, document = write(tmp_path, spec(letterhead(settings(), shipped)))
    page = document.sections[0]
    measures = (page.page_width, page.page_height, page.top_margin, page.bottom_margin,
                page.left_margin, page.right_margin)
    assert [round(measure.cm, 2) for measure in measures] == [21, 29.7, 2, 2, 3, 1.5]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    assert normal.paragraph_format.space_after.pt == 6
    assert page.different_first_page_header_footer  # no number on the first page
    instructions = page.header._element.findall(".//" + qn("w:instrText"))
    assert [element.text.strip() for element in instructions] == ["PAGE"]
    paragraph = next(p for p in document.paragraphs if p.text.startswith("=1+1"))
    assert paragraph.paragraph_format.first_line_indent.cm == pytest.approx(1, abs=0.01)


def test_text_is_printed_as_written_without_the_spreadsheet_quote(shipped, tmp_path):
    head = letterhead(settings(report_signer_name="@nguoi.ky"), shipped)
    _, document = write(tmp_path, spec(
        head, Paragraph("=HYPERLINK(\"http://x\")"), Paragraph((Run("+84 912", bold=True),)),
        Table(("Tên",), (("-1 ý kiến",), ("@thôn",)))))
    texts = [p.text for p in document.paragraphs]
    assert "=HYPERLINK(\"http://x\")" in texts and "+84 912" in texts
    assert cell_texts(document.tables[1].cell(1, 0)) == ["-1 ý kiến"]
    assert cell_texts(document.tables[1].cell(2, 0)) == ["@thôn"]
    assert cell_texts(document.tables[-1].cell(0, 1))[-1] == "@nguoi.ky"


def test_tables_format_numbers_and_shares_and_keep_together(shipped, tmp_path):
    _, document = write(tmp_path, spec(letterhead(settings(), shipped)))
    table = document.tables[1]
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["STT", "Nội dung", "Số lượng", "Tỷ lệ"],
        ["1", "Hội nghị ở thôn", "12", "12,5%"],
        ["2", "Tin đã gửi", "10.000", "87,5%"],
        ["", "Tổng cộng", "10.012", "100%"]]
    assert table.cell(1, 2).paragraphs[0].alignment == 2  # numbers on the right
    assert table.cell(1, 1).paragraphs[0].alignment == 0
    assert all(run.bold for cell in table.rows[-1].cells for run in cell.paragraphs[0].runs)
    rows = table._tbl.findall(qn("w:tr"))
    assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    keeps = [cell.paragraphs[0].paragraph_format.keep_with_next for row in table.rows
             for cell in row.cells]
    assert all(keeps[:-4]) and not any(keeps[-4:])  # all but the last row keep with the next
    title = next(p for p in document.paragraphs if p.text == "1. Theo hình thức")
    assert title.paragraph_format.keep_with_next and title.runs[0].bold


def test_percent_text_is_written_the_vietnamese_way():
    assert [percent_text(Percent(value)) for value in (0, 0.125, 0.6, 1, 1 / 3)] == [
        "0%", "12,5%", "60%", "100%", "33,3%"]


# --- measured widths ------------------------------------------------------------------------

def test_vietnamese_letters_are_measured_as_their_base_letters():
    assert text_width_cm("Ộ", 14) == text_width_cm("O", 14)
    assert text_width_cm("ĐẢNG", 14, bold=True) == text_width_cm("DANG", 14, bold=True)
    assert text_width_cm("ư", 14) > text_width_cm("u", 14)  # the horn takes room
    assert text_width_cm("STT", 13, bold=True) > text_width_cm("STT", 13)
    assert text_width_cm("漢", 14) == text_width_cm("M", 14)  # unknown: never too narrow


def test_letterhead_columns_fit_every_line_at_the_rules_sizes_when_they_can(shipped,
                                                                           tmp_path):
    _, document = write(tmp_path, spec(letterhead(settings(), shipped)))
    widths = [int(column.get(qn("w:w"))) / 567 for column in
              document.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(widths) == pytest.approx(HEADER_WIDTH_CM, abs=0.01)
    head = document.tables[0]
    for (row, col), size in (((0, 0), 14), ((0, 1), 15), ((1, 0), 14), ((1, 1), 14)):
        for paragraph in head.cell(row, col).paragraphs:
            for run in paragraph.runs:
                assert run.font.size.pt == size, run.text  # Nam An Phụ fits without shrinking
                width = text_width_cm(run.text, size, bold=bool(run.bold),
                                      italic=bool(run.italic))
                assert roomy(width) <= widths[col] - 2 * HEADER_PADDING_CM, run.text


def header_lines(parent: str, body: str, place: str) -> tuple[list[Line], list[Line]]:
    return ([Line(parent.upper(), 14, 13), Line(body.upper(), 14, 13, bold=True)],
            [Line("ĐẢNG CỘNG SẢN VIỆT NAM", 15, 14, bold=True),
             Line(f"{place}, ngày 25 tháng 12 năm 2025", 14, 13, italic=True)])


def test_long_names_shrink_within_the_rules_before_they_would_wrap():
    left, right = header_lines("Đảng bộ thành phố Hải Phòng", "Đảng ủy xã Quảng Phú Cầu",
                               "Quảng Phú Cầu")
    first, second = fit_two_columns(left, right, HEADER_WIDTH_CM, HEADER_PADDING_CM)
    assert first + second == pytest.approx(HEADER_WIDTH_CM)
    assert any(line.pt < 14 for line in left + right)
    assert all(line.pt >= line.min_pt for line in left + right)
    for lines, width in ((left, first), (right, second)):
        assert all(roomy(line.width) <= width - 2 * HEADER_PADDING_CM for line in lines)


def test_names_too_long_for_any_allowed_size_stop_at_the_minimum_and_wrap():
    left, right = header_lines("Đảng bộ thành phố Hồ Chí Minh", "Đảng ủy phường Hoàng Văn Thụ",
                               "Hoàng Văn Thụ")
    first, second = fit_two_columns(left, right, HEADER_WIDTH_CM, HEADER_PADDING_CM)
    assert first + second == pytest.approx(HEADER_WIDTH_CM)  # never wider than the page
    assert left[1].pt == right[1].pt == 13  # the widest lines went as small as allowed


def test_table_headings_and_numbers_never_get_less_than_their_width():
    texts = [["STT", "Phần, mục của dự thảo văn kiện", "Số ý kiến", "Tỷ lệ"],
             ["1", "Một mục rất dài " * 12, "1.234", "12,5%"]]
    widths = table_widths(texts, [True, False, True, True], {0}, 13, TEXT_WIDTH_CM, 0.19)
    assert sum(widths) == pytest.approx(TEXT_WIDTH_CM)
    for col, header in enumerate(texts[0]):
        assert widths[col] >= roomy(text_width_cm(header, 13, bold=True)) + 0.38
    assert widths[1] == max(widths)  # the long text takes what is left and wraps


# --- printed through LibreOffice ------------------------------------------------------------

LONG_NAMES = {"parent": "Đảng bộ thành phố Hồ Chí Minh", "body": "Đảng ủy phường Bến Thành",
              "place": "Bến Thành"}
SHRUNK = {"body": "Đảng ủy xã Quảng Phú Cầu", "place": "Quảng Phú Cầu"}


@needs_libreoffice
@pytest.mark.parametrize("layout, names, lines", [
    ("party", {}, ["ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "ĐẢNG ỦY XÃ NAM AN PHỤ", "Số 12-BC/ĐU",
                   "ĐẢNG CỘNG SẢN VIỆT NAM", "Nam An Phụ, ngày 05 tháng 11 năm 2025"]),
    ("state", {}, ["UBND XÃ NAM AN PHỤ", "Số: 12/BC-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                   "Độc lập - Tự do - Hạnh phúc", "Nam An Phụ, ngày 05 tháng 11 năm 2025"]),
    ("party", LONG_NAMES, ["ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH", "ĐẢNG ỦY PHƯỜNG BẾN THÀNH",
                           "Bến Thành, ngày 05 tháng 11 năm 2025"]),
    ("party", SHRUNK, ["ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "ĐẢNG ỦY XÃ QUẢNG PHÚ CẦU",
                       "Quảng Phú Cầu, ngày 05 tháng 11 năm 2025"]),
    ("state", {"body": "UBND phường Hoàng Văn Thụ", "place": "Hoàng Văn Thụ"},
     ["UBND PHƯỜNG HOÀNG VĂN THỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Hoàng Văn Thụ, ngày 05 tháng 11 năm 2025"]),
])
def test_printed_letterhead_and_table_headings_stay_on_one_line(shipped, tmp_path, layout,
                                                                names, lines):
    head = dataclasses.replace(letterhead(settings(**SIGNED), shipped, layout), **names)
    out, _ = write(tmp_path, spec(head))
    pages = pdf_pages(out, tmp_path)
    for line in [*lines, "T/M BAN THƯỜNG VỤ" if layout == "party" else "TM. ỦY BAN NHÂN DÂN"]:
        assert on_one_line(pages, line), (line, pages[0])
    assert on_one_line(pages, "STT", "Nội dung", "Số lượng", "Tỷ lệ"), pages[0]
    assert on_one_line(pages, "2", "Tin đã gửi", "10.000", "87,5%"), pages[0]


def tiny_png() -> bytes:
    """A 1×1 white PNG, enough to stand for a chart."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


@needs_libreoffice
def test_printed_tables_and_their_charts_do_not_straddle_pages(shipped, tmp_path):
    blocks = []
    for number in range(1, 13):  # about four pages: some tables must meet a page end
        rows = tuple((row, f"Bảng {number} dòng {row}", row * 10) for row in range(1, 10))
        chart = Image(tiny_png(), 6, caption=f"Biểu đồ {number}") if number % 3 == 0 else None
        blocks.append(Table(("STT", "Nội dung", "Số lượng"), rows, title=f"Bảng {number}.",
                            total=("", "Tổng cộng", 450), chart=chart))
        blocks.append(Paragraph(f"Nhận xét sau bảng {number}."))
    out, _ = write(tmp_path, spec(letterhead(settings(), shipped), *blocks))
    pages = pdf_pages(out, tmp_path)
    assert len([page for page in pages if page.strip()]) >= 3
    for number in range(1, 13):
        parts = [f"Bảng {number}.", *[f"Bảng {number} dòng {row}" for row in range(1, 10)]]
        if number % 3 == 0:
            parts.append(f"Biểu đồ {number}")
        holding = {index for index, page in enumerate(pages) for part in parts if part in page}
        assert len(holding) == 1, (number, holding)
