"""Comments on drafts: receipts, the resident's own list, staff review, export streams.

Reports aggregate by draft and section; nothing here scores or ranks people.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_for
from db.models import AppSecret, Comment, CommentStatus, ExportAudit, OutboxMessage

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
RECEIPT_LENGTH = 8
OPEN_STATUSES = (CommentStatus.NEW, CommentStatus.SEEN)  # the resident may still edit


def new_receipt() -> str:
    return "GY-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


async def receipt_is_free(session: AsyncSession, receipt: str) -> bool:
    found = await session.execute(select(Comment.id).where(Comment.receipt == receipt))
    return found.first() is None


async def unused_receipt(session: AsyncSession) -> str:
    """A receipt no comment has; 32^8 codes make a second try almost never needed."""
    while True:
        receipt = new_receipt()
        if await receipt_is_free(session, receipt):
            return receipt


async def find_by_submission(session: AsyncSession, key: str) -> Comment | None:
    return (await session.execute(
        select(Comment).where(Comment.submission_key == key))).scalar_one_or_none()


async def find_by_receipt(session: AsyncSession, receipt: str) -> Comment | None:
    return (await session.execute(
        select(Comment).where(Comment.receipt == receipt.strip().upper()))).scalar_one_or_none()


async def comments_of(session: AsyncSession, user_id: int) -> list[Comment]:
    return list((await session.execute(
        select(Comment).where(Comment.user_id == user_id).order_by(Comment.id.desc())
    )).scalars())


@dataclass(frozen=True)
class Scope:
    """A leader's part of the commune: comments from these hamlets, or from meetings these
    groups held."""

    areas: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def clause(self) -> ColumnElement[bool]:
        return or_(Comment.hamlet_id.in_(self.areas), Comment.group_id.in_(self.groups))

    def covers(self, hamlet_id: str | None, group_id: str | None) -> bool:
        return hamlet_id in self.areas or group_id in self.groups


def _like_words(folded: str) -> list[ColumnElement[bool]]:
    """Each folded word must appear in the folded text (LIKE's wildcards escaped)."""
    clauses: list[ColumnElement[bool]] = []
    for word in folded.split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(Comment.search_text.like(f"%{escaped}%", escape="\\"))
    return clauses


@dataclass(frozen=True)
class CommentFilter:
    """What staff narrow a list, an export or a report to. Empty means everything."""

    draft_id: str | None = None
    statuses: tuple[str, ...] = ()
    hamlet_id: str | None = None
    source: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive
    include_hidden: bool = True  # duplicates and spam
    section_id: str | None = None  # "-": general comments (about the whole draft)
    stance: str | None = None
    search: str | None = None  # folded words (content.text.fold), all of them in the text
    receipt: str | None = None
    scope: Scope | None = None  # a leader's hamlets and groups; None: the whole commune

    def where(self) -> list[ColumnElement[bool]]:
        clauses = []
        if self.draft_id:
            clauses.append(Comment.draft_id == self.draft_id)
        if self.section_id == "-":
            clauses.append(Comment.section_id.is_(None))
        elif self.section_id:
            clauses.append(Comment.section_id == self.section_id)
        if self.stance:
            clauses.append(Comment.stance == self.stance)
        if self.search:
            clauses.extend(_like_words(self.search))
        if self.receipt:
            clauses.append(Comment.receipt == self.receipt)
        if self.scope is not None:
            clauses.append(self.scope.clause())
        if self.statuses:
            clauses.append(Comment.status.in_(self.statuses))
        if self.hamlet_id:
            clauses.append(Comment.hamlet_id == self.hamlet_id)
        if self.source:
            clauses.append(Comment.source == self.source)
        if self.created_from:
            clauses.append(Comment.created_at >= self.created_from)
        if self.created_to:
            clauses.append(Comment.created_at < self.created_to)
        if not self.include_hidden:
            clauses.append(Comment.status.not_in((CommentStatus.DUPLICATE, CommentStatus.SPAM)))
        return clauses

    def describe(self) -> dict[str, str]:
        """The filter as plain data for the export audit."""
        described = {}
        for name in ("draft_id", "hamlet_id", "source", "created_from", "created_to",
                     "section_id", "stance", "search", "receipt"):
            value = getattr(self, name)
            if value is not None:
                described[name] = value.isoformat() if isinstance(value, datetime) else value
        if self.statuses:
            described["statuses"] = ",".join(self.statuses)
        if not self.include_hidden:
            described["include_hidden"] = "no"
        if self.scope is not None:  # a leader's export: only their hamlets and groups
            described["scope_areas"] = ",".join(self.scope.areas)
            described["scope_groups"] = ",".join(self.scope.groups)
        return described


def _ordered(query: Select[Any]) -> Select[Any]:
    # document order: by draft, general comments first, then sections as they appear
    return query.order_by(Comment.draft_id, Comment.section_order, Comment.id)


async def list_comments(session: AsyncSession, where: CommentFilter, *, offset: int = 0,
                        limit: int = 50) -> tuple[list[Comment], int]:
    total = (await session.execute(
        select(func.count()).select_from(Comment).where(*where.where()))).scalar_one()
    rows = await session.execute(_ordered(select(Comment).where(*where.where()))
                                 .offset(offset).limit(limit))
    return list(rows.scalars()), total


async def queue_page(session: AsyncSession, where: CommentFilter, *, offset: int = 0,
                     limit: int = 50) -> tuple[list[Comment], int]:
    """The console's review queue: newest first."""
    total = await count_comments(session, where)
    rows = await session.execute(
        select(Comment).where(*where.where())
        .order_by(Comment.created_at.desc(), Comment.id.desc()).offset(offset).limit(limit))
    return list(rows.scalars()), total


async def find_by_receipts(session: AsyncSession, receipts: list[str]) -> list[Comment]:
    wanted = list(dict.fromkeys(receipt.strip().upper() for receipt in receipts))
    rows = await session.execute(select(Comment).where(Comment.receipt.in_(wanted)))
    return list(rows.scalars())


def answer_batch(comment_id: int) -> str:
    """The outbox batch of the notices that carry staff's answer to a comment."""
    return f"answer:{comment_id}"


async def answer_deliveries(session: AsyncSession, comment_id: int) -> list[OutboxMessage]:
    """The notices that carried answers to this comment, latest first."""
    rows = await session.execute(
        select(OutboxMessage).where(OutboxMessage.batch == answer_batch(comment_id))
        .order_by(OutboxMessage.id.desc()))
    return list(rows.scalars())


async def count_comments(session: AsyncSession, where: CommentFilter) -> int:
    return (await session.execute(
        select(func.count()).select_from(Comment).where(*where.where()))).scalar_one()


async def stream_comments(session: AsyncSession, where: CommentFilter,
                          batch: int = 2000) -> AsyncIterator[Comment]:
    """Every matching comment in document order, without holding them all in memory."""
    result = await session.stream(
        _ordered(select(Comment).where(*where.where())).execution_options(yield_per=batch))
    async for comment in result.scalars():
        yield comment


PSEUDONYM_KEY = "pseudonym-key"
# Set from LOASO_PSEUDONYM_KEY(_FILE) by the process at start (use_pseudonym_key): a key that
# lives outside the database, so a copy of the database alone cannot reverse "ND-…" labels.
_external_key: bytes | None = None


def use_pseudonym_key(key: bytes | None) -> None:
    global _external_key
    _external_key = key


async def pseudonym_key(session: AsyncSession) -> bytes:
    """This installation's key for pseudonyms: the operator's (settings), else one the
    database keeps, created on first use and never exported."""
    if _external_key is not None:
        return _external_key
    row = await session.get(AppSecret, PSEUDONYM_KEY)
    if row is None:
        # two first exports at once: one insert wins, both then read the same key
        await session.execute(insert_for(session, AppSecret).values(
            name=PSEUDONYM_KEY, value=secrets.token_hex(32), created_at=datetime.now(UTC)
        ).on_conflict_do_nothing(index_elements=["name"]))
        row = await session.get(AppSecret, PSEUDONYM_KEY)
    assert row is not None  # inserted just above if it was missing
    return bytes.fromhex(row.value)


def pseudonym(key: bytes, user_id: int | None) -> str | None:
    """A stable label for a resident in exports ("ND-…"): same person, same label; never the
    chat id, and not reversible without the key."""
    if user_id is None:
        return None
    digest = hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()
    return f"ND-{digest[:8].upper()}"


async def record_export(session: AsyncSession, *, actor: str, kind: str,
                        filters: dict[str, Any], row_count: int, sha256: str,
                        now: datetime) -> ExportAudit:
    audit = ExportAudit(actor=actor, kind=kind, filters=filters, row_count=row_count,
                        sha256=sha256, created_at=now)
    session.add(audit)
    return audit
