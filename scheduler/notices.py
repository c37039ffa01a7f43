"""One-off notices to a resident, queued in the outbox at bulk priority.

The first is the answer to a comment: closing the loop that the national consultation
channel lacked. A resident who deleted their data has no link left to the comment, and a
resident who blocked the bot is stopped: neither is messaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.registry import capabilities_of
from content.pack import Pack
from db import comments as comment_queries
from db import outbox as outbox_queries
from db.models import Priority, User, UserStatus
from handlers import texts
from messages.render import render_reply
from messages.types import Reply


@dataclass(frozen=True)
class AnswerOutcome:
    receipt: str
    notified: bool


async def answer_comment(session: AsyncSession, pack: Pack, *, receipt: str, answer: str,
                         decision: str | None, by: str, now: datetime) -> AnswerOutcome | None:
    """Record staff's answer (and decision) and queue the notice to the commenter."""
    comment = await comment_queries.find_by_receipt(session, receipt)
    if comment is None:
        return None
    comment.answer, comment.reviewed_by, comment.answered_at = answer, by, now
    comment.updated_at = now
    if decision is not None:
        comment.status = decision
    draft = pack.drafts.get(comment.draft_id)
    notice = texts.ANSWER_NOTICE.format(
        receipt=comment.receipt, draft=draft.title if draft else comment.draft_id,
        target=comment.section_label or texts.GY_GENERAL,
        decision=texts.ANSWER_DECISION.format(decision=texts.STATUSES[decision])
        if decision else "", answer=answer)
    notified = await queue_notice(session, comment.user_id, notice,
                                  batch=comment_queries.answer_batch(comment.id), now=now)
    return AnswerOutcome(comment.receipt, notified=notified)


async def queue_notice(session: AsyncSession, user_id: int | None, text: str, *, batch: str,
                       now: datetime, priority: int = Priority.BULK) -> bool:
    """Queue `text` to a resident (bulk priority unless told) under `batch`, so staff can see
    its delivery; False, and nothing queued, if they deleted their data or stopped the bot."""
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None or user.status != UserStatus.ACTIVE:
        return False
    for payload in render_reply(Reply(text), capabilities_of(user.channel)):
        message = outbox_queries.new_message(
            channel=user.channel, recipient=user.address, user_id=user.id, payload=payload,
            priority=priority, now=now)
        message.batch = batch
        session.add(message)
    return True
