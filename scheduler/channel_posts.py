"""The commune's Telegram channel (`LOASO_TELEGRAM_CHANNEL_ID`, the bot an admin of it):
every bulletin and every approved announcement for everyone is posted there too, once.

A job of the active worker looks at what was fanned out in the last day and queues one post
per item through the outbox (same sender, retries and rate limits as everything else). Each
post's dedupe key names the item, so a restart, a second worker or the next run queues
nothing twice; turning the setting on does not post the archive (only the last day). A
channel the bot may not post to answers 403 (or 400): the sender stops or fails the row
with Telegram's reason, never retrying it forever, and `loaso outbox status` says what to fix.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from bot.channels.registry import capabilities_of
from content.pack import Pack
from db.base import rows_changed
from db.dialect import insert_for
from db.engine import Database
from db.models import (
    Announcement,
    AnnouncementStatus,
    BulletinOccurrence,
    OutboxMessage,
    OutboxStatus,
    Priority,
)
from delivery.announcements import HEADER
from delivery.fanout import Audience
from messages.render import render_reply
from messages.types import Reply
from scheduler.bulletins import all_bulletins, content_of

log = logging.getLogger(__name__)

CHANNEL = "telegram"
WINDOW = dt.timedelta(days=1)
BATCH_PREFIX = "channel:"  # batch "channel:bulletin:<occurrence>" / "channel:announcement:<id>"


async def post_new(database: Database, pack: Pack, channel_id: str, *, now: dt.datetime) -> int:
    """Queue a channel post for each item fanned out since `now - WINDOW` not posted yet;
    returns how many were queued."""
    since = now - WINDOW
    bulletins = {bulletin.id: bulletin for bulletin in all_bulletins(pack)}
    items: list[tuple[str, str]] = []  # (batch, text)
    async with database.read() as session:
        occurrences = await session.execute(
            select(BulletinOccurrence.id, BulletinOccurrence.bulletin_id)
            .where(BulletinOccurrence.recipients.is_not(None),
                   BulletinOccurrence.created_at >= since))
        for occurrence_id, bulletin_id in occurrences:
            bulletin = bulletins.get(bulletin_id)
            if bulletin is None or bulletin.audience.hamlets or bulletin.audience.groups:
                continue  # a hamlet's or a group's news is not the whole commune's
            items.append((f"{BATCH_PREFIX}bulletin:{occurrence_id}", content_of(pack, bulletin)[0]))
        announcements = await session.execute(
            select(Announcement).where(
                Announcement.status.in_((AnnouncementStatus.SENDING, AnnouncementStatus.DONE)),
                Announcement.fanned_out_at >= since))
        for item in announcements.scalars():
            if Audience.from_json(item.audience or {}).everyone:
                items.append((f"{BATCH_PREFIX}announcement:{item.id}",
                              HEADER.format(author=item.author, text=item.text)))
    if not items:
        return 0
    capabilities = capabilities_of(CHANNEL)
    rows = [{"channel": CHANNEL, "recipient": channel_id, "user_id": None, "payload": payload,
             "priority": Priority.BULK, "batch": batch, "dedupe_key": f"{batch}:{part}",
             "attempts": 0, "status": OutboxStatus.QUEUED, "next_attempt_at": now,
             "created_at": now}
            for batch, text in items
            for part, payload in enumerate(render_reply(Reply(text), capabilities))]
    async with database.transaction() as session:
        result = await session.execute(insert_for(session, OutboxMessage).values(rows)
                                       .on_conflict_do_nothing(index_elements=["dedupe_key"]))
    queued = max(rows_changed(result) or 0, 0)
    if queued:
        log.info("queued %d posts for the Telegram channel", queued)
    return queued
