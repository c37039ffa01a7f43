"""`loaso comments export`: what staff get in CSV and XLSX, what is refused, what is audited."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import itertools
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot.reports import export as exports
from bot.reports import export_rows, export_xlsx
from bot.reports.export import export_comments
from bot.reports.export_filters import ExportError, build_filter, output_path
from content.loader import load_pack
from db.comments import CommentFilter
from db.models import Comment, ExportAudit, User
from tests.bot.test_cli import run
from tests.conftest import MINI_PACK, count_rows

UTC = dt.UTC
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def pack():
    loaded, report = load_pack(MINI_PACK)
    assert loaded is not None, report.render()
    return loaded


async def add_comments(database, pack, *specs: dict) -> None:
    """Comments as the consultation flow would store them; `address` makes a resident."""
    async with database.transaction() as session:
        users: dict[str, User] = {}
        for spec in specs:
            address = spec.get("address")
            if address and address not in users:
                users[address] = User(channel="telegram", address=address)
                session.add(users[address])
                await session.flush()
            draft = spec.get("draft", "bao-cao")
            section = spec.get("section")
            flat = pack.section(draft, section) if section else None
            number = next(_numbers)
            session.add(Comment(
                receipt=spec.get("receipt", f"GY-T{number:07d}"), submission_key=f"test-{number}",
                draft_id=draft, draft_version=pack.drafts[draft].version if draft in pack.drafts
                else "1", section_id=section,
                section_label=spec.get("label", flat.label if flat else ""),
                section_order=flat.order if flat else spec.get("order", -1),
                stance=spec.get("stance", "tan_thanh"), text=spec.get("text", "Ý kiến thử."),
                user_id=users[address].id if address else None, signed_name=spec.get("signed"),
                hamlet_id=spec.get("hamlet"), source=spec.get("source", "telegram"),
                source_detail=spec.get("detail"), status=spec.get("status", "moi"),
                staff_note=spec.get("note"), answer=spec.get("answer"),
                created_at=spec.get("at", dt.datetime(2025, 9, 1, 3, 4, tzinfo=UTC)),
                updated_at=dt.datetime(2025, 9, 1, 3, 4, tzinfo=UTC)))


async def export(database, pack, out: Path, kind: str | None = None,
                 where: CommentFilter | None = None):
    return await export_comments(database, pack, out=out, kind=kind or out.suffix[1:],
                                 where=where or CommentFilter(), actor="Nguyễn Văn Cán Bộ")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def xlsx_rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def assert_no_formula(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


async def audits(database) -> list[ExportAudit]:
    async with database.read() as session:
        return list((await session.execute(select(ExportAudit).order_by(ExportAudit.id))).scalars())


TRICKY = [
    {"text": "=1+1", "signed": "@cmd"},
    {"text": "a\n=b", "signed": "+84912345678"},
    {"text": "-1", "signed": "\t=x"},
    {"text": " =HYPERLINK(\"http://x\",\"bấm\")", "signed": " =x"},
    {"text": "<r><t>x</t></r></is></c><c r=\"B1\"><f>1+1</f></c><c><is><r><t>y</t></r>"},
    {"text": "Ký tự lạ \x01 và _x0041_ & <b>"},
    {"text": "\t=x"},
]
EXPECTED_TEXT = {"'=1+1", "a\n'=b", "'-1", "' =HYPERLINK(\"http://x\",\"bấm\")", "'\t=x"}
EXPECTED_NAMES = {"'@cmd", "'+84912345678", "'=x"}  # signed names are trimmed, then escaped


async def test_csv_has_bom_vietnamese_headers_and_escaped_cells(database, pack, tmp_path):
    await add_comments(database, pack, *TRICKY, {
        "section": "p1-c1", "stance": "dong_y_mot_phan", "hamlet": "thon-2", "source": "meeting",
        "detail": "Hội nghị thôn 2", "status": "tiep_thu", "note": "Đã chuyển tổ biên tập",
        "answer": "Cảm ơn"})
    out = tmp_path / "gop-y.csv"
    published = await export(database, pack, out)

    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw
    rows = read_csv(out)
    assert list(rows[0]) == list(export_rows.HEADERS)
    assert published.rows == len(rows) == len(TRICKY) + 1
    assert EXPECTED_TEXT <= {row["Nội dung"] for row in rows}
    assert EXPECTED_NAMES <= {row["Người góp ý"] for row in rows}
    meeting = next(row for row in rows if row["Mục"] != "Góp ý chung")
    assert meeting == {
        "Mã biên nhận": meeting["Mã biên nhận"],
        "Dự thảo": "Dự thảo Báo cáo chính trị (thử nghiệm)",
        "Phiên bản": "2", "Mục": "Phần I. Đánh giá › Chương 1. Kinh tế",
        "Ý kiến": "Đồng ý một phần", "Nội dung": "Ý kiến thử.", "Người góp ý": "Ẩn danh",
        "Thôn": "Thôn 2", "Nguồn": "Hội nghị — Hội nghị thôn 2", "Trạng thái": "Tiếp thu",
        "Ghi chú của cán bộ": "Đã chuyển tổ biên tập", "Trả lời": "Cảm ơn",
        "Thời gian": "01/09/2025 10:04"}  # 03:04 UTC in Asia/Ho_Chi_Minh
    for row in rows:
        for value in row.values():
            assert not value.startswith(tuple("=+-@\t\r\0")), value


async def test_xlsx_has_a_sheet_per_draft_a_summary_and_never_a_formula(database, pack, tmp_path):
    await add_comments(database, pack, *TRICKY,
                       {"draft": "da-dong", "section": "m1", "stance": "khong_tan_thanh",
                        "status": "spam"},
                       {"section": "p2", "stance": "khong_tan_thanh", "status": "trung_lap"})
    out = tmp_path / "gop-y.xlsx"
    published = await export(database, pack, out)
    assert published.rows == len(TRICKY) + 2
    assert_no_formula(out)

    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "Tổng hợp"
    draft_sheets = workbook.sheetnames[1:]
    assert len(draft_sheets) == 2 and all(len(name) <= 31 for name in draft_sheets)
    main = workbook[draft_sheets[0]]
    assert main.freeze_panes == "A2" and main["A1"].font.b
    assert main.auto_filter.ref == f"A1:M{len(TRICKY) + 2}"
    assert [cell.value for cell in main[1]] == list(export_rows.HEADERS)
    rows = xlsx_rows(main)
    assert EXPECTED_TEXT <= {row["Nội dung"] for row in rows}
    assert EXPECTED_NAMES <= {row["Người góp ý"] for row in rows}
    assert rows[-1]["Thời gian"] == dt.datetime(2025, 9, 1, 10, 4)  # a real date cell
    assert any(row["Nội dung"].startswith("<r><t>x</t></r>") for row in rows)  # text, as typed
    other = xlsx_rows(workbook[draft_sheets[1]])
    assert [row["Dự thảo"] for row in other] == ["Dự thảo đã hết hạn góp ý"]

    summary = [[value for value in row if value is not None]
               for row in workbook["Tổng hợp"].iter_rows(values_only=True)]
    assert ["Dự thảo Báo cáo chính trị (thử nghiệm)", len(TRICKY), 1, 0, len(TRICKY) + 1] in summary
    assert ["Tổng cộng", len(TRICKY), 2, 0, len(TRICKY) + 2] in summary
    assert ["Dự thảo đã hết hạn góp ý", 0, 0, 0, 0, 0, 1, 0, 1] in summary  # one spam


async def test_pseudonyms_are_stable_and_never_the_chat_address(database, pack, tmp_path):
    await add_comments(database, pack, {"address": "987654321"}, {"address": "987654321"},
                       {"address": "555000111"}, {"address": "555000111", "signed": "Bà Tư"},
                       {"signed": "  "})
    first = read_csv(await export_path(database, pack, tmp_path / "1.csv"))
    second = read_csv(await export_path(database, pack, tmp_path / "2.csv"))
    names = [row["Người góp ý"] for row in first]
    assert names == [row["Người góp ý"] for row in second]
    assert names[0] == names[1] != names[2]
    assert names[0].startswith("ND-") and names[3] == "Bà Tư" and names[4] == "Ẩn danh"
    for path in (tmp_path / "1.csv", tmp_path / "2.csv"):
        text = path.read_text(encoding="utf-8-sig")
        assert "987654321" not in text and "555000111" not in text


async def export_path(database, pack, out: Path) -> Path:
    await export(database, pack, out)
    return out


async def test_filters_narrow_the_export(database, pack, tmp_path):
    local = pack.zone
    await add_comments(
        database, pack,
        {"text": "mới", "hamlet": "thon-1"},
        {"text": "trùng", "status": "trung_lap"},
        {"text": "spam", "status": "spam"},
        {"text": "họp", "source": "meeting", "hamlet": "thon-2"},
        {"text": "đầu ngày", "at": dt.datetime(2025, 9, 2, 0, 0, tzinfo=local)},
        {"text": "cuối ngày", "at": dt.datetime(2025, 9, 2, 23, 59, tzinfo=local)},
        {"text": "hôm sau", "at": dt.datetime(2025, 9, 3, 0, 0, tzinfo=local)},
        {"text": "dự thảo khác", "draft": "da-dong"})

    async def texts(**options) -> list[str]:
        out = tmp_path / f"{next(_numbers)}.csv"
        await export(database, pack, out, where=build_filter(pack, **options))
        return sorted(row["Nội dung"] for row in read_csv(out))

    assert await texts(include_hidden=False) == sorted(
        ["mới", "họp", "đầu ngày", "cuối ngày", "hôm sau", "dự thảo khác"])
    assert await texts(statuses="trung_lap,spam") == ["spam", "trùng"]
    assert await texts(hamlet="thon-2") == ["họp"]
    assert await texts(source="meeting") == ["họp"]
    assert await texts(draft="da-dong") == ["dự thảo khác"]
    assert await texts(day_from="2025-09-02", day_to="2025-09-02") == ["cuối ngày", "đầu ngày"]
    assert await texts(day_from="2025-09-03") == ["hôm sau"]


async def test_the_audit_row_has_the_real_hash_the_filter_and_the_actor(database, pack, tmp_path):
    await add_comments(database, pack, {"text": "một"}, {"text": "hai", "status": "spam"})
    where = build_filter(pack, draft="bao-cao", statuses="moi,spam", include_hidden=False)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "gop-y.xlsx"
    published = await export(database, pack, out, where=where)
    (audit,) = await audits(database)
    assert audit.sha256 == hashlib.sha256(out.read_bytes()).hexdigest() == published.sha256
    assert (audit.actor, audit.kind, audit.row_count) == ("Nguyễn Văn Cán Bộ", "xlsx", 1)
    assert audit.filters == {"draft_id": "bao-cao", "statuses": "moi,spam",
                             "include_hidden": False}
    assert [path.name for path in folder.iterdir()] == ["gop-y.xlsx"]  # no temporary file
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only


async def test_an_empty_export_is_a_valid_file_and_is_audited(database, pack, tmp_path):
    out = tmp_path / "rong.xlsx"
    published = await export(database, pack, out, where=build_filter(pack, draft="da-dong"))
    assert published.rows == 0
    workbook = openpyxl.load_workbook(out)
    assert [cell.value for cell in workbook.worksheets[1][1]] == list(export_rows.HEADERS)
    assert (await audits(database))[0].row_count == 0


@pytest.mark.parametrize("options, message", [
    ({"draft": "khong-co"}, "Không có dự thảo 'khong-co'"),
    ({"statuses": "moi,xong"}, "Trạng thái không hợp lệ: xong"),
    ({"day_from": "31/02/2026"}, "Ngày không hợp lệ ở --from"),
    ({"day_to": "2026-02-30"}, "Ngày không hợp lệ ở --to"),
    ({"day_from": "2025-10-02", "day_to": "2025-10-01"}, "sau ngày kết thúc"),
    ({"hamlet": "thon-9"}, "Không có thôn 'thon-9'"),
])
def test_bad_filters_are_refused_in_vietnamese(pack, options, message):
    with pytest.raises(ExportError, match=message):
        build_filter(pack, **options)


def test_bad_output_paths_are_refused(tmp_path):
    with pytest.raises(ExportError, match="không tồn tại"):
        output_path(tmp_path / "khong-co" / "a.csv", exports.FORMATS, None)
    with pytest.raises(ExportError, match="là một thư mục"):
        output_path(tmp_path, exports.FORMATS, "csv")
    with pytest.raises(ExportError, match="--format csv hoặc --format xlsx"):
        output_path(tmp_path / "a.pdf", exports.FORMATS, None)
    assert output_path(tmp_path / "a.txt", exports.FORMATS, "CSV") == (tmp_path / "a.txt", "csv")


def test_sheet_names_are_short_clean_and_unique():
    taken = {"tổng hợp"}
    names = [export_xlsx.sheet_name(title, taken) for title in (
        "Dự thảo Báo cáo chính trị [bản 2]: Đảng bộ xã / phường?",
        "Dự thảo Báo cáo chính trị [bản 2]: Đảng bộ xã / phường?", "Tổng hợp", "History")]
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)
    assert len({name.lower() for name in names}) == 4
    assert names[1].endswith("(2)") and names[2] == "Tổng hợp (2)"


def test_a_huge_comment_is_cut_to_what_an_excel_cell_holds():
    tail = export_xlsx.inline_tail("ý" * 40_000)
    text = tail.split("<t>")[1].split("</t>")[0]
    assert export_xlsx.utf16_length(text) <= export_xlsx.EXCEL_MAX_CHARS
    assert text.endswith(export_xlsx.TRUNCATED)


# --- the command as staff run it -----------------------------------------------------------

def cli_env(database_url: str) -> dict[str, str]:
    return {"LOASO_DATABASE_URL": database_url, "LOASO_CONTENT_DIR": str(MINI_PACK)}


async def test_export_command_writes_the_file_and_says_so(database, database_url, pack, tmp_path):
    await add_comments(database, pack, {"text": "=1+1", "address": "123456789"})
    out = tmp_path / "gop-y.xlsx"
    result = run(["comments", "export", "--out", str(out), "--by", "Nguyễn Văn A",
                  "--status", "moi"], env=cli_env(database_url))
    assert result.returncode == 0, result.stderr
    assert f"Đã xuất 1 góp ý ra {out}" in result.stdout and "SHA-256" in result.stdout
    assert_no_formula(out)
    (audit,) = await audits(database)
    assert audit.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert audit.actor == "Nguyễn Văn A" and audit.filters == {"statuses": "moi"}
    result = run(["comments", "export", "--format", "csv", "--out", str(tmp_path / "b.txt"),
                  "--by", "Nguyễn Văn A"], env=cli_env(database_url))
    assert result.returncode == 0, result.stderr
    assert read_csv(tmp_path / "b.txt")[0]["Nội dung"] == "'=1+1"


@pytest.mark.parametrize("arguments, message", [
    (["--draft", "khong-co"], "Không có dự thảo 'khong-co'"),
    (["--from", "2025-13-01"], "Ngày không hợp lệ ở --from"),
    (["--status", "moi,da_duyet"], "Trạng thái không hợp lệ: da_duyet"),
    (["--out", "{tmp}/khong-co/gop-y.csv"], "không tồn tại"),
    (["--by", "  "], "Cần ghi tên cán bộ"),
    (["--format", "pdf"], "không hỗ trợ"),
])
async def test_export_command_refuses_bad_input_leaving_nothing(database, database_url, pack,
                                                                tmp_path, arguments, message):
    await add_comments(database, pack, {"text": "một"})
    folder = tmp_path / "out"
    folder.mkdir()
    defaults = {"--out": str(folder / "gop-y.csv"), "--by": "Nguyễn Văn A"}
    for option, value in zip(arguments[::2], arguments[1::2], strict=True):
        defaults[option] = value.replace("{tmp}", str(folder))
    args = ["comments", "export", *itertools.chain.from_iterable(defaults.items())]
    result = run(args, env=cli_env(database_url))
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []
    assert await count_rows(database, "export_audit") == 0


def test_export_command_refuses_an_unmigrated_database(tmp_path):
    database_file = tmp_path / "cu.db"
    out = tmp_path / "gop-y.csv"
    result = run(["comments", "export", "--out", str(out), "--by", "Nguyễn Văn A"],
                 env=cli_env(f"sqlite:///{database_file}"))
    assert result.returncode == 2 and "loaso migrate" in result.stderr
    assert not out.exists()
    assert [path.name for path in tmp_path.iterdir() if not path.name.startswith("cu.db")] == []


def test_the_progress_bar_survives_without_a_terminal():
    from bot.cli.comments import _Bar

    bar = _Bar()
    bar.start(10)
    bar.advance(5)
    bar.stop()
    _Bar().stop()  # stopped before it ever started


@pytest.mark.parametrize("zone, start", [
    ("Europe/Berlin", dt.datetime(2025, 3, 30, 0, 0)),  # DST starts 01:00 UTC
    ("Europe/Berlin", dt.datetime(2025, 10, 26, 0, 0)),  # and ends 01:00 UTC
    ("Australia/Lord_Howe", dt.datetime(2025, 4, 5, 13, 0)),  # a half-hour shift
    ("Asia/Kathmandu", dt.datetime(1985, 12, 31, 17, 0)),  # +5:30 → +5:45 at 18:15 UTC
    ("Asia/Ho_Chi_Minh", dt.datetime(2025, 9, 1, 0, 0)),
])
def test_local_times_match_the_zone_exactly_around_transitions(zone, start):
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    maker = export_rows.RowMaker(SimpleNamespace(zone=tz, campaign=SimpleNamespace(hamlets=()),
                                             drafts={}), b"key")
    for minutes in range(0, 6 * 60, 7):
        utc = start + dt.timedelta(minutes=minutes, seconds=13)
        expected = utc.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
        assert maker.local(str(utc)) == expected  # SQLite hands back text
        assert maker.local(utc.replace(tzinfo=UTC)) == expected  # PostgreSQL, aware
