"""/admin/content: phases with their pin, articles edited through the database overlay (checked
like `loaso content check`, versioned, live at once), placeholders filled one by one, a new
article; the pack folder itself is never written."""

from __future__ import annotations

import re

import pytest

from tests.conftest import count_rows
from tests.console.conftest import HTML

PAGE = "/admin/content"
ARTICLE = PAGE + "/articles/du-thao-xa"


@pytest.fixture
async def staff(desk):
    await desk.account("can.bo", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    return desk


def body_of(desk, article_id: str) -> str:
    return next(a for a in desk.pack.articles if a.id == article_id).body


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def text_of(html: str) -> str:
    import html as markup

    found = re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', html, re.S)
    return markup.unescape(found.group(1))


async def test_the_overview_lists_phases_articles_and_placeholders(staff):
    page = await staff.client.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert "Đợt I" in page.text and "Trước khai mạc Đại hội XIV" in page.text
    assert "Dự thảo văn kiện Đại hội Đảng bộ xã" in page.text
    assert "Chỗ cần bổ sung (1)" in page.text


async def test_pin_and_unpin_a_phase(staff):
    pinned = await staff.post(PAGE + "/pin", {"period": "dot-2/trong-dai-hoi"})
    assert pinned.status_code == 303
    page = await staff.client.get(PAGE, headers=HTML)
    assert "Đã ghim: Đợt II — Trong thời gian Đại hội XIV." in page.text
    refused = await staff.post(PAGE + "/pin", {"period": "dot-9"})
    assert refused.status_code == 400 and "Không có đợt/giai đoạn" in refused.text
    await staff.post(PAGE + "/unpin")
    assert "Đã bỏ ghim" in (await staff.client.get(PAGE, headers=HTML)).text
    assert [entry.action for entry in await staff.audit()][-2:] == ["phase.pin", "phase.unpin"]


async def test_an_edit_is_saved_as_a_version_and_is_live_at_once(staff):
    form = await staff.client.get(ARTICLE, headers=HTML)
    assert version_of(form.text) == "0"
    text = text_of(form.text).replace("Nội dung dự thảo.", "Nội dung dự thảo đã sửa.")
    saved = await staff.post(ARTICLE, {"text": text, "version": "0"})
    assert saved.status_code == 303
    assert body_of(staff, "du-thao-xa").startswith("Nội dung dự thảo đã sửa.")
    page = await staff.client.get(ARTICLE, headers=HTML)
    assert version_of(page.text) == "1" and "Bản 1: sửa bài viết — Lê Thị Lan" in page.text
    [entry] = await staff.audit("content.edit")
    assert (entry.target, entry.details["version"]) == ("articles/du-thao-xa.md", 1)


async def test_an_edit_that_breaks_the_checks_names_the_line_and_keeps_the_old_text(staff):
    form = await staff.client.get(ARTICLE, headers=HTML)
    broken = text_of(form.text).replace("from: 2025-08-01", "from: 2025-13-01")
    answer = await staff.post(ARTICLE, {"text": broken, "version": "0"})
    assert answer.status_code == 400
    assert "Dòng 7: from: ngày không hợp lệ (cần dạng YYYY-MM-DD)" in answer.text
    assert "2025-13-01" in answer.text  # what they typed is still in the box
    assert body_of(staff, "du-thao-xa").startswith("Nội dung dự thảo.")
    assert await count_rows(staff.database, "content_edits") == 0


async def test_two_staff_editing_the_same_article_the_second_is_refused(staff):
    form = await staff.client.get(ARTICLE, headers=HTML)
    first = text_of(form.text).replace("Nội dung dự thảo.", "Bản của người thứ nhất.")
    second = text_of(form.text).replace("Nội dung dự thảo.", "Bản của người thứ hai.")
    assert (await staff.post(ARTICLE, {"text": first, "version": "0"})).status_code == 303
    late = await staff.post(ARTICLE, {"text": second, "version": "0"})
    assert late.status_code == 409 and "đã có người sửa trước" in late.text
    assert "Bản của người thứ hai." in late.text  # nothing lost: their text is still there
    assert body_of(staff, "du-thao-xa").startswith("Bản của người thứ nhất.")
    assert await count_rows(staff.database, "content_edits") == 1


async def test_a_placeholder_is_filled_and_residents_see_it(staff):
    page = await staff.client.get(PAGE + "/placeholders", headers=HTML)
    assert "thời gian hội nghị lấy ý kiến" in page.text and "articles/du-thao-xa.md, dòng 9" in page.text
    filled = await staff.post(PAGE + "/placeholders", {
        "path": "articles/du-thao-xa.md", "index": "0", "version": "0",
        "value": "Hội nghị lấy ý kiến ngày 15/9 tại hội trường xã."})
    assert filled.status_code == 303
    assert body_of(staff, "du-thao-xa") == (
        "Nội dung dự thảo. Hội nghị lấy ý kiến ngày 15/9 tại hội trường xã.")
    public = await staff.client.get("/tin/du-thao-xa", headers=HTML)
    assert "Hội nghị lấy ý kiến ngày 15/9" in public.text
    after = await staff.client.get(PAGE + "/placeholders", headers=HTML)
    assert "Không còn chỗ nào cần bổ sung." in after.text


async def test_a_stale_placeholder_form_is_refused(staff):
    form = {"path": "articles/du-thao-xa.md", "index": "0", "version": "0", "value": "Lần một."}
    await staff.post(PAGE + "/placeholders", form)
    again = await staff.post(PAGE + "/placeholders", {**form, "value": "Lần hai."})
    page = await staff.client.get(again.headers["location"], headers=HTML)
    assert "đã có người sửa trước" in page.text
    assert body_of(staff, "du-thao-xa") == "Nội dung dự thảo. Lần một."


async def test_add_an_article(staff):
    form = {"article_id": "hoi-nghi-xa", "title": "Hội nghị lấy ý kiến ở xã",
            "phase": "dot-1", "topic": "van-kien", "day": "2025-08-02",
            "summary": "Lịch hội nghị.", "body": "Hội nghị họp tại hội trường xã."}
    added = await staff.post(PAGE + "/new", form)
    assert added.status_code == 303 and added.headers["location"] == PAGE + "/articles/hoi-nghi-xa"
    assert body_of(staff, "hoi-nghi-xa") == "Hội nghị họp tại hội trường xã."
    twice = await staff.post(PAGE + "/new", form)
    assert twice.status_code == 400 and "Đã có bài viết mã" in twice.text
    bad = await staff.post(PAGE + "/new", {**form, "article_id": "khac", "topic": "khong-co"})
    assert bad.status_code == 400 and "Dòng 5" in bad.text
    assert await count_rows(staff.database, "content_edits") == 1


async def test_an_edit_saved_elsewhere_arrives_with_the_reload_signal(staff):
    """Another process saved an edit: this one picks it up on SIGHUP's reload (as after
    `loaso content reload`), and keeps it on a later reload."""
    import datetime as dt

    from bot.actions.content import read_text, save_text
    from db.audit import Who

    directory = staff.service.settings.content_path
    async with staff.database.transaction() as session:
        shown = await read_text(session, directory, "articles/du-thao-xa.md")
        await save_text(session, directory, path=shown.path,
                        text=shown.text.replace("Nội dung dự thảo.", "Sửa ở tiến trình khác."),
                        base_version=0, who=Who("Lê Thị Lan"), now=dt.datetime.now(dt.UTC),
                        note="sửa bài viết")
    assert body_of(staff, "du-thao-xa").startswith("Nội dung dự thảo.")
    assert await staff.service.reload_content()
    assert body_of(staff, "du-thao-xa").startswith("Sửa ở tiến trình khác.")
    staff.service.content.reload()  # a plain reload keeps the overlay it has
    assert body_of(staff, "du-thao-xa").startswith("Sửa ở tiến trình khác.")


async def test_phases_on_unconfirmed_dates_are_marked(staff):
    import datetime as dt

    from bot.actions.content import read_text, save_text
    from db.audit import Who

    directory = staff.service.settings.content_path
    async with staff.database.transaction() as session:
        shown = await read_text(session, directory, "campaign.yaml")
        unsure = shown.text.replace("    end: 2025-09-27\n",
                                    "    end: 2025-09-27\n    confirmed: false\n", 1)
        assert unsure != shown.text
        await save_text(session, directory, path=shown.path, text=unsure, base_version=0,
                        who=Who("Lê Thị Lan"), now=dt.datetime.now(dt.UTC), note="thử")
    await staff.service.reload_content()
    page = await staff.client.get(PAGE, headers=HTML)
    rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
    marked = [row for row in rows if "ngày chưa chính thức" in row]
    assert any("Đợt I</strong>" in row for row in marked)  # ends when that congress ends
    assert not any("Đợt III" in row for row in marked)
    preview = await staff.client.get(
        "/admin/xem-truoc/tin/du-thao-xa?as_of=2025-08-01", headers=HTML)
    assert preview.status_code == 200 and "Nội dung dự thảo." in preview.text
