"""A campaign day's content work in a real (headless) Chromium, against `loaso serve`: staff fill
a placeholder and residents see the new text without a restart; staff upload a Word draft,
check its sections, publish it, and a resident comments on one of its sections in the chat
(Telegram, faked). Screenshots at 360 and 1280 px go to tests/browser/shots/ (git-ignored)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.server import PASSWORD, blocking, seed, serving
from tests.conftest import MINI_PACK, WEBHOOK_SECRET
from tests.reports.test_draft_import import make_docx
from tests.utils import secret_headers, telegram_update

SHOTS = Path(__file__).parent / "shots"
FILLED = "Hội nghị lấy ý kiến nhân dân ngày 15/9 tại hội trường xã."
RESIDENT = 5_550_777


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.05)


class Chat:
    """A resident on the fake Telegram: sends through the webhook, reads what the bot sent."""

    def __init__(self, base: str, telegram, chat_id: int) -> None:
        self.base, self.telegram, self.chat_id = base, telegram, chat_id

    def _mine(self) -> list[dict]:
        return [sent for sent in self.telegram.sent if sent["chat_id"] == self.chat_id]

    def _post(self, update: dict) -> list[dict]:
        before = len(self._mine())
        answer = httpx.post(f"{self.base}/webhook/telegram", json=update,
                            headers=secret_headers(WEBHOOK_SECRET), timeout=10)
        assert answer.status_code == 200
        wait_for(lambda: len(self._mine()) > before)
        return self._mine()[before:]

    def say(self, text: str) -> list[dict]:
        return self._post(telegram_update("text", chat_id=self.chat_id, text=text))

    def _button(self, label: str) -> str | None:
        for sent in reversed(self._mine()):
            for row in (sent["reply_markup"] or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"].strip() == label.strip():
                        return button["callback_data"]
        return None

    def press(self, label: str) -> list[dict]:
        """Press the newest button with this label (waiting for the answer that offers it)."""
        wait_for(lambda: self._button(label) is not None)
        return self._post(telegram_update("callback", chat_id=self.chat_id,
                                          data=self._button(label)))


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("Tên đăng nhập").fill("can.bo")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def shoot(browser, base: str, name: str, path: str, storage) -> None:
    SHOTS.mkdir(exist_ok=True)
    for label, width in (("phone", 360), ("desktop", 1280)):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800},
                                      storage_state=storage)
        page = context.new_page()
        page.goto(base + path)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        if width == 360:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    yield opened
    context.close()


def test_fill_a_placeholder_and_residents_see_it_without_a_restart(page, browser, console_env,
                                                                   database_url):
    from playwright.sync_api import expect

    blocking(seed(database_url, MINI_PACK))
    with serving(console_env) as base:
        before = httpx.get(f"{base}/tin/du-thao-xa").text
        assert "CẦN BỔ SUNG" in before or FILLED not in before
        sign_in(page, base)
        page.get_by_role("link", name="Nội dung", exact=True).click()
        page.get_by_role("link", name=re.compile(r"^Chỗ cần bổ sung")).click()
        expect(page.get_by_text("thời gian hội nghị lấy ý kiến")).to_be_visible()
        shoot(browser, base, "21-cho-can-bo-sung", "/admin/content/placeholders",
              page.context.storage_state())
        page.get_by_label("Nội dung điền vào").first.fill(FILLED)
        page.get_by_role("button", name="Điền và lưu").first.click()
        expect(page.get_by_role("status")).to_contain_text("Đã điền")
        expect(page.get_by_text("Không còn chỗ nào cần bổ sung.")).to_be_visible()
        assert FILLED in httpx.get(f"{base}/tin/du-thao-xa").text  # same process, no restart
        shoot(browser, base, "20-noi-dung", "/admin/content", page.context.storage_state())
    assert page.problems == []


def test_upload_a_word_draft_publish_it_and_a_resident_comments(page, browser, console_env,
                                                                 database_url, telegram,
                                                                 tmp_path):
    from playwright.sync_api import expect

    blocking(seed(database_url, MINI_PACK))
    word = make_docx(tmp_path / "du-thao-bao-cao.docx", [
        ("Phần I. Đánh giá nhiệm kỳ", None), ("Kinh tế xã tăng trưởng khá.", None),
        ("Phần II. Phương hướng nhiệm kỳ tới", None), ("Xây dựng nông thôn mới nâng cao.", None)])
    with serving(console_env) as base:
        sign_in(page, base)
        page.get_by_role("link", name="Dự thảo", exact=True).click()
        page.get_by_label(re.compile(r"^Tệp Word")).set_input_files(str(word))
        page.get_by_label(re.compile(r"^Mã dự thảo")).fill("bao-cao-2026")
        page.get_by_label("Tên dự thảo hiển thị cho bà con").fill("Dự thảo Báo cáo chính trị 2026")
        page.get_by_label(re.compile(r"^Bắt đầu góp ý")).fill("2025-01-01 07:00")
        page.get_by_role("button", name="Đọc tệp và đăng").click()
        expect(page.get_by_role("status")).to_contain_text("Đã đăng dự thảo: 2 đề mục")
        expect(page.get_by_text("Phần II. Phương hướng nhiệm kỳ tới")).to_be_visible()
        shoot(browser, base, "22-du-thao", "/admin/drafts/bao-cao-2026",
              page.context.storage_state())

        chat = Chat(base, telegram, RESIDENT)
        chat.say("/gopy")
        chat.press("Dự thảo Báo cáo chính trị 2026")
        chat.press("Phần II. Phương hướng nhiệm kỳ tới")
        chat.press("Góp ý mục này")
        chat.press("Đồng ý")  # consent, asked inline
        chat.press("Đồng ý một phần")
        chat.say("Cần nêu rõ lộ trình nông thôn mới nâng cao cho từng thôn.")
        chat.press("Ẩn danh")
        receipt = chat.press("Gửi")
        assert any(re.search(r"GY-[A-Z0-9]+", sent["text"]) for sent in receipt)

        page.goto(f"{base}/admin/comments?q=lo trinh")
        expect(page.locator("#results tbody tr")).to_have_count(1)
        expect(page.locator("#results tbody tr").first).to_contain_text("nông thôn mới")
    assert page.problems == []


def test_an_admin_makes_an_invite_with_its_qr_code(page, browser, console_env, database_url):
    from playwright.sync_api import expect

    blocking(seed(database_url, MINI_PACK, role="admin"))
    env = {**console_env, "LOASO_TELEGRAM_BOT_USERNAME": "LoaSoThuBot"}
    with serving(env) as base:
        sign_in(page, base)
        page.get_by_role("link", name="Người dùng", exact=True).click()
        shoot(browser, base, "23-nguoi-dung", "/admin/people", page.context.storage_state())
        invites = page.get_by_role("region", name="Mã mời nhận vai trò trong Loa Số")
        invites.get_by_label("Ủy ban MTTQ xã").check()
        invites.get_by_label(re.compile(r"^Ghi chú")).fill("Chủ tịch MTTQ xã")
        invites.get_by_role("button", name="Tạo mã mời").click()
        made = page.get_by_role("region", name=re.compile(r"^Mã mời #1"))
        expect(made.locator("svg.segno")).to_be_visible()
        link = made.locator('a[href^="https://t.me/LoaSoThuBot?start=vt-"]')
        expect(link).to_be_visible()
        SHOTS.mkdir(exist_ok=True)
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            made.screenshot(path=str(SHOTS / f"24-ma-moi-{width}.png"))
    assert page.problems == []
