"""Residents' questions and reports (`/phananh`): receipts, the staff inbox, answers.

The inbox lists messages, never people: nothing here selects by resident, and the only way
to a resident's messages is the receipt code they were given.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from content.corrections import PublishedCorrection
from db.comments import RECEIPT_ALPHABET, RECEIPT_LENGTH
from db.listening_models import Correction, CorrectionStatus, Inquiry

RECEIPT_PREFIX = "PA-"


def new_receipt() -> str:
    return RECEIPT_PREFIX + "".join(secrets.choice(RECEIPT_ALPHABET)
                                    for _ in range(RECEIPT_LENGTH))


async def unused_receipt(session: AsyncSession) -> str:
    while True:
        receipt = new_receipt()
        if (await session.execute(select(Inquiry.id).where(Inquiry.receipt == receipt))
                ).first() is None:
            return receipt


async def find_by_receipt(session: AsyncSession, receipt: str) -> Inquiry | None:
    return (await session.execute(select(Inquiry).where(
        Inquiry.receipt == receipt.strip().upper()))).scalar_one_or_none()


async def find_by_submission(session: AsyncSession, key: str) -> Inquiry | None:
    return (await session.execute(
        select(Inquiry).where(Inquiry.submission_key == key))).scalar_one_or_none()


def answer_batch(inquiry_id: int) -> str:
    """The outbox batch of the notices that carry staff's answer to a question or report."""
    return f"pa-answer:{inquiry_id}"


@dataclass(frozen=True)
class InboxFilter:
    kind: str | None = None
    status: str | None = None
    tag: str | None = None
    sensitive: bool | None = None

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.kind:
            clauses.append(Inquiry.kind == self.kind)
        if self.status:
            clauses.append(Inquiry.status == self.status)
        if self.sensitive is not None:
            clauses.append(Inquiry.sensitive.is_(self.sensitive))
        return clauses


async def inbox_page(session: AsyncSession, where: InboxFilter, *, offset: int = 0,
                     limit: int = 20) -> tuple[list[Inquiry], int]:
    """Newest first. A tag filter is applied in Python: tags are a short JSON list, and the
    inbox of a commune holds thousands of rows at most."""
    statement = (select(Inquiry).where(*where.where())
                 .order_by(Inquiry.created_at.desc(), Inquiry.id.desc()))
    if where.tag:
        tagged = [row for row in (await session.execute(statement)).scalars()
                  if where.tag in (row.tags or [])]
        return tagged[offset:offset + limit], len(tagged)
    total = (await session.execute(
        select(func.count()).select_from(Inquiry).where(*where.where()))).scalar_one()
    rows = await session.execute(statement.offset(offset).limit(limit))
    return list(rows.scalars()), total


async def published_corrections(session: AsyncSession, zone: tzinfo) -> list[PublishedCorrection]:
    """Every published correction, as the content store lays it over the pack."""
    rows = await session.execute(select(Correction).where(
        Correction.status == CorrectionStatus.PUBLISHED).order_by(Correction.id))
    return [PublishedCorrection(row.id, row.title, row.body,
                                row.published_at.astimezone(zone).date())
            for row in rows.scalars() if row.published_at is not None]


async def pending_corrections(session: AsyncSession) -> list[Correction]:
    """Corrections proposed with an answer and waiting for approval, oldest first."""
    rows = await session.execute(select(Correction).where(
        Correction.status == CorrectionStatus.PENDING).order_by(Correction.id))
    return list(rows.scalars())


@dataclass
class OpinionWeek:
    """The week's questions and reports for the opinion summary: counts and texts of
    questions only, never who sent them."""

    by_topic: dict[str, int]
    by_kind: dict[str, int]
    questions: list[str]  # the texts of the week's questions, for "most asked"
    waiting: list[tuple[str, str, datetime]]  # receipt, kind, sent: unanswered past the limit


async def opinion_week(session: AsyncSession, *, since: datetime, until: datetime,
                       waiting_before: datetime) -> OpinionWeek:
    week = OpinionWeek({}, {}, [], [])
    rows = await session.execute(select(Inquiry.kind, Inquiry.tags, Inquiry.text).where(
        Inquiry.created_at >= since, Inquiry.created_at < until).order_by(Inquiry.id))
    for kind, tags, text in rows.all():
        week.by_kind[kind] = week.by_kind.get(kind, 0) + 1
        for tag in tags or [""]:
            week.by_topic[tag] = week.by_topic.get(tag, 0) + 1
        if kind == "hoi":
            week.questions.append(text)
    waiting = await session.execute(
        select(Inquiry.receipt, Inquiry.kind, Inquiry.created_at)
        .where(Inquiry.status.in_(("moi", "dang_xu_ly")), Inquiry.created_at < waiting_before)
        .order_by(Inquiry.created_at))
    week.waiting = [(receipt, kind, sent) for receipt, kind, sent in waiting.all()]
    return week
