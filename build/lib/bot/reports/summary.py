"""`loaso comments report`: "Báo cáo tổng hợp ý kiến góp ý" for one draft, as DOCX or XLSX.

Counts per section (document order, sections without comments included), per stance and per
source, then every comment under its section. Duplicates, spam and withdrawn comments are
left out of a report to the committee (the export keeps them); the report says how many.
Comments are grouped by section id against the pack's current document order, so a
comment made on an older version still lands under its section.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from bot.reports.cells import spreadsheet_text, xml_text
from bot.reports.export_filters import audit_filters, known_draft
from bot.reports.export_rows import RowMaker, excel_serial
from bot.reports.export_xlsx import add_styles, new_workbook, write_header
from bot.reports.labels import (
    GENERAL,
    STANCE_LABELS,
    nfc,
    source_label,
    stance_label,
    status_label,
)
from bot.reports.publish import Published, installation_key, publish
from content.pack import Pack
from db import comments as comment_queries
from db.comments import CommentFilter
from db.engine import Database
from db.models import CommentStatus

FORMATS = ("docx", "xlsx")
LEFT_OUT = tuple(status.value for status in (CommentStatus.DUPLICATE, CommentStatus.SPAM,
                                             CommentStatus.WITHDRAWN))
REPORTED = tuple(status.value for status in CommentStatus if status not in LEFT_OUT)
FONT = "Times New Roman"
BODY_PT = 13
TITLE_PT = 14
TITLE = "Báo cáo tổng hợp ý kiến góp ý"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Entry:
    """One comment as the report shows it (already labelled; no ids of people)."""

    receipt: str
    stance: str
    status: str
    text: str
    person: str
    hamlet: str
    source: str
    note: str
    answer: str
    when: dt.datetime


@dataclass
class Group:
    label: str  # the full path, e.g. "Phần I. Đánh giá › Chương 1. Kinh tế"
    entries: list[Entry] = field(default_factory=list)


@dataclass
class ReportData:
    pack: Pack
    draft_id: str
    groups: list[Group]
    by_stance: Counter
    by_source: Counter
    left_out: int
    made_at: dt.datetime
    actor: str

    @property
    def total(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    @property
    def draft(self):
        return self.pack.drafts[self.draft_id]


def report_filter(pack: Pack, draft_id: str) -> CommentFilter:
    return CommentFilter(draft_id=known_draft(pack, draft_id), statuses=REPORTED)


async def gather(database: Database, pack: Pack, where: CommentFilter, *, actor: str,
                 key: bytes) -> ReportData:
    rows = RowMaker(pack, key)
    groups: dict[str | None, Group] = {None: Group(GENERAL)}
    for flat in pack.sections[where.draft_id]:
        groups[flat.section.id] = Group(flat.label)
    by_stance, by_source = Counter(), Counter()
    async with database.read() as session:
        left_out = await comment_queries.count_comments(
            session, CommentFilter(draft_id=where.draft_id, statuses=LEFT_OUT))
        async for comment in comment_queries.stream_comments(session, where):
            group = groups.get(comment.section_id)
            if group is None:  # a section the current version no longer has
                label = comment.section_label or comment.section_id
                group = groups[comment.section_id] = Group(
                    f"{label} (không còn trong bản hiện hành)")
            group.entries.append(Entry(
                receipt=comment.receipt, stance=stance_label(comment.stance),
                status=status_label(comment.status), text=nfc(comment.text),
                person=nfc(rows.person(comment.signed_name, comment.user_id)),
                hamlet=nfc(rows.hamlet(comment.hamlet_id)),
                source=nfc(rows.source(comment.source, comment.source_detail)),
                note=nfc(comment.staff_note),
                answer=nfc(comment.answer), when=rows.local(comment.created_at)))
            by_stance[comment.stance] += 1
            by_source[source_label(comment.source)] += 1
    return ReportData(pack, where.draft_id, list(groups.values()), by_stance, by_source,
                      left_out=left_out, made_at=dt.datetime.now(pack.zone), actor=actor)


def stance_rows(data: ReportData) -> list[tuple[str, int]]:
    known = [(label, data.by_stance.get(code, 0)) for code, label in STANCE_LABELS.items()]
    extra = [(stance_label(code), count) for code, count in sorted(data.by_stance.items())
             if code not in STANCE_LABELS]
    return known + extra


def source_rows(data: ReportData) -> list[tuple[str, int]]:
    return sorted(data.by_source.items(), key=lambda item: (-item[1], item[0]))


def share(count: int, total: int) -> str:
    """A percentage written the Vietnamese way: 12,5%."""
    if not total:
        return "0%"
    return f"{100 * count / total:.1f}".replace(".", ",").removesuffix(",0") + "%"


def place_name(pack: Pack) -> str:
    """The commune for the date line: "xã Nam An Phụ, thành phố Hải Phòng" → "Nam An Phụ"."""
    organisation = pack.campaign.organisation
    first = (organisation.address or "").split(",")[0].strip()
    for prefix in ("xã ", "phường ", "thị trấn ", "đặc khu "):
        if first.lower().startswith(prefix):
            return first[len(prefix):].strip()
    return first or organisation.name


def date_line(pack: Pack, day: dt.date) -> str:
    # Administrative custom: a leading zero for days below 10 and for January and February.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place_name(pack)}, ngày {day.day:02d} tháng {month} năm {day.year}"


def left_out_note(data: ReportData) -> str:
    if not data.left_out:
        return "Báo cáo gồm mọi ý kiến đã nhận về dự thảo."
    return (f"Không tính {data.left_out} ý kiến trùng lặp, spam hoặc đã được người góp ý "
            f"rút lại.")


# --- DOCX --------------------------------------------------------------------------------

THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")


def times_new_roman(fonts) -> None:
    """Every script slot, East Asian included, and no theme font for Word to prefer."""
    for theme in THEME_SLOTS:
        fonts.attrib.pop(qn(theme), None)
    for slot in FONT_SLOTS:
        fonts.set(qn(slot), FONT)


def set_size(rpr, size: float) -> None:
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(round(size * 2)))


def setup_document():
    """A4, customary margins, Times New Roman 13 pt on the defaults and on every style."""
    document = Document()
    styles = document.styles.element
    default_rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_size(default_rpr, BODY_PT)
    language = default_rpr.find(qn("w:lang"))
    if language is not None:
        language.set(qn("w:val"), "vi-VN")
    normal = document.styles["Normal"]
    normal.font.name = FONT  # gives Normal its own rFonts, so nothing inherits a theme
    for fonts in styles.iter(qn("w:rFonts")):
        times_new_roman(fonts)
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.1
    for name in ("Heading 1", "Heading 2"):
        heading = document.styles[name]
        set_size(heading.element.get_or_add_rPr(), BODY_PT)
        heading.font.bold = True
        heading.font.italic = name == "Heading 2"
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(9)
        heading.paragraph_format.space_after = Pt(3)
    page = document.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.top_margin, page.bottom_margin = Cm(2), Cm(2)
    page.left_margin, page.right_margin = Cm(3), Cm(2)
    return document


def set_widths(table, widths_cm: tuple[float, ...]) -> None:
    """Fixed column widths on the grid (LibreOffice reads it) and on each cell (Word does)."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm,
                             strict=True):
        column.set(qn("w:w"), str(Cm(width).twips))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def paragraph(container, text: str = "", *, bold: bool = False, italic: bool = False,
              underline: bool = False, size: float | None = None, align=None, style=None):
    para = container.add_paragraph(style=style)
    if align is not None:
        para.alignment = align
    if text:
        run = para.add_run(xml_text(text))
        run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
        if size is not None:
            run.font.size = Pt(size)
    return para


