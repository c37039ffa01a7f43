"""`loaso comments export`: every matching comment as CSV or XLSX, streamed, then audited.

Rows go from the database to the file a batch at a time, so memory stays flat however many
comments there are. A file is written under a temporary name, hashed, recorded in
`export_audit`, and only then given its real name: a failed export leaves neither a file
nor an audit row, and an exported file never exists without its audit row.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import xlsxwriter
import xlsxwriter.workbook
from sqlalchemy import String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from bot.channels.registry import source_label
from bot.reports.cells import cell_text, spreadsheet_text
from content.pack import Pack
from db import comments as comment_queries
from db.comments import CommentFilter
from db.engine import Database
from db.models import Comment
from handlers import texts

# One wording everywhere: what residents read in the chat is what staff read in the files.
STANCE_LABELS = texts.STANCES
STATUS_LABELS = texts.STATUSES
GENERAL = texts.GY_GENERAL
ANONYMOUS = texts.GY_ANONYMOUS

HEADERS = ("Mã biên nhận", "Dự thảo", "Phiên bản", "Mục", "Ý kiến", "Nội dung", "Người góp ý",
           "Thôn", "Nguồn", "Trạng thái", "Ghi chú của cán bộ", "Trả lời", "Thời gian")
WIDTHS = (13, 30, 9, 32, 16, 60, 18, 14, 20, 14, 30, 30, 16)
FORMATS = ("csv", "xlsx")
SUMMARY_SHEET = "Tổng hợp"


class ExportError(Exception):
    """A problem the staff member can fix, worded for them in Vietnamese."""


def stance_label(stance: str) -> str:
    return STANCE_LABELS.get(stance, stance)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def nfc(text: str | None) -> str:
    """NFC, so Excel's search and filters find what a phone typed decomposed."""
    if not text:
        return ""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


# --- what staff ask for -----------------------------------------------------------------

def parse_day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ExportError(f"Ngày không hợp lệ ở {option}: '{text}' (cần dạng YYYY-MM-DD, "
                          f"ví dụ 2025-09-30).") from None


def parse_statuses(text: str | None) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(part.strip() for part in (text or "").split(",") if part.strip()))
    unknown = [name for name in wanted if name not in STATUS_LABELS]
    if unknown:
        known = ", ".join(f"{code} ({label})" for code, label in STATUS_LABELS.items())
        raise ExportError(f"Trạng thái không hợp lệ: {', '.join(unknown)}. Dùng: {known}.")
    return wanted


def known_draft(pack: Pack, draft_id: str) -> str:
    if draft_id not in pack.drafts:
        known = "; ".join(f"{draft.id} ({draft.title})" for draft in pack.drafts.values())
        raise ExportError(f"Không có dự thảo '{draft_id}' trong gói nội dung. "
                          f"Có: {known or 'chưa có dự thảo nào'}.")
    return draft_id


def build_filter(pack: Pack, *, draft: str | None = None, statuses: str | None = None,
                 hamlet: str | None = None, source: str | None = None,
                 day_from: str | None = None, day_to: str | None = None,
                 include_hidden: bool = True) -> CommentFilter:
    """The staff member's options as a filter; days are whole days in the campaign's zone."""
    if draft is not None:
        known_draft(pack, draft)
    if hamlet is not None and hamlet not in {item.id for item in pack.campaign.hamlets}:
        known = ", ".join(f"{item.id} ({item.name})" for item in pack.campaign.hamlets)
        raise ExportError(f"Không có thôn '{hamlet}'. Có: {known or 'chưa khai báo thôn nào'}.")
    first = parse_day(day_from, "--from") if day_from else None
    last = parse_day(day_to, "--to") if day_to else None
    if first and last and first > last:
        raise ExportError(f"Ngày bắt đầu {first:%d/%m/%Y} (--from) sau ngày kết thúc "
                          f"{last:%d/%m/%Y} (--to).")

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), pack.zone).astimezone(dt.UTC)

    return CommentFilter(
        draft_id=draft, statuses=parse_statuses(statuses), hamlet_id=hamlet,
        source=source.strip() if source else None,
        created_from=midnight(first) if first else None,
        created_to=midnight(last + dt.timedelta(days=1)) if last else None,
        include_hidden=include_hidden)


def audit_filters(where: CommentFilter) -> dict:
    described = dict(where.describe())
    if not where.include_hidden:  # describe() leaves this out, but it changes what left
        described["include_hidden"] = False
    return described


