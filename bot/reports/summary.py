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

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bot.reports.cells import spreadsheet_text
from bot.reports.export_filters import audit_filters, known_draft
from bot.reports.export_rows import RowMaker, excel_serial
from bot.reports.export_xlsx import add_styles, new_workbook, write_header
from bot.reports.labels import (
    GENERAL,
    REPORT_FORMATS,
    STANCE_LABELS,
    nfc,
    source_label,
    stance_label,
    status_label,
)
from bot.reports.layout import (
    Block,
    DocumentSpec,
    Heading,
    Letterhead,
    Paragraph,
    Percent,
    Run,
    Table,
    date_line,
    write_docx,
)
from bot.reports.publish import Published, installation_key, publish
from content.models import Draft
from content.pack import Pack
from db import comments as comment_queries
from db.comments import CommentFilter
from db.engine import Database
from db.models import CommentStatus

FORMATS = REPORT_FORMATS
LEFT_OUT = tuple(status.value for status in (CommentStatus.DUPLICATE, CommentStatus.SPAM,
                                             CommentStatus.WITHDRAWN))
REPORTED = tuple(status.value for status in CommentStatus if status not in LEFT_OUT)
TITLE = "Báo cáo tổng hợp ý kiến góp ý"  # the XLSX's heading
TYPE_NAME, TYPE_CODE = "Báo cáo", "BC"
COMMENT_INDENT_CM = 0.75


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
    by_stance: Counter[str]
    by_source: Counter[str]
    left_out: int
    made_at: dt.datetime
    actor: str

    @property
    def total(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    @property
    def draft(self) -> Draft:
        return self.pack.drafts[self.draft_id]


def report_filter(pack: Pack, draft_id: str) -> CommentFilter:
    return CommentFilter(draft_id=known_draft(pack, draft_id), statuses=REPORTED)


async def gather(database: Database, pack: Pack, where: CommentFilter, *, actor: str,
                 key: bytes) -> ReportData:
    draft_id = where.draft_id
    assert draft_id is not None  # a report is of one draft (report_filter)
    rows = RowMaker(pack, key)
    groups: dict[str | None, Group] = {None: Group(GENERAL)}
    for flat in pack.sections[draft_id]:
        groups[flat.section.id] = Group(flat.label)
    by_stance: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    async with database.read() as session:
        left_out = await comment_queries.count_comments(
            session, CommentFilter(draft_id=draft_id, statuses=LEFT_OUT))
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
    return ReportData(pack, draft_id, list(groups.values()), by_stance, by_source,
                      left_out=left_out, made_at=dt.datetime.now(pack.zone), actor=actor)


def stance_rows(data: ReportData) -> list[tuple[str, int]]:
    known = [(label, data.by_stance.get(code, 0)) for code, label in STANCE_LABELS.items()]
    extra = [(stance_label(code), count) for code, count in sorted(data.by_stance.items())
             if code not in STANCE_LABELS]
    return known + extra


def source_rows(data: ReportData) -> list[tuple[str, int]]:
    return sorted(data.by_source.items(), key=lambda item: (-item[1], item[0]))


def share(count: int, total: int) -> Percent:
    return Percent(count / total if total else 0.0)


def left_out_note(data: ReportData) -> str:
    if not data.left_out:
        return "Báo cáo gồm mọi ý kiến đã nhận về dự thảo."
    return (f"Không tính {data.left_out} ý kiến trùng lặp, spam hoặc đã được người góp ý "
            f"rút lại.")


def subject(data: ReportData) -> str:
    # "phiên bản 2" never splits over two lines
    return (f"Tổng hợp ý kiến góp ý vào {nfc(data.draft.title)} "
            f"(phiên\u00a0bản\u00a0{data.draft.version})")


# --- DOCX --------------------------------------------------------------------------------

def count_tables(data: ReportData) -> tuple[Table, ...]:
    total_row = ("Tổng cộng", data.total, share(data.total, data.total))
    return (
        Table(("STT", "Phần, mục", "Số ý kiến"),
              tuple((index, group.label, len(group.entries))
                    for index, group in enumerate(data.groups, start=1)),
              title="1. Theo phần, mục của dự thảo", total=("", "Tổng cộng", data.total)),
        Table(("Ý kiến", "Số ý kiến", "Tỷ lệ"),
              tuple((label, count, share(count, data.total))
                    for label, count in stance_rows(data)),
              title="2. Theo ý kiến", total=total_row),
        Table(("Nguồn", "Số ý kiến", "Tỷ lệ"),
              tuple((label, count, share(count, data.total))
                    for label, count in source_rows(data)),
              title="3. Theo nguồn tiếp nhận", total=total_row))


def comment_blocks(number: int, entry: Entry) -> list[Paragraph]:
    details = [f"mã {entry.receipt}", f"người góp ý: {entry.person}",
               f"nguồn: {entry.source}", f"trạng thái: {entry.status}",
               f"{entry.when:%H:%M %d/%m/%Y}"]
    if entry.hamlet:
        details.insert(2, f"thôn: {entry.hamlet}")
    blocks = [Paragraph((Run(f"{number}. {entry.stance}", bold=True),
                         Run(" — " + "; ".join(details))), keep_with_next=True),
              Paragraph(entry.text or "(Không ghi nội dung, chỉ nêu ý kiến.)",
                        indent_cm=COMMENT_INDENT_CM)]
    for label, text in (("Ghi chú của cán bộ: ", entry.note), ("Trả lời: ", entry.answer)):
        if text:
            blocks.append(Paragraph((Run(label, italic=True), Run(text)),
                                    indent_cm=COMMENT_INDENT_CM))
    return blocks


def document_spec(data: ReportData, head: Letterhead, number: str | None) -> DocumentSpec:
    """The report as the layout's data: counts, then every comment under its section."""
    blocks: list[Block] = [
        Paragraph(f"Số liệu đến {data.made_at:%H:%M} ngày {data.made_at:%d/%m/%Y}: tổng số "
                  f"{data.total} ý kiến. {left_out_note(data)} Người lập báo cáo: "
                  f"{nfc(data.actor)}.", italic=True),
        Heading("I. SỐ LƯỢNG Ý KIẾN"),
        *count_tables(data),
        Heading("II. NỘI DUNG Ý KIẾN THEO PHẦN, MỤC")]
    for index, group in enumerate(data.groups, start=1):
        blocks.append(Heading(f"{index}. {group.label} ({len(group.entries)} ý kiến)",
                              level=2))
        if not group.entries:
            blocks.append(Paragraph("Chưa có ý kiến.", italic=True))
        for number_in_group, entry in enumerate(group.entries, start=1):
            blocks.extend(comment_blocks(number_in_group, entry))
    return DocumentSpec(head, type_name=TYPE_NAME, type_code=TYPE_CODE, subject=subject(data),
                        day=data.made_at.date(), number=number, blocks=tuple(blocks))


# --- XLSX --------------------------------------------------------------------------------

LIST_HEADERS = ("Mục", "STT", "Mã biên nhận", "Ý kiến", "Nội dung", "Người góp ý", "Thôn",
                "Nguồn", "Trạng thái", "Ghi chú của cán bộ", "Trả lời", "Thời gian")
LIST_WIDTHS = (34, 6, 13, 16, 60, 18, 14, 20, 14, 30, 30, 16)
COUNTS_SHEET = "Tổng hợp"
LIST_SHEET = "Ý kiến theo mục"
FIRST_TABLE_ROW = 8
PERCENT_FORMAT = "0.0%"


def signer_label(head: Letterhead) -> str:
    """"T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ THƯỜNG TRỰC": who signs, for the spreadsheet."""
    return ", ".join(part for part in (head.authority.upper(),
                                       (head.signer_title or "").upper()) if part)


def write_xlsx(path: Path, data: ReportData, head: Letterhead, scratch: str) -> None:
    workbook = new_workbook(path, scratch, constant_memory=False)
    styles = add_styles(workbook)
    percent = workbook.add_format({"border": 1, "num_format": PERCENT_FORMAT})
    percent_bold = workbook.add_format({"border": 1, "bold": True,
                                        "num_format": PERCENT_FORMAT})
    label = workbook.add_format({"bold": True})
    counts = workbook.add_worksheet(COUNTS_SHEET)
    counts.set_column(0, 0, 50)
    counts.set_column(1, 2, 12)
    counts.set_paper(9)  # A4
    counts.set_landscape()
    counts.fit_to_pages(1, 0)  # the tables and the chart beside them on one page's width

    def text(sheet: Worksheet, row: int, col: int, value: str, style: Format | None = None
             ) -> None:
        # every text cell, names of people included, is neutralised on its own
        sheet.write_string(row, col, spreadsheet_text(value), style)

    text(counts, 0, 0, head.body.upper(), label)
    text(counts, 1, 0, TITLE.upper(), styles.title)
    text(counts, 2, 0, f"{nfc(data.draft.title)} (phiên bản {data.draft.version})")
    text(counts, 3, 0, f"{date_line(head.place, data.made_at.date())}; số liệu đến "
                       f"{data.made_at:%H:%M}")
    text(counts, 4, 0, f"Tổng số {data.total} ý kiến. {left_out_note(data)}")
    text(counts, 5, 0, "Người lập báo cáo", label)
    text(counts, 5, 1, nfc(data.actor))
    text(counts, 6, 0, signer_label(head), label)
    if head.signer_name:
        text(counts, 6, 1, head.signer_name)

    def table(top: int, headers: tuple[str, str], rows: list[tuple[str, int]]) -> int:
        for col, header in enumerate((*headers, "Tỷ lệ")):
            text(counts, top, col, header, styles.header)
        for row, (name, count) in enumerate(rows, start=top + 1):
            text(counts, row, 0, name, styles.cell)
            counts.write_number(row, 1, count, styles.cell)
            counts.write_number(row, 2, share(count, data.total).fraction, percent)
        bottom = top + len(rows) + 1
        text(counts, bottom, 0, "Tổng cộng", styles.bold)
        counts.write_number(bottom, 1, data.total, styles.bold)
        counts.write_number(bottom, 2, share(data.total, data.total).fraction, percent_bold)
        return bottom + 2

    first = FIRST_TABLE_ROW
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
                       actor: str, head: Letterhead, number: str | None = None) -> Published:
    """The report behind `loaso comments report`, under the letterhead `head`."""
    where = report_filter(pack, draft_id)
    data = await gather(database, pack, where, actor=actor, key=await installation_key(database))

    async def write(path: Path) -> int:
        if kind == "docx":
            write_docx(path, document_spec(data, head, number))
        else:
            with tempfile.TemporaryDirectory(prefix="loaso-report-") as scratch:
                write_xlsx(path, data, head, scratch)
        return data.total

    return await publish(database, out, kind=f"report-{kind}", actor=actor,
                         filters=audit_filters(where), write=write)
