"""A chi bộ's announcement from the browser, in a real (headless) Chromium: a leader composes
it on a phone (live preview, character count, recipients), staff approve it on a desktop,
and the residents subscribed to that hamlet receive it once on the fake Telegram API while
its page counts the deliveries. Screenshots at 360 and 1280 px go to the test's folder
(`screens/`). On SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import re
import time

from bot.actions.accounts import add_account
from bot.console.passwords import hash_password
from content.loader import load_pack
from db.audit import Who
from db.engine import Database
from db.models import Subscription, User
from tests.browser.server import PASSWORD, blocking, serving
from tests.conftest import MINI_PACK

TEXT = ("Kính mời bà con thôn 1 dự hội nghị góp ý dự thảo văn kiện lúc 19 giờ thứ Bảy "
        "tại nhà văn hóa thôn.")
THON_1 = [5560001, 5560002, 5560003]
THON_2 = 5560010
NOT_SUBSCRIBED = 5560020


async def seed_hamlets(database_url: str) -> None:
    pack, report = load_pack(MINI_PACK)
    assert pack is not None, report.render()
    database = Database(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with database.transaction() as session:
            for username, name, role, areas in (
                    ("truong.thon", "Nguyễn Văn Tư", "leader", ["thon-1"]),
                    ("can.bo", "Lê Thị Lan", "staff", [])):
                await add_account(session, pack, username=username, name=name, role=role,
                                  groups=[], areas=areas, password_hash=hash_password(PASSWORD),
                                  who=Who("Kiểm thử"), now=now)
            for chat, hamlet, subscribed in ([(chat, "thon-1", True) for chat in THON_1]
                                             + [(THON_2, "thon-2", True),
                                                (NOT_SUBSCRIBED, "thon-1", False)]):
                user = User(channel="telegram", address=str(chat), consent_version="1",
                            consent_at=now, last_seen_at=now, hamlet_id=hamlet)
                session.add(user)
                await session.flush()
                if subscribed:
                    session.add(Subscription(user_id=user.id, kind="all", ref="*",
                                             created_at=now))
    finally:
        await database.dispose()


def wait_for(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.05)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_leader_composes_on_a_phone_staff_approve_and_thon_1_receives_it_once(
        browser, console_env, database_url, telegram, tmp_path):
    from playwright.sync_api import expect

    screens = tmp_path / "screens"
    screens.mkdir()
    blocking(seed_hamlets(database_url))
    phone = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740},
                                is_mobile=True, has_touch=True)
    desktop = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    try:
        with serving(console_env) as base:
            leader = phone.new_page()
            leader_problems = watch(leader)
            sign_in(leader, base, "truong.thon")
            expect(leader).to_have_url(f"{base}/admin")
            leader.goto(f"{base}/admin/announcements")
            leader.get_by_role("link", name="Soạn thông báo").click()
            expect(leader.get_by_role("heading", level=1)).to_have_text("Soạn thông báo")
            audience = leader.get_by_label("Gửi tới")
            assert audience.locator("option").all_inner_texts() == [
                "Chọn người nhận…", "người nhận tin ở Thôn 1"]  # only their own hamlet
            leader.get_by_label("Nội dung").fill(TEXT)
            expect(leader.locator("#a-counter")).to_have_text(
                f"{len(TEXT)} / 500 ký tự")
            audience.select_option(label="người nhận tin ở Thôn 1")
            preview = leader.locator("#preview")
            expect(preview.locator(".reach")).to_have_text(
                "Gửi tới người nhận tin ở Thôn 1: 3 người nhận.")
            expect(preview.locator("figcaption")).to_have_text(["Telegram", "Zalo"])
            expect(preview.locator(".bubble").first).to_contain_text(TEXT)
            expect(preview.locator(".bubble").first).to_contain_text(
                "📢 Thông báo của Người phụ trách Thôn 1")
            assert fits(leader)
            leader.screenshot(path=screens / "soan-thong-bao-360.png", full_page=True)
            leader.get_by_label("Nội dung").fill(TEXT + " x" * 1000)  # over: said at once
            expect(leader.locator("#a-counter")).to_contain_text("quá")
            leader.get_by_label("Nội dung").fill(TEXT)
            leader.get_by_role("button", name="Gửi để duyệt").click()
            expect(leader.get_by_role("status")).to_have_text("Đã gửi thông báo để cán bộ duyệt.")
            expect(leader.locator(".facts")).to_contain_text("chờ duyệt")
            assert fits(leader)
            leader.screenshot(path=screens / "thong-bao-cho-duyet-360.png", full_page=True)
            assert telegram.sent == []  # nothing goes out before approval

            staff = desktop.new_page()
            staff_problems = watch(staff)
            sign_in(staff, base, "can.bo")
            staff.get_by_role("link", name="Thông báo").click()
            queue = staff.get_by_role("region", name=re.compile("Chờ duyệt"))
            expect(queue.get_by_role("article")).to_have_count(1)
            expect(queue).to_contain_text(TEXT)
            expect(queue).to_contain_text("khoảng 3 người nhận")
            staff.screenshot(path=screens / "duyet-thong-bao-1280.png", full_page=True)
            second_tab = desktop.new_page()  # the same queue open in another tab
            second_tab.goto(f"{base}/admin/announcements")
            staff.get_by_role("button", name=re.compile(r"^Duyệt #\d+$")).click()
            expect(staff.get_by_role("status")).to_contain_text("Đã duyệt thông báo")
            second_tab.get_by_role("button", name=re.compile(r"^Duyệt #\d+$")).click()
            expect(second_tab.get_by_role("alert")).to_contain_text("không thể duyệt nữa")
            second_tab.close()

            staff.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
            sent = staff.get_by_role("row", name=re.compile("^Telegram"))
            expect(sent.locator("td").nth(0)).to_have_text("3", timeout=20_000)  # htmx polls
            expect(sent.locator("td").nth(3)).to_have_text("0")
            staff.screenshot(path=screens / "tinh-hinh-gui-thong-bao-1280.png", full_page=True)
            leader.reload()
            expect(leader.locator("#delivery")).to_contain_text("3 người nhận")
            leader.screenshot(path=screens / "tinh-hinh-gui-thong-bao-360.png", full_page=True)

            wait_for(lambda: all(telegram.texts_to(chat) for chat in THON_1))
            for chat in THON_1:
                [message] = telegram.texts_to(chat)
                assert TEXT in message
            assert telegram.texts_to(THON_2) == telegram.texts_to(NOT_SUBSCRIBED) == []

            for width, page in (("1280", staff), ("360", desktop.new_page())):
                if page is not staff:  # the same signed-in browser, on a phone's width
                    page.set_viewport_size({"width": 360, "height": 740})
                for name, path in (("gui-tin", "/admin/outbox"),
                                   ("ban-tin", "/admin/bulletins"),
                                   ("thong-bao", "/admin/announcements")):
                    page.goto(base + path)
                    assert fits(page), (width, path)
                    page.screenshot(path=screens / f"{name}-{width}.png", full_page=True)
            assert [len(telegram.texts_to(chat)) for chat in THON_1] == [1, 1, 1]
            # read before the server stops: pages still open keep polling (htmx) after it
            assert leader_problems == [] and staff_problems == []
    finally:
        phone.close()
        desktop.close()