def borderless_cell(cell, text_lines: list[tuple[str, dict]]) -> None:
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for text, options in text_lines:
        para = paragraph(cell, text, align=WD_ALIGN_PARAGRAPH.CENTER, **options)
        para.paragraph_format.space_after = Pt(0)


def national_header(document, data: ReportData) -> None:
    organisation = nfc(data.pack.campaign.organisation.name).upper()
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, (6.5, 9.5))
    left, right = table.rows[0].cells
    borderless_cell(left, [(organisation, {"bold": True}), ("*", {})])
    # the place and date sit under the motto, centred in the right column, in italics
    borderless_cell(right, [(NATION, {"bold": True}), (MOTTO, {"bold": True, "underline": True}),
                            ("", {}),
                            (date_line(data.pack, data.made_at.date()), {"italic": True})])


def counts_table(document, headers: tuple[str, ...], rows: list[tuple], total_row: tuple,
                 widths: tuple[float, ...]) -> None:
    """A bordered table with a bold header and a bold total row; numbers on the right."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(header).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in [*rows, total_row]:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.paragraphs[0].add_run(xml_text(str(value)))
            if isinstance(value, int) or str(value).endswith("%"):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_widths(table, widths)
    bold_last_row(table)


def bold_last_row(table) -> None:
    for cell in table.rows[-1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


def comment_block(document, number: int, entry: Entry) -> None:
    head = document.add_paragraph()
    head.paragraph_format.keep_with_next = True
    head.add_run(f"{number}. {entry.stance}").bold = True
    details = [f"mã {entry.receipt}", f"người góp ý: {entry.person}",
               f"nguồn: {entry.source}", f"trạng thái: {entry.status}",
               f"{entry.when:%H:%M %d/%m/%Y}"]
    if entry.hamlet:
        details.insert(2, f"thôn: {entry.hamlet}")
    head.add_run(xml_text(" — " + "; ".join(details)))
    body = paragraph(document, entry.text or "(Không ghi nội dung, chỉ nêu ý kiến.)")
    body.paragraph_format.left_indent = Cm(0.75)
    for label, text in (("Ghi chú của cán bộ: ", entry.note), ("Trả lời: ", entry.answer)):
        if text:
            extra = document.add_paragraph()
            extra.paragraph_format.left_indent = Cm(0.75)
            extra.add_run(label).italic = True
            extra.add_run(xml_text(text))


def write_docx(path: Path, data: ReportData) -> None:
    document = setup_document()
    national_header(document, data)
    draft = data.draft
    paragraph(document, TITLE.upper(), bold=True, size=TITLE_PT,
              align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_before = Pt(12)
    paragraph(document, f"{nfc(draft.title)} (phiên bản {draft.version})", bold=True,
              align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(document, f"Số liệu đến {data.made_at:%H:%M} ngày {data.made_at:%d/%m/%Y}; "
                        f"tổng số {data.total} ý kiến. {left_out_note(data)}",
              italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    document.add_heading("I. SỐ LƯỢNG Ý KIẾN", level=1)
    paragraph(document, "1. Theo phần, mục của dự thảo", bold=True)
    counts_table(document, ("STT", "Phần, mục", "Số ý kiến"),
                 [(index, group.label, len(group.entries))
                  for index, group in enumerate(data.groups, start=1)],
                 ("", "Tổng cộng", data.total), (1.2, 11.8, 3))
    total_row = ("Tổng cộng", data.total, share(data.total, data.total))
    paragraph(document, "2. Theo ý kiến", bold=True)
    counts_table(document, ("Ý kiến", "Số ý kiến", "Tỷ lệ"),
                 [(label, count, share(count, data.total)) for label, count in stance_rows(data)],
                 total_row, (8, 4, 4))
    paragraph(document, "3. Theo nguồn tiếp nhận", bold=True)
    counts_table(document, ("Nguồn", "Số ý kiến", "Tỷ lệ"),
                 [(label, count, share(count, data.total)) for label, count in source_rows(data)],
                 total_row, (8, 4, 4))

    document.add_heading("II. NỘI DUNG Ý KIẾN THEO PHẦN, MỤC", level=1)
    for index, group in enumerate(data.groups, start=1):
        document.add_heading(xml_text(f"{index}. {group.label} ({len(group.entries)} ý kiến)"),
                             level=2)
        if not group.entries:
            paragraph(document, "Chưa có ý kiến.", italic=True)
        for number, entry in enumerate(group.entries, start=1):
            comment_block(document, number, entry)

    sign = document.add_table(rows=1, cols=2)
    set_widths(sign, (6.5, 9.5))
    borderless_cell(sign.rows[0].cells[1], [("NGƯỜI LẬP BÁO CÁO", {"bold": True}),
                                            ("", {}), ("", {}),
                                            (nfc(data.actor), {"bold": True})])
    document.save(str(path))


# --- XLSX --------------------------------------------------------------------------------

LIST_HEADERS = ("Mục", "STT", "Mã biên nhận", "Ý kiến", "Nội dung", "Người góp ý", "Thôn",
                "Nguồn", "Trạng thái", "Ghi chú của cán bộ", "Trả lời", "Thời gian")
LIST_WIDTHS = (34, 6, 13, 16, 60, 18, 14, 20, 14, 30, 30, 16)
COUNTS_SHEET = "Tổng hợp"
LIST_SHEET = "Ý kiến theo mục"


def write_xlsx(path: Path, data: ReportData, scratch: str) -> None:
    workbook = new_workbook(path, scratch, constant_memory=False)
    styles = add_styles(workbook)
    counts = workbook.add_worksheet(COUNTS_SHEET)
    counts.set_column(0, 0, 50)
    counts.set_column(1, 2, 12)

    def text(sheet, row: int, col: int, value: str, style=None) -> None:
        sheet.write_string(row, col, spreadsheet_text(value), style)

    text(counts, 0, 0, TITLE.upper(), styles.title)
    text(counts, 1, 0, f"{nfc(data.draft.title)} (phiên bản {data.draft.version})")
    text(counts, 2, 0, f"{date_line(data.pack, data.made_at.date())}; số liệu đến "
                       f"{data.made_at:%H:%M}; người lập: {data.actor}")
    text(counts, 3, 0, f"Tổng số {data.total} ý kiến. {left_out_note(data)}")

    def table(top: int, headers: tuple[str, str], rows: list[tuple[str, int]]) -> int:
        for col, header in enumerate((*headers, "Tỷ lệ")):
            text(counts, top, col, header, styles.header)
        for row, (label, count) in enumerate(rows, start=top + 1):
            text(counts, row, 0, label, styles.cell)
            counts.write_number(row, 1, count, styles.cell)
            text(counts, row, 2, share(count, data.total), styles.cell)
        bottom = top + len(rows) + 1
        text(counts, bottom, 0, "Tổng cộng", styles.bold)
        counts.write_number(bottom, 1, data.total, styles.bold)
        text(counts, bottom, 2, share(data.total, data.total), styles.bold)
        return bottom + 2

    first = 5
    after_sections = table(first, ("Phần, mục", "Số ý kiến"),
                           [(group.label, len(group.entries)) for group in data.groups])
    after_stances = table(after_sections, ("Ý kiến", "Số ý kiến"), stance_rows(data))
    table(after_stances, ("Nguồn", "Số ý kiến"), source_rows(data))

    chart = workbook.add_chart({"type": "column"})
    last = first + len(data.groups)
    chart.add_series({"name": "Số ý kiến", "categories": [COUNTS_SHEET, first + 1, 0, last, 0],
                      "values": [COUNTS_SHEET, first + 1, 1, last, 1],
                      "data_labels": {"value": True}})
    chart.set_title({"name": "Số ý kiến theo phần, mục"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"name": "Số ý kiến", "major_gridlines": {"visible": True}})
    chart.set_size({"width": 720, "height": 400})
    counts.insert_chart(first, 4, chart)

    listing = workbook.add_worksheet(LIST_SHEET)
    write_header(listing, LIST_HEADERS, LIST_WIDTHS, styles.header)
    row = 0
    for group in data.groups:
        for number, entry in enumerate(group.entries, start=1):
            row += 1
            for col, value in enumerate((group.label, None, entry.receipt, entry.stance,
                                         entry.text, entry.person, entry.hamlet, entry.source,
                                         entry.status, entry.note, entry.answer)):
                if value:
                    text(listing, row, col, value)
            listing.write_number(row, 1, number)
            listing.write_number(row, len(LIST_HEADERS) - 1, excel_serial(entry.when),
                                 styles.when)
    listing.autofilter(0, 0, max(row, 1), len(LIST_HEADERS) - 1)
    counts.activate()
    workbook.close()


# --- the command's work ------------------------------------------------------------------

async def write_report(database: Database, pack: Pack, *, out: Path, kind: str, draft_id: str,
                       actor: str) -> Published:
    """The report behind `loaso comments report`."""
    where = report_filter(pack, draft_id)
    data = await gather(database, pack, where, actor=actor, key=await installation_key(database))

    async def write(path: Path) -> int:
        if kind == "docx":
            write_docx(path, data)
        else:
            with tempfile.TemporaryDirectory(prefix="loaso-report-") as scratch:
                write_xlsx(path, data, scratch)
        return data.total

    return await publish(database, out, kind=f"report-{kind}", actor=actor,
                         filters=audit_filters(where), write=write)
