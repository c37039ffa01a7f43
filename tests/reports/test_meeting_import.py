"""Meeting comments from a spreadsheet: the template, every row checked, all rows or none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot.reports import meeting_import as mi
from bot.settings import Settings
from content.loader import load_pack
from db.models import Comment
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK, count_rows

TODAY = dt.date(2025, 9, 10)
GOOD = [
    ["bao-cao", "p1-c1", "Không tán thành", "Cần thêm chỉ tiêu về thu nhập.", "  Nguyễn Văn Ba ",
     "thon-1", "Hội nghị nhân dân thôn 1", "05/09/2025", "mttq"],
    ["bao-cao", None, "Tán thành", None, None, None, "Hội nghị nhân dân thôn 1", "05/09/2025",
     None],
    ["da-dong", "m1", "Đồng ý một phần", "Nên viết ngắn gọn hơn.", None, "Thôn 2",
     "Hội nghị chi bộ thôn 2", dt.datetime(2025, 9, 6), None],
]


@pytest.fixture(scope="module")
def pack():
    loaded, report = load_pack(MINI_PACK)
    assert loaded is not None, report.render()
    return loaded


def workbook(path: Path, rows: list[list], *, headers=mi.HEADERS, title: str = mi.DATA_SHEET,
             before: list[list] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(headers))
    for row in [*before, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def cli_env(database_url: str) -> dict[str, str]:
    return {"LOASO_DATABASE_URL": database_url, "LOASO_CONTENT_DIR": str(MINI_PACK)}


# -- the template ---------------------------------------------------------------------------

def test_template_has_headers_dropdowns_instructions_and_section_list(tmp_path, pack):
    path = tmp_path / "mau.xlsx"
    assert mi.write_template(path, pack) == ["bao-cao", "da-dong"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [mi.DATA_SHEET, mi.HELP_SHEET, mi.SECTIONS_SHEET, mi.LISTS_SHEET]
    data = book[mi.DATA_SHEET]
    assert tuple(cell.value for cell in data[1]) == mi.HEADERS == (
        "Dự thảo (mã)", "Mục (mã, để trống = góp ý chung)", "Ý kiến", "Nội dung",
        "Người góp ý (tùy chọn, để trống = ẩn danh)", "Thôn (mã, tùy chọn)", "Hội nghị (tên)",
        "Ngày (dd/mm/yyyy)", "Tổ chức (chi bộ/đoàn thể: mã, tùy chọn)")
    lists = {str(rule.sqref): rule.formula1 for rule in data.data_validations.dataValidation
             if rule.type == "list"}
    assert lists["C2:C1001"] == '"Tán thành,Không tán thành,Đồng ý một phần"'
    named = book[mi.LISTS_SHEET]

    def listed(key: str) -> list[str]:
        sheet_range = lists[key].split("!")[1].replace("$", "")
        return [cell.value for (cell,) in named[sheet_range]]

    assert listed("A2:A1001") == ["bao-cao", "da-dong"]
    assert listed("B2:B1001") == ["p1", "p1-c1", "p1-c2", "p2", "m1"]
    assert listed("F2:F1001") == ["thon-1", "thon-2"]
    assert listed("I2:I1001") == ["mttq"]
    sections = [row for row in book[mi.SECTIONS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert ("bao-cao", "p1-c1", "    Chương 1. Kinh tế") in sections
    guide = " ".join(str(cell.value) for (cell,) in book[mi.HELP_SHEET].iter_rows(max_col=1))
    assert "loaso comments import" in guide and "dd/mm/yyyy" in guide
    assert data.column_dimensions["H"].number_format == "@"  # dates stay as typed


def test_the_guide_keeps_its_commas_and_writes_the_limit_the_vietnamese_way(tmp_path, pack):
    path = tmp_path / "mau.xlsx"
    mi.write_template(path, pack)
    guide = [cell.value for (cell,) in openpyxl.load_workbook(path)[mi.HELP_SHEET].iter_rows(
        max_col=1)]
    assert "5. Nội dung: bắt buộc, trừ khi ý kiến là Tán thành; tối đa 4.000 ký tự." in guide
    assert any(line.startswith("2. Dự thảo (mã): chọn trong danh sách. Các dự thảo: bao-cao (")
               and "), da-dong (" in line for line in guide)


def test_template_for_one_draft_offers_only_its_sections(tmp_path, pack):
    path = tmp_path / "mau.xlsx"
    mi.write_template(path, pack, "da-dong")
    book = openpyxl.load_workbook(path)
    ids = [row[1] for row in book[mi.SECTIONS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert ids == [None, "m1"]


def test_a_filled_template_reads_back(tmp_path, pack):
    path = tmp_path / "mau.xlsx"
    mi.write_template(path, pack)
    book = openpyxl.load_workbook(path)
    for row in GOOD:
        book[mi.DATA_SHEET].append(row)
    book.save(path)
    sheet = mi.read_sheet(path, pack, TODAY)
    assert sheet.errors == [] and [row.row for row in sheet.rows] == [2, 3, 4]


# -- reading and checking rows --------------------------------------------------------------

def test_valid_rows_are_read_with_clean_values(tmp_path, pack):
    blank = [None] * 9
    path = workbook(tmp_path / "hn.xlsx", [GOOD[0], blank, ["", " "] + [None] * 7, *GOOD[1:]])
    sheet = mi.read_sheet(path, pack, TODAY)
    assert sheet.errors == []
    first, general, partly = sheet.rows
    assert first == mi.MeetingRow(2, "bao-cao", "p1-c1", "khong_tan_thanh",
                                  "Cần thêm chỉ tiêu về thu nhập.", "Nguyễn Văn Ba", "thon-1",
                                  "Hội nghị nhân dân thôn 1", dt.date(2025, 9, 5), "mttq")
    assert (general.row, general.section_id, general.stance, general.text) == (
        5, None, "tan_thanh", "")  # blank rows skipped, numbers as Excel shows them
    assert (partly.hamlet_id, partly.day) == ("thon-2", dt.date(2025, 9, 6))  # name → id


ROW_PROBLEMS = [
    ("missing draft", {0: None}, "thiếu mã dự thảo"),
    ("unknown draft", {0: "khong-co"}, "không có dự thảo 'khong-co' (có: bao-cao, da-dong)"),
    ("section of another draft", {1: "m1"}, "dự thảo 'bao-cao' không có mục 'm1'"),
    ("missing stance", {2: None}, "thiếu ý kiến"),
    ("unknown stance", {2: "Phản đối"}, "ý kiến 'Phản đối' không hợp lệ"),
    ("missing text", {3: "  "}, "thiếu nội dung (chỉ được để trống khi ý kiến là Tán thành)"),
    ("text too long", {3: "x" * 4001}, "nội dung dài 4001 ký tự, tối đa 4000"),
    ("name too long", {4: "Tên " * 30}, "tên người góp ý dài quá 100 ký tự"),
    ("unknown hamlet", {5: "thon-9"}, "không có thôn 'thon-9' (có: thon-1, thon-2)"),
    ("missing meeting", {6: None}, "thiếu tên hội nghị"),
    ("meeting too long", {6: "H" * 201}, "tên hội nghị dài quá 200 ký tự"),
    ("missing date", {7: None}, "thiếu ngày hội nghị"),
    ("impossible date", {7: "31/02/2025"}, "ngày '31/02/2025' không hợp lệ (cần dạng dd/mm/yyyy)"),
    ("month first", {7: "09/25/2025"}, "ngày '09/25/2025' không hợp lệ"),
    ("date as a number", {7: 45905}, "ngày '45905' không hợp lệ"),
    ("future date", {7: "11/09/2025"}, "ngày 11/09/2025 ở tương lai"),
    ("unknown group", {8: "doan-tn"}, "không có tổ chức 'doan-tn' (có: mttq)"),
    ("formula", {3: "=CONCAT(\"a\",\"b\")"}, "ô D3 là công thức"),
]


@pytest.mark.parametrize("name, change, message", ROW_PROBLEMS, ids=[p[0] for p in ROW_PROBLEMS])
def test_each_problem_is_reported_on_its_row(tmp_path, pack, name, change, message):
    bad = list(GOOD[0])
    for index, value in change.items():
        bad[index] = value
    path = workbook(tmp_path / "hn.xlsx", [GOOD[1], bad, GOOD[2]])
    sheet = mi.read_sheet(path, pack, TODAY)
    assert [row for row, _ in sheet.errors] == [3]
    assert message in sheet.errors[0][1]
    assert [row.row for row in sheet.rows] == [2, 4]


def test_every_problem_of_a_row_is_listed(tmp_path, pack):
    path = workbook(tmp_path / "hn.xlsx", [
        ["bao-cao", "p9", "Phản đối", None, None, "thon-9", None, "hôm qua", "zz"]])
    (row, reasons), = mi.read_sheet(path, pack, TODAY).errors
    assert row == 2 and reasons.count(";") == 5


def test_a_sheet_without_the_needed_columns_is_refused(tmp_path, pack):
    path = workbook(tmp_path / "hn.xlsx", [GOOD[0]], headers=["Dự thảo", "Ý kiến", "Nội dung"])
    with pytest.raises(mi.MeetingImportError, match="thiếu cột: Mục .*Hội nghị .*Ngày"):
        mi.read_sheet(path, pack, TODAY)


def test_headers_typed_by_hand_and_any_sheet_name_are_accepted(tmp_path, pack):
    headers = ["DU THAO", "Mục", "Y KIEN", "nội dung", "Người góp ý", "Thôn", "Hội nghị",
               "Ngày", "Tổ chức"]
    path = workbook(tmp_path / "hn.xlsx", GOOD, headers=headers, title="Sheet1")
    sheet = mi.read_sheet(path, pack, TODAY)
    assert sheet.errors == [] and len(sheet.rows) == 3


@pytest.mark.parametrize("content, suffix, message", [
    (None, ".xlsx", "Không tìm thấy tệp"),
    ("không phải bảng tính", ".xlsx", "không phải tệp Excel .xlsx hợp lệ"),
    ("cũ", ".xls", "định dạng Excel cũ (.xls)"),
])
def test_files_that_are_not_workbooks_are_refused(tmp_path, pack, content, suffix, message):
    path = tmp_path / f"hn{suffix}"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(mi.MeetingImportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mi.read_sheet(path, pack, TODAY)


def test_the_same_values_give_the_same_keys_even_after_saving_again(tmp_path, pack):
    first = workbook(tmp_path / "a.xlsx", GOOD)
    again = tmp_path / "b.xlsx"
    book = openpyxl.load_workbook(first)
    book.save(again)
    changed = workbook(tmp_path / "c.xlsx", [GOOD[0], GOOD[2], GOOD[1]])
    digests = [mi.read_sheet(path, pack, TODAY).digest for path in (first, again, changed)]
    assert digests[0] == digests[1] != digests[2]


# -- importing --------------------------------------------------------------------------------

async def test_rows_are_stored_with_the_draft_and_section_as_read(tmp_path, pack, database):
    sheet = mi.read_sheet(workbook(tmp_path / "hn.xlsx", GOOD), pack, TODAY)
    now = dt.datetime(2025, 9, 10, 3, 0, tzinfo=dt.UTC)
    async with database.transaction() as session:
        imported = await mi.import_rows(session, pack, sheet, by="Cán bộ Tư",
                                        file_name="hn.xlsx", now=now)
    assert imported.per_draft == {"bao-cao": 2, "da-dong": 1} and imported.already == 0
    async with database.read() as session:
        comments = list((await session.execute(select(Comment).order_by(Comment.id))).scalars())
    first, general, partly = comments
    assert first.submission_key == f"import:{sheet.digest}:2" and len(first.submission_key) <= 80
    assert first.receipt.startswith("GY-") and len({c.receipt for c in comments}) == 3
    assert (first.draft_id, first.draft_version, first.section_id, first.section_order) == (
        "bao-cao", "2", "p1-c1", 1)
    assert first.section_label == "Phần I. Đánh giá › Chương 1. Kinh tế"
    assert first.section_quote == "Nội dung chương 1."
    assert (first.stance, first.text, first.signed_name, first.hamlet_id) == (
        "khong_tan_thanh", "Cần thêm chỉ tiêu về thu nhập.", "Nguyễn Văn Ba", "thon-1")
    assert (first.source, first.user_id, first.status) == ("meeting", None, "moi")
    assert first.source_detail == "Hội nghị nhân dân thôn 1 — 05/09/2025 — Ủy ban MTTQ xã"
    assert "Cán bộ Tư" in first.staff_note and "dòng 2" in first.staff_note
    assert first.created_at == now
    assert (general.section_id, general.section_label, general.section_order,
            general.section_quote, general.text, general.signed_name) == (None, "", -1, "", "",
                                                                          None)
    assert general.source_detail == "Hội nghị nhân dân thôn 1 — 05/09/2025"
    assert (partly.draft_version, partly.hamlet_id) == ("1", "thon-2")


async def test_a_failure_while_storing_leaves_no_row(tmp_path, pack, database, database_url,
                                                     monkeypatch):
    from bot.cli import comments as cli_comments

    sheet = mi.read_sheet(workbook(tmp_path / "hn.xlsx", GOOD), pack, TODAY)
    calls = []
    real = mi.unused_receipt

    async def failing(session):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return await real(session)

    monkeypatch.setattr(mi, "unused_receipt", failing)
    settings = Settings(_env_file=None, database_url=database_url, content_dir=MINI_PACK)
    with pytest.raises(RuntimeError, match="disk full"):
        await _in_thread(cli_comments._import, settings, pack, sheet, "A", "hn.xlsx",
                         dt.datetime.now(dt.UTC))
    assert len(calls) == 3 and await count_rows(database, "comments") == 0


async def _in_thread(function, *args):
    import asyncio

    return await asyncio.to_thread(function, *args)  # it runs its own event loop


async def test_cli_imports_all_rows_and_a_second_time_nothing(tmp_path, database, database_url):
    env = cli_env(database_url)
    assert run(["migrate"], env=env).returncode == 0
    path = workbook(tmp_path / "hoi-nghi.xlsx", GOOD)
    first = run(["comments", "import", str(path), "--by", "Cán bộ Tư"], env=env)
    assert first.returncode == 0, first.stderr
    assert "Đã nhập 3 góp ý từ hoi-nghi.xlsx (người nhập: Cán bộ Tư):" in first.stdout
    assert "  bao-cao — Dự thảo Báo cáo chính trị (thử nghiệm): 2" in first.stdout
    assert "  da-dong — Dự thảo đã hết hạn góp ý: 1" in first.stdout
    second = run(["comments", "import", str(path), "--by", "Cán bộ Tư"], env=env)
    assert second.returncode == 0, second.stderr
    assert "Tệp này đã được nhập trước đây (3 góp ý); không nhập lại" in second.stdout
    assert await count_rows(database, "comments") == 3


async def test_cli_imports_nothing_when_one_row_is_wrong(tmp_path, database, database_url):
    env = cli_env(database_url)
    assert run(["migrate"], env=env).returncode == 0
    wrong = list(GOOD[1])
    wrong[2] = "Ủng hộ"
    formula = list(GOOD[0])
    formula[6] = "=A1"
    path = workbook(tmp_path / "hn.xlsx", [GOOD[0], wrong, GOOD[2], formula])
    result = run(["comments", "import", str(path), "--by", "Cán bộ Tư"], env=env)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "Dòng 3: ý kiến 'Ủng hộ' không hợp lệ (cần một trong: Tán thành, Không tán thành, "
        "Đồng ý một phần)",
        "Dòng 5: ô G5 là công thức; hãy ghi giá trị (sao chép rồi Dán giá trị)",
    ]
    assert "Không nhập dòng nào: 2 dòng có lỗi (trong 4 dòng)" in result.stderr
    assert await count_rows(database, "comments") == 0


async def test_cli_refuses_a_future_meeting_date_and_an_empty_sheet(tmp_path, database,
                                                                   database_url):
    env = cli_env(database_url)
    assert run(["migrate"], env=env).returncode == 0
    future = list(GOOD[0])
    future[7] = "01/01/2099"
    result = run(["comments", "import", str(workbook(tmp_path / "a.xlsx", [future])),
                  "--by", "A"], env=env)
    assert result.returncode == 1 and "Dòng 2: ngày 01/01/2099 ở tương lai" in result.stdout
    empty = run(["comments", "import", str(workbook(tmp_path / "b.xlsx", [])), "--by", "A"],
                env=env)
    assert empty.returncode == 1 and "không có dòng góp ý nào" in empty.stderr
    assert await count_rows(database, "comments") == 0


def test_cli_import_needs_a_migrated_database_and_a_name(tmp_path):
    env = {"LOASO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "LOASO_CONTENT_DIR": str(MINI_PACK)}
    path = workbook(tmp_path / "hn.xlsx", GOOD)
    unmigrated = run(["comments", "import", str(path), "--by", "A"], env=env)
    assert unmigrated.returncode == 2 and "loaso migrate" in unmigrated.stderr
    nameless = run(["comments", "import", str(path), "--by", "  "], env=env)
    assert nameless.returncode == 2 and "--by" in nameless.stderr


def test_cli_template_writes_the_file_and_refuses_to_overwrite_it(tmp_path):
    env = {"LOASO_CONTENT_DIR": str(MINI_PACK)}
    out = tmp_path / "mau.xlsx"
    made = run(["comments", "template", "--out", str(out), "--draft", "bao-cao"], env=env)
    assert made.returncode == 0, made.stderr
    assert "Đã tạo" in made.stdout and "bao-cao" in made.stdout and out.is_file()
    again = run(["comments", "template", "--out", str(out)], env=env)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run(["comments", "template", "--out", str(out), "--force"], env=env).returncode == 0
    unknown = run(["comments", "template", "--out", str(tmp_path / "x.xlsx"), "--draft", "zz"],
                  env=env)
    assert unknown.returncode == 2 and "Không có dự thảo 'zz'" in unknown.stderr
    assert not (tmp_path / "x.xlsx").exists()
