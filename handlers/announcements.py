"""Leaders' announcements (/thongbao); staff approve them with /duyet (handlers/approvals.py).

/thongbao: text → an audience among the leader's own groups and hamlets → preview with the
number of recipients and the priority ("Mức độ: thường", changed from the preview: a
"khẩn cấp" one leads the next loudspeaker bulletin) → "Gửi ngay" or "Hẹn giờ" (suggested
times, or `dd/mm hh:mm` typed in the campaign's time zone) → pending for staff, or scheduled.
The role is read again at every step and at the moment of sending, so a role revoked
mid-flow sends nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from pydantic import AliasChoices, Field
from sqlalchemy import select

from content.text import format_number, words
from db import roles
from db.models import Announcement, AnnouncementPriority, AnnouncementStatus
from delivery import announcements as announcement_service
from delivery import fanout
from handlers import texts
from handlers.consent import consent_to_write
from handlers.flow_data import FlowData
from handlers.menu import show_menu, stale
from handlers.paging import label, page_of
from handlers.router import Router, Step, Turn
from messages.types import Option, is_number

MAX_LENGTH = announcement_service.MAX_LENGTH
MINE_SHOWN = 5

_TYPED_TIME = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?\s+(\d{1,2})\s*[:hg]\s*(\d{2})$", re.IGNORECASE)
SUGGESTED_HOURS = (7, 19)  # morning and evening, when residents read their phones


class AnnouncementState(StrEnum):
    """Steps that wait for typed text."""

    TEXT = "thongbao.text"
    TIME = "thongbao.time"


class AnnouncementDraft(FlowData):
    """The announcement being written. `key` stays the same from the first step to the
    last; releases before typed flow data stored the fields as tb_key, tb_text, tb_audience."""

    flow = "tb"
    key: str = Field(validation_alias=AliasChoices("key", "tb_key"))
    text: str | None = Field(default=None, validation_alias=AliasChoices("text", "tb_text"))
    audience: str | None = Field(default=None,  # "all", "g:<group>" or "h:<hamlet>"
                                 validation_alias=AliasChoices("audience", "tb_audience"))
    priority: AnnouncementPriority = AnnouncementPriority.NORMAL


RoleStep = Callable[[Turn, roles.ActiveRole], Awaitable[None]]
DraftStep = Callable[[Turn, roles.ActiveRole, AnnouncementDraft], Awaitable[None]]


def vn_number(count: int) -> str:
    return format_number(count)


def actor(turn: Turn) -> str:
    return texts.TB_ACTOR.format(user=turn.user.id, channel=turn.inbound.channel)


async def role_or_refuse(turn: Turn, *, staff: bool = False) -> roles.ActiveRole | None:
    """The resident's role now, or None after a refusal.

    Residents get the plain refusal with no details; someone who was writing an
    announcement when their role was revoked is told that nothing was sent.
    """
    role = await roles.active_role(turn.session, turn.user.id)
    if not role or (staff and not role.is_staff):
        draft = AnnouncementDraft.load(turn.data)
        composing = not staff and draft is not None and draft.text is not None
        turn.goto(None)
        show_menu(turn, texts.TB_REVOKED if composing
                  else texts.NOT_FOR_YOU_STAFF if staff else texts.NOT_FOR_YOU)
        return None
    return role


def with_role(step: RoleStep) -> Step:
    """A /thongbao step, for someone whose role (read again now) lets them announce."""
    async def if_allowed(turn: Turn) -> None:
        role = await role_or_refuse(turn)
        if role is not None:
            await step(turn, role)
    return if_allowed


def composing(step: DraftStep) -> Step:
    """As `with_role`, for a step that needs the announcement's text already typed."""
    async def with_draft(turn: Turn, role: roles.ActiveRole) -> None:
        draft = AnnouncementDraft.load(turn.data)
        if draft is None or draft.text is None:
            stale(turn)
            return
        await step(turn, role, draft)
    return with_role(with_draft)


# -- audiences --------------------------------------------------------------------------------

