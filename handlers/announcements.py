"""Leaders' announcements (/thongbao); staff approve them with /duyet (handlers/approvals.py).

/thongbao: text → an audience among the leader's own groups and hamlets → preview with the
number of recipients → "Gửi ngay" or "Hẹn giờ" (suggested times, or `dd/mm hh:mm` typed in
the campaign's time zone) → pending for staff, or scheduled. The role is read again at every
step and at the moment of sending, so a role revoked mid-flow sends nothing.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from content.text import words
from db import roles
from db.models import Announcement, AnnouncementStatus
from delivery import announcements as announcement_service
from handlers import texts
from handlers.menu import show_menu
from handlers.news import stale
from handlers.paging import label, page_of
from handlers.router import Turn, router
from messages.types import Option

MAX_LENGTH = 2000  # Zalo's limit, the smallest of the channels: one message everywhere
MINE_SHOWN = 5

NOT_FOR_YOU = "Chức năng này không dành cho bạn."
TB_START = (
    "✍️ Soạn thông báo. Bạn gửi được tới: {scope}.\n\n"
    "Mời bạn gõ nội dung thông báo (tối đa {limit} ký tự)."
)
TB_NO_SCOPE = (
    "Gói nội dung hiện tại không còn nhóm hay thôn nào bạn phụ trách, nên chưa gửi được "
    "thông báo. Bạn liên hệ cán bộ xã."
)
TB_EMPTY = "Thông báo cần có nội dung bằng chữ. Mời bạn gõ lại."
TB_TOO_LONG = "Thông báo dài {count} ký tự, tối đa {limit}. Mời bạn rút gọn rồi gửi lại."
TB_PICK_AUDIENCE = "Gửi thông báo này tới ai? Mời bạn chọn:"
TB_EVERYONE = "Tất cả người đăng ký"
TB_WHOLE_HAMLET = "{name} (cả thôn)"
TB_NOT_YOURS = "Bạn chỉ gửi được thông báo tới nhóm và thôn mình phụ trách. Mời bạn chọn lại."
TB_PREVIEW = (
    "📝 Xem trước thông báo:\n\n{message}\n\n👥 Gửi tới: {audience} — hiện có {count} người nhận."
)
TB_NOBODY_YET = (
    "(Hiện chưa có ai trong nhóm này đăng ký nhận tin; người đăng ký trước lúc gửi vẫn "
    "nhận được.)"
)
TB_NEEDS_APPROVAL = "Thông báo sẽ được cán bộ xã duyệt trước khi gửi."
TB_SEND_NOW = "Gửi ngay"
TB_SCHEDULE = "Hẹn giờ"
TB_EDIT = "Sửa nội dung"
TB_CANCEL = "Hủy"
TB_PICK_TIME = (
    "⏰ Chọn giờ gửi, hoặc gõ thời điểm theo dạng ngày/tháng giờ:phút, ví dụ {example} "
    "(giờ Việt Nam)."
)
TB_TODAY = "{time} hôm nay ({date})"
TB_TOMORROW = "{time} ngày mai ({date})"
TB_ON_DAY = "{time} ngày {date}"
TB_BAD_TIME = (
    "Loa Số không đọc được thời điểm “{text}”. Mời bạn gõ theo dạng ngày/tháng giờ:phút, "
    "ví dụ {example}."
)
TB_PAST_TIME = (
    "Thời điểm {when} đã qua. Mời bạn chọn một thời điểm sau bây giờ (hẹn sang năm sau thì "
    "gõ thêm năm, ví dụ 05/01/{year} 07:30)."
)
TB_TOO_FAR = "Chỉ hẹn giờ được trong vòng một năm tới. Mời bạn chọn thời điểm khác."
TB_PENDING = (
    "📨 Đã gửi thông báo #{id} để cán bộ xã duyệt ({when}). Bạn sẽ nhận tin khi có kết quả. "
    "Xem tình trạng: /thongbao → “Thông báo đã gửi”."
)
TB_SCHEDULED = "✅ Thông báo #{id} đã được xếp lịch: {when}, tới {audience}."
TB_WHEN_NOW = "gửi ngay"
TB_WHEN_AT = "gửi lúc {when}"
TB_REVOKED = "Bạn không còn quyền gửi thông báo này, nên thông báo chưa được gửi đi."
TB_CANCELLED = "Đã hủy. Không có thông báo nào được gửi."
TB_MINE = "📋 Thông báo gần đây của bạn:"
TB_MINE_ITEM = "#{id} · {status} · {when}\nTới: {audience}\n«{excerpt}»"
TB_MINE_COUNTS = "Tin nhắn: {counts}."
TB_MINE_NOTE = "Ghi chú của cán bộ: {note}"
TB_MINE_NONE = "Bạn chưa gửi thông báo nào."
TB_MINE_BUTTON = "Thông báo đã gửi"
TB_REFRESH = "Làm mới"
TB_NEW = "Soạn thông báo mới"

_TYPED_TIME = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?\s+(\d{1,2})\s*[:hg]\s*(\d{2})$", re.IGNORECASE)
SUGGESTED_HOURS = (7, 19)  # morning and evening, when residents read their phones


class Step(StrEnum):
    """Steps that wait for typed text."""

    TEXT = "thongbao.text"
    TIME = "thongbao.time"


def vn_number(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def actor(turn: Turn) -> str:
    return f"cán bộ #{turn.user.id} ({turn.inbound.channel})"


async def role_or_refuse(turn: Turn, *, staff: bool = False) -> roles.ActiveRole | None:
    """The resident's role now, or None after a refusal.

    Residents get the plain refusal with no details; someone who was writing an
    announcement when their role was revoked is told that nothing was sent.
    """
    role = await roles.active_role(turn.session, turn.user.id)
    if not role or (staff and not role.is_staff):
        composing = not staff and "tb_text" in turn.data
        turn.goto(None)
        show_menu(turn, TB_REVOKED if composing else NOT_FOR_YOU)
        return None
    return role


# -- audiences --------------------------------------------------------------------------------

def _choices(turn: Turn, role: roles.ActiveRole) -> list[Option]:
    """The audiences this role may pick, in pack order: staff anything, leaders their own."""
    campaign = turn.content.pack.campaign
    options = [Option(TB_EVERYONE, "tb:a:all")] if role.is_staff else []
    options += [Option(label(group.name), f"tb:a:g:{group.id}") for group in campaign.groups
                if role.is_staff or group.id in role.groups]
    options += [Option(label(TB_WHOLE_HAMLET.format(name=hamlet.name)), f"tb:a:h:{hamlet.id}")
                for hamlet in campaign.hamlets if role.is_staff or hamlet.id in role.areas]
    return options


def _audience(code: str):
    """The audience a choice names ("all", "g:<group>", "h:<hamlet>"), or None."""
    fanout = announcement_service.fanout
    kind, _, ref = code.partition(":")
    if code == "all":
        return fanout.Audience(everyone=True)
    if kind == "g" and ref:
        return fanout.Audience(groups=(ref,))
    if kind == "h" and ref:
        return fanout.Audience(hamlets=(ref,))
    return None


def _allowed(turn: Turn, role: roles.ActiveRole, code: str) -> bool:
    """In the role's scope and still in the pack (a forged or stale choice is neither)."""
    return any(option.payload == f"tb:a:{code}" for option in _choices(turn, role))


