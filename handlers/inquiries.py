"""Questions and reports ("Hỏi – Phản ánh", /phananh): a resident asks what the FAQ does not
answer, reports a rumour or hostile post, or makes a proposal; staff answer by the receipt.

Flow: kind → text (a photo with a caption, or a link inside the text, may come along) →
preview "Gửi" / "Hủy" → receipt PA-…, given only after the row is committed. Anonymous: no
name is asked; the resident is kept only to bring the answer back.
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum

from content.text import format_number, words
from db import inquiries as inquiry_queries
from db.listening_models import Inquiry, InquiryKind, InquiryStatus
from handlers import texts
from handlers.consent import ask_consent
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.router import Router, Turn
from messages.types import InboundKind, Option

MAX_LENGTH = 4000
# Telegram's Bot API hands files to bots up to 20 MB (getFile); a larger photo could never
# be looked at by staff, so it is refused at once.
PHOTO_MAX_BYTES = 20 * 1024 * 1024
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
LINK_LENGTH = 500


class Step(StrEnum):
    TEXT = "phananh.text"


class Asking(FlowData):
    """A question or report being written. `key` makes "Gửi" pressed twice one report."""

    flow = "pa"
    kind: InquiryKind
    key: str
    text: str | None = None
    link: str | None = None
    photo: str | None = None


async def start(turn: Turn) -> None:
    """/phananh, pa:start: consent if missing, then the kinds."""
    if not turn.has_consent:
        turn.say(texts.PA_NEEDS_CONSENT)
        ask_consent(turn, resume="pa:start", refused=texts.PA_CONSENT_REFUSED)
        return
    options = [Option(label, f"pa:k:{kind}") for kind, label in texts.PA_KINDS.items()]
    turn.say(texts.PA_INTRO, options + [Option(texts.PA_CANCEL, "pa:cancel")])
    turn.goto(None)


async def choose_kind(turn: Turn) -> None:
    """pa:k:<kind>."""
    if turn.value not in texts.PA_KINDS or not turn.has_consent:
        stale(turn)
        return
    asking = Asking(kind=InquiryKind(turn.value), key=secrets.token_hex(6))
    turn.say(texts.PA_TYPE_TEXT.format(kind=texts.PA_KINDS[asking.kind],
                                       limit=format_number(MAX_LENGTH)),
             [Option(texts.PA_CANCEL, "pa:cancel")])
    turn.goto(Step.TEXT, asking)


def text_problem(text: str) -> str | None:
    """Why this text cannot be taken, in words for the resident; None if it can."""
    if len(text) > MAX_LENGTH:
        return texts.PA_TOO_LONG.format(count=format_number(len(text)),
                                        limit=format_number(MAX_LENGTH))
    if not words(text):
        return texts.PA_NO_WORDS
    return None


async def typed_text(turn: Turn) -> None:
    """Text, or a photo (with its caption), sent in phananh.text; a sticker or voice note
    sent here is answered as an empty text."""
    asking = Asking.load(turn.data)
    if asking is None:
        stale(turn)
        return
    inbound = turn.inbound
    cancel = [Option(texts.PA_CANCEL, "pa:cancel")]
    if inbound.photo:
        if (inbound.photo_bytes or 0) > PHOTO_MAX_BYTES:
            turn.say(texts.PA_PHOTO_TOO_BIG.format(
                size=format_number((inbound.photo_bytes or 0) / 1024 / 1024, 1),
                limit=format_number(PHOTO_MAX_BYTES // 1024 // 1024)), cancel)
            return
        asking = asking.model_copy(update={"photo": inbound.photo})
        if not inbound.text and not asking.text:
            turn.say(texts.PA_PHOTO_NEEDS_TEXT, cancel)
            turn.goto(Step.TEXT, asking)
            return
    elif inbound.kind == InboundKind.UNSUPPORTED:  # a sticker, a voice note…
        turn.say(texts.PA_NO_WORDS, cancel)
        return
    text = inbound.text.strip() or asking.text or ""
    problem = text_problem(text)
    if problem:
        turn.say(problem, cancel)
        return
    link = _LINK.search(text)
    preview(turn, asking.model_copy(update={
        "text": text, "link": link.group(0)[:LINK_LENGTH] if link else None}))


def preview(turn: Turn, asking: Asking) -> None:
    extra = (texts.PA_PHOTO_LINE if asking.photo else "") + (
        texts.PA_LINK_LINE.format(link=asking.link) if asking.link else "")
    turn.say(texts.PA_PREVIEW.format(kind=texts.PA_KINDS[asking.kind], text=asking.text,
                                     extra=extra),
             [Option(texts.PA_SEND, f"pa:send:{asking.key}"), Option(texts.PA_CANCEL, "pa:cancel")])
    turn.goto(None, asking)


async def cancel(turn: Turn) -> None:
    """pa:cancel."""
    show_menu(turn, texts.PA_CANCELLED)
    turn.goto(None)


async def send(turn: Turn) -> None:
    """pa:send:<key>: commit the report, then (and only then) give the receipt."""
    submission = f"{turn.user.id}:{turn.value}"
    earlier = await inquiry_queries.find_by_submission(turn.session, submission)
    if earlier is not None:
        turn.say(texts.PA_ALREADY_SENT.format(receipt=earlier.receipt))
        return
    asking = Asking.load(turn.data)
    if asking is None or asking.key != turn.value or not asking.text:
        stale(turn)
        return
    row = Inquiry(receipt=await inquiry_queries.unused_receipt(turn.session),
                  submission_key=submission, kind=asking.kind, text=asking.text,
                  link=asking.link, photo=asking.photo, user_id=turn.user.id,
                  source=turn.inbound.channel, status=InquiryStatus.NEW, tags=[],
                  sensitive=False, created_at=turn.now, updated_at=turn.now)
    if not await turn.add_once(row):
        earlier = await inquiry_queries.find_by_submission(turn.session, submission)
        turn.say(texts.PA_ALREADY_SENT.format(receipt=earlier.receipt if earlier else "?"))
        return
    show_menu(turn, texts.PA_RECEIPT.format(receipt=row.receipt))
    turn.goto(None)


def register(router: Router) -> None:
    router.command("phananh", step=start)
    router.steps("pa", {"": start, "start": start, "k": choose_kind, "send": send,
                        "cancel": cancel})
    router.state(Step.TEXT, step=typed_text, photos=True)
    router.menu_item(texts.MENU_ASK, "pa:start", order=45)
