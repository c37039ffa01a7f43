"""The XLSX side of exports and reports: the streaming row writer, the workbook and its
styles, sheet names Excel accepts, and the export's summary sheet.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from bot.reports.cells import spreadsheet_text
from bot.reports.export_rows import (
    CREATED,
    DRAFT,
    HEADERS,
    STANCE,
    STATUS,
    WIDTHS,
    Batches,
    Progress,
    RowMaker,
    Tally,
    excel_serial,
)
from bot.reports.labels import STANCE_LABELS, STATUS_LABELS, nfc, stance_label, status_label

SUMMARY_SHEET = "Tổng hợp"

# Characters XML or Excel's own escaping must touch (Excel also escapes a literal "_xHHHH_",
# looked for separately with a cheap substring test); most cells have none.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]")
EXCEL_MAX_CHARS = 32_767  # UTF-16 units in one cell
TRUNCATED = " … [đã cắt bớt, xem bản CSV]"
# Per text column: does it repeat row after row (labels, names, pseudonyms), so that its
# escaped XML is worth remembering?
REPEATING = (False, True, True, True, True, False, True, True, True, True, False, False)
ZIP_LEVEL = 1  # DEFLATE: a third of level 6's time for a file about a fifth larger


class RowSheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no type hints
    """A constant_memory worksheet that writes each data row's XML itself.

    Two reasons. xlsxwriter's per-cell path costs about 10 µs a cell, three times the
    export budget at 100,000 rows. And in constant_memory mode xlsxwriter copies a string
    that starts with "<r>" and ends with "</r>" into the sheet unescaped (it takes it for
    pre-built rich text), so a resident could plant a live formula element in the file.
    Here every value is an escaped inline string or a number, never a formula. The header
    row still goes through xlsxwriter (`write_string`) before the first data row.
    """

    HEADS = [f'<c r="{xl_col_to_name(col)}' for col in range(len(HEADERS))]
    FLUSH_EVERY = 500  # rows per write to the row file: one encode call instead of 500

    def __init__(self) -> None:
        super().__init__()
        self.pending_rows: list[str] = []

    def append_row(self, row: int, texts: Sequence[str], serial: float, serial_style: int,
                   memo: dict[str, str]) -> None:
        if self.table:
            self._write_single_row(row)  # flush what xlsxwriter itself holds (the header)
        self._check_dimensions(row, len(texts))
        number = str(row + 1)
        parts = [f'<row r="{number}">']
        for head, text, repeating in zip(self.HEADS, texts, REPEATING):
            if not text:
                continue
            if repeating:
                tail = memo.get(text)
                if tail is None:
                    tail = memo[text] = inline_tail(text)
            else:
                tail = inline_tail(text)
            parts.append(head + number + tail)
        parts.append(f'{self.HEADS[len(texts)]}{number}" s="{serial_style}">'
                     f"<v>{serial:.16G}</v></c></row>")
        self.pending_rows.append("".join(parts))
        if len(self.pending_rows) >= self.FLUSH_EVERY:
            self.flush_rows()

    def flush_rows(self) -> None:
        """Write the rows held back; must run before the workbook is closed."""
        if self.pending_rows:
            self.fh.write("".join(self.pending_rows))
            self.pending_rows.clear()


def inline_tail(text: str) -> str:
    """The rest of an inline-string cell after its reference: type, escaped text, end."""
    if len(text) > EXCEL_MAX_CHARS // 2 and utf16_length(text) > EXCEL_MAX_CHARS:
        text = truncate_for_excel(text)
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    if "_x" in text or _NEEDS_ESCAPE.search(text):
        # Excel's own escape for control characters (_xHHHH_), then XML's
        text = Worksheet._escape_control_characters(text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'" t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Workbook(xlsxwriter.Workbook):  # type: ignore[misc]  # xlsxwriter ships no type hints
    """xlsxwriter's workbook, zipped at DEFLATE level 1 (it has no option for the level).

    At 100,000 rows level 6 took 3 of the 5 seconds the export may take.
    """

    def _store_workbook(self) -> None:
        module = xlsxwriter.workbook
        original = module.ZipFile
        module.ZipFile = functools.partial(original, compresslevel=ZIP_LEVEL)
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = original


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def truncate_for_excel(text: str) -> str:
    keep = EXCEL_MAX_CHARS - len(TRUNCATED)
    while utf16_length(text[:keep]) > EXCEL_MAX_CHARS - len(TRUNCATED):
        keep -= 1
    return text[:keep] + TRUNCATED


def sheet_name(title: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: ≤ 31 characters, no []:*?/\\, unique ignoring case."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in nfc(title))
    cleaned = " ".join(cleaned.split()).strip("'") or "Dự thảo"
    if cleaned.lower() == "history":  # reserved by Excel
        cleaned = "History (dự thảo)"
    name, number = cleaned[:31].rstrip(), 1
    while name.lower() in taken:
        number += 1
        suffix = f" ({number})"
        name = cleaned[:31 - len(suffix)].rstrip() + suffix
    taken.add(name.lower())
    return name


@dataclass
class XlsxStyles:
    header: Format
    title: Format
    when: Format
    cell: Format
    bold: Format


def add_styles(workbook: xlsxwriter.Workbook) -> XlsxStyles:
    return XlsxStyles(
        header=workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                    "text_wrap": True, "valign": "top"}),
        title=workbook.add_format({"bold": True, "font_size": 14}),
        when=workbook.add_format({"num_format": "dd/mm/yyyy hh:mm", "align": "left"}),
        cell=workbook.add_format({"border": 1}),
        bold=workbook.add_format({"border": 1, "bold": True}))


def new_workbook(path: Path, scratch: str, *, constant_memory: bool) -> xlsxwriter.Workbook:
    # strings_to_*: a resident's text stays text whatever it looks like.
    return Workbook(str(path), {
        "constant_memory": constant_memory, "strings_to_formulas": False,
        "strings_to_numbers": False, "strings_to_urls": False, "tmpdir": scratch})


def write_header(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int],
                 style: Format) -> None:
    """Bold header, frozen under it, repeated on every printed page, A4 landscape."""
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, spreadsheet_text(header), style)
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def write_counts_table(sheet: Worksheet, top: int, corner: str, drafts: list[str],
                       keys: list[str], label: Callable[[str], str], counts: Counter[tuple[str, str]],
                       title: Callable[[str], str], styles: XlsxStyles) -> int:
    """A drafts × keys table with totals; returns the first free row below it."""
    sheet.write_string(top, 0, spreadsheet_text(corner), styles.header)
    for col, key in enumerate(keys, start=1):
        sheet.write_string(top, col, spreadsheet_text(label(key)), styles.header)
    sheet.write_string(top, len(keys) + 1, "Tổng", styles.header)
    for row, draft in enumerate([*drafts, None], start=top + 1):
        style = styles.bold if draft is None else styles.cell
        sheet.write_string(row, 0, "Tổng cộng" if draft is None
                           else spreadsheet_text(title(draft)), style)
        values = [sum(count for (_, k), count in counts.items() if k == key) if draft is None
                  else counts.get((draft, key), 0) for key in keys]
        for col, value in enumerate([*values, sum(values)], start=1):
            sheet.write_number(row, col, value, style)
    return top + len(drafts) + 3


def with_extra(present: Iterable[str], known: list[str]) -> list[str]:
    """Known codes in their order, then any code the data has that the labels do not."""
    return [*known, *sorted(set(present) - set(known))]


def summary_writer(maker: RowMaker, tally: Tally, *, actor: str, when: dt.datetime,
                   filters: str) -> Callable[[Worksheet, XlsxStyles], None]:
    def write(sheet: Worksheet, styles: XlsxStyles) -> None:
        sheet.set_column(0, 0, 42)
        sheet.set_column(1, 8, 14)
        sheet.write_string(0, 0, "Tổng hợp góp ý đã xuất", styles.title)
        sheet.write_string(1, 0, spreadsheet_text(
            f"Xuất lúc {when:%H:%M} ngày {when:%d/%m/%Y}, người xuất: {actor}"))
        sheet.write_string(2, 0, spreadsheet_text(f"Bộ lọc: {filters}"))
        sheet.write_string(3, 0, f"Tổng số góp ý: {tally.rows}")
        sheet.write_string(4, 0, "Lưu ý: nội dung bắt đầu bằng = + - @ được thêm dấu ' ở "
                                 "đầu để Excel không coi là công thức.")
        by_stance, by_status = tally.by(1), tally.by(2)
        drafts = sorted({draft for draft, _ in by_stance}, key=maker.draft_title)
        stances = with_extra((stance for _, stance in by_stance), list(STANCE_LABELS))
        statuses = with_extra((status for _, status in by_status), list(STATUS_LABELS))
        row = write_counts_table(sheet, 6, "Dự thảo / Ý kiến", drafts, stances, stance_label,
                                 by_stance, maker.draft_title, styles)
        write_counts_table(sheet, row, "Dự thảo / Trạng thái", drafts, statuses, status_label,
                           by_status, maker.draft_title, styles)
        sheet.activate()
    return write


@dataclass
class DraftSheet:
    sheet: RowSheet
    last_row: int = 0


async def write_xlsx(path: Path, maker: RowMaker, batches: Batches, tally: Tally,
                     progress: Progress | None, *, draft_hint: str | None,
                     summary: Callable[[Worksheet, XlsxStyles], None]) -> None:
    with tempfile.TemporaryDirectory(prefix="loaso-xlsx-") as scratch:
        workbook = new_workbook(path, scratch, constant_memory=True)
        styles = add_styles(workbook)
        serial_style = styles.when._get_xf_index()
        # The summary sheet comes first for the reader but is filled last, from the tally.
        summary_sheet = workbook.add_worksheet(SUMMARY_SHEET)
        taken = {SUMMARY_SHEET.lower()}
        sheets: dict[str, DraftSheet] = {}

        def sheet_for(draft_id: str) -> DraftSheet:
            if draft_id not in sheets:
                sheet = workbook.add_worksheet(sheet_name(maker.draft_title(draft_id), taken),
                                               worksheet_class=RowSheet)
                write_header(sheet, HEADERS, WIDTHS, styles.header)
                sheets[draft_id] = DraftSheet(sheet)
            return sheets[draft_id]

        current_id: str | None = None
        current: DraftSheet | None = None
        memo: dict[str, str] = {}
        async for batch in batches:
            for record in batch:
                if current is None or record[DRAFT] != current_id:  # grouped by draft
                    current_id = record[DRAFT]
                    current = sheet_for(current_id)
                current.last_row += 1
                current.sheet.append_row(current.last_row, maker.texts(record),
                                         excel_serial(maker.local(record[CREATED])), serial_style,
                                         memo)
                tally.counts[record[DRAFT], record[STANCE], record[STATUS]] += 1
            tally.rows += len(batch)
            if progress:
                progress.advance(len(batch))
        if not sheets:  # nothing matched: still a well-formed file with the headers
            sheet_for(draft_hint or "")
        for state in sheets.values():
            state.sheet.flush_rows()
            state.sheet.autofilter(0, 0, max(state.last_row, 1), len(HEADERS) - 1)
        summary(summary_sheet, styles)
        try:
            workbook.close()
        except FileCreateError as error:  # xlsxwriter's wrapper around an OSError
            raise OSError(*error.args) from error