# -- /thongbao --------------------------------------------------------------------------------

@router.command("thongbao")
@router.button("tb")
async def announcements(turn: Turn) -> None:
    """Dispatch tb:<step>:<args>; /thongbao starts a new announcement."""
    step, _, args = turn.value.partition(":")
    if turn.inbound.command == "thongbao":
        step, args = "", ""
    steps = {"": start, "new": start, "ap": audience_page, "a": choose_audience,
             "now": send_now, "later": ask_time, "at": pick_time, "edit": edit,
             "cancel": cancel, "mine": mine}
    step_function = steps.get(step)
    if step_function is None:
        stale(turn)
        return
    role = await role_or_refuse(turn)
    if role is not None:
        await step_function(turn, role, args)


async def start(turn: Turn, role: roles.ActiveRole, args: str = "") -> None:
    choices = _choices(turn, role)
    if not choices:
        show_menu(turn, TB_NO_SCOPE)
        return
    scope = ", ".join(option.label for option in choices[:6]) + ("…" if len(choices) > 6 else "")
    turn.say(TB_START.format(scope=scope, limit=vn_number(MAX_LENGTH)),
             [Option(TB_MINE_BUTTON, "tb:mine"), Option(TB_CANCEL, "tb:cancel")])
    turn.goto(Step.TEXT, tb_key=secrets.token_hex(6))


