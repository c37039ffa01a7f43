"""Polling mode: fetch updates with getUpdates for communes without a public HTTPS address."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import Conflict, TelegramError

from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel, classify
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
