"""The comment desk: the queue and its filters, one comment, review, duplicates, answers,
leaders' scope, and text from residents shown as text."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from db.models import CommentStatus
from tests.conftest import count_rows, wait_until
from tests.console.conftest import HTML

DAY = dt.timedelta(days=1)


def receipts(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/comments/(GY-[A-Z0-9]{8})">', html)


@pytest.fixture
async def staff(desk):
    await desk.account("can.bo", name="Lê Thị Lan")
    await desk.sign_in("can.bo")
    return desk


async def queue(desk, **params) -> list[str]:
    page = await desk.client.get("/admin/comments", headers=HTML, params=params)
    assert page.status_code == 200, page.text
    return receipts(page.text)


async def test_the_queue_filters_by_each_field(staff):
    desk = staff
    now = dt.datetime.now(dt.UTC)
    old = await desk.comment(text="Cần nói rõ về kinh tế nông nghiệp.", section="p1-c1",
                             stance="tan_thanh", hamlet="thon-2", source="zalo-oa",
                             created_at=now - 40 * DAY)
    general = await desk.comment(text="Góp ý chung về toàn văn dự thảo.", section=None,
                                 status=CommentStatus.SEEN, source="meeting", hamlet=None)
    recent = await desk.comment(text="Phương hướng phát triển đường giao thông thôn.",
                                created_at=now - DAY)
    closed = await desk.comment(draft="da-dong", section=None, text="Dự thảo đã đóng.")
    assert await queue(desk) == [closed, general, recent, old]  # newest first
    assert await queue(desk, draft="bao-cao") == [general, recent, old]
    assert await queue(desk, section="p1-c1") == [old]
    assert await queue(desk, section="-", draft="bao-cao") == [general]
    assert await queue(desk, stance="tan_thanh") == [old]
    assert await queue(desk, status="da_xem") == [general]
    assert await queue(desk, source="meeting") == [general]
    assert await queue(desk, hamlet="thon-2") == [old]
    day = lambda moment: moment.astimezone(desk.pack.zone).strftime("%Y-%m-%d")  # noqa: E731
    assert await queue(desk, **{"from": day(now - 2 * DAY), "to": day(now - DAY)}) == [recent]
    assert await queue(desk, to=(now - 30 * DAY).astimezone(desk.pack.zone).strftime("%d/%m/%Y")) == [old]
    # without diacritics, any case, several words in any order
    assert await queue(desk, q="phuong huong") == [recent]
    assert await queue(desk, q="THÔN giao") == [recent]
    assert await queue(desk, q="nong nghiep") == [old]
    assert await queue(desk, q="100%_") == []
    assert await queue(desk, q=recent.lower()) == [recent]


async def test_the_queue_pages_fifty_at_a_time(staff):
    desk = staff
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=60)
    made = [await desk.comment(created_at=start + dt.timedelta(hours=index)) for index in range(55)]
    first = await desk.client.get("/admin/comments", headers=HTML)
    assert receipts(first.text) == made[::-1][:50]
    assert "Góp ý 1–50 trong 55" in first.text and "Trang 1 / 2" in first.text
    assert receipts((await desk.client.get("/admin/comments?page=2", headers=HTML)).text) == made[:5][::-1]
    assert receipts((await desk.client.get("/admin/comments?page=abc", headers=HTML)).text) == made[::-1][:50]


@pytest.mark.parametrize("params, words", [
    ({"draft": "khong-co"}, "Không có dự thảo “khong-co”"),
    ({"section": "p9"}, "Không có mục “p9”"),
    ({"stance": "ung-ho"}, "Không có ý kiến “ung-ho”"),
    ({"status": "xong"}, "Không có trạng thái “xong”"),
    ({"hamlet": "thon-9"}, "Không có thôn “thon-9”"),
    ({"from": "31/02/2025"}, "không đúng dạng ngày"),
    ({"from": "2025-09-30", "to": "2025-09-01"}, "Từ ngày sau Đến ngày"),
])
async def test_a_wrong_filter_is_named_and_nothing_is_listed(staff, params, words):
    await staff.comment()
    page = await staff.client.get("/admin/comments", headers=HTML, params=params)
    assert page.status_code == 400 and words in page.text and receipts(page.text) == []


async def test_one_comment_shows_what_the_resident_read_and_is_audited(staff):
    desk = staff
    user = await desk.resident()
    anonymous = await desk.comment(user=user)
    signed = await desk.comment(user=user, signed_name="Bác Tư", text="Cần thêm đường.")
    page = await desk.client.get(f"/admin/comments/{anonymous.lower()}", headers=HTML)
    assert page.status_code == 200
    for words in ("Phần II. Phương hướng", "Nội dung Phần II.", "Không tán thành",
                  anonymous, "Thôn 1", "Telegram", "Mới nhận"):
        assert words in page.text
    assert re.search(r"ND-[0-9A-F]{8}", page.text) and "Bác Tư" not in page.text
    page = await desk.client.get(f"/admin/comments/{signed}", headers=HTML)
    assert "Bác Tư" in page.text and "(ký tên)" in page.text
    views = await desk.audit("comment.view")
    assert [(view.target, view.actor) for view in views] == [(anonymous, "Lê Thị Lan"),
                                                            (signed, "Lê Thị Lan")]
    assert (await desk.client.get("/admin/comments/GY-KHONGCO2", headers=HTML)).status_code == 404


async def test_a_status_change_keeps_the_note_and_is_audited(staff):
    desk = staff
    receipt = await desk.comment()
    done = await desk.post(f"/admin/comments/{receipt}/status",
                           {"status": "da_xem", "note": "Chuyển tổ biên tập"})
    assert done.status_code == 303 and done.headers["location"] == f"/admin/comments/{receipt}"
    row = await desk.row(receipt)
    assert (row.status, row.staff_note, row.reviewed_by) == ("da_xem", "Chuyển tổ biên tập",
                                                             "Lê Thị Lan")
    page = await desk.client.get(done.headers["location"], headers=HTML)
    assert "Đã cập nhật trạng thái." in page.text and "Chuyển tổ biên tập" in page.text
    [entry] = await desk.audit("comment.status")
    assert (entry.target, entry.details["from"], entry.details["to"]) == (receipt, "moi", "da_xem")


@pytest.mark.parametrize("path, data, words", [
    ("status", {"status": "moi"}, "Trạng thái không hợp lệ"),
    ("status", {"status": "da_xem", "note": "x" * 2001}, "tối đa 2000"),
    ("answer", {"text": "   ", "decision": "tiep_thu"}, "không được để trống"),
    ("answer", {"text": "x" * 3001}, "tối đa 3000"),
    ("answer", {"text": "Được", "decision": "ok"}, "Quyết định không hợp lệ"),
    ("duplicate", {"of": "GY-KHONGCO2"}, "Không có góp ý mã GY-KHONGCO2"),
    ("duplicate", {"of": "{self}"}, "trùng với chính nó"),
])
async def test_bad_staff_input_is_refused_and_changes_nothing(staff, path, data, words):
    desk = staff
    receipt = await desk.comment()
    data = {key: value.replace("{self}", receipt) for key, value in data.items()}
    answer = await desk.post(f"/admin/comments/{receipt}/{path}", data)
    assert answer.status_code == 400 and words in answer.text
    row = await desk.row(receipt)
    assert (row.status, row.staff_note, row.answer, row.duplicate_of) == ("moi", None, None, None)
    assert await count_rows(desk.database, "outbox") == 0
    assert [entry.action for entry in await desk.audit()
            if entry.action.startswith("comment.") and entry.action != "comment.view"] == []
    if "text" in data and data["text"].strip() and len(data["text"]) < 3001:
        assert data["text"] in answer.text  # what was typed is not lost


async def test_a_withdrawn_comment_cannot_be_reviewed_or_answered(staff):
    receipt = await staff.comment(status=CommentStatus.WITHDRAWN)
    for path, data in (("status", {"status": "tiep_thu"}), ("answer", {"text": "Cảm ơn."})):
        answer = await staff.post(f"/admin/comments/{receipt}/{path}", data)
        assert answer.status_code == 400 and "rút lại" in answer.text
    assert (await staff.row(receipt)).status == "rut_lai"


async def test_bulk_status_for_a_selection(staff):
    desk = staff
    first, second, third = [await desk.comment() for _ in range(3)]
    back = "/admin/comments?status=moi"
    done = await desk.post("/admin/comments/bulk", {
        "receipt": [first, third], "status": "spam", "note": "Quảng cáo", "back": back})
    assert done.status_code == 303 and done.headers["location"] == back
    assert [(await desk.row(r)).status for r in (first, second, third)] == ["spam", "moi", "spam"]
    page = await desk.client.get(back, headers=HTML)
    assert "Đã chuyển 2 góp ý sang “Không hợp lệ”." in page.text
    [entry] = await desk.audit("comment.status_bulk")
    assert sorted(entry.details["receipts"]) == sorted([first, third])


@pytest.mark.parametrize("data, words", [
    ({"status": "spam"}, "Chưa chọn góp ý nào"),
    ({"status": "xong", "receipt": ["{a}"]}, "Trạng thái không hợp lệ"),
    ({"status": "spam", "receipt": ["{a}", "GY-KHONGCO2"]}, "Không có góp ý mã GY-KHONGCO2"),
    ({"status": "spam", "receipt": ["{a}", "{withdrawn}"]}, "rút lại"),
])
async def test_a_bad_bulk_change_changes_none(staff, data, words):
    desk = staff
    a = await desk.comment()
    withdrawn = await desk.comment(status=CommentStatus.WITHDRAWN)
    names = {"{a}": a, "{withdrawn}": withdrawn}
    data = {**data, "receipt": [names.get(value, value) for value in data.get("receipt", [])]}
    done = await desk.post("/admin/comments/bulk", data)
    assert done.status_code == 303
    page = await desk.client.get(done.headers["location"], headers=HTML)
    assert words in page.text and 'role="alert"' in page.text
    assert (await desk.row(a)).status == "moi" and (await desk.row(withdrawn)).status == "rut_lai"


async def test_marking_a_duplicate_points_at_the_original(staff):
    desk = staff
    original, copy, third = [await desk.comment() for _ in range(3)]
    other_draft = await desk.comment(draft="da-dong", section=None)
    assert (await desk.post(f"/admin/comments/{copy}/duplicate", {"of": original})).status_code == 303
    # a duplicate of a duplicate points at the original
    assert (await desk.post(f"/admin/comments/{third}/duplicate", {"of": copy})).status_code == 303
    rows = [await desk.row(r) for r in (original, copy, third)]
    assert [row.status for row in rows] == ["moi", "trung_lap", "trung_lap"]
    assert rows[1].duplicate_of == rows[2].duplicate_of == rows[0].id
    page = await desk.client.get(f"/admin/comments/{third}", headers=HTML)
    assert f'trùng với <a href="/admin/comments/{original}">' in page.text
    refused = await desk.post(f"/admin/comments/{other_draft}/duplicate", {"of": original})
    assert refused.status_code == 400 and "dự thảo khác" in refused.text


async def test_the_answer_reaches_the_resident_and_the_page_says_so(staff, fake_telegram):
    desk = staff
    user = await desk.resident(chat_id=5550001)
    receipt = await desk.comment(user=user)
    done = await desk.post(f"/admin/comments/{receipt}/answer", {
        "decision": "tiep_thu", "text": "Ban biên tập đã bổ sung vào Phần II."})
    assert done.status_code == 303
    row = await desk.row(receipt)
    assert (row.status, row.answer, row.reviewed_by) == ("tiep_thu",
                                                         "Ban biên tập đã bổ sung vào Phần II.",
                                                         "Lê Thị Lan")
    await wait_until(lambda: fake_telegram.texts_to(5550001))
    [notice] = fake_telegram.texts_to(5550001)
    assert receipt in notice and "Kết quả: Tiếp thu" in notice
    assert "Ban biên tập đã bổ sung vào Phần II." in notice

    async def says_sent():
        page = await desk.client.get(f"/admin/comments/{receipt}", headers=HTML)
        return "Đã gửi tới người góp ý lúc" in page.text

    await wait_until(says_sent)
    [entry] = await desk.audit("comment.answer")
    assert entry.details == {"decision": "tiep_thu", "notified": True}


async def test_an_answer_to_a_meeting_comment_says_it_was_not_sent(staff):
    receipt = await staff.comment(source="meeting", user=None)
    await staff.post(f"/admin/comments/{receipt}/answer", {"text": "Đã ghi nhận."})
    page = await staff.client.get(f"/admin/comments/{receipt}", headers=HTML)
    assert "Không gửi cho người góp ý" in page.text
    assert await count_rows(staff.database, "outbox") == 0


# --- leaders ------------------------------------------------------------------------------

@pytest.fixture
async def leader(desk):
    await desk.account("bi.thu", "leader", areas=["thon-1"], groups=["mttq"])
    await desk.sign_in("bi.thu")
    return desk


async def test_a_leader_sees_only_their_hamlets_and_groups(leader):
    desk = leader
    mine = await desk.comment(hamlet="thon-1")
    theirs = await desk.comment(hamlet="thon-2")
    meeting = await desk.comment(hamlet=None, source="meeting", group="mttq")
    nowhere = await desk.comment(hamlet=None)
    listed = await queue(desk)
    assert sorted(listed) == sorted([mine, meeting])
    assert theirs not in listed and nowhere not in listed
    page = await desk.client.get("/admin/comments", headers=HTML)
    assert 'value="thon-2"' not in page.text  # not even offered
    assert 'name="receipt"' not in page.text  # leaders read; staff review
    assert (await desk.client.get(f"/admin/comments/{meeting}", headers=HTML)).status_code == 200


@pytest.mark.parametrize("path", ["/admin/comments/{theirs}", "/admin/comments?hamlet=thon-2",
                                  "/admin/audit", "/admin/comments/meeting",
                                  "/admin/comments/meeting/gop-y-hoi-nghi.xlsx"])
async def test_a_leader_gets_403_for_another_hamlet_or_a_staff_page(leader, path):
    theirs = await leader.comment(hamlet="thon-2", signed_name="Ông Ba")
    answer = await leader.client.get(path.replace("{theirs}", theirs), headers=HTML)
    assert answer.status_code == 403 and "Ông Ba" not in answer.text
    assert "không" in answer.text.lower() and "quyền" in answer.text or "phụ trách" in answer.text
    assert await leader.audit("comment.view") == []


@pytest.mark.parametrize("path, data", [
    ("/admin/comments/{mine}/status", {"status": "spam"}),
    ("/admin/comments/{mine}/answer", {"text": "Cảm ơn", "decision": "tiep_thu"}),
    ("/admin/comments/{mine}/duplicate", {"of": "{mine}"}),
    ("/admin/comments/bulk", {"receipt": "{mine}", "status": "spam"}),
])
async def test_a_leader_cannot_change_comments(leader, path, data):
    mine = await leader.comment(hamlet="thon-1")
    data = {key: value.replace("{mine}", mine) for key, value in data.items()}
    answer = await leader.post(path.replace("{mine}", mine), data)
    assert answer.status_code == 403
    row = await leader.row(mine)
    assert (row.status, row.answer) == ("moi", None)
    assert await count_rows(leader.database, "outbox") == 0


# --- what residents typed is shown as text ----------------------------------------------------

HOSTILE = ["<script>alert('gy')</script>", '"><img src=x onerror=alert(1)>',
           "javascript:alert(document.cookie)"]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_text_and_names_are_shown_as_text_everywhere(desk, hostile):
    await desk.account("quan.tri", "admin", name=f"Quản trị {hostile}"[:100])
    await desk.sign_in("quan.tri")
    user = await desk.resident()
    receipt = await desk.comment(user=user, text=f"Ý kiến {hostile} hết.", signed_name=hostile)
    await desk.post(f"/admin/comments/{receipt}/status", {"status": "da_xem", "note": hostile})
    await desk.post(f"/admin/comments/{receipt}/answer", {"text": f"Trả lời {hostile}"})
    pages = [await desk.client.get(path, headers=HTML) for path in (
        "/admin/comments", f"/admin/comments/{receipt}", "/admin/audit", "/admin",
        f"/admin/comments?q={hostile}")]
    for page in pages:
        assert page.status_code == 200
        html = page.text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html and "onerror=alert(1)>" not in html
    detail = pages[1].text
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace('"', "&#34;").replace("'", "&#39;")
    assert f"Ý kiến {escaped} hết." in detail and escaped in detail
