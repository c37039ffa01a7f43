"""Comments gathered at meetings (tuyên truyền miệng), typed into a spreadsheet by staff.

`write_template` makes the workbook staff fill in (dropdowns from the pack), `read_sheet`
checks every row of a filled one without touching the database, and `import_rows` adds the
rows as comments in the caller's transaction. The command imports all rows or none: a
half-imported meeting is worse than none, because nobody can tell which rows are missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.cells import spreadsheet_text
from content.pack import Pack
from content.text import fold, format_number
from db.comments import unused_receipt
from db.models import Comment, CommentStatus, Stance
from handlers import texts

SOURCE = "meeting"
MAX_TEXT = 4000  # the same limit residents have in the chat
MAX_QUOTE = 1000
MAX_NAME = 100  # comments.signed_name
MAX_MEETING = 200  # leaves room for the date and the group in source_detail (300)
MAX_LABEL = 400  # comments.section_label
MAX_DETAIL = 300  # comments.source_detail
TEMPLATE_ROWS = 1000  # rows that get the dropdowns
DATA_SHEET = "Góp ý"
HELP_SHEET = "Hướng dẫn"
SECTIONS_SHEET = "Mục"
LISTS_SHEET = "Danh mục"

# The same words residents tap in the chat (handlers/texts.STANCES).
STANCE_LABELS = texts.STANCES
_STANCE_BY_KEY: dict[str, Stance] = {fold(label): Stance(stance)
                                     for stance, label in STANCE_LABELS.items()}
_STANCE_BY_KEY.update({stance.value: stance for stance in Stance})


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool  # the column must be in the sheet (its cells may still be optional)


COLUMNS = (
    Column("draft", "Dự thảo (mã)", 16, True),
    Column("section", "Mục (mã, để trống = góp ý chung)", 22, True),
    Column("stance", "Ý kiến", 18, True),
    Column("text", "Nội dung", 60, True),
    Column("name", "Người góp ý (tùy chọn, để trống = ẩn danh)", 26, False),
    Column("hamlet", "Thôn (mã, tùy chọn)", 14, False),
    Column("meeting", "Hội nghị (tên)", 30, True),
    Column("date", "Ngày (dd/mm/yyyy)", 14, True),
    Column("group", "Tổ chức (chi bộ/đoàn thể: mã, tùy chọn)", 18, False),
)
HEADERS = tuple(column.header for column in COLUMNS)
# A header is recognised by its words before the bracket, without diacritics or case, so a
# sheet retyped by hand ("Y kien", "NGÀY") still reads.
_HEADER_KEYS = {fold(column.header.split("(")[0]): column for column in COLUMNS}


class MeetingImportError(Exception):
    """The file as a whole cannot be read; the message is Vietnamese and says what to do."""


# --------------------------------------------------------------------------- template

def write_template(path: Path, pack: Pack, draft_id: str | None = None) -> list[str]:
    """Write the workbook staff fill in; returns the draft ids it offers."""
    # openpyxl and xlsxwriter (30 MB of imports) load when a sheet is written or read, not
    # in every `serve` whose console could one day take one
    import xlsxwriter

    draft_ids = [draft_id] if draft_id else sorted(pack.drafts)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                    "bg_color": "#DDEBF7", "border": 1})
        text = workbook.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
        data = workbook.add_worksheet(DATA_SHEET)
        guide = workbook.add_worksheet(HELP_SHEET)
        sections = workbook.add_worksheet(SECTIONS_SHEET)
        lists = workbook.add_worksheet(LISTS_SHEET)
        ranges = _write_lists(lists, bold, pack, draft_ids)
        _write_sections(sections, bold, pack, draft_ids)
        _write_guide(guide, bold, pack, draft_ids)
        _write_data(data, bold, text, ranges)
        data.activate()
    finally:
        workbook.close()
    return draft_ids


def _write_lists(sheet, bold, pack: Pack, draft_ids: list[str]) -> dict[str, str]:
    """The dropdown sources, one column each; returns the validation source of each."""
    campaign = pack.campaign
    section_ids = list(dict.fromkeys(flat.section.id for draft_id in draft_ids
                                     for flat in pack.sections[draft_id]))
    columns = {
        "draft": ("Dự thảo (mã)", draft_ids, "Tên dự thảo",
                  [pack.drafts[draft_id].title for draft_id in draft_ids]),
        "section": ("Mục (mã)", section_ids, None, []),
        "hamlet": ("Thôn (mã)", [hamlet.id for hamlet in campaign.hamlets], "Tên thôn",
                   [hamlet.name for hamlet in campaign.hamlets]),
        "group": ("Tổ chức (mã)", [group.id for group in campaign.groups], "Tên tổ chức",
                  [group.name for group in campaign.groups]),
    }
    ranges: dict[str, str] = {}
    column = 0
    for key, (id_header, ids, name_header, names) in columns.items():
        sheet.write_string(0, column, id_header, bold)
        for row, value in enumerate(ids, start=1):
            sheet.write_string(row, column, value)  # ids are [a-z0-9-]: nothing to escape
        sheet.set_column(column, column, 16)
        if name_header:
            sheet.write_string(0, column + 1, name_header, bold)
            for row, value in enumerate(names, start=1):
                sheet.write_string(row, column + 1, spreadsheet_text(value))
            sheet.set_column(column + 1, column + 1, 40)
        if ids:
            letter = _letter(column)
            ranges[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(ids) + 1}"
        column += 3 if name_header else 2
    return ranges


def _write_sections(sheet, bold, pack: Pack, draft_ids: list[str]) -> None:
    for column, header in enumerate(("Dự thảo (mã)", "Mục (mã)", "Mục trong dự thảo")):
        sheet.write_string(0, column, header, bold)
    row = 1
    for draft_id in draft_ids:
        sheet.write_string(row, 0, draft_id)
        sheet.write_string(row, 2, spreadsheet_text(
            f"(để trống cột Mục) Góp ý chung cho “{pack.drafts[draft_id].title}”"))
        row += 1
        for flat in pack.sections[draft_id]:
            sheet.write_string(row, 0, draft_id)
            sheet.write_string(row, 1, flat.section.id)
            sheet.write_string(row, 2, spreadsheet_text("    " * flat.depth + flat.section.heading))
            row += 1
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 2, 90)
    sheet.freeze_panes(1, 0)


def _write_guide(sheet, bold, pack: Pack, draft_ids: list[str]) -> None:
    stances = " / ".join(STANCE_LABELS.values())
    lines = [
        ("Cách ghi góp ý của hội nghị vào bảng này", bold),
        ("1. Ghi ở trang “Góp ý”: mỗi ý kiến một dòng, bắt đầu từ dòng 2; không sửa dòng "
         "tiêu đề, không chèn thêm cột.", None),
        ("2. Dự thảo (mã): chọn trong danh sách. Các dự thảo: " + ", ".join(
            f"{draft_id} ({pack.drafts[draft_id].title})" for draft_id in draft_ids), None),
        ("3. Mục (mã): chọn mã mục (xem trang “Mục”); để trống nếu là góp ý chung cho cả "
         "dự thảo.", None),
        (f"4. Ý kiến: một trong {stances}.", None),
        ("5. Nội dung: bắt buộc, trừ khi ý kiến là Tán thành; tối đa "
         f"{format_number(MAX_TEXT)} ký tự.", None),
        ("6. Người góp ý: chỉ ghi khi người góp ý đồng ý nêu tên; để trống là ẩn danh.", None),
        ("7. Thôn và Tổ chức (chi bộ, đoàn thể): không bắt buộc; chọn mã trong danh sách "
         "(xem trang “Danh mục”).", None),
        ("8. Hội nghị: tên hội nghị (bắt buộc). Ngày: ngày họp, dạng dd/mm/yyyy, ví dụ "
         "05/09/2025; không được là ngày trong tương lai.", None),
        ("9. Chỉ ghi giá trị, không dùng công thức. Lưu tệp dạng .xlsx.", None),
        ("10. Nhập vào Loa Số: loaso comments import TÊN_TỆP.xlsx --by \"Tên cán bộ\". Nếu có "
         "dòng sai, không dòng nào được nhập; Loa Số in từng dòng sai và lý do để sửa rồi "
         "nhập lại. Nhập lại cùng một tệp không tạo góp ý trùng.", None),
    ]
    for row, (line, style) in enumerate(lines):
        sheet.write_string(row, 0, line, style)
    sheet.set_column(0, 0, 120)


def _write_data(sheet, bold, text, ranges: dict[str, str]) -> None:
    last = TEMPLATE_ROWS
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.header, bold)
        # every cell text: ids stay ids, and "05/09/2025" is not turned into 9 May by an
        # Excel set to US dates
        sheet.set_column(index, index, column.width, text)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 0)
    position = {column.key: index for index, column in enumerate(COLUMNS)}
    for key, source in ranges.items():
        sheet.data_validation(1, position[key], last, position[key], {
            "validate": "list", "source": source, "error_type": "stop",
            "error_title": "Giá trị không có trong danh sách",
            "error_message": "Hãy chọn trong danh sách (xem trang “Danh mục”)."})
    sheet.data_validation(1, position["stance"], last, position["stance"], {
        "validate": "list", "source": list(STANCE_LABELS.values()), "error_type": "stop",
        "error_message": "Chọn Tán thành, Không tán thành hoặc Đồng ý một phần."})
    sheet.data_validation(1, position["text"], last, position["text"], {
        "validate": "length", "criteria": "<=", "value": MAX_TEXT,
        "error_message": f"Nội dung tối đa {MAX_TEXT} ký tự."})
    sheet.data_validation(1, position["name"], last, position["name"], {
        "validate": "length", "criteria": "<=", "value": MAX_NAME,
        "error_message": f"Tên tối đa {MAX_NAME} ký tự."})
    sheet.data_validation(1, position["date"], last, position["date"], {
        "validate": "any", "input_title": "Ngày họp",
        "input_message": "Dạng dd/mm/yyyy, ví dụ 05/09/2025."})


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class MeetingRow:
    row: int  # the row number staff see in Excel
    draft_id: str
    section_id: str | None
    stance: str
    text: str
    signed_name: str | None
    hamlet_id: str | None
    meeting: str
    day: dt.date
    group_id: str | None


@dataclass
class Sheet:
    name: str
    digest: str  # sha256 of the sheet's values: the same data gives the same keys
    rows: list[MeetingRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row, reasons)

    def key(self, row: MeetingRow) -> str:
        return f"import:{self.digest}:{row.row}"


def read_sheet(path: Path, pack: Pack, today: dt.date) -> Sheet:
    """Every row checked; rows with problems go to `errors`, never half into `rows`."""
    workbook = _open(Path(path))
    try:
        sheet = _data_sheet(workbook)
        sheet.reset_dimensions()  # some writers record a wrong size; read what is there
        cells = sheet.iter_rows()
        header = next(cells, ())
        positions = _positions(header, sheet.title)
        raw_rows = [(number, tuple(row)) for number, row in enumerate(cells, start=2)]
    finally:
        workbook.close()
    result = Sheet(sheet.title, _digest(header, raw_rows))
    checker = _Checker(pack, today)
    for number, row in raw_rows:
        if all(_blank(cell) for cell in row):
            continue
        cells = {key: (index, row[index] if index < len(row) else None)
                 for key, index in positions.items()}
        parsed, problems = checker.row(number, cells)
        if parsed is None:
            result.errors.append((number, "; ".join(problems)))
        else:
            result.rows.append(parsed)
    return result


def _open(path: Path):
    if not path.is_file():
        raise MeetingImportError(f"Không tìm thấy tệp: {path}")
    if path.suffix.lower() == ".xls":
        raise MeetingImportError(
            f"Tệp {path.name} là định dạng Excel cũ (.xls). Hãy mở bằng Excel, chọn Lưu thành "
            "(Save As) kiểu “Excel Workbook (*.xlsx)”, rồi nhập tệp .xlsx.")
    not_xlsx = MeetingImportError(
        f"Tệp {path.name} không phải tệp Excel .xlsx hợp lệ (hoặc đã bị hỏng). "
        "Hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx.")
    _check_unpacked_size(path, not_xlsx)
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # zip, XML or format errors all mean the same thing to the operator
        raise not_xlsx from None


MAX_UNPACKED = 50 * 1024 * 1024  # a filled template of 1,000 rows unpacks to well under 1 MB
MAX_MEMBERS = 1000


def _check_unpacked_size(path: Path, not_xlsx: MeetingImportError) -> None:
    """An XLSX is a zip: refuse one that would unpack to far more than any real sheet (a zip
    bomb), judged by the sizes its directory declares. Python's zipfile never inflates a
    member past its declared size, so a lying directory cannot get past this either."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_xlsx from None
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED:
        raise MeetingImportError(
            f"Tệp {path.name} khi giải nén lớn bất thường (hơn {MAX_UNPACKED // 2**20} MB): "
            "đây không phải một bảng góp ý bình thường, Loa Số không mở tệp này. Hãy dùng "
            "tệp mẫu (loaso comments template) và chỉ ghi góp ý vào đó.")