def output_path(out: Path, kinds: Sequence[str], kind: str | None) -> tuple[Path, str]:
    """The file to write and its format, or a clear refusal before anything is touched."""
    chosen = (kind or out.suffix.lstrip(".")).lower()
    if chosen not in kinds:
        raise ExportError(f"Định dạng '{kind or out.suffix}' không hỗ trợ; dùng --format "
                          f"{' hoặc --format '.join(kinds)}.")
    out = out.expanduser()
    if out.is_dir():
        raise ExportError(f"'{out}' là một thư mục; hãy ghi cả tên tệp, ví dụ "
                          f"{out / ('gop-y.' + chosen)}.")
    if not out.parent.is_dir():
        raise ExportError(f"Thư mục '{out.parent}' không tồn tại; hãy tạo thư mục trước "
                          f"hoặc chọn nơi lưu khác.")
    return out.resolve(), chosen


def describe_filters(pack: Pack, where: CommentFilter) -> str:
    """The filter in words, printed in the file itself (the audit row keeps the codes)."""
    parts = []
    if where.draft_id:
        draft = pack.drafts.get(where.draft_id)
        parts.append(f"dự thảo {draft.title if draft else where.draft_id}")
    if where.statuses:
        parts.append("trạng thái " + ", ".join(status_label(s) for s in where.statuses))
    if where.hamlet_id:
        names = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
        parts.append(f"thôn {names.get(where.hamlet_id, where.hamlet_id)}")
    if where.source:
        parts.append(f"nguồn {source_label(where.source)}")
    if where.created_from:
        parts.append(f"từ ngày {where.created_from.astimezone(pack.zone):%d/%m/%Y}")
    if where.created_to:
        last = where.created_to.astimezone(pack.zone) - dt.timedelta(days=1)
        parts.append(f"đến hết ngày {last:%d/%m/%Y}")
    if not where.include_hidden:
        parts.append("bỏ góp ý trùng lặp và spam")
    return "; ".join(parts) if parts else "không (mọi góp ý)"


# --- reading ------------------------------------------------------------------------------

# created_at is read as the driver gives it: SQLite's text is parsed by fromisoformat (in C)
# below, about 5 µs a row cheaper than SQLAlchemy's DateTime processing; PostgreSQL gives
# an aware datetime either way.
EXPORT_COLUMNS = (Comment.receipt, Comment.draft_id, Comment.draft_version, Comment.section_id,
                  Comment.section_label, Comment.stance, Comment.text, Comment.user_id,
                  Comment.signed_name, Comment.hamlet_id, Comment.source, Comment.source_detail,
                  Comment.status, Comment.staff_note, Comment.answer,
                  type_coerce(Comment.created_at, String).label("created_at"))
DRAFT, STANCE, STATUS, CREATED = 1, 5, 12, 15  # positions in a row of EXPORT_COLUMNS


async def comment_rows(session: AsyncSession, where: CommentFilter,
                       batch: int = 2000) -> AsyncIterator[Sequence]:
    """Batches of plain rows: the filter and document order of `stream_comments`.

    `stream_comments` yields ORM objects one await at a time; at 100,000 comments that alone
    takes about 5 s of CPU here (one greenlet switch per row), more than the whole CSV
    budget. The columns an export shows, through the Core connection (the ORM layer would
    still add a step per row), a partition per await, take about 0.7 s.
    """
    statement = (select(*EXPORT_COLUMNS).where(*where.where())
                 .order_by(Comment.draft_id, Comment.section_order, Comment.id)
                 .execution_options(yield_per=batch))
    result = await (await session.connection()).stream(statement)
    async for partition in result.partitions():
        yield partition


