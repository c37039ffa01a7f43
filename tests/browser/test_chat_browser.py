"""The web chat in a real (headless) Chromium: a resident on a phone agrees to the notice,
comments on a section of a draft and gets the GY- receipt, and sees the conversation again
after a reload; the widget on an allowed site opens the chat, on another site it never
appears and the chat's frame is refused; an article's "Hỏi Loa Số" opens the chat at it.

Screenshots (360 px and 1280 px) go to screenshots/ (ignored by git) for a reviewer."""

from __future__ import annotations

import http.server
import re
import threading
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from tests.browser.server import serving, settings_env
from tests.cli import free_port
from tests.conftest import MINI_PACK, SHIPPED_PACK

SHOTS = Path(__file__).parents[2] / "screenshots"
RECEIPT = re.compile(r"GY-[A-Z0-9]{6,}")


def env_for(database_url, tmp_path, pack, **more) -> dict[str, str]:
    return settings_env({"database_url": database_url, "content_dir": pack,
                         "run_dir": tmp_path / "run", "sender_poll_seconds": 0.05, **more})


def new_page(browser, width: int, **options):
    height = 740 if width < 500 else 860
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height},
                                  **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    return context, page


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def tap(page, label: str) -> None:
    """Press the newest button with this label, as a resident would."""
    from playwright.sync_api import expect

    button = page.locator("#chat-log").get_by_role("button", name=label, exact=True).last
    expect(button).to_be_visible()
    button.click()


def test_comment_on_a_draft_on_a_phone_and_find_it_after_a_reload(browser, database_url,
                                                                  tmp_path):
    from playwright.sync_api import expect

    context, page = new_page(browser, 360, is_mobile=True, has_touch=True)
    log = page.locator("#chat-log")
    try:
        with serving(env_for(database_url, tmp_path, MINI_PACK)) as base:
            page.goto(f"{base}/chat")
            expect(log).to_contain_text("Xin chào! Đây là Loa Số")
            shot(page, "webchat-01-dong-y-360")
            tap(page, "Đồng ý")
            expect(log).to_contain_text("đã ghi nhận sự đồng ý")
            tap(page, "Văn kiện & Góp ý")
            tap(page, "Dự thảo Báo cáo chính trị (thử nghiệm)")
            tap(page, "Phần II. Phương hướng")
            tap(page, "Góp ý mục này")
            tap(page, "Đồng ý một phần")
            box = page.get_by_label("Tin nhắn của bạn")
            box.fill("Nên bổ sung phương hướng phát triển làng nghề của x")
            # Enter while a Telex/VNI input method is still composing a letter does not send
            box.dispatch_event("keydown", {"key": "Enter", "isComposing": True})
            expect(box).to_have_value("Nên bổ sung phương hướng phát triển làng nghề của x")
            box.fill("Nên bổ sung phương hướng phát triển làng nghề của xã.")
            box.press("Enter")
            tap(page, "Ẩn danh")
            tap(page, "Gửi")
            expect(log).to_contain_text(RECEIPT)
            receipt = RECEIPT.search(log.inner_text()).group(0)
            shot(page, "webchat-02-bien-nhan-360")
            page.reload()
            expect(log).to_contain_text(receipt)
            expect(log).to_contain_text("Nên bổ sung phương hướng phát triển làng nghề")
            assert log.inner_text().count("Xin chào! Đây là Loa Số") == 1  # not greeted again
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
            assert page.problems == []  # before the server stops (then the stream is cut)
    finally:
        context.close()


