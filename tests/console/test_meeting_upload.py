"""Meeting sheets at the comment desk: the template as a download, a filled one as an upload,
with the same row-by-row errors as `loaso comments import`, and files that are not sheets."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bot.reports import meeting_import as mi
from tests.conftest import count_rows
from tests.console.conftest import HTML
from tests.reports.test_meeting_import import GOOD, workbook

PAGE = "/admin/comments/meeting"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def staff(desk):
    await desk.account("can.bo", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    return desk


async def send(desk, name: str, content: bytes):
    return await desk.client.post(PAGE, headers=HTML, data={"csrf_token": await desk.csrf(PAGE)},
                                  files={"file": (name, content, XLSX)})


async def test_the_template_downloads_and_opens_in_a_spreadsheet(staff):
    page = await staff.client.get(PAGE, headers=HTML)
    assert page.status_code == 200 and "gop-y-hoi-nghi.xlsx" in page.text
    download = await staff.client.get(f"{PAGE}/gop-y-hoi-nghi.xlsx")
    assert download.status_code == 200
    assert 'filename="gop-y-hoi-nghi.xlsx"' in download.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames[:2] == [mi.DATA_SHEET, mi.HELP_SHEET]
    assert [cell.value for cell in book[mi.DATA_SHEET][1]][:4] == list(mi.HEADERS[:4])


async def test_a_good_sheet_is_imported_once(staff, tmp_path):
    content = workbook(tmp_path / "hoi-nghi.xlsx", GOOD).read_bytes()
    done = await send(staff, "hoi-nghi.xlsx", content)
    assert done.status_code == 303 and done.headers["location"] == "/admin/comments?source=meeting"
    queue = await staff.client.get(done.headers["location"], headers=HTML)
    assert "Đã nhập 3 góp ý từ hoi-nghi.xlsx." in queue.text
    assert await count_rows(staff.database, "comments") == 3
    [entry] = await staff.audit("meeting.import")
    assert (entry.actor, entry.target, entry.details["rows"]) == ("Lê Thị Lan", "hoi-nghi.xlsx", 3)
    again = await send(staff, "hoi-nghi.xlsx", content)
    page = await staff.client.get(again.headers["location"], headers=HTML)
    assert "đã được nhập trước đây (3 góp ý)" in page.text
    assert await count_rows(staff.database, "comments") == 3


async def test_rows_with_errors_are_listed_and_none_is_imported(staff, tmp_path):
    rows = [GOOD[0], ["bao-cao", "p9", "Ủng hộ", None, None, "thon-9", "", "32/13/2025", None]]
    answer = await send(staff, "sai.xlsx", workbook(tmp_path / "sai.xlsx", rows).read_bytes())
    assert answer.status_code == 400
    assert "Không nhập dòng nào: 1 dòng có lỗi" in answer.text
    line = answer.text[answer.text.index("Dòng 3:"):]
    for words in ("không có mục &#39;p9&#39;", "ý kiến &#39;Ủng hộ&#39; không hợp lệ",
                  "thiếu tên hội nghị", "ngày &#39;32/13/2025&#39; không hợp lệ",
                  "không có thôn &#39;thon-9&#39;"):
        assert words in line.split("</li>")[0]
    assert await count_rows(staff.database, "comments") == 0


def zip_bomb() -> bytes:
    """A tiny zip that says it holds a sheet of 60 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * (1 << 20)
            for _ in range(60):
                member.write(block)
    return buffer.getvalue()


@pytest.mark.parametrize("name, make, status, words", [
    ("gop-y.xlsx", lambda: b"day khong phai excel", 400, "không phải tệp Excel .xlsx hợp lệ"),
    ("gop-y.pdf", lambda: b"%PDF-1.7 ...", 400, "không phải tệp Excel .xlsx hợp lệ"),
    ("gop-y.xls", lambda: b"\xd0\xcf\x11\xe0 old excel", 400, "định dạng Excel cũ (.xls)"),
    ("bom.xlsx", zip_bomb, 400, "giải nén lớn bất thường"),
    ("lon.xlsx", lambda: b"x" * (10 * 1024 * 1024 + 70 * 1024), 413, "tối đa 10 MB"),
])
async def test_a_file_that_is_not_a_sheet_gets_a_clear_message(staff, name, make, status, words):
    content = make()
    if name == "bom.xlsx":
        assert len(content) < 200_000
    answer = await send(staff, name, content)
    assert answer.status_code == status and words in answer.text
    assert await count_rows(staff.database, "comments") == 0
    assert await staff.audit("meeting.import") == []


async def test_a_file_just_over_ten_megabytes_is_refused(staff):
    answer = await send(staff, "lon.xlsx", b"x" * (10 * 1024 * 1024 + 1))
    assert answer.status_code == 413 and "tối đa 10 MB" in answer.text


async def test_an_upload_without_a_file_or_token(staff):
    answer = await staff.client.post(PAGE, headers=HTML, data={"csrf_token": await staff.csrf(PAGE)})
    assert answer.status_code == 400 and "Chưa chọn tệp" in answer.text
    refused = await staff.client.post(PAGE, headers=HTML, files={"file": ("a.xlsx", b"x", XLSX)})
    assert refused.status_code == 403
