"""The campaign in numbers, for the console's dashboard: counts only, never a row per person.

Each figure is one grouped statement; a leader's figures are narrowed in the same statement
to their scope (db.comments.Scope): comments from their hamlets or their groups' meetings,
and residents who live in their hamlets or follow their groups' news.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.comments import OPEN_STATUSES, Scope
from db.dialect import is_postgresql
from db.models import Comment, OutboxMessage, OutboxStatus, QuizRound, Subscription, User, UserStatus

BROADCASTS = ("bulletin", "announcement")  # outbox batches "bulletin:<id>", "announcement:<id>"


def residents_in(scope: Scope | None) -> ColumnElement[bool]:
    """A condition on `users`: the resident is in a leader's part of the commune."""
    if scope is None:
        return true()
    follows = exists(select(Subscription.id).where(
        Subscription.user_id == User.id, Subscription.kind == "group",
        Subscription.ref.in_(scope.groups)))
    return or_(User.hamlet_id.in_(scope.areas), follows)


def _comments_in(scope: Scope | None) -> ColumnElement[bool]:
    return true() if scope is None else scope.clause()


# --- residents ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reach:
    """Consenting residents of one hamlet on one channel, and how many of them subscribe."""

    hamlet_id: str | None
    channel: str
    consented: int
    subscribers: int


async def reach(session: AsyncSession, scope: Scope | None) -> list[Reach]:
    subscribed = exists(select(Subscription.id).where(Subscription.user_id == User.id))
    receives = case((and_(User.status == UserStatus.ACTIVE, subscribed), 1), else_=0)
    rows = await session.execute(
        select(User.hamlet_id, User.channel, func.count(), func.sum(receives))
        .where(User.consent_at.is_not(None), residents_in(scope))
        .group_by(User.hamlet_id, User.channel))
    return [Reach(hamlet_id, channel, consented, int(subscribers or 0))
            for hamlet_id, channel, consented, subscribers in rows.all()]


# --- comments -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CommentCount:
    """Comments sharing a draft, stance, status, hamlet and source."""

    draft_id: str
    stance: str
    status: str
    hamlet_id: str | None
    source: str
    count: int


async def comment_counts(session: AsyncSession, scope: Scope | None) -> list[CommentCount]:
    rows = await session.execute(
        select(Comment.draft_id, Comment.stance, Comment.status, Comment.hamlet_id,
               Comment.source, func.count())
        .where(_comments_in(scope))
        .group_by(Comment.draft_id, Comment.stance, Comment.status, Comment.hamlet_id,
                  Comment.source))
    return [CommentCount(*row) for row in rows.all()]


def _hour(session: AsyncSession) -> ColumnElement[Any]:
    """created_at cut to its UTC hour, as each database can do it in the statement."""
    if is_postgresql(session):
        return func.date_trunc("hour", func.timezone("UTC", Comment.created_at))
    return func.substr(Comment.created_at, 1, 13)  # SQLite keeps "YYYY-MM-DD HH:MM:SS…" UTC


async def comments_by_hour(session: AsyncSession, scope: Scope | None,
                           since: datetime) -> list[tuple[datetime, int]]:
    """Comments per UTC hour since `since` (the caller folds hours into the campaign's days,
    which is exact in any zone whose offset is whole hours)."""
    hour = _hour(session).label("hour")
    rows = await session.execute(
        select(hour, func.count()).where(Comment.created_at >= since, _comments_in(scope))
        .group_by(hour))
    counts = []
    for value, count in rows.all():
        moment = (datetime.fromisoformat(f"{value}:00") if isinstance(value, str) else value)
        counts.append((moment.replace(tzinfo=UTC), count))
    return counts


async def oldest_waiting(session: AsyncSession, scope: Scope | None) -> datetime | None:
    """When the comment that has waited longest for staff (new or seen) was made."""
    found = []
    for status in OPEN_STATUSES:  # one status at a time: each an index seek on (status, …)
        first = (await session.execute(
            select(Comment.created_at).where(Comment.status == status, _comments_in(scope))
            .order_by(Comment.created_at).limit(1))).scalar_one_or_none()
        if first is not None:
            found.append(first)
    return min(found, default=None)


# --- bulletins and announcements -----------------------------------------------------------

@dataclass
class Delivery:
    """The messages of one kind of broadcast, by what became of them."""

    broadcasts: int = 0  # bulletin occurrences or announcements that went out
    delivered: int = 0
    waiting: int = 0
    failed: int = 0
    skipped: int = 0  # never attempted (platform window), cancelled, or the resident left
    batches: set[str] = field(default_factory=set, repr=False)

    @property
    def messages(self) -> int:
        return self.delivered + self.waiting + self.failed + self.skipped


async def deliveries(session: AsyncSession, scope: Scope | None) -> dict[str, Delivery]:
    """Per kind of broadcast: how many went out and what became of their messages. The
    batch names are read as a range ("bulletin:" ≤ batch < "bulletin;"), which the batch
    index serves on both databases where a LIKE would not."""
    found = {kind: Delivery() for kind in BROADCASTS}
    for kind in BROADCASTS:
        query = (select(OutboxMessage.batch, OutboxMessage.status, func.count())
                 .where(OutboxMessage.batch >= f"{kind}:", OutboxMessage.batch < f"{kind};")
                 .group_by(OutboxMessage.batch, OutboxMessage.status))
        if scope is not None:
            query = query.join(User, User.id == OutboxMessage.user_id).where(residents_in(scope))
        tally = found[kind]
        for batch, status, count in (await session.execute(query)).all():
            if batch is not None:
                tally.batches.add(batch)
            if status == OutboxStatus.SENT:
                tally.delivered += count
            elif status == OutboxStatus.FAILED:
                tally.failed += count
            elif status == OutboxStatus.STOPPED:
                tally.skipped += count
            else:
                tally.waiting += count
        tally.broadcasts = len(tally.batches)
    return found


# --- quiz ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizTally:
    hamlet_id: str | None
    rounds: int
    finished: int
    players: int


async def quiz_by_hamlet(session: AsyncSession, scope: Scope | None) -> list[QuizTally]:
    rows = await session.execute(
        select(User.hamlet_id, func.count(QuizRound.id), func.count(QuizRound.finished_at),
               func.count(distinct(QuizRound.user_id)))
        .join(User, User.id == QuizRound.user_id).where(residents_in(scope))
        .group_by(User.hamlet_id))
    return [QuizTally(*row) for row in rows.all()]


def by(rows: Iterable[Any], key: Callable[[Any], Any], value: Callable[[Any], int]) -> dict[Any, int]:
    """Sum `value(row)` per `key(row)`: the dashboard folds one grouped result many ways."""
    summed: dict[Any, int] = defaultdict(int)
    for row in rows:
        summed[key(row)] += value(row)
    return dict(summed)