@router.state(Step.TEXT)
async def typed_text(turn: Turn) -> None:
    role = await role_or_refuse(turn)
    if role is None:
        return
    text = turn.inbound.text.strip()
    if len(text) > MAX_LENGTH:
        turn.say(TB_TOO_LONG.format(count=vn_number(len(text)), limit=vn_number(MAX_LENGTH)),
                 [Option(TB_CANCEL, "tb:cancel")])
        return
    if not words(text):
        turn.say(TB_EMPTY, [Option(TB_CANCEL, "tb:cancel")])
        return
    turn.data["tb_text"] = text
    turn.data.setdefault("tb_key", secrets.token_hex(6))
    turn.goto(None, **turn.data)
    show_audiences(turn, role, 0)


def show_audiences(turn: Turn, role: roles.ActiveRole, page: int, lead: str = TB_PICK_AUDIENCE
                   ) -> None:
    choices = _choices(turn, role)
    shown, more = page_of(choices, page)
    extra = [Option(texts.MORE, f"tb:ap:{page + 1}")] if more else []
    turn.say(lead, list(shown) + extra + [Option(TB_CANCEL, "tb:cancel")])


def _composing(turn: Turn) -> bool:
    if "tb_text" not in turn.data or "tb_key" not in turn.data:
        stale(turn)
        return False
    return True


async def audience_page(turn: Turn, role: roles.ActiveRole, args: str) -> None:
    if _composing(turn):
        show_audiences(turn, role, int(args) if args.isdigit() else 0)


async def choose_audience(turn: Turn, role: roles.ActiveRole, code: str) -> None:
    if not _composing(turn):
        return
    if _audience(code) is None or not _allowed(turn, role, code):
        show_audiences(turn, role, 0, TB_NOT_YOURS)
        return
    turn.data["tb_audience"] = code
    turn.goto(None, **turn.data)
    await preview(turn, role)


async def preview(turn: Turn, role: roles.ActiveRole) -> None:
    service = announcement_service
    pack = turn.content.pack
    audience = _audience(turn.data["tb_audience"])
    count = await service.fanout.count_recipients(turn.session, audience)
    message = service.HEADER.format(author=service.author_label(pack, role, audience),
                                    text=turn.data["tb_text"])
    lines = [TB_PREVIEW.format(message=message, audience=service.audience_label(pack, audience),
                               count=vn_number(count))]
    if count == 0:
        lines.append(TB_NOBODY_YET)
    if _needs_approval(turn, role):
        lines.append(TB_NEEDS_APPROVAL)
    turn.say("\n\n".join(lines), [Option(TB_SEND_NOW, "tb:now"), Option(TB_SCHEDULE, "tb:later"),
                                  Option(TB_EDIT, "tb:edit"), Option(TB_CANCEL, "tb:cancel")])


def _needs_approval(turn: Turn, role: roles.ActiveRole) -> bool:
    return turn.content.pack.campaign.announcements_need_approval and not role.is_staff


async def edit(turn: Turn, role: roles.ActiveRole, args: str = "") -> None:
    if not _composing(turn):
        return
    turn.say(TB_START.format(scope=", ".join(o.label for o in _choices(turn, role)[:6]),
                             limit=vn_number(MAX_LENGTH)), [Option(TB_CANCEL, "tb:cancel")])
    turn.goto(Step.TEXT, tb_key=turn.data["tb_key"])


async def cancel(turn: Turn, role: roles.ActiveRole, args: str = "") -> None:
    turn.goto(None)
    show_menu(turn, TB_CANCELLED)


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
        return TB_TODAY.format(**values)
    if moment.date() == today + timedelta(days=1):
        return TB_TOMORROW.format(**values)
    return TB_ON_DAY.format(**values)


def _example(turn: Turn) -> str:
    return f"{(turn.now.astimezone(turn.zone) + timedelta(days=1)):%d/%m} 07:30"


def _time_options(turn: Turn) -> list[Option]:
    return [Option(_slot_label(turn, moment), f"tb:at:{moment:%Y%m%d%H%M}")
            for moment in _suggestions(turn)] + [Option(TB_CANCEL, "tb:cancel")]


async def ask_time(turn: Turn, role: roles.ActiveRole, args: str = "") -> None:
    if not _composing(turn):
        return
    if "tb_audience" not in turn.data:
        stale(turn)
        return
    turn.say(TB_PICK_TIME.format(example=_example(turn)), _time_options(turn))
    turn.goto(Step.TIME, **turn.data)