class Site(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def commune_site(folder: Path):
    """A stand-in for the commune's website, on its own port (so its own origin)."""
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             partial(Site, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


def test_the_widget_on_an_allowed_site_and_on_another(browser, database_url, tmp_path):
    from playwright.sync_api import expect

    folder = tmp_path / "site"
    folder.mkdir()
    with commune_site(folder) as port:
        allowed = f"http://127.0.0.1:{port}"  # localhost:{port} is another origin: not allowed
        env = env_for(database_url, tmp_path, MINI_PACK, webchat_origins=allowed)
        with serving(env) as base:
            (folder / "index.html").write_text(
                '<!doctype html><html lang="vi"><head><meta charset="utf-8"><link rel="icon" '
                'href="data:,"><title>Cổng thông '
                'tin xã</title></head><body><h1>Cổng thông tin điện tử xã</h1><p>Tin tức, '
                f'thủ tục hành chính.</p><script src="{base}/chat/widget.js" async></script>'
                f'<iframe id="direct" title="thử nhúng trực tiếp" src="{base}/chat?embed=1">'
                '</iframe></body></html>', encoding="utf-8")
            context, page = new_page(browser, 1280)
            try:
                page.goto(f"{allowed}/index.html")
                bubble = page.get_by_role("button", name="Hỏi Loa Số")
                bubble.click()
                expect(bubble).to_have_attribute("aria-expanded", "true")
                chat = page.frame_locator('iframe[title="Trò chuyện với Loa Số"]')
                expect(chat.locator("#chat-log")).to_contain_text("Xin chào! Đây là Loa Số")
                chat.get_by_role("button", name="Đồng ý", exact=True).last.click()
                expect(chat.locator("#chat-log")).to_contain_text("đã ghi nhận sự đồng ý")
                shot(page, "webchat-03-widget-1280")
                assert page.problems == []
            finally:
                context.close()

            context, page = new_page(browser, 1280)
            try:
                warned = []
                page.on("console", lambda message: message.type == "warning"
                        and warned.append(message.text))
                page.goto(f"http://localhost:{port}/index.html")
                page.wait_for_function("document.readyState === 'complete'")
                page.wait_for_timeout(500)  # the widget's question has been answered
                assert page.get_by_role("button", name="Hỏi Loa Số").count() == 0
                assert any("LOASO_WEBCHAT_ORIGINS" in text for text in warned)
                direct = page.frame(url=re.compile(r"/chat\?embed=1"))
                assert direct is None or direct.locator("#chat-log").count() == 0
                shot(page, "webchat-04-site-khac-1280")
            finally:
                context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_an_article_leads_into_the_chat_at_that_article(browser, database_url, tmp_path, width):
    from playwright.sync_api import expect

    context, page = new_page(browser, width)
    log = page.locator("#chat-log")
    try:
        with serving(env_for(database_url, tmp_path, SHIPPED_PACK)) as base:
            page.goto(f"{base}/tin")
            first = page.locator("main .articles a").first
            title = first.inner_text()
            first.click()
            page.get_by_role("link", name="Hỏi Loa Số", exact=True).click()
            expect(page.locator(".chat-about")).to_contain_text(title)
            expect(log).to_contain_text("Xin chào! Đây là Loa Số")
            tap(page, "Đồng ý")
            expect(log.locator(".chat-loaso").last).to_contain_text(title.upper())  # its heading
            shot(page, f"webchat-05-hoi-ve-bai-{width}")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert page.problems == []
    finally:
        context.close()


def test_a_posters_qr_code_counts_a_first_visit_once(browser, database_url, tmp_path):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from db.engine import Database
    from db.models import SourceArrival
    from tests.browser.server import blocking

    async def arrivals() -> list[tuple[str, int]]:
        database = Database(database_url)
        try:
            async with database.read() as session:
                rows = (await session.execute(select(SourceArrival))).scalars().all()
                return [(row.source, row.arrivals) for row in rows]
        finally:
            await database.dispose()

    context, page = new_page(browser, 360, is_mobile=True, has_touch=True)
    log = page.locator("#chat-log")
    try:
        with serving(env_for(database_url, tmp_path, MINI_PACK)) as base:
            page.goto(f"{base}/chat?src=pano-truong-hoc")
            expect(log).to_contain_text("Xin chào! Đây là Loa Số")
            tap(page, "Đồng ý")
            expect(log).to_contain_text("đã ghi nhận sự đồng ý")
            page.goto(f"{base}/chat?src=pano-truong-hoc")  # the same resident scans it again
            expect(log).to_contain_text("đã ghi nhận sự đồng ý")
            assert page.problems == []
        assert blocking(arrivals()) == [("pano-truong-hoc", 1)]
    finally:
        context.close()
