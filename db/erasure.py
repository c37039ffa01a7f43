"""Erasing a resident's personal data: what the right to deletion means in this database.

One function does the work for the chat (/xoadulieu), for staff (`loaso residents forget`)
and for the retention job, so the three can never disagree on what "deleted" means. The
user row and its chat address stay: they are how the bot answers at all, and all it keeps
before consent. Comments stay as anonymous consultation input (text, section, stance), since
the consultation's record must not change under staff's feet; every link to the person goes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.listening_models import Inquiry, Meeting
from db.models import (
    Announcement,
    Comment,
    ConversationState,
    DataRequest,
    OutboxMessage,
    OutboxStatus,
    QuizRound,
    RoleGrant,
    Subscription,
    User,
)

ERASE = "erase"
RETENTION = "retention"
REVOKED_BY = "xóa dữ liệu cá nhân"  # staff read revoked_by; it names the reason, not a person
CANCELLED = "the resident's data was erased"


def holds_personal_data():
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


def _to_them(user: User):
    # Rows fanned out carry user_id; the address match also catches rows queued without it.
    return or_(OutboxMessage.user_id == user.id,
               and_(OutboxMessage.channel == user.channel,
                    OutboxMessage.recipient == user.address))


async def _rows(session: AsyncSession, statement) -> int:
    return (await session.execute(statement)).rowcount or 0


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
        "comments_anonymised": await _rows(session, update(Comment).where(
            Comment.user_id == user_id).values(
            user_id=None, signed_name=None, hamlet_id=None, updated_at=now)),
        "quiz_rounds": await _rows(session, delete(QuizRound).where(
            QuizRound.user_id == user_id)),
        "roles_revoked": await _rows(session, update(RoleGrant).where(
            RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None)).values(
            revoked_at=now, revoked_by=REVOKED_BY)),
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
