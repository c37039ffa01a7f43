"""Staff actions on residents' questions and reports (the inbox), shared by `loaso inbox …`
and the console: look at one, set its status, tag it with the pack's topics, flag it
"nhạy cảm" (the staff on duty hear at once), answer it (the answer goes back to the
resident with the PA- receipt, through the same outbox path as answers to comments), and
propose a correction that is published, once approved, as an article in "Kiểm chứng thông
tin".

Tags and the flag belong to the message: nothing here reads or writes anything about the
resident who sent it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from content.pack import Pack
from content.text import match_code
from db import audit, roles
from db import inquiries as inquiry_queries
from db.listening_models import Correction, CorrectionStatus, Inquiry, InquiryStatus
from db.models import Priority
from handlers import texts
from scheduler import notices

ANSWER_MAX = 3000
TITLE_MAX = 200
CORRECTION_MAX = 20000


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def status_code(given: str) -> InquiryStatus:
    """The status as staff type it: the code or the Vietnamese name, with or without marks."""
    code = match_code(given or "", texts.PA_STATUSES)
    if code is None:
        listed = ", ".join(texts.PA_STATUSES.values())
        raise ActionRefused(f"Trạng thái không hợp lệ: {given}. Có: {listed}")
    return InquiryStatus(code)


def kind_code(given: str) -> str:
    code = match_code(given or "", texts.PA_KINDS)
    if code is None:
        raise ActionRefused(f"Loại không hợp lệ: {given}. Có: "
                            + ", ".join(texts.PA_KINDS.values()))
    return code


def check_tags(pack: Pack, given: list[str]) -> list[str]:
    """Tags are the pack's topic ids (or names); anything else is refused."""
    known = {topic.id: topic.name for topic in pack.campaign.topics}
    tags = []
    for tag in given:
        code = match_code(tag.strip(), known)
        if code is None:
            raise ActionRefused(f"Không có chủ đề {tag} trong gói nội dung. Có: "
                                + ", ".join(known))
        tags.append(code)
    return list(dict.fromkeys(tags))


async def find(session: AsyncSession, receipt: str) -> Inquiry:
    inquiry = await inquiry_queries.find_by_receipt(session, receipt or "")
    if inquiry is None:
        raise ActionRefused(f"Không có phản ánh mã {receipt}.")
    return inquiry


async def view(session: AsyncSession, receipt: str, *, who: audit.Who, now: datetime) -> Inquiry:
    """One question or report in full (its text may name people): audited."""
    inquiry = await find(session, receipt)
    await audit.record(session, who, "inquiry.view", now=now, target=inquiry.receipt)
    return inquiry


async def set_status(session: AsyncSession, receipt: str, *, status: str, who: audit.Who,
                     now: datetime) -> Inquiry:
    code = status_code(status)
    inquiry = await find(session, receipt)
    before = inquiry.status
    inquiry.status, inquiry.handled_by, inquiry.updated_at = code, who.name, now
    await audit.record(session, who, "inquiry.status", now=now, target=inquiry.receipt,
                       details={"from": before, "to": code})
    return inquiry


async def set_tags(session: AsyncSession, pack: Pack, receipt: str, *, tags: list[str],
                   who: audit.Who, now: datetime) -> Inquiry:
    checked = check_tags(pack, tags)
    inquiry = await find(session, receipt)
    inquiry.tags, inquiry.updated_at = checked, now
    await audit.record(session, who, "inquiry.tags", now=now, target=inquiry.receipt,
                       details={"tags": checked})
    return inquiry


def _tag_names(pack: Pack | None, tags: list[str]) -> str:
    names = {topic.id: topic.name for topic in pack.campaign.topics} if pack else {}
    return ", ".join(names.get(tag, tag) for tag in tags) or texts.PA_NO_TAGS


