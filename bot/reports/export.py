"""`loaso comments export`: every matching comment as CSV or XLSX, streamed, then audited.

Rows come from `db.comments.stream_comments` one batch at a time and go straight to the
file, so memory stays flat however many comments there are. A file is written under a
temporary name, hashed, recorded in `export_audit`, and only then given its real name: a
failed export leaves neither a file nor an audit row, and a file never exists without one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import secrets
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import xlsxwriter
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from bot.reports.cells import neutralise, spreadsheet_text
from content.pack import Pack
from db import comments as comment_queries
from db.comments import CommentFilter
from db.engine import Database
from db.models import Comment, CommentStatus, Stance

STANCE_LABELS = {Stance.AGREE: "Tán thành", Stance.DISAGREE: "Không tán thành",
                 Stance.PARTLY: "Đồng ý một phần"}
STATUS_LABELS = {CommentStatus.NEW: "Mới", CommentStatus.SEEN: "Đã xem",
                 CommentStatus.ACCEPTED: "Tiếp thu", CommentStatus.NOT_ACCEPTED: "Không tiếp thu",
                 CommentStatus.DUPLICATE: "Trùng lặp", CommentStatus.SPAM: "Spam",
                 CommentStatus.WITHDRAWN: "Đã rút lại"}
SOURCE_LABELS = {"telegram": "Telegram", "zalo": "Zalo", "console": "Trò chuyện thử",
                 "meeting": "Hội nghị"}
GENERAL = "Góp ý chung"
ANONYMOUS = "Ẩn danh"

HEADERS = ("Mã biên nhận", "Dự thảo", "Phiên bản", "Mục", "Ý kiến", "Nội dung", "Người góp ý",
           "Thôn", "Nguồn", "Trạng thái", "Ghi chú của cán bộ", "Trả lời", "Thời gian")
WIDTHS = (13, 30, 9, 32, 16, 60, 18, 14, 20, 14, 30, 30, 16)
TIME_COLUMN = len(HEADERS) - 1
TIME_FORMAT = "%d/%m/%Y %H:%M"

FORMATS = ("csv", "xlsx")
SUMMARY_SHEET = "Tổng hợp"
EXCEL_MAX_CHARS = 32_767  # UTF-16 units in one cell
TRUNCATED = " … [đã cắt bớt, xem bản CSV]"


class ExportError(Exception):
    """A problem the staff member can fix, worded for them in Vietnamese."""


def source_label(source: str) -> str:
    # zalo-oa and zalo-bot are two doors into the same Zalo app for residents
    return SOURCE_LABELS.get("zalo" if source.startswith("zalo") else source, source)


def stance_label(stance: str) -> str:
    return STANCE_LABELS.get(stance, stance)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def section_label(comment: Comment) -> str:
    if comment.section_id is None:
        return GENERAL
    return comment.section_label or comment.section_id


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
    hamlets = {item.id for item in pack.campaign.hamlets}
    if hamlet is not None and hamlet not in hamlets:
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


# --- one comment as one row --------------------------------------------------------------

@dataclass
class RowMaker:
    """Turns a comment into the values of one row: labels, names, local time, no chat ids."""

    pack: Pack
    key: bytes  # the installation's pseudonym key

    def __post_init__(self) -> None:
        self.zone = self.pack.zone
        self.drafts = {draft_id: draft.title for draft_id, draft in self.pack.drafts.items()}
        self.hamlets = {hamlet.id: hamlet.name for hamlet in self.pack.campaign.hamlets}

    def draft_title(self, draft_id: str) -> str:
        return self.drafts.get(draft_id, draft_id)

    def person(self, comment: Comment) -> str:
        signed = (comment.signed_name or "").strip()
        if signed:
            return signed
        return comment_queries.pseudonym(self.key, comment.user_id) or ANONYMOUS

    def source(self, comment: Comment) -> str:
        label = source_label(comment.source)
        return f"{label} — {comment.source_detail}" if comment.source_detail else label

    def hamlet(self, comment: Comment) -> str:
        if not comment.hamlet_id:
            return ""
        return self.hamlets.get(comment.hamlet_id, comment.hamlet_id)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def texts(self, comment: Comment) -> list[str]:
        """Every column but the time, as neutralised NFC text."""
        return [neutralise(nfc(value)) for value in (
            comment.receipt, self.draft_title(comment.draft_id), comment.draft_version,
            section_label(comment), stance_label(comment.stance), comment.text,
            self.person(comment), self.hamlet(comment), self.source(comment),
            status_label(comment.status), comment.staff_note, comment.answer)]


# --- progress ----------------------------------------------------------------------------

class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, rows: int) -> None: ...


PROGRESS_EVERY = 1000


# --- CSV ---------------------------------------------------------------------------------

async def write_csv(path: Path, rows: RowMaker, comments, tally: Tally,
                    progress: Progress | None) -> None:
    # utf-8-sig: Excel opens a CSV as UTF-8 only when it starts with a BOM.
    # newline="": the csv module writes RFC 4180 CRLF itself and quotes embedded breaks.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, dialect="excel", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(HEADERS)
        async for comment in comments:
            values = rows.texts(comment)
            values.append(rows.local(comment.created_at).strftime(TIME_FORMAT))
            writer.writerow(values)
            if tally.add(comment, rows) % PROGRESS_EVERY == 0 and progress:
                progress.advance(PROGRESS_EVERY)


# --- XLSX --------------------------------------------------------------------------------

class RowSheet(Worksheet):
    """A constant_memory worksheet that writes each data row as XML itself.

    Two reasons. xlsxwriter's per-cell path costs about 10 µs a cell, three times the
    export budget at 100,000 rows. And in constant_memory mode xlsxwriter copies any string
    that starts with "<r>" and ends with "</r>" into the sheet unescaped (it takes it for
    pre-built rich text), so a resident could write a live formula element into the file.
    Here every value is an inline string, fully escaped, or a number: never a formula.
    """

    LETTERS = [xl_col_to_name(col) for col in range(len(HEADERS))]

    def append_row(self, row: int, texts: Sequence[str], serial: float | None,
                   serial_style: int) -> None:
        if row > self.previous_row:
            self._write_single_row(row)  # flush what xlsxwriter itself holds (the header)
        self._check_dimensions(row, 0)
        self._check_dimensions(row, len(texts) if serial is not None else len(texts) - 1)
        number = str(row + 1)
        parts = [f'<row r="{number}">']
        for col, text in enumerate(texts):
            if text:
                parts.append(self._inline(self.LETTERS[col] + number, text))
        if serial is not None:
            parts.append(f'<c r="{self.LETTERS[len(texts)]}{number}" s="{serial_style}">'
                         f"<v>{serial:.16G}</v></c>")
        parts.append("</row>")
        self.fh.write("".join(parts))

    def _inline(self, ref: str, text: str) -> str:
        if len(text) > EXCEL_MAX_CHARS // 2 and utf16_length(text) > EXCEL_MAX_CHARS:
            text = truncate_for_excel(text)
        text = self._escape_data(self._escape_control_characters(text))
        space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def truncate_for_excel(text: str) -> str:
    keep = EXCEL_MAX_CHARS - len(TRUNCATED) - 2  # room for a surrogate pair at the cut
    while utf16_length(text[:keep]) > EXCEL_MAX_CHARS - len(TRUNCATED):
        keep -= 1
    return text[:keep] + TRUNCATED


EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(local: dt.datetime) -> float:
    return (local.replace(tzinfo=None) - EXCEL_EPOCH) / dt.timedelta(days=1)


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
    number: object
    bold_number: object
    bold: object
    wrap: object


def add_styles(workbook: xlsxwriter.Workbook) -> XlsxStyles:
    return XlsxStyles(
        header=workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                    "text_wrap": True, "valign": "top"}),
        title=workbook.add_format({"bold": True, "font_size": 14}),
        when=workbook.add_format({"num_format": "dd/mm/yyyy hh:mm", "align": "left"}),
        number=workbook.add_format({"border": 1}),
        bold_number=workbook.add_format({"border": 1, "bold": True}),
        bold=workbook.add_format({"bold": True, "border": 1}),
        wrap=workbook.add_format({"text_wrap": True, "valign": "top"}))


def new_workbook(path: Path, scratch: str, *, constant_memory: bool) -> xlsxwriter.Workbook:
    # strings_to_*: a resident's text stays text whatever it looks like.
    return xlsxwriter.Workbook(str(path), {
        "constant_memory": constant_memory, "strings_to_formulas": False,
        "strings_to_numbers": False, "strings_to_urls": False, "tmpdir": scratch})


def write_header(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int],
                 style) -> None:
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, spreadsheet_text(header), style)
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)


@dataclass
class DraftSheet:
    sheet: RowSheet
    last_row: int = 0


async def write_xlsx(path: Path, rows: RowMaker, comments, tally: Tally,
                     progress: Progress | None, *, draft_hint: str | None,
                     summary: Callable[[xlsxwriter.Workbook, Worksheet, XlsxStyles], None]
                     ) -> None:
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
                sheet = workbook.add_worksheet(sheet_name(rows.draft_title(draft_id), taken),
                                               worksheet_class=RowSheet)
                write_header(sheet, HEADERS, WIDTHS, styles.header)
                sheets[draft_id] = DraftSheet(sheet)
            return sheets[draft_id]

        current_id, current = None, None
        async for comment in comments:
            if comment.draft_id != current_id:
                current_id, current = comment.draft_id, sheet_for(comment.draft_id)
            current.last_row += 1
            current.sheet.append_row(current.last_row, rows.texts(comment),
                                     excel_serial(rows.local(comment.created_at)), serial_style)
            if tally.add(comment, rows) % PROGRESS_EVERY == 0 and progress:
                progress.advance(PROGRESS_EVERY)
        if not sheets:  # nothing matched: still a well-formed file with the headers
            sheet_for(draft_hint or "")
        for state in sheets.values():
            state.sheet.autofilter(0, 0, max(state.last_row, 1), len(HEADERS) - 1)
        summary(workbook, summary_sheet, styles)
        workbook.close()


# --- what was exported -------------------------------------------------------------------

@dataclass
class Tally:
    """Counts of what went into the file, gathered while streaming (no second query)."""

    rows: int = 0
    by_stance: Counter = field(default_factory=Counter)  # (draft title, stance)
    by_status: Counter = field(default_factory=Counter)  # (draft title, status)

    def add(self, comment: Comment, rows: RowMaker) -> int:
        title = rows.draft_title(comment.draft_id)
        self.by_stance[title, comment.stance] += 1
        self.by_status[title, comment.status] += 1
        self.rows += 1
        return self.rows


def ordered_keys(present, known) -> list[str]:
    extra = sorted(set(present) - set(known))
    return [*known, *extra]


def write_counts_table(sheet: Worksheet, top: int, corner: str, drafts: list[str],
                       columns: list[str], labels: Callable[[str], str], counts: Counter,
                       styles: XlsxStyles) -> int:
    """A drafts × columns table with totals; returns the first free row below it."""
    sheet.write_string(top, 0, spreadsheet_text(corner), styles.header)
    for col, key in enumerate(columns, start=1):
        sheet.write_string(top, col, spreadsheet_text(labels(key)), styles.header)
    sheet.write_string(top, len(columns) + 1, "Tổng", styles.header)
    for row, draft in enumerate([*drafts, None], start=top + 1):
        name = "Tổng cộng" if draft is None else draft
        sheet.write_string(row, 0, spreadsheet_text(name), styles.bold if draft is None
                           else styles.number)
        total = 0
        for col, key in enumerate(columns, start=1):
            value = (sum(count for (_, k), count in counts.items() if k == key) if draft is None
                     else counts.get((draft, key), 0))
            total += value
            sheet.write_number(row, col, value, styles.bold_number if draft is None
                               else styles.number)
        sheet.write_number(row, len(columns) + 1, total, styles.bold_number)
    return top + len(drafts) + 3


def summary_writer(tally: Tally, *, actor: str, when: dt.datetime, filters: str):
    def write(workbook, sheet: Worksheet, styles: XlsxStyles) -> None:
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 8, 14)
        sheet.write_string(0, 0, "Tổng hợp góp ý đã xuất", styles.title)
        sheet.write_string(1, 0, spreadsheet_text(
            f"Xuất lúc {when:%H:%M ngày %d/%m/%Y}, người xuất: {actor}"))
        sheet.write_string(2, 0, spreadsheet_text(f"Bộ lọc: {filters}"))
        sheet.write_string(3, 0, f"Tổng số góp ý: {tally.rows}")
        sheet.write_string(4, 0, "Lưu ý: nội dung bắt đầu bằng = + - @ được thêm dấu ' ở "
                                 "đầu để Excel không coi là công thức.")
        drafts = sorted({draft for draft, _ in tally.by_stance})
        stances = ordered_keys((stance for _, stance in tally.by_stance), list(STANCE_LABELS))
        statuses = ordered_keys((status for _, status in tally.by_status), list(STATUS_LABELS))
        row = write_counts_table(sheet, 6, "Dự thảo / Ý kiến", drafts, stances, stance_label,
                                 tally.by_stance, styles)
        write_counts_table(sheet, row, "Dự thảo / Trạng thái", drafts, statuses, status_label,
                           tally.by_status, styles)
        sheet.activate()
    return write


def describe_filters(pack: Pack, where: CommentFilter) -> str:
    """The filter in words, for the file itself (the audit keeps the codes)."""
    parts = []
    if where.draft_id:
        parts.append(f"dự thảo {RowMaker(pack, b'').draft_title(where.draft_id)}")
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
    """Write under a temporary name, audit, then rename; nothing is left on failure."""
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
    """The export behind `loaso comments export` (and the benchmark)."""
    rows = RowMaker(pack, await installation_key(database))
    tally = Tally()
    filters = audit_filters(where)

    async def write(path: Path) -> int:
        async with database.read() as session:
            if progress:
                progress.start(await comment_queries.count_comments(session, where))
            comments = comment_queries.stream_comments(session, where)
            if kind == "csv":
                await write_csv(path, rows, comments, tally, progress)
            else:
                await write_xlsx(path, rows, comments, tally, progress,
                                 draft_hint=where.draft_id,
                                 summary=summary_writer(
                                     tally, actor=actor, when=dt.datetime.now(pack.zone),
                                     filters=describe_filters(pack, where)))
        return tally.rows

    return await publish(database, out, kind=kind, actor=actor, filters=filters, write=write)
