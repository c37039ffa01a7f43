"""Neutral message types: what every channel turns its events into, what flows answer with,
and what a channel can show."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    FOLLOW = "follow"  # a resident follows the bot: greet them
    RESUMED = "resumed"  # a resident unblocked the bot: deliver again, say nothing
    STOPPED = "stopped"  # blocked the bot or unfollowed: deliver nothing more
    UNSUPPORTED = "unsupported"  # photo, sticker, voice...: answered politely
    IGNORED = "ignored"  # edits, group and channel posts: acknowledged, nothing else


# The `what` of an IGNORED event the channel could not read (counted apart in /metrics).
NOT_UNDERSTOOD = "not understood"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One event from a resident, already verified and stripped of platform types."""

    channel: str
    event_id: str  # the platform's id for this event: the dedupe key
    address: str | None  # where replies go (chat id); None for events with no resident
    kind: InboundKind
    text: str = ""  # NFC-normalised text, or the command's argument string
    command: str | None = None  # lower-case command name without the slash
    button: str | None = None  # opaque payload of the pressed button
    button_ack: str | None = None  # platform handle to acknowledge the press, if any
    # The platform's id of the message whose button was pressed (where the channel can
    # edit a message it sent: Capabilities.edits_messages).
    message_ref: str | None = None
    what: str = ""  # short description for logs (never message content)
    # an UNSUPPORTED event that is a photo: the platform's handle ("telegram:<file_id>") and
    # its size, for the one step that takes one (a /phananh report); `text` is its caption
    photo: str | None = None
    photo_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the resident: a button, or a numbered line where there are none."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What a flow answers. `change`: this reply is the screen just pressed, changed (a topic
    ticked): a channel that edits messages redraws that message; elsewhere only `change` is
    sent, not the whole list again (the options still count for typed numbers)."""

    text: str
    options: tuple[Option, ...] = field(default_factory=tuple)
    change: str | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel can show; rendering and fan-out decide by it, never by channel name."""

    buttons: bool
    max_text_length: int
    max_buttons: int = 8
    max_button_payload_bytes: int = 64
    edits_messages: bool = False  # can redraw a message it sent (Telegram editMessageText)
    # Zalo OA may only message a resident within this long of their last message; bulk
    # outside it is skipped, not attempted. None: no such window.
    reply_window: timedelta | None = None
    # sends a file as a document (the campaign report); where False, a link is sent instead
    files: bool = False


# What PostgreSQL cannot store in text (NUL) or encode (a lone surrogate, which JSON's
# "\ud800" escapes can produce): removed, or replaced by U+FFFD.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(value: str) -> str:
    return _UNSTORABLE.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", value)


def storable(event: Inbound) -> Inbound:
    """The event with every string cleaned of what the database refuses (a redelivered
    event would otherwise fail the same way each time)."""
    fields: dict[str, Any] = {name: _clean(value) for name in ("event_id", "address", "text", "command",
                                               "button", "button_ack", "what")
              if isinstance(value := getattr(event, name), str) and _UNSTORABLE.search(value)}
    return replace(event, **fields) if fields else event


_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)


def is_number(text: str) -> bool:
    """ASCII digits only. str.isdigit() also says yes to "²" and "①", which int() refuses:
    typed text and button payloads are checked with this before int()."""
    return text.isascii() and text.isdigit()


def normalize_text(text: str) -> str:
    """NFC plus trimmed, so decomposed input from some keyboards matches stored text."""
    return unicodedata.normalize("NFC", _clean(text)).strip()


def text_event(channel: str, event_id: str, address: str, raw: str, *, what: str = "") -> Inbound:
    """Classify typed text as a command or plain text, the same way for every channel."""
    text = normalize_text(raw)
    match = _COMMAND.match(text)
    if match:
        return Inbound(channel, event_id, address, InboundKind.COMMAND,
                       text=(match.group(2) or "").strip(), command=match.group(1).lower(),
                       what=what or "command")
    return Inbound(channel, event_id, address, InboundKind.TEXT, text=text, what=what or "text")
