"""A staff member's day in the console, in a real (headless) Chromium: sign in, see the
dashboard, open the queue, filter it, answer a resident's comment with "Tiếp thu", see the
answer reach the resident on the fake Telegram API, download an XLSX export and open it,
sign out. On SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.server import PASSWORD, RESIDENT_CHAT, blocking, read_comment, seed, serving
from tests.conftest import MINI_PACK

ANSWER = "Ban biên tập đã bổ sung nội dung đường giao thông nội đồng vào Phần II."


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.05)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: message.type == "error" and problems.append(message.text))
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    yield opened
    context.close()


def test_sign_in_dashboard_filter_answer_export_and_sign_out(page, console_env, database_url,
                                                              telegram, tmp_path):
    import openpyxl
    from playwright.sync_api import expect

    seeded = blocking(seed(database_url, MINI_PACK))
    with serving(console_env) as base:
        page.goto(f"{base}/admin/comments")
        expect(page).to_have_url(re.compile(r"/admin/login\?next="))
        page.get_by_label("Tên đăng nhập").fill("can.bo")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(f"{base}/admin/comments")  # back where they were going
        expect(page.get_by_role("button", name="Mục lục")).to_be_hidden()  # a wide screen
        page.get_by_role("link", name="Trang chính").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan chiến dịch")
        expect(page.locator(".lead")).to_contain_text("Xin chào, Lê Thị Lan")
        statuses = page.get_by_role("region", name="Góp ý theo trạng thái")
        expect(statuses.locator("svg.bars")).to_be_visible()  # the chart, beside its table
        expect(statuses.get_by_role("row", name="Mới nhận")).to_contain_text("5")
        hamlets = page.get_by_role("region", name="Góp ý theo thôn")
        expect(hamlets.get_by_role("row", name="Thôn 1 < 3", exact=True)).to_be_visible()

        page.get_by_role("link", name="Góp ý", exact=True).click()
        rows = page.locator("#results tbody tr")
        expect(rows).to_have_count(5)
        page.get_by_text("Lọc góp ý", exact=True).click()  # the filters fold away on a phone
        page.get_by_label("Thôn").select_option("thon-1")  # htmx: the list changes in place
        expect(rows).to_have_count(2)
        expect(page).to_have_url(re.compile(r"hamlet=thon-1"))
        page.get_by_label("Tìm trong nội dung").fill("duong giao thong")  # no diacritics
        page.get_by_role("button", name="Lọc").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("đường giao thông nội đồng")

        page.get_by_role("link", name=seeded.answer_me).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Góp ý {seeded.answer_me}")
        expect(page.locator("blockquote")).to_have_text("Nội dung Phần II.")
        page.get_by_label("Tiếp thu", exact=True).check()
        page.get_by_role("textbox", name=re.compile("^Câu trả lời")).fill(ANSWER)
        page.get_by_role("button", name="Gửi câu trả lời").click()
        expect(page.get_by_role("status")).to_contain_text("Đã lưu câu trả lời")

        wait_for(lambda: telegram.texts_to(RESIDENT_CHAT))
        [notice] = telegram.texts_to(RESIDENT_CHAT)
        assert seeded.answer_me in notice and "Kết quả: Tiếp thu" in notice and ANSWER in notice

        def shows_sent() -> bool:  # the sender records the outcome just after the send
            page.reload()
            return "Đã gửi tới người góp ý lúc" in page.locator(".delivery").inner_text()

        wait_for(shows_sent)
        comment = blocking(read_comment(database_url, seeded.answer_me))
        assert (comment.status, comment.answer, comment.reviewed_by) == ("tiep_thu", ANSWER,
                                                                         "Lê Thị Lan")

        page.get_by_role("link", name="Xuất dữ liệu").click()
        page.get_by_role("button", name="Tạo tệp xuất").click()  # Excel, every comment
        expect(page.get_by_role("status")).to_contain_text("Đang tạo tệp")
        link = page.get_by_role("link", name=re.compile(r"^Tải về gop-y-.*\.xlsx$"))
        expect(link).to_be_visible(timeout=20_000)  # htmx polls until the file is made
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / download.value.suggested_filename
        assert re.fullmatch(r"gop-y-\d{8}-\d{4}\.xlsx", saved.name)
        download.value.save_as(saved)
        workbook = openpyxl.load_workbook(saved)
        assert workbook.sheetnames[0] == "Tổng hợp"
        rows = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
        header, found = rows[0], {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
        assert len(found) == 5 and header[0] == "Mã biên nhận"
        assert (found[seeded.answer_me]["Trạng thái"], found[seeded.answer_me]["Trả lời"]) == (
            "Tiếp thu", ANSWER)

        page.get_by_role("button", name="Đăng xuất").click()
        expect(page).to_have_url(f"{base}/admin/login")
        expect(page.get_by_role("status")).to_have_text("Bạn đã đăng xuất.")
        page.goto(f"{base}/admin/comments")
        expect(page).to_have_url(re.compile(r"/admin/login"))
    assert page.problems == []  # no script error, no refused (CSP) resource


def test_on_a_phone_the_queue_fits_and_the_keyboard_reaches_everything(
        browser, console_env, database_url):
    from playwright.sync_api import expect

    seeded = blocking(seed(database_url, MINI_PACK))
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        with serving(console_env) as base:
            page.goto(f"{base}/admin/login")
            page.keyboard.press("Tab")
            expect(page.get_by_role("link", name="Bỏ qua, tới nội dung chính")).to_be_focused()
            page.get_by_label("Tên đăng nhập").fill("can.bo")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.keyboard.press("Enter")
            expect(page).to_have_url(f"{base}/admin")
            # the menu folds behind "Mục lục" and opens on a tap
            menu = page.get_by_role("navigation", name="Mục chính")
            toggle = page.get_by_role("button", name="Mục lục")
            expect(menu).to_be_hidden()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            menu.get_by_role("link", name="Góp ý", exact=True).click()
            expect(page).to_have_url(f"{base}/admin/comments")
            # the text for a hamlet's Zalo group is copied in one tap
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
            page.goto(f"{base}/admin/chia-se")
            page.locator("main ul a").first.click()
            page.get_by_role("button", name="Sao chép").click()
            expect(page.get_by_role("status")).to_have_text("Đã sao chép, dán vào nhóm Zalo.")
            assert page.evaluate("navigator.clipboard.readText()") == page.locator(
                "#share-text").input_value()
            for path in ("/admin", "/admin/comments", f"/admin/comments/{seeded.answer_me}",
                         "/admin/comments/meeting", "/admin/exports"):
                page.goto(base + path)
                assert page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth"), path
            # the hostile comment is text on the phone too
            page.goto(f"{base}/admin/comments?q=script")
            expect(page.locator("#results tbody tr")).to_have_count(1)
            assert page.locator("#results img").count() == 0
            expect(page.locator("#results .excerpt")).to_contain_text("<script>alert('gy')</script>")
    finally:
        context.close()
