"""The public pages in a real (headless) Chromium on a phone: read /tin, follow an article,
find "Hỏi Loa Số" leading into the chat at that article; nothing overflows a 320-px screen
(WCAG reflow, what 200 % zoom gives on a small phone); the keyboard focus is visible."""

from __future__ import annotations

import re

import pytest

from tests.browser.server import serving, settings_env
from tests.conftest import SHIPPED_PACK


@pytest.fixture
def public_env(database_url, tmp_path) -> dict[str, str]:
    return settings_env({"database_url": database_url, "content_dir": SHIPPED_PACK,
                         "run_dir": tmp_path / "run", "sender_poll_seconds": 0.05,
                         "public_url": "http://127.0.0.1"})


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def test_read_the_news_on_a_phone_and_ask_about_an_article(phone, public_env):
    from playwright.sync_api import expect

    page = phone
    with serving(public_env) as base:
        page.goto(f"{base}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Loa Số")
        page.get_by_role("link", name="Đọc tin Đại hội").click()
        expect(page).to_have_url(f"{base}/tin")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tin Đại hội")
        expect(page.get_by_role("link", name="Tin Đại hội", exact=True)).to_have_attribute(
            "aria-current", "page")

        first = page.locator("main .articles a").first
        title = first.inner_text()
        first.click()
        expect(page).to_have_url(re.compile(rf"{re.escape(base)}/tin/[a-z0-9-]+$"))
        article_id = page.url.rsplit("/", 1)[1]
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        ask = page.get_by_role("link", name="Hỏi Loa Số", exact=True)
        expect(ask).to_have_attribute("href", f"/chat?start=tin:{article_id}")
        ask.click()
        expect(page).to_have_url(f"{base}/chat?start=tin:{article_id}")

        page.goto(f"{base}/van-kien")
        page.get_by_text(re.compile(r"^Đọc toàn văn")).first.click()  # <details>, no script
        expect(page.get_by_role("heading", name=re.compile("Phần mở đầu")).first).to_be_visible()
        expect(page.get_by_role("link", name="Góp ý", exact=True).first).to_have_attribute(
            "href", "/chat?start=gy:du-thao-mau")
    assert page.problems == []  # no script error, nothing refused by the CSP


def test_pages_reflow_at_320_px_and_show_the_keyboard_focus(browser, public_env):
    context = browser.new_context(locale="vi-VN", viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        with serving(public_env) as base:
            page.goto(f"{base}/tin")
            article = page.locator("main .articles a").first.get_attribute("href")
            for path in ("/", "/tin", article, "/van-kien", "/lich", "/chat"):
                page.goto(base + path)
                assert page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth"), path
            page.goto(f"{base}/tin")
            page.keyboard.press("Tab")
            skip = page.get_by_role("link", name="Bỏ qua, tới nội dung chính")
            assert skip.evaluate("element => element === document.activeElement")
            page.keyboard.press("Tab")
            outline = page.evaluate(
                "getComputedStyle(document.activeElement).outlineStyle")
            assert outline == "solid"
    finally:
        context.close()
