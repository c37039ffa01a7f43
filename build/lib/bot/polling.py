"""Polling mode: fetch updates with getUpdates for communes without a public HTTPS address."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import Conflict, TelegramError

from bot.channels.base import WebhookRejected
from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel, classify
from bot.channels.zalo_bot import ZaloBotChannel, ZaloBotError
from bot.pipeline import InboundProcessor

log = logging.getLogger(__name__)


async def poll_telegram(channel: TelegramChannel, processor: InboundProcessor,
                        *, timeout: int = 25) -> None:
    """Long-poll forever; each update goes through the same processor as the webhook."""
    bot = channel.bot
    await bot.delete_webhook(drop_pending_updates=False)  # getUpdates refuses while one is set
    offset = None
    failures = 0
    log.info("telegram polling started")
    while True:
        try:
            updates = await bot.get_updates(offset=offset, timeout=timeout,
                                            allowed_updates=ALLOWED_UPDATES)
            failures = 0
        except Conflict:
            log.error("another process is polling this bot or a webhook is set; retrying")
            await asyncio.sleep(10)
            continue
        except TelegramError as error:
            failures += 1
            delay = min(60, 2 ** failures)
            log.warning("getUpdates failed (%s); retrying in %ss", type(error).__name__, delay)
            await asyncio.sleep(delay)
            continue
        for update in updates:
            try:
                await processor.handle(classify(update))
            except Exception:
                # The update stays unconfirmed (offset not advanced) and is fetched again.
                log.exception("could not store telegram update %s", update.update_id)
                await asyncio.sleep(2)
                break
            offset = update.update_id + 1


async def poll_zalo_bot(channel: ZaloBotChannel, processor: InboundProcessor,
                        *, timeout: int = 25) -> None:
    """Long-poll the Zalo Bot API forever, through the same processor as its webhook.

    Zalo's getUpdates has no offset: an update is handed out once, so one that cannot be
    stored is lost after its log line (a redelivered one is still deduplicated).
    """
    await channel.delete_webhook()  # getUpdates does not answer while a webhook is set
    failures = 0
    log.info("zalo-bot polling started")
    while True:
        try:
            updates = await channel.get_updates(timeout)
            failures = 0
        except ZaloBotError as error:
            failures += 1
            delay = min(60, 2 ** failures)
            log.warning("zalo-bot getUpdates failed (%s); retrying in %ss",
                        error.result.reason, delay)
            await asyncio.sleep(delay)
            continue
        for update in updates:
            try:
                event = channel.parse_update(update)
            except WebhookRejected as rejected:
                log.info("zalo-bot update skipped: %s", rejected.reason)
                continue
            try:
                await processor.handle(event)
            except Exception:
                log.exception("could not store zalo-bot update %s", event.event_id)
                await asyncio.sleep(2)
