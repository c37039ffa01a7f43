"""Tables as plain mapped data. Behaviour lives in db/queries and the services, not here."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from content.text import fold
from db.base import Base, BigId, Json, UTCDateTime, utcnow  # noqa: F401  (re-exported)


class UserStatus(StrEnum):
    ACTIVE = "active"
    STOPPED = "stopped"  # blocked the bot / unfollowed: nothing more is sent


class User(Base):
    """One resident on one channel. Before consent only the channel address is kept."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))  # platform chat/user id, opaque
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE)
    stopped_reason: Mapped[str | None] = mapped_column(String(200))
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_evidence: Mapped[str | None] = mapped_column(String(64))  # the event id of the tap
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hamlet_id: Mapped[str | None] = mapped_column(String(40))  # chosen when subscribing
    # Set only when the resident chose to appear on the quiz leaderboard (a first name).
    leaderboard_name: Mapped[str | None] = mapped_column(String(40))


class ConversationState(Base):
    """Where a resident is in a flow, plus the options last shown (for numbered replies)."""

    __tablename__ = "conversation_states"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    options: Mapped[list[str]] = mapped_column(Json, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InboundEvent(Base):
    """One row per platform event ever accepted: the dedupe key, nothing of the content."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    STOPPED = "stopped"


class Priority:
    """Higher goes first: a tap's acknowledgement, then replies, then bulk."""

    ACK = 20
    REPLY = 10
    BULK = 0


class OutboxMessage(Base):
    """One platform call to make. Written in the same transaction as what caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_claim", "status", "priority", "next_attempt_at"),
        Index("ix_outbox_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    priority: Mapped[int] = mapped_column(Integer, default=Priority.REPLY)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    # Unique when set: a broadcast or bulletin occurrence writes one key per recipient.
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    error_class: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by `loaso outbox retry --failed`: the retry window runs from here (else created_at).
    requeued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What fanned this row out ("announcement:12", "bulletin:34"), for status counts and stops.
    batch: Mapped[str | None] = mapped_column(String(80), index=True)


class PhaseOverride(Base):
    """Staff pinned the campaign to a phase (`loaso phase set`); cleared rows stay as history."""

    __tablename__ = "phase_overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    phase_id: Mapped[str] = mapped_column(String(40))
    stage_id: Mapped[str | None] = mapped_column(String(40))
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cleared_by: Mapped[str | None] = mapped_column(String(100))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Stance(StrEnum):
    """The three answers of the 2025 national consultation (VNeID), kept for comparability."""

    AGREE = "tan_thanh"  # Tán thành
    DISAGREE = "khong_tan_thanh"  # Không tán thành
    PARTLY = "dong_y_mot_phan"  # Đồng ý một phần


class CommentStatus(StrEnum):
    NEW = "moi"
    SEEN = "da_xem"
    ACCEPTED = "tiep_thu"
    NOT_ACCEPTED = "khong_tiep_thu"
    DUPLICATE = "trung_lap"
    SPAM = "spam"
    WITHDRAWN = "rut_lai"  # by the resident, while the consultation was open


class Comment(Base):
    """One comment on a draft (a section of it, or the draft as a whole).

    It keeps the draft version and the section's text as read, so later versions of the
    draft never change what the comment was about. `user_id` is the only link to a person
    and is cut when they delete their data; `signed_name` exists only if they chose to sign.
    """

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_draft_section", "draft_id", "section_order"),
        Index("ix_comments_created_at", "created_at", "id"),  # the console's queue, newest first
        # the dashboard's counts: one scan of this index, grouped in its order, not the table
        Index("ix_comments_tally", "draft_id", "stance", "status", "hamlet_id", "source",
              "group_id"),
        UniqueConstraint("submission_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    submission_key: Mapped[str] = mapped_column(String(80))  # one comment per preview shown
    draft_id: Mapped[str] = mapped_column(String(40))
    draft_version: Mapped[str] = mapped_column(String(20))
    section_id: Mapped[str | None] = mapped_column(String(40))  # None: about the whole draft
    section_label: Mapped[str] = mapped_column(String(400), default="")
    section_order: Mapped[int] = mapped_column(Integer, default=-1)  # -1: general comments
    section_quote: Mapped[str] = mapped_column(Text, default="")
    stance: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    # `text` folded (content.text.fold), kept in step by the listener below: the console's
    # search without diacritics is a LIKE on it, the same on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    signed_name: Mapped[str | None] = mapped_column(String(100))
    hamlet_id: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(16))  # telegram, zalo-oa, console, meeting…
    source_detail: Mapped[str | None] = mapped_column(String(300))  # meeting name, date, group
    group_id: Mapped[str | None] = mapped_column(String(40))  # the group that held the meeting
    # the recorded meeting (/hop, `loaso meetings add`) where it was gathered, if linked
    meeting_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.NEW, index=True)
    staff_note: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # set with the status "trung_lap": the comment this one repeats
    duplicate_of: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("comments.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@event.listens_for(Comment.text, "set")
def _fold_comment_text(comment: Comment, value: str | None, _old: Any, _initiator: Any) -> None:
    comment.search_text = fold(value or "")


class ExportAudit(Base):
    """Append-only: every export of comments, who made it and a hash of what left."""

    __tablename__ = "export_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # csv, xlsx, report-docx, report-xlsx
    filters: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    row_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AppSecret(Base):
    """Secrets the installation makes for itself (e.g. the key behind export pseudonyms)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Subscription(Base):
    """A resident's wish to receive bulletins: a topic, a group's news, or everything."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "kind", "ref"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # topic, group, all
    ref: Mapped[str] = mapped_column(String(40))  # the topic or group id; "*" for all
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Role(StrEnum):
    LEADER = "leader"  # chi bộ secretary, head of a mass organisation: own groups and areas
    STAFF = "staff"  # approves announcements, reviews comments
    ADMIN = "admin"  # everything staff can, plus roles


class RoleGrant(Base):
    """A role held by a resident, limited to groups and hamlets; revoked rows stay as history."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    groups: Mapped[list[str]] = mapped_column(Json, default=list)
    areas: Mapped[list[str]] = mapped_column(Json, default=list)  # hamlet ids
    invite_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("invites.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class Invite(Base):
    """A one-time code that grants a role. Only a hash of the code is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(8))
    groups: Mapped[list[str]] = mapped_column(Json, default=list)
    areas: Mapped[list[str]] = mapped_column(Json, default=list)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class InviteAttempt(Base):
    """A wrong invite code typed by a resident, kept an hour: five in an hour and /vaitro
    waits (codes cannot be guessed from a chat). Nothing of the code is kept."""

    __tablename__ = "invite_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnnouncementStatus(StrEnum):
    PENDING = "pending"  # waiting for staff approval
    SCHEDULED = "scheduled"  # approved (or needs none), waiting for its time
    SENDING = "sending"  # fanned out; rows in the outbox
    DONE = "done"  # every row finished
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # by staff before it went out
    STOPPED = "stopped"  # by staff while it was going out: remaining rows cancelled


class AnnouncementPriority(StrEnum):
    NORMAL = "thuong"
    HIGH = "uu-tien"
    URGENT = "khan-cap"


class Announcement(Base):
    """A leader's or staff member's message to an audience, through approval to fan-out."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    author_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(100))  # "staff (CLI)", or the leader's role label
    text: Mapped[str] = mapped_column(Text)
    # {"everyone": bool, "areas": [hamlet ids], "groups": [group ids], "topics": [topic ids]}
    audience: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: as soon as allowed
    recipients: Mapped[int | None] = mapped_column(Integer)  # counted at fan-out
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # AnnouncementPriority: "khan-cap" leads the next loudspeaker bulletin, flagged (issue 19)
    priority: Mapped[str] = mapped_column(String(12), default="thuong", server_default="thuong")


class BulletinOccurrence(Base):
    """One firing of a pack bulletin. Unique per (bulletin, time): fanned out once, ever."""

    __tablename__ = "bulletin_occurrences"
    __table_args__ = (UniqueConstraint("bulletin_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bulletin_id: Mapped[str] = mapped_column(String(60))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    recipients: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when this occurrence is not sent: staff skipped it ahead of time, or the bulletin
    # was paused when it fell due. Its row (with 0 recipients) is what keeps it unsent.
    skipped_by: Mapped[str | None] = mapped_column(String(100))


class BulletinPause(Base):
    """A bulletin staff paused: its occurrences are skipped until the row is removed."""

    __tablename__ = "bulletin_pauses"

    bulletin_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    paused_by: Mapped[str] = mapped_column(String(100))
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChannelToken(Base):
    """Rotating platform credentials (Zalo OA's single-use refresh token), one row per channel."""

    __tablename__ = "channel_tokens"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    generation: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every rotation
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuizRound(Base):
    """One play of the quiz: the questions drawn, the answers given, the score."""

    __tablename__ = "quiz_rounds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(12), unique=True)  # in button payloads
    questions: Mapped[list[str]] = mapped_column(Json, default=list)  # question ids, in order
    answers: Mapped[list[int]] = mapped_column(Json, default=list)  # chosen option per question
    score: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DataRequest(Base):
    """The log of data-rights requests and retention runs: when, where, what. No person."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # erase, retention
    via: Mapped[str] = mapped_column(String(16))  # the channel, "cli" or "scheduler"
    actions: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # counts of what was done
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The console's tables live in their own module; importing it here keeps Base.metadata (and
# so Alembic, the tests' truncation and compare_metadata) complete wherever models are used.
class SourceArrival(Base):
    """Residents who first wrote in through a link carrying a source tag (a poster's QR code),
    counted per tag and day: the tag and the number, nothing about who they are."""

    __tablename__ = "source_arrivals"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    arrivals: Mapped[int] = mapped_column(Integer, default=0)


# (at the end: they import the names above) the console's tables; questions, meetings and
# reports; the web chat's sessions and history
from db import console_models, listening_models, webchat_models  # noqa: E402,F401,I001
