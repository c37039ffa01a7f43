"""Recording a meeting ("Ghi buổi sinh hoạt", /hop) for leaders and staff: where a chi bộ or
organisation spread the word, for the campaign report.

Flow: home (new, or one of their meetings still editable) → date → hamlet or group (their
own) → topic → attendance → comments gathered → notes → preview "Lưu" / "Hủy". Every value is
checked when typed with the same checks staff's commands use (db.meetings), and again on
saving; an edit goes through the same form, prefilled.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from content.text import format_number
from db import meetings as meeting_rules
from db import roles
from db.audit import Who
from db.comments import Scope
from db.listening_models import Meeting
from db.meetings import MeetingInput, MeetingRefused
from handlers import texts
from handlers.announcements import actor, role_or_refuse
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import label
from handlers.router import Router, Turn
from messages.types import Option

_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
NOTES_SHOWN = 300


class Step(StrEnum):
    DATE = "hop.date"
    ATTENDANCE = "hop.attendance"
    COMMENTS = "hop.comments"
    NOTES = "hop.notes"


class Recording(FlowData):
    flow = "hop"
    key: str
    edit: int | None = None  # the meeting being edited
    held_on: dt.date | None = None
    hamlet: str | None = None
    group: str | None = None
    topic: str | None = None
    attendance: int | None = None
    comments: int = 0
    notes: str | None = None


CANCEL = Option(texts.HOP_CANCEL, "hop:cancel")


def _scope(role: roles.ActiveRole) -> Scope | None:
    return None if role.is_staff else Scope(role.areas, role.groups)


def _today(turn: Turn) -> dt.date:
    return turn.now.astimezone(turn.zone).date()


async def _refused(turn: Turn, check: Callable[[], Any]) -> bool:
    """Run a check from db.meetings; on refusal say why (the resident stays where they are)."""
    try:
        check()
    except MeetingRefused as refused:
        turn.say(str(refused), [CANCEL])
        return True
    return False


async def home(turn: Turn) -> None:
    """/hop: a new meeting, or one of theirs recorded in the last 7 days."""
    if await role_or_refuse(turn) is None:
        return
    since = turn.now - dt.timedelta(days=meeting_rules.EDIT_DAYS)
    mine = (await turn.session.execute(select(Meeting).where(
        Meeting.author_user_id == turn.user.id, Meeting.created_at >= since)
        .order_by(Meeting.id.desc()).limit(5))).scalars()
    options = [Option(texts.HOP_NEW, "hop:new")] + [
        Option(texts.HOP_EDIT_ITEM.format(id=meeting.id, day=f"{meeting.held_on:%d/%m/%Y}"),
               f"hop:edit:{meeting.id}") for meeting in mine]
    turn.say(texts.HOP_HOME, options + [CANCEL])
    turn.goto(None)


async def new(turn: Turn) -> None:
    """hop:new."""
    if await role_or_refuse(turn) is None:
        return
    ask_date(turn, Recording(key=secrets.token_hex(6)))


async def edit(turn: Turn) -> None:
    """hop:edit:<id>: the form again, prefilled; saving checks it is theirs and recent."""
    if await role_or_refuse(turn) is None:
        return
    meeting = (await turn.session.get(Meeting, int(turn.value))
               if turn.value.isdigit() else None)
    if meeting is None or meeting.author_user_id != turn.user.id:
        stale(turn)
        return
    ask_date(turn, Recording(key=secrets.token_hex(6), edit=meeting.id,
                             held_on=meeting.held_on, hamlet=meeting.hamlet_id,
                             group=meeting.group_id, topic=meeting.topic_id,
                             attendance=meeting.attendance, comments=meeting.comments_gathered,
                             notes=meeting.notes))


def ask_date(turn: Turn, recording: Recording) -> None:
    turn.say(texts.HOP_ASK_DATE, [Option(texts.HOP_TODAY, "hop:today"), CANCEL])
    turn.goto(Step.DATE, recording)


def _recording(turn: Turn) -> Recording | None:
    recording = Recording.load(turn.data)
    if recording is None:
        stale(turn)
    return recording


async def typed_date(turn: Turn) -> None:
    """hop.date: dd/mm/yyyy."""
    match = _DATE.match(turn.inbound.text)
    try:
        day = dt.date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        day = None
    if day is None:
        turn.say(texts.HOP_BAD_DATE.format(text=turn.inbound.text[:40]), [CANCEL])
        return
    await take_date(turn, day)


async def today(turn: Turn) -> None:
    """hop:today."""
    await take_date(turn, _today(turn))


async def take_date(turn: Turn, day: dt.date) -> None:
    if (recording := _recording(turn)) is None:
        return
    if await _refused(turn, lambda: meeting_rules.check_day(turn.content.pack, day, _today(turn))):
        return
    role = await role_or_refuse(turn)
    if role is None:
        return
    pack = turn.content.pack
    hamlets = [hamlet for hamlet in pack.campaign.hamlets
               if role.is_staff or hamlet.id in role.areas]
    groups = [group for group in pack.campaign.groups if role.is_staff or group.id in role.groups]
    options = ([Option(label(hamlet.name), f"hop:at:h:{hamlet.id}") for hamlet in hamlets]
               + [Option(label(group.name), f"hop:at:g:{group.id}") for group in groups])
    turn.say(texts.HOP_ASK_PLACE, options + [CANCEL])
    turn.goto(None, recording.model_copy(update={"held_on": day}))


async def choose_place(turn: Turn) -> None:
    """hop:at:h:<hamlet> or hop:at:g:<group>: one of theirs (checked again: buttons can be old)."""
    if (recording := _recording(turn)) is None or recording.held_on is None:
        return stale(turn) if recording else None
    role = await role_or_refuse(turn)
    if role is None:
        return
    kind, _, ref = turn.value.partition(":")
    hamlet, group = (ref, None) if kind == "h" else (None, ref)
    if await _refused(turn, lambda: meeting_rules.check_place(turn.content.pack, hamlet, group,
                                                               _scope(role))):
        return
    topics = turn.content.pack.campaign.topics
    turn.say(texts.HOP_ASK_TOPIC, [Option(label(topic.name), f"hop:t:{topic.id}")
                                   for topic in topics] + [CANCEL])
    turn.goto(None, recording.model_copy(update={"hamlet": hamlet, "group": group}))


async def choose_topic(turn: Turn) -> None:
    """hop:t:<topic>."""
    if (recording := _recording(turn)) is None:
        return
    if turn.value not in turn.content.pack.topics or (recording.hamlet or recording.group) is None:
        stale(turn)
        return
    turn.say(texts.HOP_ASK_ATTENDANCE, [CANCEL])
    turn.goto(Step.ATTENDANCE, recording.model_copy(update={"topic": turn.value}))


def _number(turn: Turn) -> int | None:
    text = turn.inbound.text.strip().replace(".", "").replace(",", "")
    if not re.fullmatch(r"-?\d{1,7}", text):
        turn.say(texts.HOP_BAD_NUMBER.format(text=turn.inbound.text[:40]), [CANCEL])
        return None
    return int(text)


async def typed_attendance(turn: Turn) -> None:
    """hop.attendance."""
    if (recording := _recording(turn)) is None or (count := _number(turn)) is None:
        return
    if await _refused(turn, lambda: meeting_rules.check_attendance(count)):
        return
    turn.say(texts.HOP_ASK_COMMENTS, [Option(texts.HOP_SKIP, "hop:nc"), CANCEL])
    turn.goto(Step.COMMENTS, recording.model_copy(update={"attendance": count}))


async def typed_comments(turn: Turn) -> None:
    """hop.comments."""
    if (count := _number(turn)) is not None:
        await take_comments(turn, count)


async def no_comments(turn: Turn) -> None:
    """hop:nc: none counted."""
    await take_comments(turn, 0)


async def take_comments(turn: Turn, count: int) -> None:
    if (recording := _recording(turn)) is None:
        return
    if await _refused(turn, lambda: meeting_rules.check_comments(count)):
        return
    turn.say(texts.HOP_ASK_NOTES, [Option(texts.HOP_SKIP, "hop:nn"), CANCEL])
    turn.goto(Step.NOTES, recording.model_copy(update={"comments": count}))


async def typed_notes(turn: Turn) -> None:
    """hop.notes."""
    await take_notes(turn, turn.inbound.text.strip()[:meeting_rules.NOTES_MAX])


async def no_notes(turn: Turn) -> None:
    """hop:nn."""
    await take_notes(turn, None)


async def take_notes(turn: Turn, notes: str | None) -> None:
    if (recording := _recording(turn)) is None:
        return
    recording = recording.model_copy(update={"notes": notes or None})
    pack = turn.content.pack
    places = {**{h.id: h.name for h in pack.campaign.hamlets},
              **{g.id: g.name for g in pack.campaign.groups}}
    place = " — ".join(places[ref] for ref in (recording.hamlet, recording.group) if ref)
    shown = recording.notes or texts.HOP_NO_NOTES
    turn.say(texts.HOP_PREVIEW.format(
        day=f"{recording.held_on:%d/%m/%Y}", place=place, topic=pack.topics[recording.topic].name,
        attendance=format_number(recording.attendance or 0),
        comments=format_number(recording.comments or 0),
        notes=shown if len(shown) <= NOTES_SHOWN else shown[:NOTES_SHOWN - 1] + "…"),
        [Option(texts.HOP_SAVE, f"hop:save:{recording.key}"), CANCEL])
    turn.goto(None, recording)


async def save(turn: Turn) -> None:
    """hop:save:<key>: record (or change) the meeting, all checks again."""
    recording = Recording.load(turn.data)
    if (recording is None or recording.key != turn.value or recording.attendance is None
            or recording.held_on is None or recording.topic is None):
        stale(turn)
        return
    role = await role_or_refuse(turn)
    if role is None:
        return
    given = MeetingInput(held_on=recording.held_on, topic_id=recording.topic,
                         attendance=recording.attendance, hamlet_id=recording.hamlet,
                         group_id=recording.group, comments_gathered=recording.comments,
                         notes=recording.notes)
    who = Who(actor(turn), address=turn.inbound.channel)
    options: dict[str, Any] = dict(scope=_scope(role), who=who, today=_today(turn), now=turn.now)
    try:
        if recording.edit is None:
            meeting = await meeting_rules.record_meeting(
                turn.session, turn.content.pack, given, author=actor(turn),
                author_user_id=turn.user.id, **options)
            done = texts.HOP_SAVED
        else:
            changes = {name: getattr(given, name) for name in given.__dataclass_fields__}
            meeting = await meeting_rules.edit_meeting(
                turn.session, turn.content.pack, recording.edit, changes, editor=actor(turn),
                editor_user_id=turn.user.id, **options)
            done = texts.HOP_EDITED
    except MeetingRefused as refused:
        show_menu(turn, str(refused))
        turn.goto(None)
        return
    show_menu(turn, done.format(id=meeting.id))
    turn.goto(None)


async def cancel(turn: Turn) -> None:
    show_menu(turn, texts.HOP_CANCELLED)
    turn.goto(None)


def register(router: Router) -> None:
    router.command("hop", step=home)
    router.steps("hop", {"": home, "new": new, "edit": edit, "today": today,
                         "at": choose_place, "t": choose_topic, "nc": no_comments,
                         "nn": no_notes, "save": save, "cancel": cancel})
    router.state(Step.DATE, step=typed_date)
    router.state(Step.ATTENDANCE, step=typed_attendance)
    router.state(Step.COMMENTS, step=typed_comments)
    router.state(Step.NOTES, step=typed_notes)
