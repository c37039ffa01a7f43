"""Browser tests: headless Debian Chromium driven by Playwright, against the console served by
uvicorn on loopback with the suite's database and the fake Telegram API. Skipped, with the
reason, when no Chromium is on PATH (or Playwright is not installed)."""

from __future__ import annotations

import pytest

from tests.browser.server import BROWSER_ARGS, chromium, settings_env
from tests.conftest import MINI_PACK, WEBHOOK_SECRET
from tests.fakes.telegram_api import FakeTelegram, running_in_thread

NO_BROWSER = "no chromium on PATH (apt-get install chromium): browser tests skipped"


def pytest_collection_modifyitems(config, items):
    if chromium():
        return
    skip = pytest.mark.skip(reason=NO_BROWSER)
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(skip)


@pytest.fixture
def browser(database_url):
    """A fresh Chromium per test, started after the database (whose fixtures run their own
    event loops, which Playwright's synchronous API would refuse in the same thread)."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def telegram():
    """The fake Telegram Bot API in its own thread (the test itself is synchronous)."""
    fake = FakeTelegram()
    with running_in_thread(fake) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def console_env(database_url, telegram, tmp_path) -> dict[str, str]:
    """The LOASO_* settings of the served console: the suite's database, the fake Telegram."""
    return settings_env({
        "database_url": database_url, "content_dir": MINI_PACK, "run_dir": tmp_path / "run",
        "sender_poll_seconds": 0.05, "telegram_token": telegram.token,
        "telegram_webhook_secret": WEBHOOK_SECRET, "telegram_api_base": telegram.base_url,
        "telegram_rate_limit": 0, "public_url": "http://127.0.0.1",
        "console_export_dir": tmp_path / "exports"})