def naive_utc(value: dt.datetime | str) -> dt.datetime:
    """SQLite's naive UTC text or PostgreSQL's aware datetime, as a naive UTC datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


# --- one comment as one row --------------------------------------------------------------

class RowMaker:
    """Labels, names and local times for the rows of a file; never a chat id or user id.

    Labels and pseudonyms are computed once per distinct value: an export repeats the same
    few drafts, sections, statuses and residents thousands of times.
    """

    def __init__(self, pack: Pack, key: bytes) -> None:
        self.pack = pack
        self.key = key
        self.zone = pack.zone
        self.hamlets = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
        self._cache: dict[tuple, str] = {}
        self._offsets: dict[dt.datetime, dt.timedelta | None] = {}

    def draft_title(self, draft_id: str) -> str:
        draft = self.pack.drafts.get(draft_id)
        return nfc(draft.title if draft else draft_id)

    def person(self, signed_name: str | None, user_id: int | None) -> str:
        signed = (signed_name or "").strip()
        if signed:
            return signed
        return comment_queries.pseudonym(self.key, user_id) or ANONYMOUS

    @staticmethod
    def section(section_id: str | None, label: str) -> str:
        if section_id is None:
            return GENERAL
        return label or section_id

    @staticmethod
    def source(source: str, detail: str | None) -> str:
        label = source_label(source)
        return f"{label} — {detail}" if detail else label

    def hamlet(self, hamlet_id: str | None) -> str:
        if not hamlet_id:
            return ""
        return self.hamlets.get(hamlet_id, hamlet_id)

    def local(self, moment: dt.datetime | str) -> dt.datetime:
        """The campaign's wall-clock time, naive. The zone's offset is looked up once per UTC
        hour (astimezone costs more than the rest of a row's time handling); an hour with a
        transition inside is converted exactly."""
        utc = naive_utc(moment)
        hour = utc.replace(minute=0, second=0, microsecond=0)
        offset = self._offsets.get(hour, False)
        if offset is False:
            offset = self._offsets[hour] = self._steady_offset(hour)
        if offset is None:
            return utc.replace(tzinfo=dt.UTC).astimezone(self.zone).replace(tzinfo=None)
        return utc + offset

    def _steady_offset(self, hour: dt.datetime) -> dt.timedelta | None:
        """The zone's offset through this UTC hour, or None if it changes within it."""
        first, last = (moment.replace(tzinfo=dt.UTC).astimezone(self.zone).utcoffset()
                       for moment in (hour, hour + dt.timedelta(minutes=59, seconds=59,
                                                                microseconds=999_999)))
        return first if first == last else None

    def label(self, field: str, *values) -> str:
        """The clean text of a repeating value, computed on first sight."""
        text = {"draft": lambda: self.draft_title(*values),
                "version": lambda: values[0],
                "section": lambda: self.section(*values),
                "stance": lambda: stance_label(*values),
                "hamlet": lambda: self.hamlet(*values),
                "source": lambda: self.source(*values),
                "status": lambda: status_label(*values),
                "person": lambda: self.person(*values)}[field]()
        self._cache[(field, *values)] = cleaned = cell_text(text)
        return cleaned

    def texts(self, record: Sequence) -> list[str]:
        """Every column but the time, as clean text, from one row of `comment_rows`."""
        (receipt, draft_id, version, section_id, section, stance, text, user_id, signed,
         hamlet_id, source, detail, status, note, answer, _) = record
        cache, label = self._cache, self.label
        # signed names vary too much to cache; pseudonyms (an HMAC each) are worth it
        person = (cell_text(signed.strip()) if signed and signed.strip()
                  else cache.get(("person", None, user_id)) or label("person", None, user_id))
        return [cell_text(receipt),
                cache.get(("draft", draft_id)) or label("draft", draft_id),
                cache.get(("version", version)) or label("version", version),
                cache.get(("section", section_id, section))
                or label("section", section_id, section),
                cache.get(("stance", stance)) or label("stance", stance),
                cell_text(text),
                person,
                (cache.get(("hamlet", hamlet_id)) or label("hamlet", hamlet_id)) if hamlet_id
                else "",
                cache.get(("source", source, detail)) or label("source", source, detail),
                cache.get(("status", status)) or label("status", status),
                cell_text(note),
                cell_text(answer)]


def local_text(moment: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM, cut from isoformat (in C): strftime costs ten times as much."""
    iso = moment.isoformat(" ", "minutes")
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}{iso[10:16]}"


EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(local: dt.datetime) -> float:
    return (local - EXCEL_EPOCH) / dt.timedelta(days=1)


# --- what was exported -------------------------------------------------------------------

@dataclass
class Tally:
    """Counts of what went into the file, kept while streaming (no second query to drift)."""

    rows: int = 0
    counts: Counter = field(default_factory=Counter)  # (draft_id, stance, status)

    def by(self, position: int) -> Counter:
        """(draft_id, stance) or (draft_id, status) → count."""
        summed = Counter()
        for key, count in self.counts.items():
            summed[key[0], key[position]] += count
        return summed


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, rows: int) -> None: ...


# --- CSV ---------------------------------------------------------------------------------

async def write_csv(path: Path, maker: RowMaker, batches, tally: Tally,
                    progress: Progress | None) -> None:
    # newline="": the csv module writes RFC 4180 CRLF itself and quotes embedded breaks.
    # The BOM is written by hand: Excel reads a CSV as UTF-8 only when it starts with one,
    # and the "utf-8-sig" codec would run a Python-level encoder on every row.
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        handle.write("\ufeff")
        writer = csv.writer(handle, dialect="excel", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(HEADERS)
        async for batch in batches:
            lines = []
            for record in batch:
                values = maker.texts(record)
                values.append(local_text(maker.local(record[CREATED])))
                lines.append(values)
                tally.counts[record[DRAFT], record[STANCE], record[STATUS]] += 1
            writer.writerows(lines)
            tally.rows += len(batch)
            if progress:
                progress.advance(len(batch))


# --- XLSX --------------------------------------------------------------------------------

# Characters XML or Excel's own escaping must touch (Excel also escapes a literal "_xHHHH_",
# looked for separately with a cheap substring test); most cells have none.
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]")
EXCEL_MAX_CHARS = 32_767  # UTF-16 units in one cell
TRUNCATED = " … [đã cắt bớt, xem bản CSV]"
# Per text column: does it repeat row after row (labels, names, pseudonyms), so that its
# escaped XML is worth remembering?
REPEATING = (False, True, True, True, True, False, True, True, True, True, False, False)
ZIP_LEVEL = 1  # DEFLATE: a third of level 6's time for a file about a fifth larger


class RowSheet(Worksheet):
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


class Workbook(xlsxwriter.Workbook):
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
    header: object
    title: object
    when: object
    cell: object
    bold: object


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
                 style) -> None:
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
                       keys: list[str], label: Callable[[str], str], counts: Counter,
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


def with_extra(present, known) -> list[str]:
    """Known codes in their order, then any code the data has that the labels do not."""
    return [*known, *sorted(set(present) - set(known))]


def summary_writer(maker: RowMaker, tally: Tally, *, actor: str, when: dt.datetime,
                   filters: str):
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


async def write_xlsx(path: Path, maker: RowMaker, batches, tally: Tally,
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

        current_id, current, memo = None, None, {}
        async for batch in batches:
            for record in batch:
                if record[DRAFT] != current_id:  # rows arrive grouped by draft
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


# --- writing, auditing, publishing -------------------------------------------------------

@dataclass(frozen=True)
class Published:
    path: Path
    kind: str
    rows: int
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def publish(database: Database, out: Path, *, kind: str, actor: str, filters: dict,
                  write: Callable[[Path], Awaitable[int]]) -> Published:
    """Write under a temporary name, audit, then rename; nothing is left on failure.

    The audit row is committed before the rename, so a crash in between leaves an audited
    temporary file rather than an unaudited export.
    """
    scratch = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    try:
        rows = await write(scratch)
        os.chmod(scratch, 0o600)  # comments are personal data: readable by the exporter only
        digest = file_sha256(scratch)
        async with database.transaction() as session:
            await comment_queries.record_export(
                session, actor=actor, kind=kind, filters=filters, row_count=rows,
                sha256=digest, now=dt.datetime.now(dt.UTC))
        os.replace(scratch, out)
        return Published(out, kind, rows, digest)
    finally:
        scratch.unlink(missing_ok=True)


async def installation_key(database: Database) -> bytes:
    # Created and committed on first use, so later exports give the same pseudonyms.
    async with database.transaction() as session:
        return await comment_queries.pseudonym_key(session)


async def export_comments(database: Database, pack: Pack, *, out: Path, kind: str,
                          where: CommentFilter, actor: str,
                          progress: Progress | None = None) -> Published:
    """The export behind `loaso comments export` (and bench/export_bench.py)."""
    maker = RowMaker(pack, await installation_key(database))
    tally = Tally()

    async def write(path: Path) -> int:
        async with database.read() as session:
            if progress:
                progress.start(await comment_queries.count_comments(session, where))
            batches = comment_rows(session, where)
            if kind == "csv":
                await write_csv(path, maker, batches, tally, progress)
            else:
                summary = summary_writer(maker, tally, actor=actor,
                                         when=dt.datetime.now(pack.zone),
                                         filters=describe_filters(pack, where))
                await write_xlsx(path, maker, batches, tally, progress,
                                 draft_hint=where.draft_id, summary=summary)
        return tally.rows

    return await publish(database, out, kind=kind, actor=actor, filters=audit_filters(where),
                         write=write)
