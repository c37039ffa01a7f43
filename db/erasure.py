"""Erasing a resident's personal data: what the right to deletion means in this database.

One function does the work for the chat (/xoadulieu), for staff (`loaso residents forget`)
and for the retention job, so the three can never disagree on what "deleted" means. The
user row and its chat address stay: they are how the bot answers at all, and all it keeps
before consent. Comments stay as anonymous consultation input (text, section, stance), since
the consultation's record must not change under staff's feet; every link to the person goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import webchat
from db.base import rows_changed
from db.console_models import StaffAccount
from db.listening_models import Inquiry, Meeting
from db.models import (
    Announcement,
    Comment,
    ConversationState,
    DataRequest,
    Invite,
    OutboxMessage,
    OutboxStatus,
    QuizRound,
    RoleGrant,
    Subscription,
    User,
)

ERASE = "erase"
RETENTION = "retention"
CANCELLED = "the resident's data was erased"
ERASED_KEY = "erased:"


def holds_personal_data() -> ColumnElement[bool]:
    """A condition on `users`: something beyond the chat address is kept about them."""
    return or_(
        User.consent_at.is_not(None), User.hamlet_id.is_not(None),
        User.leaderboard_name.is_not(None),
        exists().where(Subscription.user_id == User.id),
        exists().where(Comment.user_id == User.id),
        exists().where(QuizRound.user_id == User.id),
        exists().where(RoleGrant.user_id == User.id, RoleGrant.revoked_at.is_(None)),
        exists().where(Announcement.author_user_id == User.id),
        exists().where(Inquiry.user_id == User.id),
        exists().where(Meeting.author_user_id == User.id),
    )


async def has_personal_data(session: AsyncSession, user_id: int) -> bool:
    return bool((await session.execute(
        select(User.id).where(User.id == user_id, holds_personal_data()))).first())


def _to_them(user: User) -> ColumnElement[bool]:
    # Rows fanned out carry user_id; the address match also catches rows queued without it.
    return or_(OutboxMessage.user_id == user.id,
               and_(OutboxMessage.channel == user.channel,
                    OutboxMessage.recipient == user.address))


async def _rows(session: AsyncSession, statement: Any) -> int:
    return rows_changed(await session.execute(statement))


async def anonymise_resident(session: AsyncSession, user_id: int, *,
                             now: datetime) -> dict[str, int]:
    """Cut everything personal about one resident, in the caller's transaction; counts.

    Outbox rows already `sending` are in a sender's hands and cannot be recalled; they are
    counted so the resident can be told honestly. Rows still queued are stopped, so a
    broadcast in progress sends them nothing more.
    """
    user = await session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    counts = {
        "subscriptions": await _rows(session, delete(Subscription).where(
            Subscription.user_id == user_id)),
        "messages_cancelled": await _rows(session, update(OutboxMessage).where(
            _to_them(user), OutboxMessage.status == OutboxStatus.QUEUED).values(
            status=OutboxStatus.STOPPED, error_class="cancelled", error=CANCELLED,
            lease_until=None)),
        "messages_in_flight": (await session.execute(
            select(func.count()).select_from(OutboxMessage).where(
                _to_them(user), OutboxMessage.status == OutboxStatus.SENDING))).scalar_one(),
        # What was sent may quote their comment or signed name back to them.
        "messages_cleared": await _rows(session, update(OutboxMessage).where(
            _to_them(user), OutboxMessage.status.in_(
                (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.STOPPED))).values(
            payload={})),
        # The submission key was "<user id>:<preview>": rewritten from the receipt, which is
        # unique and says nothing of who wrote it.
        "comments_anonymised": await _rows(session, update(Comment).where(
            Comment.user_id == user_id).values(
            user_id=None, signed_name=None, hamlet_id=None, updated_at=now,
            submission_key=ERASED_KEY + Comment.receipt)),
        "quiz_rounds": await _rows(session, delete(QuizRound).where(
            QuizRound.user_id == user_id)),
        "roles_revoked": (await session.execute(
            select(func.count()).select_from(RoleGrant).where(
                RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None)))).scalar_one(),
        # The grants' history would say which roles this person held: it goes, revoked or not.
        "role_history_removed": await _rows(session, delete(RoleGrant).where(
            RoleGrant.user_id == user_id)),
        # The invite they redeemed keeps its code hash and who made it, not who used it; its
        # note often holds the invitee's name.
        "invites_unlinked": await _rows(session, update(Invite).where(
            Invite.used_by == user_id).values(used_by=None, note=None)),
        "staff_account_unlinked": await _rows(session, update(StaffAccount).where(
            StaffAccount.user_id == user_id).values(user_id=None)),
        "announcements_unlinked": await _rows(session, update(Announcement).where(
            Announcement.author_user_id == user_id).values(author_user_id=None)),
        # their questions and reports stay as anonymous input; the answer can no longer reach them
        "inquiries_unlinked": await _rows(session, update(Inquiry).where(
            Inquiry.user_id == user_id).values(user_id=None)),
        "meetings_unlinked": await _rows(session, update(Meeting).where(
            Meeting.author_user_id == user_id).values(author_user_id=None)),
        "profile": int(user.hamlet_id is not None or user.leaderboard_name is not None),
        "consent": int(user.consent_at is not None),
        # Reset rather than deleted: a handler answering this very message still writes it.
        "conversation": await _rows(session, update(ConversationState).where(
            ConversationState.user_id == user_id).values(
            state=None, data={}, options=[], updated_at=now)),
    }
    if user.channel == "web":  # the web chat keeps the conversation itself (db/webchat.py)
        counts["web_history"] = await webchat.forget(session, user.address)
    user.hamlet_id = user.leaderboard_name = None
    user.consent_version = user.consent_at = user.consent_evidence = None
    return counts


async def erase_resident(session: AsyncSession, user_id: int, *, now: datetime,
                         via: str) -> dict[str, int]:
    """A resident's (or staff's, on their behalf) request to delete: do it and log it.

    The log row holds when, through what, and the counts: nothing that names the person.
    """
    counts = await anonymise_resident(session, user_id, now=now)
    session.add(DataRequest(kind=ERASE, via=via[:16], actions=counts, created_at=now))
    return counts
