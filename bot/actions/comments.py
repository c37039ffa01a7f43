"""Staff actions on comments, shared by `loaso comments …` and the console's comment desk:
look at one (audited: it may show a signed name), set a status with a note (one or many),
mark a duplicate of another comment, answer the resident, import a meeting's sheet.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from bot.reports.labels import status_label
from bot.reports.meeting_import import Imported, Sheet, import_rows
from content.pack import Pack
from db import audit
from db import comments as comment_queries
from db.listening_models import Meeting
from db.models import Comment, CommentStatus
from scheduler import notices

# mới → đã xem → tiếp thu / không tiếp thu / trùng lặp / không hợp lệ (spam)
REVIEW_STATUSES = (CommentStatus.SEEN, CommentStatus.ACCEPTED, CommentStatus.NOT_ACCEPTED,
                   CommentStatus.DUPLICATE, CommentStatus.SPAM)
DECISIONS = (CommentStatus.ACCEPTED, CommentStatus.NOT_ACCEPTED)
ANSWER_MAX = 3000
NOTE_MAX = 2000
BULK_MAX = 200  # one page of the queue at most, with room to spare


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _note(note: str | None) -> str | None:
    note = _clean(note)
    if len(note) > NOTE_MAX:
        raise ActionRefused(f"Ghi chú dài {len(note)} ký tự; tối đa {NOTE_MAX}.")
    return note or None


def _status(status: str) -> CommentStatus:
    from content.text import match_code

    status = match_code(status, {code: status_label(code) for code in REVIEW_STATUSES}) or status
    if status not in REVIEW_STATUSES:
        raise ActionRefused(f"Trạng thái không hợp lệ: {status}. Có: "
                            + ", ".join(f"{code} ({status_label(code)})" for code in REVIEW_STATUSES))
    return CommentStatus(status)


async def find(session: AsyncSession, receipt: str) -> Comment:
    comment = await comment_queries.find_by_receipt(session, receipt or "")
    if comment is None:
        raise ActionRefused(f"Không có góp ý mã {receipt}.")
    return comment


def _not_withdrawn(comment: Comment) -> None:
    if comment.status == CommentStatus.WITHDRAWN:
        raise ActionRefused(f"Người góp ý đã rút lại góp ý {comment.receipt}; "
                            "không đổi trạng thái, không trả lời được.")


def _set_status(comment: Comment, status: CommentStatus, note: str | None, by: str,
                now: datetime) -> None:
    comment.status, comment.reviewed_by, comment.updated_at = status, by, now
    if status != CommentStatus.DUPLICATE:
        comment.duplicate_of = None
    if note is not None:
        comment.staff_note = note


async def view_comment(session: AsyncSession, receipt: str, *, who: audit.Who,
                       now: datetime) -> Comment:
    """One comment in full (it may carry a signed name and a hamlet): audited."""
    comment = await find(session, receipt)
    await audit.record(session, who, "comment.view", now=now, target=comment.receipt)
    return comment


async def review_comment(session: AsyncSession, receipt: str, *, status: str,
                         note: str | None, who: audit.Who, now: datetime) -> Comment:
    """Set a comment's status; a note given replaces the internal note (blank clears it)."""
    status = _status(status)
    cleaned = None if note is None else _note(note)
    comment = await find(session, receipt)
    _not_withdrawn(comment)
    before = comment.status
    _set_status(comment, status, None, who.name, now)
    if note is not None:
        comment.staff_note = cleaned
    await audit.record(session, who, "comment.status", now=now, target=comment.receipt,
                       details={"from": before, "to": status, "note": cleaned is not None})
    return comment


async def review_comments(session: AsyncSession, receipts: list[str], *, status: str,
                          note: str | None, who: audit.Who, now: datetime) -> list[Comment]:
    """The same status (and note, if given) for a selection: all of them, or none."""
    status, note = _status(status), _note(note)
    wanted = list(dict.fromkeys(receipt.strip().upper() for receipt in receipts if receipt.strip()))
    if not wanted:
        raise ActionRefused("Chưa chọn góp ý nào.")
    if len(wanted) > BULK_MAX:
        raise ActionRefused(f"Chọn nhiều nhất {BULK_MAX} góp ý một lần.")
    comments = await comment_queries.find_by_receipts(session, wanted)
    found = {comment.receipt for comment in comments}
    missing = [receipt for receipt in wanted if receipt not in found]
    if missing:
        raise ActionRefused(f"Không có góp ý mã {', '.join(missing)}.")
    withdrawn = [comment.receipt for comment in comments
                 if comment.status == CommentStatus.WITHDRAWN]
    if withdrawn:
        raise ActionRefused(f"Người góp ý đã rút lại {', '.join(withdrawn)}; bỏ chọn các góp ý "
                            "này rồi làm lại (chưa góp ý nào được đổi).")
    for comment in comments:
        _set_status(comment, status, note, who.name, now)
    await audit.record(session, who, "comment.status_bulk", now=now,
                       target=f"{len(comments)} góp ý",
                       details={"to": status, "receipts": [c.receipt for c in comments]})
    return comments


