"""`make screenshots`: the console's main pages and the public pages at phone (360 px) and
desktop (1280 px) width, as PNG files in screenshots/ (git ignores it), for a reviewer to look
at.

It serves the console with `loaso serve` on a throw-away SQLite database holding the same
sample day as the browser tests, signs in as an admin and photographs each page; then serves
the shipped pack and photographs the public pages (/, /tin, an article, /van-kien, /lich,
and the web chat /chat once it has greeted).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from pathlib import Path

from tests.browser.server import (
    BROWSER_ARGS,
    PASSWORD,
    chromium,
    seed,
    seed_campaign,
    serving,
    settings_env,
)

PROJECT = Path(__file__).resolve().parents[2]  # the repository
PACK = PROJECT / "tests" / "content" / "fixtures" / "mini"
SHIPPED_PACK = PROJECT / "content" / "packs" / "nam-an-phu"
PUBLIC_PAGES = [("11-trang-dau", "/"), ("12-tin", "/tin"), ("14-van-kien", "/van-kien"),
                ("15-lich", "/lich"), ("16-tro-chuyen", "/chat")]
WIDTHS = {"phone": 360, "desktop": 1280}


def pages(answer_me: str) -> list[tuple[str, str]]:
    return [("01-dang-nhap", "/admin/login"), ("02-trang-chinh", "/admin"),
            ("03-gop-y", "/admin/comments"), ("04-gop-y-loc", "/admin/comments?hamlet=thon-1&q=duong"),
            ("05-mot-gop-y", f"/admin/comments/{answer_me}"),
            ("06-gop-y-hoi-nghi", "/admin/comments/meeting"), ("07-nhat-ky", "/admin/audit"),
            ("08-xuat-du-lieu", "/admin/exports"),
            ("21-thong-bao", "/admin/announcements"),
            ("22-soan-thong-bao", "/admin/announcements/new"),
            ("23-ban-tin", "/admin/bulletins"), ("24-tinh-hinh-gui-tin", "/admin/outbox"),
            ("25-noi-dung", "/admin/content"), ("26-cho-can-bo-sung", "/admin/content/placeholders"),
            ("27-du-thao", "/admin/drafts"), ("28-nguoi-dung", "/admin/people"),
            ("29-phan-anh", "/admin/inbox"), ("30-sinh-hoat", "/admin/meetings"),
            ("31-bao-cao", "/admin/reports"), ("32-chia-se", "/admin/chia-se")]


async def prepare(database_url: str) -> str:
    from db import migrations
    from db.engine import Database

    database = Database(database_url)
    await migrations.upgrade(database)
    await database.dispose()
    answer_me = (await seed(database_url, PACK, username="quan.tri", role="admin")).answer_me
    await seed_campaign(database_url, PACK)
    return answer_me


def make_a_file(page, base: str) -> None:
    """An export finished, so the exports page shows a download link."""
    page.goto(f"{base}/admin/exports")
    page.get_by_label("Thôn").select_option("thon-1")
    page.get_by_role("button", name="Tạo tệp xuất").click()
    page.get_by_role("link", name=re.compile("^Tải về")).first.wait_for(timeout=20_000)


def photograph_public(browser, base: str, out: Path, label: str, width: int) -> None:
    """The public pages as a resident sees them today, and the first article of /tin."""
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
    page = context.new_page()
    for name, path in PUBLIC_PAGES:
        page.goto(base + path)
        if path == "/chat":
            page.locator("#chat-log .chat-loaso").first.wait_for(timeout=10_000)
        page.screenshot(path=out / f"{name}-{label}.png", full_page=True)
        if path == "/tin":
            page.locator("main .articles a").first.click()
            page.wait_for_load_state()
            page.screenshot(path=out / f"13-mot-tin-{label}.png", full_page=True)
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "screenshots")
    args = parser.parse_args()
    browser_path = chromium()
    if browser_path is None:
        sys.exit("No chromium on PATH (apt-get install chromium): no screenshots taken.")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loaso-screens-") as folder:
        database_url = f"sqlite+aiosqlite:///{folder}/screens.db"
        answer_me = asyncio.run(prepare(database_url))
        env = settings_env({"database_url": database_url, "content_dir": PACK,
                            "run_dir": f"{folder}/run", "public_url": "http://127.0.0.1",
                            "console_export_dir": f"{folder}/exports"})
        with serving(env) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browser_path, args=BROWSER_ARGS)
            for label, width in WIDTHS.items():
                context = browser.new_context(locale="vi-VN",
                                              viewport={"width": width, "height": 800})
                page = context.new_page()
                page.goto(f"{base}/admin/login")
                page.screenshot(path=args.out / f"01-dang-nhap-{label}.png", full_page=True)
                page.get_by_label("Tên đăng nhập").fill("quan.tri")
                page.get_by_label("Mật khẩu").fill(PASSWORD)
                page.get_by_role("button", name="Đăng nhập").click()
                page.wait_for_url(f"{base}/admin")
                make_a_file(page, base)
                for name, path in pages(answer_me)[1:]:
                    page.goto(base + path)
                    page.screenshot(path=args.out / f"{name}-{label}.png", full_page=True)
                context.close()
            browser.close()
        env["LOASO_CONTENT_DIR"] = str(SHIPPED_PACK)
        with serving(env) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browser_path, args=BROWSER_ARGS)
            for label, width in WIDTHS.items():
                photograph_public(browser, base, args.out, label, width)
            browser.close()
    names = sorted(path.name for path in args.out.glob("*.png"))
    print(f"Screenshots in {args.out}: " + ", ".join(names))


if __name__ == "__main__":
    main()
