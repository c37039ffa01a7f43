"""Tables of the staff web console: accounts, their sessions and one-time sign-in links, failed
sign-ins (for the throttle) and the audit log. Plain data, like db/models.py, which imports
this module at its end so that `Base.metadata` always holds these tables too.

Secrets are never stored as they are: a session cookie and a sign-in link are kept as their
SHA-256, a password as its Argon2id hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, Json, UTCDateTime, utcnow


class StaffAccount(Base):
    """Someone who signs in to /admin: an admin, a staff member or a leader.

    An account made by `loaso staff add` carries its own role and, for a leader, its groups
    and hamlets (the same ids as a chat role). An account made for a resident who holds a
    chat role (`/dangnhap`) is linked by `user_id` and takes its role and scope from that
    resident's chat role at every request, so revoking the chat role closes the console too.
    """

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(8))  # db.models.Role
    groups: Mapped[list[str]] = mapped_column(Json, default=list)
    areas: Mapped[list[str]] = mapped_column(Json, default=list)  # hamlet ids
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None: sign-in links only
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_by: Mapped[str | None] = mapped_column(String(100))


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is here."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))  # echoed in every form of the session
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginLink(Base):
    """A one-time sign-in link (`/dangnhap`): bound to one account, short-lived, used once."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """One failed sign-in, counted per account name and per address by the throttle."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_kind_key_at", "kind", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # account, address
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Append-only: who did what, when, from where; every change and every view of personal
    data made in the console or by a staff command."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    account_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_accounts.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(100))  # the name as it was at that moment
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    address: Mapped[str] = mapped_column(String(64))  # the browser's address, or "cli"


class ExportJob(Base):
    """A file of comments the console makes in the background (an export or a report): who
    asked, with what, how far it got, and the file while it is kept. Only the account that
    asked (or an admin) may download it; each download is audited."""

    __tablename__ = "export_jobs"
    __table_args__ = (Index("ix_export_jobs_account_id_created_at", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff_accounts.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(100))  # the name, as the export audit keeps it
    kind: Mapped[str] = mapped_column(String(20))  # csv, xlsx, report-docx, report-xlsx
    request: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # the form, checked
    description: Mapped[str] = mapped_column(String(500), default="")  # the filters in words
    status: Mapped[str] = mapped_column(String(12), index=True)  # queued … done, failed, expired
    total: Mapped[int | None] = mapped_column(Integer)  # comments to write, once counted
    progress: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(120))  # what the browser saves
    stored_name: Mapped[str | None] = mapped_column(String(120))  # in the private folder
    error: Mapped[str | None] = mapped_column(Text)
    runner: Mapped[str] = mapped_column(String(80))  # the process that runs it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ContentEdit(Base):
    """One saved version of one content-pack file edited in the console (the overlay).

    The newest version of each path is laid over the pack on disk (content.loader.PackFiles).
    Versions count up per path from 1; the unique (path, version) makes the second of two
    saves made from the same version fail, which is the console's optimistic lock.
    `base_sha256` is the SHA-256 of the file on disk when the edit was made (None: no such
    file), so a later change on disk is noticed instead of silently hidden.
    """

    __tablename__ = "content_edits"
    __table_args__ = (UniqueConstraint("path", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    path: Mapped[str] = mapped_column(String(200), index=True)  # "articles/x.md"
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")  # what was done, in words
    edited_by: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
