"""Meetings where chi bộ and organisations spread the word ("tuyên truyền miệng"), recorded
by a leader in chat (/hop), by staff with `loaso meetings` or on the console: one set of
checks for all of them (bot.actions.meetings wraps them for staff). The author may edit a
meeting for 7 days; every change is audited.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from content.pack import Pack
from content.text import format_number
from db import audit
from db.comments import Scope
from db.listening_models import Meeting


class MeetingRefused(ValueError):
    """The meeting cannot be recorded or changed as given; the message says why."""


MAX_ATTENDANCE = 5000  # more than the commune's largest hall: a typing mistake
MAX_COMMENTS = 5000
NOTES_MAX = 2000
EDIT_DAYS = 7


@dataclass(frozen=True)
class MeetingInput:
    held_on: dt.date
    topic_id: str
    attendance: int
    hamlet_id: str | None = None
    group_id: str | None = None
    comments_gathered: int = 0
    notes: str | None = None


def campaign_start(pack: Pack) -> dt.date:
    """The first day of the campaign's first phase."""
    return min(window.starts for window in pack.windows)


def check_day(pack: Pack, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise MeetingRefused(f"Ngày họp {day:%d/%m/%Y} ở tương lai; chỉ ghi buổi đã họp.")
    start = campaign_start(pack)
    if day < start:
        raise MeetingRefused(f"Ngày họp {day:%d/%m/%Y} trước khi đợt tuyên truyền bắt đầu "
                             f"({start:%d/%m/%Y}).")


def check_attendance(count: int) -> None:
    if count < 0 or count > MAX_ATTENDANCE:
        raise MeetingRefused(f"Số người dự {format_number(count)} không hợp lý; từ 0 đến "
                             f"{format_number(MAX_ATTENDANCE)}.")


def check_comments(count: int) -> None:
    if count < 0 or count > MAX_COMMENTS:
        raise MeetingRefused(f"Số ý kiến thu được {format_number(count)} không hợp lý; từ 0 "
                             f"đến {format_number(MAX_COMMENTS)}.")


def check_place(pack: Pack, hamlet_id: str | None, group_id: str | None,
                scope: Scope | None) -> None:
    """A known hamlet or group (or both); for a leader (`scope`), one of their own."""
    hamlets = {hamlet.id for hamlet in pack.campaign.hamlets}
    groups = {group.id for group in pack.campaign.groups}
    if not hamlet_id and not group_id:
        raise MeetingRefused("Cần ghi thôn hoặc chi bộ/tổ chức đã họp.")
    if hamlet_id and hamlet_id not in hamlets:
        raise MeetingRefused(f"Không có thôn mã {hamlet_id}. Có: {', '.join(sorted(hamlets))}")
    if group_id and group_id not in groups:
        raise MeetingRefused(f"Không có tổ chức mã {group_id}. Có: {', '.join(sorted(groups))}")
    if scope is not None:
        # a hamlet is theirs if they hold it, or if their group held the meeting there
        hamlet_ok = hamlet_id is None or hamlet_id in scope.areas or group_id in scope.groups
        if not (hamlet_ok and (group_id is None or group_id in scope.groups)):
            raise MeetingRefused("Bạn chỉ ghi được buổi sinh hoạt của thôn, chi bộ hay tổ chức "
                                 "mình phụ trách.")


def check_topic(pack: Pack, topic_id: str) -> None:
    if topic_id not in pack.topics:
        raise MeetingRefused(f"Không có chủ đề mã {topic_id}. Có: {', '.join(pack.topics)}")


def check_meeting(pack: Pack, given: MeetingInput, *, today: dt.date,
                  scope: Scope | None = None) -> MeetingInput:
    """The meeting as it will be kept, or MeetingRefused saying what is wrong (before any
    database work). `scope`: a leader's hamlets and groups; None for staff."""
    check_day(pack, given.held_on, today)
    check_attendance(given.attendance)
    check_comments(given.comments_gathered)
    check_topic(pack, given.topic_id)
    check_place(pack, given.hamlet_id, given.group_id, scope)
    notes = unicodedata.normalize("NFC", given.notes or "").strip() or None
    if notes and len(notes) > NOTES_MAX:
        raise MeetingRefused(f"Ghi chú dài {len(notes)} ký tự; tối đa {NOTES_MAX}.")
    return replace(given, notes=notes)


def _stored(given: MeetingInput) -> dict[str, Any]:
    values = asdict(given)
    values["held_on"] = given.held_on.isoformat()
    return values


async def record_meeting(session: AsyncSession, pack: Pack, given: MeetingInput, *,
                         author: str, author_user_id: int | None, scope: Scope | None,
                         who: audit.Who, today: dt.date, now: dt.datetime) -> Meeting:
    checked = check_meeting(pack, given, today=today, scope=scope)
    meeting = Meeting(**asdict(checked), author=author[:100], author_user_id=author_user_id,
                      created_at=now, updated_at=now)
    session.add(meeting)
    await session.flush()
    await audit.record(session, who, "meeting.add", now=now, target=f"#{meeting.id}",
                       details=_stored(checked))
    return meeting


async def find(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingRefused(f"Không có buổi sinh hoạt số {meeting_id}.")
    return meeting


def current(meeting: Meeting) -> MeetingInput:
    return MeetingInput(held_on=meeting.held_on, topic_id=meeting.topic_id,
                        attendance=meeting.attendance, hamlet_id=meeting.hamlet_id,
                        group_id=meeting.group_id, comments_gathered=meeting.comments_gathered,
                        notes=meeting.notes)


async def edit_meeting(session: AsyncSession, pack: Pack, meeting_id: int, changes: dict[str, Any], *,
                       editor: str, editor_user_id: int | None, scope: Scope | None,
                       who: audit.Who, today: dt.date, now: dt.datetime) -> Meeting:
    """Change some fields of a meeting: only its author (the same chat account, or for a
    meeting entered by staff the same name), and only for EDIT_DAYS days after recording."""
    meeting = await find(session, meeting_id)
    own = (meeting.author_user_id == editor_user_id if meeting.author_user_id is not None
           else editor_user_id is None and meeting.author == editor)
    if not own:
        raise MeetingRefused(f"Chỉ người đã ghi buổi sinh hoạt số {meeting_id} "
                            f"({meeting.author}) được sửa.")
    if now - meeting.created_at > dt.timedelta(days=EDIT_DAYS):
        raise MeetingRefused(f"Buổi sinh hoạt số {meeting_id} ghi đã quá {EDIT_DAYS} ngày; "
                            "không sửa được nữa.")
    before = current(meeting)
    checked = check_meeting(pack, replace(before, **changes), today=today, scope=scope)
    changed = {name: value for name, value in _stored(checked).items()
               if _stored(before)[name] != value}
    for name, value in asdict(checked).items():
        setattr(meeting, name, value)
    meeting.updated_at = now
    await audit.record(session, who, "meeting.edit", now=now, target=f"#{meeting.id}",
                       details={"changed": changed})
    return meeting


async def meetings_page(session: AsyncSession, *, offset: int = 0,
                        limit: int = 30) -> tuple[list[Meeting], int]:
    """Latest meeting first, with the total for paging."""
    total = (await session.execute(select(func.count()).select_from(Meeting))).scalar_one()
    rows = await session.execute(select(Meeting).order_by(
        Meeting.held_on.desc(), Meeting.id.desc()).offset(offset).limit(limit))
    return list(rows.scalars()), total
