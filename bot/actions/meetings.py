"""Staff actions on meetings (`loaso meetings`, the console): the checks and writes of
db.meetings, shared with the /hop chat flow, refused in the actions' own way."""

from __future__ import annotations

from bot.actions import ActionRefused
from db import meetings
from db.meetings import MeetingInput  # noqa: F401  (the input of both actions)


async def record_meeting(session, pack, given, **options):
    try:
        return await meetings.record_meeting(session, pack, given, **options)
    except meetings.MeetingRefused as refused:
        raise ActionRefused(str(refused)) from None


async def edit_meeting(session, pack, meeting_id, changes, **options):
    try:
        return await meetings.edit_meeting(session, pack, meeting_id, changes, **options)
    except meetings.MeetingRefused as refused:
        raise ActionRefused(str(refused)) from None
