"""/healthz, /metrics, migrations refusal and polling mode, in-process."""

from __future__ import annotations

import asyncio

import pytest
from asgi_lifespan import LifespanManager

from bot.app import create_app
from bot.service import NotMigrated, Service
from tests.conftest import wait_until
from tests.utils import running_app, secret_headers, telegram_update


async def test_healthz_is_green_with_database_migrations_and_sender(telegram_settings):
    async with running_app(telegram_settings()) as (client, service):
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {
        "database": "ok", "migrations": "ok", "sender": "ok"}}


async def test_healthz_fails_when_the_sender_has_died(telegram_settings):
    async with running_app(telegram_settings()) as (client, service):
        for task in service._tasks:
            task.cancel()
        await asyncio.sleep(0.05)
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["sender"] == "stopped"


async def test_healthz_reports_a_disabled_sender_as_healthy(telegram_settings):
    async with running_app(telegram_settings(), run_sender=False) as (client, service):
        response = await client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["sender"] == "disabled"


async def test_metrics_count_updates_replies_errors_and_outbox(telegram_settings, fake_telegram):
    fake_telegram.script.append(("500",))
    async with running_app(telegram_settings()) as (client, service):
        await client.post("/webhook/telegram", json=telegram_update("text"),
                          headers=secret_headers())
        await client.post("/webhook/telegram", json={"nope": 1}, headers=secret_headers())
        await wait_until(lambda: fake_telegram.errors.get("500"))
        body = (await client.get("/metrics")).text
    assert 'loaso_updates_total{channel="telegram",kind="text"} 1.0' in body
    assert 'loaso_replies_total{channel="telegram"} 1.0' in body
    assert 'loaso_send_errors_total{channel="telegram",error_class="transient"} 1.0' in body
    assert 'loaso_webhook_rejected_total{channel="telegram",status="400"} 1.0' in body
    assert "loaso_outbox_messages{status=" in body


async def test_app_refuses_to_start_on_an_unmigrated_database(make_settings, empty_database_url):
    service = Service(make_settings(database_url=empty_database_url))
    app = create_app(service)
    with pytest.raises(NotMigrated):
        async with LifespanManager(app):
            pass
    await service.database.dispose()


async def test_polling_mode_reads_updates_and_replies(telegram_settings, fake_telegram):
    fake_telegram.webhook = {"url": "https://old.example/webhook/telegram"}
    fake_telegram.pending_updates = [telegram_update("start"), telegram_update("text", chat_id=77)]
    async with running_app(telegram_settings(telegram_mode="polling",
                                             telegram_webhook_secret=None)) as (client, service):
        await wait_until(lambda: len(fake_telegram.sent) == 3, timeout=10)
        # in polling mode the webhook route is off
        response = await client.post("/webhook/telegram", json=telegram_update("text"),
                                     headers=secret_headers())
        assert response.status_code == 404
    assert fake_telegram.webhook == {}  # deleteWebhook was called so getUpdates works
    assert fake_telegram.texts_to(77) and len(fake_telegram.texts_to(5512345678)) == 2


async def test_healthz_reports_a_channel_whose_sends_all_fail_for_two_minutes(
        telegram_settings, fake_telegram):
    from datetime import UTC, datetime, timedelta
    fake_telegram.rate_5xx = 1.0
    async with running_app(telegram_settings()) as (client, service):
        await client.post("/webhook/telegram", json=telegram_update("text"),
                          headers=secret_headers())
        await wait_until(lambda: fake_telegram.errors.get("500"))
        assert (await client.get("/healthz")).status_code == 200  # a blip is not an outage
        service.sender.clock = lambda: datetime.now(UTC) + timedelta(minutes=3)  # still failing

        await wait_until(lambda: fake_telegram.errors.get("500", 0) >= 2, timeout=15)
        response = await client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["checks"]["send:telegram"].startswith(
            "failing for over 2 minutes: transient")
        fake_telegram.rate_5xx = 0.0
        await wait_until(lambda: fake_telegram.sent, timeout=15)
        await wait_until(lambda: not service.failing_channels())
        assert (await client.get("/healthz")).status_code == 200


async def test_metrics_reads_the_senders_gauges_without_counting_the_outbox(
        telegram_settings, fake_telegram, monkeypatch):
    from db import outbox as outbox_queries
    async with running_app(telegram_settings()) as (client, service):
        await client.post("/webhook/telegram", json=telegram_update("text"),
                          headers=secret_headers())
        await wait_until(lambda: fake_telegram.sent)

        async def no_count_per_scrape(session):
            raise AssertionError("/metrics counted the outbox")

        monkeypatch.setattr(outbox_queries, "count_by_status", no_count_per_scrape)
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert 'loaso_outbox_messages{status="queued"}' in response.text  # set by the sender


@pytest.mark.parametrize("allowed, status", [("10.0.0.0/8", 403), ("127.0.0.1, 10.0.0.0/8", 200),
                                             ("", 200)])
async def test_metrics_can_be_restricted_to_an_allow_list(telegram_settings, allowed, status):
    # httpx's ASGI transport presents the client as 127.0.0.1
    async with running_app(telegram_settings(metrics_allow=allowed)) as (client, service):
        response = await client.get("/metrics")
    assert response.status_code == status
    if status == 403:
        assert "loaso_" not in response.text


def test_a_metrics_allow_list_that_is_not_an_address_is_refused(telegram_settings):
    from bot.settings import SettingsError
    with pytest.raises((SettingsError, ValueError), match="không phải địa chỉ hay dải mạng"):
        telegram_settings(metrics_allow="127.0.0.1,mạng nội bộ")


def test_serving_does_not_load_the_document_writers(tmp_path):
    """python-docx, openpyxl, xlsxwriter and segno (about 50 MB of imports) load where a file
    or a QR code is made, not in every `serve`: the app and every page are built without them."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from bot.app import create_app\n"
        "from bot.service import Service\n"
        "from bot.settings import Settings\n"
        f"create_app(Service(Settings(_env_file=None, database_url='sqlite+aiosqlite:///"
        f"{tmp_path / 'probe.db'}')))\n"
        "print(sorted(name for name in ('docx', 'openpyxl', 'xlsxwriter', 'segno', 'lxml')"
        " if name in sys.modules))\n")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"
