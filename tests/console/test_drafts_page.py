"""/admin/drafts: a Word draft uploaded, its sections shown, its fields fixed, replaced by a new
version (comments keep theirs), closed early; bad files refused with nothing stored."""

from __future__ import annotations

import re

import pytest

from tests.conftest import count_rows
from tests.console.conftest import HTML
from tests.reports.test_draft_import import make_docx

PAGE = "/admin/drafts"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GOOD = [("Phần I. Đánh giá", None), ("Kết quả nhiệm kỳ qua.", None),
        ("Phần II. Phương hướng", None), ("Mục tiêu nhiệm kỳ tới.", None)]
FIELDS = {"draft_id": "bao-cao-xa", "title": "Dự thảo Báo cáo chính trị xã", "level": "xã",
          "version": "1", "opens": "2025-01-01 07:00", "closes": "2099-12-31 23:59"}


@pytest.fixture
async def staff(desk):
    await desk.account("can.bo", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    return desk


async def send(desk, path: str, content: bytes, fields: dict, name: str = "du-thao.docx"):
    return await desk.client.post(path, headers=HTML,
                                  data={"csrf_token": await desk.csrf(), **fields},
                                  files={"file": (name, content, DOCX)})


def seen(html: str) -> str:
    return re.search(r'name="version_seen" value="(\d+)"', html).group(1)


async def test_upload_shows_the_sections_and_publishes_the_draft(staff, tmp_path):
    done = await send(staff, PAGE, make_docx(tmp_path / "d.docx", GOOD).read_bytes(), FIELDS)
    assert done.status_code == 303 and done.headers["location"] == PAGE + "/bao-cao-xa"
    page = await staff.client.get(done.headers["location"], headers=HTML)
    assert "Đã đăng dự thảo: 2 đề mục để góp ý." in page.text
    assert "Phần I. Đánh giá" in page.text and "Phần II. Phương hướng" in page.text
    draft = staff.pack.drafts["bao-cao-xa"]
    assert (draft.title, draft.version, len(draft.sections)) == (FIELDS["title"], "1", 2)
    [entry] = await staff.audit("content.edit")
    assert entry.target == "drafts/bao-cao-xa.yaml"


async def test_fix_the_title_and_close_early(staff, tmp_path):
    await send(staff, PAGE, make_docx(tmp_path / "d.docx", GOOD).read_bytes(), FIELDS)
    page = await staff.client.get(PAGE + "/bao-cao-xa", headers=HTML)
    fixed = await staff.post(PAGE + "/bao-cao-xa", {
        "version_seen": seen(page.text), "title": "Dự thảo Báo cáo chính trị (bản góp ý)",
        "level": "xã", "opens": "2025-01-01 07:00", "closes": "2099-06-30 17:00"})
    assert fixed.status_code == 303
    draft = staff.pack.drafts["bao-cao-xa"]
    assert draft.title == "Dự thảo Báo cáo chính trị (bản góp ý)"
    assert f"{draft.closes:%Y-%m-%d %H:%M}" == "2099-06-30 17:00"
    bad = await staff.post(PAGE + "/bao-cao-xa", {
        "version_seen": "2", "title": "X", "level": "xã", "opens": "mai", "closes": ""})
    assert bad.status_code == 400 and "Thời điểm bắt đầu góp ý không hợp lệ" in bad.text
    page = await staff.client.get(PAGE + "/bao-cao-xa", headers=HTML)
    closed = await staff.post(PAGE + "/bao-cao-xa/close", {"version_seen": seen(page.text)})
    assert closed.status_code == 303
    page = await staff.client.get(PAGE + "/bao-cao-xa", headers=HTML)
    assert "đã hết hạn góp ý" in page.text
    assert staff.pack.drafts["bao-cao-xa"].closes.year < 2099


async def test_a_new_version_replaces_the_draft_and_comments_keep_theirs(staff, tmp_path):
    receipt = await staff.comment(draft="bao-cao", section="p1")
    old = staff.pack.drafts["bao-cao"].version
    page = await staff.client.get(PAGE + "/bao-cao", headers=HTML)
    same = await send(staff, PAGE + "/bao-cao/replace",
                      make_docx(tmp_path / "d.docx", GOOD).read_bytes(),
                      {"version_seen": seen(page.text), "new_version": old})
    assert same.status_code == 400 and "cần số phiên bản khác" in same.text
    replaced = await send(staff, PAGE + "/bao-cao/replace",
                          make_docx(tmp_path / "d.docx", GOOD).read_bytes(),
                          {"version_seen": seen(page.text), "new_version": "3"})
    assert replaced.status_code == 303
    assert staff.pack.drafts["bao-cao"].version == "3"
    assert (await staff.row(receipt)).draft_version == old


@pytest.mark.parametrize("name,make,message", [
    ("du-thao.docx", lambda path: path.write_text("Chỉ là chữ, đổi đuôi thành Word.") and path,
     "không phải tệp Word .docx hợp lệ"),
    ("du-thao.docx", lambda path: make_docx(path, [("Chỉ có đoạn văn.", None)]),
     "Không nhận ra cấu trúc"),
])
async def test_bad_files_are_refused_and_nothing_is_stored(staff, tmp_path, name, make, message):
    answer = await send(staff, PAGE, make(tmp_path / "d.docx").read_bytes(), FIELDS, name=name)
    assert answer.status_code == 400 and message in answer.text
    assert "bao-cao-xa" not in staff.pack.drafts
    assert await count_rows(staff.database, "content_edits") == 0


async def test_a_50_mb_file_is_refused_before_it_is_read(staff):
    answer = await send(staff, PAGE, b"x" * (50 * 1024 * 1024), FIELDS)
    assert answer.status_code == 413 and "Tệp quá lớn: tối đa 10 MB" in answer.text
    assert await count_rows(staff.database, "content_edits") == 0


async def test_an_existing_id_is_refused(staff, tmp_path):
    answer = await send(staff, PAGE, make_docx(tmp_path / "d.docx", GOOD).read_bytes(),
                        {**FIELDS, "draft_id": "bao-cao"})
    assert answer.status_code == 400 and "Đã có dự thảo mã" in answer.text
    assert await count_rows(staff.database, "content_edits") == 0


async def test_check_only_lists_the_sections_and_stores_nothing(staff, tmp_path):
    answer = await send(staff, PAGE, make_docx(tmp_path / "d.docx", GOOD).read_bytes(),
                        {**FIELDS, "check_only": "1"})
    assert answer.status_code == 200
    assert "Đọc thử: Loa Số tìm thấy 2 đề mục" in answer.text
    assert "Phần II. Phương hướng" in answer.text and "Chưa đăng gì." in answer.text
    assert "bao-cao-xa" not in staff.pack.drafts
    assert await count_rows(staff.database, "content_edits") == 0
