"""Tables for listening to residents and reporting upward: residents' questions and reports
(`/phananh`), meetings held by chi bộ and organisations (`/hop`), searches that found nothing,
corrections published after a rumour report, and the campaign reports kept for download.

Nothing here is keyed to a person's opinion: tags and the "nhạy cảm" flag belong to a
message, never to the resident who sent it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, Json, UTCDateTime, utcnow


class InquiryKind(StrEnum):
    QUESTION = "hoi"  # Hỏi
    RUMOUR = "tin_sai"  # Báo tin sai/xấu độc
    PROPOSAL = "kien_nghi"  # Kiến nghị


class InquiryStatus(StrEnum):
    NEW = "moi"  # mới
    IN_PROGRESS = "dang_xu_ly"  # đang xử lý
    ANSWERED = "da_tra_loi"  # đã trả lời
    ESCALATED = "chuyen_cap_tren"  # chuyển cấp trên
    DECLINED = "khong_xu_ly"  # không xử lý


class Inquiry(Base):
    """A resident's question, rumour report or proposal, known to staff by its PA- receipt.

    `user_id` is kept only to bring the answer back, and is cut when the resident deletes
    their data; staff never see it. Anonymous: no name is asked for.
    """

    __tablename__ = "inquiries"
    __table_args__ = (Index("ix_inquiries_created_at", "created_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    submission_key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    # the platform's handle of an attached photo ("telegram:<file_id>"), never the image
    photo: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=InquiryStatus.NEW, index=True)
    tags: Mapped[list[str]] = mapped_column(Json, default=list)  # topic ids of the pack
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    answer: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CorrectionStatus(StrEnum):
    PENDING = "pending"  # proposed with an answer, waiting for approval
    PUBLISHED = "published"
    REJECTED = "rejected"


class Correction(Base):
    """A verified correction of false information, published as an article in the topic
    "Kiểm chứng thông tin" once approved; the content store adds published ones to the pack."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inquiry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("inquiries.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=CorrectionStatus.PENDING, index=True)
    proposed_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Meeting(Base):
    """A meeting where a chi bộ or organisation spread the word ("tuyên truyền miệng")."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_held_on", "held_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    hamlet_id: Mapped[str | None] = mapped_column(String(40))
    group_id: Mapped[str | None] = mapped_column(String(40))
    topic_id: Mapped[str] = mapped_column(String(40))
    attendance: Mapped[int] = mapped_column(Integer)
    comments_gathered: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(100))  # the leader's role label, or staff name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SearchMiss(Base):
    """A search that found nothing: the folded words and a short keyed hash of who asked,
    only so that "asked by ≥ 3 different residents" can be counted. No user id is kept."""

    __tablename__ = "search_misses"
    __table_args__ = (UniqueConstraint("query", "asker"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    asker: Mapped[str] = mapped_column(String(16))
    times: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class CampaignReport(Base):
    """A campaign report written on schedule or on demand, kept for download."""

    __tablename__ = "campaign_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # campaign, opinion
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(120))
    stored_name: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))  # on demand, weekly, phase end
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
