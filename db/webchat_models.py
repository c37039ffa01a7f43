"""The web chat's own tables: the browsers it handed a session to, and each conversation's
history, so that a reload, or a browser closed for a day, shows the conversation again and
receives what was sent while it was closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, BigId, Json, UTCDateTime, utcnow


class WebchatSession(Base):
    """A browser's session. The browser keeps a random token (localStorage); only its SHA-256
    is kept here, beside the resident's address, another random id (`users.address` of the
    `web` channel). Neither says anything about the person, their IP or their device."""

    __tablename__ = "webchat_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebchatMessage(Base):
    """One line of a web conversation, either side. `event_id` (the browser's id for what the
    resident typed or tapped) makes a resent message one line."""

    __tablename__ = "webchat_messages"
    __table_args__ = (
        UniqueConstraint("address", "event_id"),
        Index("ix_webchat_messages_address_id", "address", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(8))  # "resident" or "loaso"
    event_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)  # {"text", "buttons"?}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