def _choices(turn: Turn, role: roles.ActiveRole) -> list[Option]:
    """The audiences this role may pick, in pack order: staff anything, leaders their own."""
    campaign = turn.content.pack.campaign
    groups = {group.id: group.name for group in campaign.groups}
    hamlets = {hamlet.id: hamlet.name for hamlet in campaign.hamlets}
    options = []
    for code in announcement_service.audience_codes(
            turn.content.pack, staff=role.is_staff, groups=role.groups, areas=role.areas):
        kind, _, ref = code.partition(":")
        name = (texts.TB_EVERYONE if code == "all" else label(groups[ref]) if kind == "g"
                else label(texts.TB_WHOLE_HAMLET.format(name=hamlets[ref])))
        options.append(Option(name, f"tb:a:{code}"))
    return options


_audience = announcement_service.audience_from_code


def _allowed(turn: Turn, role: roles.ActiveRole, code: str) -> bool:
    """In the role's scope and still in the pack (a forged or stale choice is neither)."""
    return any(option.payload == f"tb:a:{code}" for option in _choices(turn, role))


# -- /thongbao --------------------------------------------------------------------------------

async def start(turn: Turn, role: roles.ActiveRole) -> None:
    """/thongbao, tb:new: the text is typed in thongbao.text."""
    choices = _choices(turn, role)
    if not choices:
        show_menu(turn, texts.TB_NO_SCOPE)
        return
    scope = ", ".join(option.label for option in choices[:6]) + ("…" if len(choices) > 6 else "")
    turn.say(texts.TB_START.format(scope=scope, limit=vn_number(MAX_LENGTH)),
             [Option(texts.TB_MINE_BUTTON, "tb:mine"), Option(texts.TB_CANCEL, "tb:cancel")])
    turn.goto(AnnouncementState.TEXT, AnnouncementDraft(key=secrets.token_hex(6)))


async def typed_text(turn: Turn, role: roles.ActiveRole) -> None:
    """The announcement's text, typed in thongbao.text; then the audience."""
    text = turn.inbound.text.strip()
    if len(text) > MAX_LENGTH:
        turn.say(texts.TB_TOO_LONG.format(count=vn_number(len(text)), limit=vn_number(MAX_LENGTH)),
                 [Option(texts.TB_CANCEL, "tb:cancel")])
        return
    if not words(text):
        turn.say(texts.TB_EMPTY, [Option(texts.TB_CANCEL, "tb:cancel")])
        return
    draft = (AnnouncementDraft.load(turn.data)
             or AnnouncementDraft(key=secrets.token_hex(6)))
    turn.goto(None, draft.model_copy(update={"text": text}))
    show_audiences(turn, role, 0)


def show_audiences(turn: Turn, role: roles.ActiveRole, page: int, lead: str = texts.TB_PICK_AUDIENCE
                   ) -> None:
    choices = _choices(turn, role)
    shown, more = page_of(choices, page)
    extra = [Option(texts.MORE, f"tb:ap:{page + 1}")] if more else []
    turn.say(lead, list(shown) + extra + [Option(texts.TB_CANCEL, "tb:cancel")])