def parse_time(text: str, *, now: datetime, zone) -> datetime | None:
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


async def _schedule(turn: Turn, role: roles.ActiveRole, moment: datetime) -> None:
    problem = None
    if moment <= turn.now:
        next_year = turn.now.astimezone(turn.zone).year + 1
        problem = TB_PAST_TIME.format(when=turn.local(moment), year=next_year)
    elif moment > turn.now + timedelta(days=366):
        problem = TB_TOO_FAR
    if problem:
        turn.say(problem, _time_options(turn))
        turn.goto(Step.TIME, **turn.data)
        return
    await submit(turn, role, moment)


@router.state(Step.TIME)
async def typed_time(turn: Turn) -> None:
    role = await role_or_refuse(turn)
    if role is None or not _composing(turn):
        return
    moment = parse_time(turn.inbound.text, now=turn.now, zone=turn.zone)
    if moment is None:
        turn.say(TB_BAD_TIME.format(text=turn.inbound.text[:40], example=_example(turn)),
                 _time_options(turn))
        return
    await _schedule(turn, role, moment)


async def pick_time(turn: Turn, role: roles.ActiveRole, stamp: str) -> None:
    if not _composing(turn):
        return
    try:
        moment = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=turn.zone)
    except ValueError:
        stale(turn)
        return
    await _schedule(turn, role, moment)


async def send_now(turn: Turn, role: roles.ActiveRole, args: str = "") -> None:
    if _composing(turn):
        await submit(turn, role, None)


async def submit(turn: Turn, role: roles.ActiveRole, send_at: datetime | None) -> None:
    """Store the announcement if the role, read for this very event, allows the audience."""
    service = announcement_service
    code = turn.data.get("tb_audience", "")
    if _audience(code) is None:
        stale(turn)
        return
    if not _allowed(turn, role, code):  # the scope may have shrunk since the choice
        turn.goto(None)
        show_menu(turn, TB_REVOKED)
        return
    pack = turn.content.pack
    audience = _audience(code)
    needs_approval = _needs_approval(turn, role)
    announcement = await service.submit(
        turn.session, pack, author_user_id=turn.user.id,
        author=service.author_label(pack, role, audience), text=turn.data["tb_text"],
        audience=audience, send_at=send_at, needs_approval=needs_approval, now=turn.now)
    when = TB_WHEN_AT.format(when=turn.local(send_at)) if send_at else TB_WHEN_NOW
    done = (TB_PENDING.format(id=announcement.id, when=when) if needs_approval else
            TB_SCHEDULED.format(id=announcement.id, when=when,
                                audience=service.audience_label(pack, audience)))
    turn.goto(None)
    show_menu(turn, done)


async def mine(turn: Turn, role: roles.ActiveRole, args: str = "") -> None:
    """The leader's latest announcements with their state and delivery counts."""
    service = announcement_service
    rows = list((await turn.session.execute(
        select(Announcement).where(Announcement.author_user_id == turn.user.id)
        .order_by(Announcement.id.desc()).limit(MINE_SHOWN))).scalars())
    options = [Option(TB_REFRESH, "tb:mine"), Option(TB_NEW, "tb:new"),
               Option(texts.MENU, "menu:show")]
    if not rows:
        turn.say(TB_MINE_NONE, options[1:])
        return
    items = []
    for announcement in rows:
        item = TB_MINE_ITEM.format(
            id=announcement.id, status=service.STATUS_NAMES[announcement.status],
            when=turn.local(announcement.send_at or announcement.created_at),
            audience=service.audience_label(turn.content.pack, service.audience_of(announcement)),
            excerpt=service.excerpt(announcement.text))
        if announcement.fanned_out_at is not None or announcement.status in (
                AnnouncementStatus.SENDING, AnnouncementStatus.DONE, AnnouncementStatus.STOPPED):
            counts = await service.delivery(turn.session, announcement)
            item += "\n" + TB_MINE_COUNTS.format(counts=service.counts_line(counts))
        if announcement.decision_note and announcement.status == AnnouncementStatus.REJECTED:
            item += "\n" + TB_MINE_NOTE.format(note=announcement.decision_note)
        items.append(item)
    turn.say(TB_MINE + "\n\n" + "\n\n".join(items), options)
