"""The campaign report's figures for one period: grouped counts only, never a row per
person (the sensitive reports are listed by receipt code and topic, nothing else).

Every figure is one grouped statement over the period [since, until) (UTC instants of the
campaign days asked for), so the report over 100,000 comments is a handful of scans.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.listening_models import Inquiry, Meeting
from db.models import (
    Announcement,
    BulletinOccurrence,
    Comment,
    OutboxMessage,
    QuizRound,
    Subscription,
    User,
)
from db.search_misses import asked_by_many


@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date  # inclusive
    since: dt.datetime
    until: dt.datetime  # exclusive


@dataclass
class Figures:
    # (hamlet, channel) -> [consented at the end, new in the period, subscribers at the end]
    reach: dict[tuple[str | None, str], list[int]] = field(default_factory=dict)
    # (kind "bulletin"/"announcement", id) -> {status: count}
    pushed: dict[tuple[str, int], Counter[str]] = field(default_factory=dict)
    # id -> (pack id, when)
    bulletins: dict[int, tuple[str, dt.datetime]] = field(default_factory=dict)
    announcements: dict[int, tuple[dict[str, Any], dt.datetime]] = field(default_factory=dict)
    # (group or None, hamlet or None, topic) -> (meetings, attendance, comments gathered)
    meetings: dict[tuple[str | None, str | None, str], tuple[int, int, int]] = field(
        default_factory=dict)
    # (draft, stance, status, source) -> comments
    comments: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    sections: dict[tuple[str, str], int] = field(default_factory=dict)  # (draft, label)
    answered: int = 0
    answer_hours: list[float] = field(default_factory=list)
    inquiries: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, status) -> count
    inquiry_tags: Counter[str] = field(default_factory=Counter)  # tag -> count ("" untagged)
    sensitive: list[tuple[str, list[str]]] = field(default_factory=list)  # receipt, tags
    misses: list[tuple[str, int, int]] = field(default_factory=list)
    # hamlet -> (rounds, players, total score)
    quiz: dict[str | None, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (any(values[1] for values in self.reach.values()) or self.pushed
                    or self.meetings or self.comments or self.inquiries or self.misses
                    or self.quiz)


def _in(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.since, column < period.until)


async def gather(session: AsyncSession, period: Period) -> Figures:
    figures = Figures()
    await _reach(session, period, figures)
    await _pushed(session, period, figures)
    meetings = await session.execute(
        select(Meeting.group_id, Meeting.hamlet_id, Meeting.topic_id, func.count(),
               func.sum(Meeting.attendance), func.sum(Meeting.comments_gathered))
        .where(Meeting.held_on >= period.first_day, Meeting.held_on <= period.last_day)
        .group_by(Meeting.group_id, Meeting.hamlet_id, Meeting.topic_id))
    figures.meetings = {(group, hamlet, topic): (count, int(people or 0), int(gathered or 0))
                        for group, hamlet, topic, count, people, gathered in meetings.all()}
    await _consultation(session, period, figures)
    await _inquiries(session, period, figures)
    figures.misses = await asked_by_many(session, since=period.since, until=period.until)
    await _quiz(session, period, figures)
    return figures


async def _reach(session: AsyncSession, period: Period, figures: Figures) -> None:
    subscribed = User.id.in_(select(Subscription.user_id).where(
        Subscription.created_at < period.until))
    consented = User.consent_at < period.until
    rows = await session.execute(
        select(User.hamlet_id, User.channel,
               func.sum(case((consented, 1), else_=0)),
               func.sum(case((_in(User.consent_at, period), 1), else_=0)),
               func.sum(case((and_(consented, subscribed), 1), else_=0)))
        .where(User.consent_at.is_not(None)).group_by(User.hamlet_id, User.channel))
    figures.reach = {(hamlet, channel): [int(a or 0), int(b or 0), int(c or 0)]
                     for hamlet, channel, a, b, c in rows.all()}


async def _pushed(session: AsyncSession, period: Period, figures: Figures) -> None:
    rows = await session.execute(
        select(OutboxMessage.batch, OutboxMessage.status, func.count())
        .where(_in(OutboxMessage.created_at, period),
               OutboxMessage.batch.like("bulletin:%") | OutboxMessage.batch.like("announcement:%"))
        .group_by(OutboxMessage.batch, OutboxMessage.status))
    for batch, status, count in rows.all():
        kind, _, ref = (batch or "").partition(":")
        if ref.isdigit():
            figures.pushed.setdefault((kind, int(ref)), Counter())[status] += count
    bulletin_ids = [ref for kind, ref in figures.pushed if kind == "bulletin"]
    if bulletin_ids:
        found = await session.execute(select(
            BulletinOccurrence.id, BulletinOccurrence.bulletin_id, BulletinOccurrence.scheduled_for)
            .where(BulletinOccurrence.id.in_(bulletin_ids)))
        figures.bulletins = {row_id: (pack_id, when) for row_id, pack_id, when in found.all()}
    announcement_ids = [ref for kind, ref in figures.pushed if kind == "announcement"]
    if announcement_ids:
        found = await session.execute(select(
            Announcement.id, Announcement.audience, Announcement.created_at)
            .where(Announcement.id.in_(announcement_ids)))
        figures.announcements = {row_id: (audience if isinstance(audience, dict) else {}, when)
                                 for row_id, audience, when in found.all()}


async def _consultation(session: AsyncSession, period: Period, figures: Figures) -> None:
    where = _in(Comment.created_at, period)
    rows = await session.execute(
        select(Comment.draft_id, Comment.stance, Comment.status, Comment.source, func.count())
        .where(where).group_by(Comment.draft_id, Comment.stance, Comment.status, Comment.source))
    figures.comments = {(draft, stance, status, source): count
                        for draft, stance, status, source, count in rows.all()}
    sections = await session.execute(
        select(Comment.draft_id, Comment.section_label, func.count())
        .where(where).group_by(Comment.draft_id, Comment.section_label))
    figures.sections = {(draft, label): count for draft, label, count in sections.all()}
    answered = await session.execute(
        select(Comment.created_at, Comment.answered_at)
        .where(where, Comment.answered_at.is_not(None)))
    for created, answered_at in answered.all():
        if answered_at is None:
            continue
        figures.answered += 1
        figures.answer_hours.append((answered_at - created).total_seconds() / 3600)


async def _inquiries(session: AsyncSession, period: Period, figures: Figures) -> None:
    rows = await session.execute(
        select(Inquiry.receipt, Inquiry.kind, Inquiry.status, Inquiry.tags, Inquiry.sensitive)
        .where(_in(Inquiry.created_at, period)).order_by(Inquiry.id))
    for receipt, kind, status, tags, sensitive in rows.all():
        figures.inquiries[(kind, status)] += 1
        for tag in tags or [""]:
            figures.inquiry_tags[tag] += 1
        if sensitive:
            figures.sensitive.append((receipt, list(tags or [])))


async def _quiz(session: AsyncSession, period: Period, figures: Figures) -> None:
    rows = await session.execute(
        select(User.hamlet_id, func.count(), func.count(QuizRound.user_id.distinct()),
               func.sum(QuizRound.score))
        .join(User, User.id == QuizRound.user_id)
        .where(_in(QuizRound.finished_at, period)).group_by(User.hamlet_id))
    figures.quiz = {hamlet: (rounds, players, int(total or 0))
                    for hamlet, rounds, players, total in rows.all()}


def merged_small_hamlets(quiz: dict[str | None, tuple[int, int, int]], smallest: int = 3
                         ) -> tuple[dict[str, tuple[int, int, int]], tuple[int, int, int]]:
    """Hamlets with at least `smallest` players, and the rest (no hamlet chosen included)
    added together."""
    shown: dict[str, tuple[int, int, int]] = {}
    rest = [0, 0, 0]
    for hamlet, values in quiz.items():
        if values[1] >= smallest and hamlet is not None:
            shown[hamlet] = values
        else:
            rest = [a + b for a, b in zip(rest, values, strict=True)]
    return shown, (rest[0], rest[1], rest[2])


def per_channel(reach: dict[tuple[str | None, str], list[int]]) -> dict[str, list[int]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_, channel), values in reach.items():
        totals[channel] = [a + b for a, b in zip(totals[channel], values, strict=True)]
    return dict(totals)


def per_hamlet(reach: dict[tuple[str | None, str], list[int]]) -> dict[str | None, list[int]]:
    totals: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (hamlet, _), values in reach.items():
        totals[hamlet] = [a + b for a, b in zip(totals[hamlet], values, strict=True)]
    return dict(totals)