async def audience_page(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:ap:<page>: more audiences."""
    show_audiences(turn, role, int(turn.value) if is_number(turn.value) else 0)


async def choose_audience(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:a:<audience>: then the preview."""
    code = turn.value
    if _audience(code) is None or not _allowed(turn, role, code):
        show_audiences(turn, role, 0, texts.TB_NOT_YOURS)
        return
    draft = draft.model_copy(update={"audience": code})
    turn.goto(None, draft)
    await preview(turn, role, draft)


async def preview(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    service = announcement_service
    pack = turn.content.pack
    audience = _audience(draft.audience or "")
    if audience is None:
        stale(turn)
        return
    count = await fanout.count_recipients(turn.session, audience)
    message = service.HEADER.format(author=service.author_label(pack, role, audience),
                                    text=draft.text)
    lines = [texts.TB_PREVIEW.format(
        message=message, audience=service.audience_label(pack, audience), count=vn_number(count))]
    if count == 0:
        lines.append(texts.TB_NOBODY_YET)
    name = service.PRIORITY_NAMES[draft.priority]
    lines.append(texts.TB_PRIORITY_LINE.format(name=name))
    if _needs_approval(turn, role):
        lines.append(texts.TB_NEEDS_APPROVAL)
    turn.say("\n\n".join(lines), [
        Option(texts.TB_SEND_NOW, "tb:now"), Option(texts.TB_SCHEDULE, "tb:later"),
        Option(texts.TB_PRIORITY_BUTTON.format(name=name), "tb:p"),
        Option(texts.TB_EDIT, "tb:edit"), Option(texts.TB_CANCEL, "tb:cancel")])


async def ask_priority(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:p: the three priorities, most urgent first."""
    if draft.audience is None:
        stale(turn)
        return
    turn.say(texts.TB_PICK_PRIORITY, [
        Option(texts.TB_PRIORITY_OPTION.format(name=name), f"tb:pr:{code}")
        for code, name in announcement_service.PRIORITY_NAMES.items()]
        + [Option(texts.TB_CANCEL, "tb:cancel")])


async def choose_priority(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:pr:<priority>: back to the preview with it."""
    if turn.value not in announcement_service.PRIORITY_NAMES or draft.audience is None:
        stale(turn)  # a forged or stale button
        return
    draft = draft.model_copy(update={"priority": AnnouncementPriority(turn.value)})
    turn.goto(None, draft)
    await preview(turn, role, draft)


def _needs_approval(turn: Turn, role: roles.ActiveRole) -> bool:
    return announcement_service.needs_approval(turn.content.pack, staff=role.is_staff)


async def edit(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:edit: the text is typed again."""
    turn.say(texts.TB_START.format(scope=", ".join(o.label for o in _choices(turn, role)[:6]),
                             limit=vn_number(MAX_LENGTH)), [Option(texts.TB_CANCEL, "tb:cancel")])
    turn.goto(AnnouncementState.TEXT, AnnouncementDraft(key=draft.key, priority=draft.priority))


async def cancel(turn: Turn, role: roles.ActiveRole) -> None:
    """tb:cancel."""
    turn.goto(None)
    show_menu(turn, texts.TB_CANCELLED)


# -- when ------------------------------------------------------------------------------------

def _suggestions(turn: Turn) -> list[datetime]:
    """The next morning and evening slots at least half an hour away (two or three)."""
    local_now = turn.now.astimezone(turn.zone)
    slots = []
    for days in range(3):
        day = local_now.date() + timedelta(days=days)
        for hour in SUGGESTED_HOURS:
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=turn.zone)
            if moment >= local_now + timedelta(minutes=30):
                slots.append(moment)
    return slots[:3]


def _slot_label(turn: Turn, moment: datetime) -> str:
    today = turn.now.astimezone(turn.zone).date()
    values = {"time": f"{moment:%H:%M}", "date": f"{moment:%d/%m}"}
    if moment.date() == today:
        return texts.TB_TODAY.format(**values)
    if moment.date() == today + timedelta(days=1):
        return texts.TB_TOMORROW.format(**values)
    return texts.TB_ON_DAY.format(**values)


def _example(turn: Turn) -> str:
    return f"{(turn.now.astimezone(turn.zone) + timedelta(days=1)):%d/%m} 07:30"


def _time_options(turn: Turn) -> list[Option]:
    return [Option(_slot_label(turn, moment), f"tb:at:{moment:%Y%m%d%H%M}")
            for moment in _suggestions(turn)] + [Option(texts.TB_CANCEL, "tb:cancel")]


async def ask_time(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:later: suggested times, or one typed in thongbao.time."""
    if draft.audience is None:
        stale(turn)
        return
    turn.say(texts.TB_PICK_TIME.format(example=_example(turn)), _time_options(turn))
    turn.goto(AnnouncementState.TIME, draft)


def parse_time(text: str, *, now: datetime, zone: tzinfo) -> datetime | None:
    """`dd/mm hh:mm` (or with the year) in the campaign's zone; None if it is not a time."""
    match = _TYPED_TIME.match(" ".join(text.split()))
    if not match:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        return datetime(int(year) if year else now.astimezone(zone).year, int(month), int(day),
                        int(hour), int(minute), tzinfo=zone)
    except ValueError:  # 31/02, 25:00...
        return None


async def _schedule(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft,
                    moment: datetime) -> None:
    problem = announcement_service.schedule_problem(moment, turn.now)
    if problem == "past":
        next_year = turn.now.astimezone(turn.zone).year + 1
        problem = texts.TB_PAST_TIME.format(when=turn.local(moment), year=next_year)
    elif problem == "too_far":
        problem = texts.TB_TOO_FAR
    if problem:
        turn.say(problem, _time_options(turn))
        turn.goto(AnnouncementState.TIME, draft)
        return
    await submit(turn, role, draft, moment)


async def typed_time(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """A time typed in thongbao.time (dd/mm hh:mm)."""
    moment = parse_time(turn.inbound.text, now=turn.now, zone=turn.zone)
    if moment is None:
        turn.say(texts.TB_BAD_TIME.format(text=turn.inbound.text[:40], example=_example(turn)),
                 _time_options(turn))
        return
    await _schedule(turn, role, draft, moment)


async def pick_time(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:at:<yyyymmddhhmm>: a suggested time."""
    try:
        moment = datetime.strptime(turn.value, "%Y%m%d%H%M").replace(tzinfo=turn.zone)
    except ValueError:
        stale(turn)
        return
    await _schedule(turn, role, draft, moment)


async def send_now(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft) -> None:
    """tb:now."""
    await submit(turn, role, draft, None)


async def submit(turn: Turn, role: roles.ActiveRole, draft: AnnouncementDraft,
                 send_at: datetime | None) -> None:
    """Store the announcement if the role, read for this very event, allows the audience."""
    service = announcement_service
    code = draft.audience or ""
    audience = _audience(code)
    if audience is None or draft.text is None:
        stale(turn)
        return
    if not _allowed(turn, role, code):  # the scope may have shrunk since the choice
        turn.goto(None)
        show_menu(turn, texts.TB_REVOKED)
        return
    if not consent_to_write(turn, refused=texts.TB_CANCELLED):
        return  # the author's link to the announcement is personal data too
    pack = turn.content.pack
    needs_approval = _needs_approval(turn, role)
    announcement = await service.submit(
        turn.session, pack, author_user_id=turn.user.id,
        author=service.author_label(pack, role, audience), text=draft.text,
        audience=audience, send_at=send_at, needs_approval=needs_approval, now=turn.now,
        priority=draft.priority)
    when = texts.TB_WHEN_AT.format(when=turn.local(send_at)) if send_at else texts.TB_WHEN_NOW
    done = (texts.TB_PENDING.format(id=announcement.id, when=when) if needs_approval else
            texts.TB_SCHEDULED.format(id=announcement.id, when=when,
                                audience=service.audience_label(pack, audience)))
    turn.goto(None)
    show_menu(turn, done)


async def mine(turn: Turn, role: roles.ActiveRole) -> None:
    """tb:mine: the leader's latest announcements with their state and delivery counts."""
    service = announcement_service
    rows = list((await turn.session.execute(
        select(Announcement).where(Announcement.author_user_id == turn.user.id)
        .order_by(Announcement.id.desc()).limit(MINE_SHOWN))).scalars())
    options = [Option(texts.TB_REFRESH, "tb:mine"), Option(texts.TB_NEW, "tb:new"),
               Option(texts.MENU, "menu:show")]
    if not rows:
        turn.say(texts.TB_MINE_NONE, options[1:])
        return
    items = []
    for announcement in rows:
        item = texts.TB_MINE_ITEM.format(
            id=announcement.id, status=service.STATUS_NAMES[announcement.status],
            when=turn.local(announcement.send_at or announcement.created_at),
            audience=service.audience_label(turn.content.pack, service.audience_of(announcement)),
            excerpt=service.excerpt(announcement.text))
        if announcement.fanned_out_at is not None or announcement.status in (
                AnnouncementStatus.SENDING, AnnouncementStatus.DONE, AnnouncementStatus.STOPPED):
            counts = await service.delivery(turn.session, announcement)
            item += "\n" + texts.TB_MINE_COUNTS.format(counts=service.counts_line(counts))
        if announcement.decision_note and announcement.status == AnnouncementStatus.REJECTED:
            item += "\n" + texts.TB_MINE_NOTE.format(note=announcement.decision_note)
        items.append(item)
    turn.say(texts.TB_MINE + "\n\n" + "\n\n".join(items), options)


def register(router: Router) -> None:
    router.command("thongbao", step=with_role(start))
    router.steps("tb", {
        "": with_role(start), "new": with_role(start), "ap": composing(audience_page),
        "a": composing(choose_audience), "now": composing(send_now),
        "later": composing(ask_time), "at": composing(pick_time), "edit": composing(edit),
        "p": composing(ask_priority), "pr": composing(choose_priority),
        "cancel": with_role(cancel), "mine": with_role(mine)})
    router.state(AnnouncementState.TEXT, step=with_role(typed_text))
    router.state(AnnouncementState.TIME, step=composing(typed_time))