async def set_sensitive(session: AsyncSession, pack: Pack, receipt: str, *, sensitive: bool,
                        who: audit.Who, now: datetime) -> tuple[Inquiry, int]:
    """Flag (or unflag) a message "nhạy cảm". Flagging tells every staff and admin account
    in chat at once; returns the message and how many were told."""
    inquiry = await find(session, receipt)
    told = 0
    if sensitive and not inquiry.sensitive:
        alert = texts.PA_SENSITIVE_ALERT.format(
            receipt=inquiry.receipt, kind=texts.PA_KINDS[inquiry.kind],
            tags=_tag_names(pack, inquiry.tags))
        for user_id in await roles.staff_user_ids(session):
            told += await notices.queue_notice(session, user_id, alert, now=now,
                                               batch=f"pa-alert:{inquiry.id}",
                                               priority=Priority.REPLY)
    inquiry.sensitive, inquiry.updated_at = sensitive, now
    await audit.record(session, who, "inquiry.sensitive", now=now, target=inquiry.receipt,
                       details={"sensitive": sensitive, "told": told})
    return inquiry, told


@dataclass(frozen=True)
class Answered:
    receipt: str
    notified: bool
    correction_id: int | None


def check_answer(text: str | None, title: str | None = None,
                 body: str | None = None) -> tuple[str, str, str]:
    """The answer and the correction (title and body, both or neither) as they will be kept,
    or ActionRefused before any database work."""
    reply, title, body = _clean(text), _clean(title), _clean(body)
    if not reply:
        raise ActionRefused("Câu trả lời không được để trống.")
    if len(reply) > ANSWER_MAX:
        raise ActionRefused(f"Câu trả lời dài {len(reply)} ký tự; tối đa {ANSWER_MAX}.")
    if bool(title) != bool(body):
        raise ActionRefused("Bài kiểm chứng cần cả tiêu đề và nội dung.")
    if len(title) > TITLE_MAX or len(body) > CORRECTION_MAX:
        raise ActionRefused(f"Bài kiểm chứng: tiêu đề tối đa {TITLE_MAX} ký tự, nội dung tối "
                            f"đa {CORRECTION_MAX} ký tự.")
    return reply, title, body


async def answer(session: AsyncSession, receipt: str, *, text: str, who: audit.Who,
                 now: datetime, correction_title: str | None = None,
                 correction_body: str | None = None) -> Answered:
    """Record the answer, set "đã trả lời" and queue the notice to the resident (unless they
    deleted their data or stopped the bot). With a correction, it is proposed for approval
    (`approve_correction`), after which it is published for everyone."""
    reply, title, body = check_answer(text, correction_title, correction_body)
    inquiry = await find(session, receipt)
    correction = None
    if title:
        correction = Correction(inquiry_id=inquiry.id, title=title, body=body,
                                status=CorrectionStatus.PENDING, proposed_by=who.name,
                                created_at=now)
        session.add(correction)
        await session.flush()
    inquiry.answer, inquiry.answered_at, inquiry.handled_by = reply, now, who.name
    inquiry.status, inquiry.updated_at = InquiryStatus.ANSWERED, now
    notice = texts.PA_ANSWER_NOTICE.format(receipt=inquiry.receipt,
                                           kind=texts.PA_KINDS[inquiry.kind], answer=reply)
    if correction is not None:
        notice += texts.PA_CORRECTION_LINE.format(title=title)
    notified = await notices.queue_notice(session, inquiry.user_id, notice, now=now,
                                          batch=inquiry_queries.answer_batch(inquiry.id))
    await audit.record(session, who, "inquiry.answer", now=now, target=inquiry.receipt,
                       details={"notified": notified,
                                "correction": correction.id if correction else None})
    return Answered(inquiry.receipt, notified, correction.id if correction else None)


async def decide_correction(session: AsyncSession, correction_id: int, *, approve: bool,
                            who: audit.Who, now: datetime) -> Correction:
    """Approve (publish: every resident finds it in "Kiểm chứng thông tin" from the content
    store's next refresh) or reject a proposed correction."""
    correction = await session.get(Correction, correction_id)
    if correction is None:
        raise ActionRefused(f"Không có bài kiểm chứng số {correction_id}.")
    if correction.status != CorrectionStatus.PENDING:
        raise ActionRefused(f"Bài kiểm chứng số {correction_id} đã được xử lý trước đó.")
    correction.status = CorrectionStatus.PUBLISHED if approve else CorrectionStatus.REJECTED
    correction.decided_by = who.name
    if approve:
        correction.published_at = now
    await audit.record(session, who, "correction.publish" if approve else "correction.reject",
                       now=now, target=str(correction.id), details={"title": correction.title})
    return correction
