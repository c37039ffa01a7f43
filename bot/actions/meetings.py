"""Staff actions on meetings (`loaso meetings`, the console): the checks and writes of
db.meetings, shared with the /hop chat flow, refused in the actions' own way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import ActionRefused
from content.pack import Pack
from db import audit, meetings
from db.comments import Scope
from db.listening_models import Meeting
from db.meetings import MeetingInput as MeetingInput  # re-exported: the input of both actions


async def record_meeting(session: AsyncSession, pack: Pack, given: MeetingInput, *,
                         author: str, author_user_id: int | None, scope: Scope | None,
                         who: audit.Who, today: dt.date, now: dt.datetime) -> Meeting:
    try:
        return await meetings.record_meeting(
            session, pack, given, author=author, author_user_id=author_user_id, scope=scope,
            who=who, today=today, now=now)
    except meetings.MeetingRefused as refused:
        raise ActionRefused(str(refused)) from None


async def edit_meeting(session: AsyncSession, pack: Pack, meeting_id: int,
                       changes: dict[str, Any], *, editor: str, editor_user_id: int | None,
                       scope: Scope | None, who: audit.Who, today: dt.date,
                       now: dt.datetime) -> Meeting:
    try:
        return await meetings.edit_meeting(
            session, pack, meeting_id, changes, editor=editor, editor_user_id=editor_user_id,
            scope=scope, who=who, today=today, now=now)
    except meetings.MeetingRefused as refused:
        raise ActionRefused(str(refused)) from None