def _data_sheet(workbook):
    for sheet in workbook.worksheets:
        if fold(sheet.title) == fold(DATA_SHEET):
            return sheet
    return workbook.worksheets[0]  # a sheet staff made themselves: the first one


def _positions(header, sheet_name: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        value = cell.value if isinstance(cell.value, str) else ""
        column = _HEADER_KEYS.get(fold(value.split("(")[0]))
        if column is not None and column.key not in positions:
            positions[column.key] = index
    missing = [column.header for column in COLUMNS
               if column.required and column.key not in positions]
    if missing:
        raise MeetingImportError(
            f"Trang “{sheet_name}” thiếu cột: {', '.join(missing)}. Dòng 1 phải là dòng tiêu "
            "đề như trong tệp mẫu (tạo bằng: loaso comments template --out MAU.xlsx).")
    return positions


def _blank(cell) -> bool:
    value = getattr(cell, "value", None)
    return value is None or (isinstance(value, str) and not value.strip())


def _digest(header, rows) -> str:
    """A hash of the values, not of the file's bytes: opening the file and saving it again
    (which rewrites its timestamps) must not make its rows look new."""
    values = [[_plain(cell) for cell in header]]
    values += [[number, *(_plain(cell) for cell in row)] for number, row in rows
               if not all(_blank(cell) for cell in row)]
    encoded = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _plain(cell):
    value = getattr(cell, "value", None)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class _Checker:
    """The rules for one row; each problem is a short Vietnamese reason."""

    def __init__(self, pack: Pack, today: dt.date) -> None:
        self.pack = pack
        self.today = today
        campaign = pack.campaign
        self.hamlets = _lookup((hamlet.id, hamlet.name) for hamlet in campaign.hamlets)
        self.groups = _lookup((group.id, group.name) for group in campaign.groups)

    def row(self, number: int, cells: dict[str, tuple[int, object]],
            ) -> tuple[MeetingRow | None, list[str]]:
        """`cells`: column key → (column index, cell). Every problem of the row, not the first."""
        problems: list[str] = []
        values: dict[str, object] = {}
        for key, (index, cell) in cells.items():
            kind = getattr(cell, "data_type", None)
            coordinate = f"{_letter(index)}{number}"
            if kind == "f":
                problems.append(f"ô {coordinate} là công thức; hãy ghi giá trị "
                                "(sao chép rồi Dán giá trị)")
            elif kind == "e":
                problems.append(f"ô {coordinate} đang báo lỗi ({getattr(cell, 'value', None)})")
            else:
                values[key] = getattr(cell, "value", None)
        draft_id = _text(values.get("draft"))
        section_id = _text(values.get("section"))
        draft = self.pack.drafts.get(draft_id) if draft_id else None
        if "draft" not in values:
            pass  # already reported as a formula or an error
        elif not draft_id:
            problems.append("thiếu mã dự thảo")
        elif draft is None:
            problems.append(f"không có dự thảo '{draft_id}' (có: {_some(self.pack.drafts)})")
        if draft is not None and section_id and self.pack.section(draft.id, section_id) is None:
            problems.append(f"dự thảo '{draft.id}' không có mục '{section_id}' (xem trang "
                            f"“{SECTIONS_SHEET}” của tệp mẫu)")
        stance = self._stance(values, problems)
        text = _text(values.get("text"), keep_lines=True)
        if "text" in values:
            if not text and stance not in (None, Stance.AGREE):
                problems.append("thiếu nội dung (chỉ được để trống khi ý kiến là Tán thành)")
            elif len(text) > MAX_TEXT:
                problems.append(f"nội dung dài {len(text)} ký tự, tối đa {MAX_TEXT}")
        name = _text(values.get("name")) or None
        if name is not None and len(name) > MAX_NAME:
            problems.append(f"tên người góp ý dài quá {MAX_NAME} ký tự")
        meeting = _text(values.get("meeting"))
        if "meeting" in values:
            if not meeting:
                problems.append("thiếu tên hội nghị")
            elif len(meeting) > MAX_MEETING:
                problems.append(f"tên hội nghị dài quá {MAX_MEETING} ký tự")
        day = self._day(values, problems)
        hamlet_id = self._known(values.get("hamlet"), self.hamlets, "thôn", problems)
        group_id = self._known(values.get("group"), self.groups, "tổ chức", problems)
        if problems:
            return None, problems
        # a row without problems has both (a missing or unreadable one is a problem)
        assert stance is not None and day is not None
        return MeetingRow(number, draft_id, section_id or None, stance.value, text, name,
                          hamlet_id, meeting, day, group_id), []

    def _stance(self, values: dict, problems: list[str]) -> Stance | None:
        if "stance" not in values:
            return None
        raw = _text(values.get("stance"))
        choices = ", ".join(STANCE_LABELS.values())
        if not raw:
            problems.append(f"thiếu ý kiến ({choices})")
            return None
        stance = _STANCE_BY_KEY.get(fold(raw))
        if stance is None:
            problems.append(f"ý kiến '{raw}' không hợp lệ (cần một trong: {choices})")
        return stance

    def _day(self, values: dict, problems: list[str]) -> dt.date | None:
        if "date" not in values:
            return None
        value = values.get("date")
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append("thiếu ngày hội nghị")
            return None
        day = _date(value)
        if day is None:
            problems.append(f"ngày '{_text(value)}' không hợp lệ (cần dạng dd/mm/yyyy)")
        elif day > self.today:
            problems.append(f"ngày {day:%d/%m/%Y} ở tương lai")
            return None
        return day

    def _known(self, value, known: dict[str, str], what: str, problems: list[str]) -> str | None:
        raw = _text(value)
        if not raw:
            return None
        found = known.get(raw) or known.get(fold(raw))
        if found is None:
            ids = sorted(set(known.values()))
            problems.append(f"không có {what} '{raw}' (có: {_some(ids) or 'chưa khai báo'})")
        return found


def _lookup(pairs) -> dict[str, str]:
    """An id, or a name typed without care for case and diacritics ("thon 1"), → the id."""
    table: dict[str, str] = {}
    for item_id, name in pairs:
        table[item_id] = item_id
        table.setdefault(fold(name), item_id)
    return table


def _some(ids, limit: int = 10) -> str:
    ids = sorted(ids)
    shown = ", ".join(ids[:limit])
    return shown + (", …" if len(ids) > limit else "")


def _text(value, keep_lines: bool = False) -> str:
    """A cell as clean NFC text; whole numbers without ".0" (an id typed as 1 is "1")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    text = unicodedata.normalize("NFC", str(value)).replace("\xa0", " ")
    if keep_lines:
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(lines).strip()
    return " ".join(text.split())


_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _date(value) -> dt.date | None:
    """A meeting day from a date cell or from text "dd/mm/yyyy" (also "d/m/yyyy" and the
    ISO form). Numbers are refused: a bare serial is too easy to get wrong silently."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := _DAY.match(text):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
        if match := _ISO_DAY.match(text):
            year, month, day = map(int, match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


# --------------------------------------------------------------------------- importing

@dataclass
class Imported:
    per_draft: Counter = field(default_factory=Counter)
    already: int = 0  # rows of this very sheet imported before

    @property
    def count(self) -> int:
        return sum(self.per_draft.values())


async def import_rows(session: AsyncSession, pack: Pack, sheet: Sheet, *, by: str,
                      file_name: str, now: dt.datetime,
                      meeting_id: int | None = None) -> Imported:
    """Add the sheet's rows as comments in the caller's transaction. Rows whose key is
    already stored (the same sheet imported before) are counted, not added again.
    `meeting_id`: the recorded meeting (db.meetings) the comments were gathered at."""
    result = Imported()
    existing = await _existing_keys(session, [sheet.key(row) for row in sheet.rows])
    groups = {group.id: group for group in pack.campaign.groups}
    for row in sheet.rows:
        key = sheet.key(row)
        if key in existing:
            result.already += 1
            continue
        draft = pack.drafts[row.draft_id]
        flat = pack.section(draft.id, row.section_id) if row.section_id else None
        detail = [row.meeting, f"{row.day:%d/%m/%Y}"]
        if row.group_id:
            detail.append(groups[row.group_id].name)
        session.add(Comment(
            receipt=await unused_receipt(session), submission_key=key,
            draft_id=draft.id, draft_version=draft.version,
            section_id=flat.section.id if flat else None,
            section_label=flat.label[:MAX_LABEL] if flat else "",
            section_order=flat.order if flat else -1,
            section_quote=flat.section.text[:MAX_QUOTE] if flat else "",
            stance=row.stance, text=row.text, user_id=None, signed_name=row.signed_name,
            hamlet_id=row.hamlet_id, group_id=row.group_id, source=SOURCE, meeting_id=meeting_id,
            source_detail=" — ".join(detail)[:MAX_DETAIL], status=CommentStatus.NEW,
            # where the comment came from, for whoever reviews it against the paper minutes
            staff_note=f"Nhập từ tệp {file_name}, dòng {row.row}, do {by} nhập.",
            created_at=now, updated_at=now))
        result.per_draft[draft.id] += 1
    await session.flush()
    return result


async def _existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # well under every backend's parameter limit
        chunk = keys[start:start + 500]
        rows = await session.execute(
            select(Comment.submission_key).where(Comment.submission_key.in_(chunk)))
        found.update(rows.scalars())
    return found