async def mark_duplicate(session: AsyncSession, receipt: str, *, of: str, note: str | None,
                         who: audit.Who, now: datetime) -> Comment:
    """Status "trùng lặp", pointing at the comment it repeats (on the same draft). A comment
    that repeats a duplicate points at that one's original."""
    note = _note(note)
    comment = await find(session, receipt)
    _not_withdrawn(comment)
    original = await comment_queries.find_by_receipt(session, of or "")
    if original is None:
        raise ActionRefused(f"Không có góp ý mã {of or '(trống)'} để đánh dấu trùng với.")
    if original.duplicate_of is not None:
        original = await session.get(Comment, original.duplicate_of) or original
    if original.id == comment.id:
        raise ActionRefused("Một góp ý không thể trùng với chính nó.")
    if original.draft_id != comment.draft_id:
        raise ActionRefused(f"{original.receipt} góp ý cho dự thảo khác; chỉ đánh dấu trùng "
                            "giữa các góp ý cùng một dự thảo.")
    _set_status(comment, CommentStatus.DUPLICATE, note, who.name, now)
    comment.duplicate_of = original.id
    await audit.record(session, who, "comment.duplicate", now=now, target=comment.receipt,
                       details={"of": original.receipt})
    return comment


def check_answer(text: str | None, decision: str | None) -> str:
    """The answer as it will be sent, or ActionRefused (checked before any database work)."""
    if decision is not None and decision not in DECISIONS:
        raise ActionRefused(f"Quyết định không hợp lệ: {decision}. Có: {', '.join(DECISIONS)}")
    reply = _clean(text)
    if not reply:
        raise ActionRefused("Câu trả lời không được để trống.")
    if len(reply) > ANSWER_MAX:
        raise ActionRefused(f"Câu trả lời dài {len(reply)} ký tự; tối đa {ANSWER_MAX}.")
    return reply


async def answer_comment(session: AsyncSession, pack: Pack, receipt: str, *, text: str,
                         decision: str | None, who: audit.Who,
                         now: datetime) -> notices.AnswerOutcome:
    """Record the answer (and decision) and queue the notice that carries it to the resident
    through the outbox, unless they deleted their data or stopped the bot."""
    reply = check_answer(text, decision)
    comment = await find(session, receipt)
    _not_withdrawn(comment)
    outcome = await notices.answer_comment(session, pack, receipt=comment.receipt, answer=reply,
                                           decision=decision, by=who.name, now=now)
    assert outcome is not None  # the comment was found above, in this transaction
    await audit.record(session, who, "comment.answer", now=now, target=comment.receipt,
                       details={"decision": decision, "notified": outcome.notified})
    return outcome


async def import_meeting_sheet(session: AsyncSession, pack: Pack, sheet: Sheet, *,
                               file_name: str, who: audit.Who, now: datetime,
                               meeting_id: int | None = None) -> Imported:
    """A checked sheet (bot.reports.meeting_import.read_sheet) without errors, all rows in the
    caller's transaction; rows imported before are counted, not added again. With
    `meeting_id`, the comments are linked to that recorded meeting."""
    if sheet.errors:
        raise ActionRefused(f"Không nhập dòng nào: {len(sheet.errors)} dòng có lỗi.")
    if meeting_id is not None and await session.get(Meeting, meeting_id) is None:
        raise ActionRefused(f"Không có buổi sinh hoạt số {meeting_id} (xem: loaso meetings list).")
    imported = await import_rows(session, pack, sheet, by=who.name, file_name=file_name, now=now,
                                 meeting_id=meeting_id)
    await audit.record(session, who, "meeting.import", now=now, target=file_name[:200],
                       details={"rows": imported.count, "already": imported.already,
                                "per_draft": dict(imported.per_draft), "meeting": meeting_id})
    return imported
