"""Announcements from leaders and staff: submit, decide, release at their time, finish.

The leader who wrote one, and the staff who approve, hear of each step through queued
notices (bulk priority, like answers to comments). Releasing claims each due announcement
with a guarded status update, so two schedulers never both fan out the same one; fan-out is
idempotent per batch, so one interrupted by a crash is completed by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.registry import capabilities_of
from content.pack import Pack
from db import outbox as outbox_queries
from db import roles
from db.base import rows_changed
from db.engine import Database
from db.models import (
    Announcement,
    AnnouncementPriority,
    AnnouncementStatus,
    Priority,
    User,
    UserStatus,
)
from delivery import fanout
from messages.render import render_reply
from messages.types import Reply

# A fan-out takes seconds; one claimed this long ago without finishing lost its process.
RESUME_AFTER = timedelta(minutes=10)
# A pushed message stays within 600 characters (issue 16): the text, plus the header
# "📢 Thông báo của <author>" (HEADER) within the other 100. Chat, console and CLI share it;
# it is well inside Zalo's 2,000, the smallest platform limit.
MAX_LENGTH = 500
REASON_LENGTH = 500  # a rejection's reason, read by the leader in chat
FARTHEST = timedelta(days=366)  # a time further ahead than this is surely a typo

STATUS_NAMES: dict[str, str] = {
    AnnouncementStatus.PENDING: "chờ duyệt",
    AnnouncementStatus.SCHEDULED: "đã lên lịch",
    AnnouncementStatus.SENDING: "đang gửi",
    AnnouncementStatus.DONE: "đã gửi xong",
    AnnouncementStatus.REJECTED: "không được duyệt",
    AnnouncementStatus.CANCELLED: "đã hủy",
    AnnouncementStatus.STOPPED: "đã dừng",
}
# In reading order, most urgent first: the loudspeaker bulletin reads "khẩn cấp" first, flagged
# (issue 19); in chat every priority reaches residents the same way.
PRIORITY_NAMES: dict[str, str] = {
    AnnouncementPriority.URGENT: "khẩn cấp",
    AnnouncementPriority.HIGH: "ưu tiên",
    AnnouncementPriority.NORMAL: "thường",
}
HEADER = "📢 Thông báo của {author}\n\n{text}"
EVERYONE = "mọi người đăng ký nhận tin"
TO_GROUP = "người nhận tin của {name}"
TO_HAMLET = "người nhận tin ở {name}"
TO_TOPIC = "người đăng ký chủ đề “{name}”"
LEADER_OF = "Người phụ trách {names}"
COUNTS = "đã gửi {sent}, đang chờ {queued}, lỗi {failed}, đã dừng {stopped}"
STAFF_PENDING = (
    "🕑 Thông báo #{id}{priority} của {author} đang chờ duyệt: gửi tới {audience} (khoảng "
    "{count} người), {when}.\nGõ /duyet để xem và duyệt."
)
PRIORITY_MARK = " ({name})"  # after the number, for any priority but the ordinary one
WHEN_NOW = "gửi ngay khi được duyệt"
WHEN_AT = "hẹn gửi lúc {when}"
AUTHOR_APPROVED = "✅ Thông báo #{id} của bạn đã được duyệt. {when}"
AUTHOR_APPROVED_NOW = "Loa Số sẽ gửi trong ít phút."
AUTHOR_APPROVED_AT = "Loa Số sẽ gửi lúc {when}."
AUTHOR_REJECTED = "❌ Thông báo #{id} của bạn không được duyệt.{reason}\n\nNội dung: «{excerpt}»"
AUTHOR_REASON = " Lý do: {reason}"
AUTHOR_CANCELLED = "Thông báo #{id} của bạn đã được cán bộ hủy, không gửi đi."
AUTHOR_LOST_ROLE = ("người viết không còn vai trò được gửi thông báo tới những người nhận này, "
                    "nên thông báo đã được hủy, không gửi đi")
DECIDED_BY_LOA_SO = "Loa Số (kiểm tra vai trò)"
AUTHOR_STOPPED = (
    "Thông báo #{id} của bạn đã được cán bộ dừng khi đang gửi: {sent} tin đã gửi, "
    "{stopped} tin không gửi nữa."
)


def batch_of(announcement_id: int) -> str:
    return f"announcement:{announcement_id}"


def local_time(pack: Pack, moment: datetime) -> str:
    return moment.astimezone(pack.zone).strftime("%H:%M ngày %d/%m/%Y")


def excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def audience_of(announcement: Announcement) -> fanout.Audience:
    return fanout.Audience.from_json(announcement.audience or {})


def audience_label(pack: Pack, audience: fanout.Audience) -> str:
    """The audience in words, by the names residents know (ids the pack lost stay as ids)."""
    if audience.everyone:
        return EVERYONE
    groups = {group.id: group.name for group in pack.campaign.groups}
    hamlets = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    parts = [TO_GROUP.format(name=groups.get(ref, ref)) for ref in audience.groups]
    parts += [TO_TOPIC.format(name=pack.topics[ref].name if ref in pack.topics else ref)
              for ref in audience.topics]
    parts += [TO_HAMLET.format(name=hamlets.get(ref, ref)) for ref in audience.hamlets]
    return "; ".join(parts)


class Composer(Protocol):
    """Who writes an announcement, as far as its sender's name goes: a chat role
    (db.roles.ActiveRole) or the console's author (bot.actions.announcements.Author)."""

    @property
    def is_staff(self) -> bool: ...
    @property
    def groups(self) -> tuple[str, ...]: ...
    @property
    def areas(self) -> tuple[str, ...]: ...


def author_label(pack: Pack, role: Composer, audience: fanout.Audience) -> str:
    """Who residents see as the sender: the commune for staff, the group for a leader."""
    if role.is_staff:
        return pack.campaign.organisation.name[:100]
    groups = {group.id: group.name for group in pack.campaign.groups}
    hamlets = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    named = [groups[ref] for ref in audience.groups or role.groups if ref in groups]
    if named:
        return ", ".join(named)[:100]
    return LEADER_OF.format(names=", ".join(hamlets.get(ref, ref) for ref in role.areas))[:100]


def needs_approval(pack: Pack, *, staff: bool) -> bool:
    return pack.campaign.announcements_need_approval and not staff


# -- what an author may choose ----------------------------------------------------------------
# An audience choice is a short code, the same in chat buttons and console forms:
# "all", "g:<group id>" or "h:<hamlet id>".

def audience_codes(pack: Pack, *, staff: bool, groups: tuple[str, ...] = (),
                   areas: tuple[str, ...] = ()) -> list[str]:
    """The audiences an author may pick, in pack order: staff anything, leaders their own
    groups and hamlets (ids the pack no longer has are not offered)."""
    codes = ["all"] if staff else []
    codes += [f"g:{group.id}" for group in pack.campaign.groups if staff or group.id in groups]
    codes += [f"h:{hamlet.id}" for hamlet in pack.campaign.hamlets if staff or hamlet.id in areas]
    return codes


def audience_from_code(code: str) -> fanout.Audience | None:
    """The audience a choice names, or None for anything else."""
    kind, _, ref = code.partition(":")
    if code == "all":
        return fanout.Audience(everyone=True)
    if kind == "g" and ref:
        return fanout.Audience(groups=(ref,))
    if kind == "h" and ref:
        return fanout.Audience(hamlets=(ref,))
    return None


def schedule_problem(moment: datetime, now: datetime) -> str | None:
    """"past" or "too_far" when a chosen send time cannot be used; None when it can."""
    if moment <= now:
        return "past"
    if moment > now + FARTHEST:
        return "too_far"
    return None


def counts_line(counts: dict[str, int]) -> str:
    return COUNTS.format(**counts)


# -- notices -------------------------------------------------------------------------------

async def notify(session: AsyncSession, user_id: int | None, text: str, now: datetime) -> bool:
    """Queue a notice to one resident, unless they are gone or blocked the bot."""
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None or user.status != UserStatus.ACTIVE:
        return False
    for payload in render_reply(Reply(text), capabilities_of(user.channel)):
        session.add(outbox_queries.new_message(
            channel=user.channel, recipient=user.address, user_id=user.id, payload=payload,
            priority=Priority.BULK, now=now))
    return True


# -- submitting and deciding ---------------------------------------------------------------

def priority_mark(priority: str) -> str:
    """" (khẩn cấp)" / " (ưu tiên)" after an announcement's number; nothing for "thường"."""
    if priority == AnnouncementPriority.NORMAL or priority not in PRIORITY_NAMES:
        return ""
    return PRIORITY_MARK.format(name=PRIORITY_NAMES[priority])


async def submit(session: AsyncSession, pack: Pack, *, author_user_id: int | None,
                 author: str, text: str, audience: fanout.Audience,
                 send_at: datetime | None, needs_approval: bool,
                 now: datetime, priority: str = AnnouncementPriority.NORMAL) -> Announcement:
    """Store an announcement: pending (staff are told) or straight to the schedule."""
    if priority not in PRIORITY_NAMES:
        raise ValueError(f"unknown announcement priority {priority!r}")
    status = AnnouncementStatus.PENDING if needs_approval else AnnouncementStatus.SCHEDULED
    announcement = Announcement(author_user_id=author_user_id, author=author, text=text,
                                audience=audience.to_json(), status=status, send_at=send_at,
                                created_at=now, priority=priority)
    session.add(announcement)
    await session.flush()
    if needs_approval:
        notice = STAFF_PENDING.format(
            id=announcement.id, priority=priority_mark(priority), author=author,
            audience=audience_label(pack, audience),
            count=await fanout.count_recipients(session, audience),
            when=WHEN_AT.format(when=local_time(pack, send_at)) if send_at else WHEN_NOW)
        for staff_id in await roles.staff_user_ids(session):
            if staff_id != author_user_id:
                await notify(session, staff_id, notice, now)
    return announcement


@dataclass(frozen=True)
class Change:
    """What a staff decision did: `done` is False when the announcement was not in a state
    that allows it (already decided by someone else, already sent...)."""

    announcement: Announcement | None
    done: bool
    refused: str | None = None  # why it could not be done, beyond its status (in Vietnamese)

    @property
    def moved(self) -> Announcement:
        """The announcement, once `done` (what was moved exists)."""
        assert self.announcement is not None
        return self.announcement


async def _move(session: AsyncSession, announcement_id: int, allowed: tuple[str, ...],
                **values: Any) -> Change:
    # Guarded: two staff pressing at once, or a decision racing the scheduler, change it once.
    moved = await session.execute(
        update(Announcement).where(Announcement.id == announcement_id,
                                   Announcement.status.in_(allowed))
        .values(**values).execution_options(synchronize_session=False))
    announcement = await session.get(Announcement, announcement_id, populate_existing=True)
    return Change(announcement, rows_changed(moved) == 1)


async def author_may_send(session: AsyncSession, announcement: Announcement) -> bool:
    """Whether the author's role, read now, still covers the audience. An announcement
    written by staff from the CLI or console has no author user: nothing to lose."""
    if announcement.author_user_id is None:
        return True
    role = await roles.active_role(session, announcement.author_user_id)
    audience = audience_of(announcement)
    return role.may_address(everyone=audience.everyone, groups=audience.groups,
                            hamlets=audience.hamlets, topics=audience.topics)


async def _cancel_for_lost_role(session: AsyncSession, announcement_id: int,
                                allowed: tuple[str, ...], now: datetime) -> Change:
    change = await _move(session, announcement_id, allowed, status=AnnouncementStatus.CANCELLED,
                         decided_by=DECIDED_BY_LOA_SO, decided_at=now,
                         decision_note=AUTHOR_LOST_ROLE)
    return Change(change.announcement, False, AUTHOR_LOST_ROLE)


async def approve(session: AsyncSession, pack: Pack, announcement_id: int, *, by: str,
                  now: datetime) -> Change:
    """Approve a pending announcement, unless its author has since lost the role that let
    them write it: then it is cancelled, and the change says why."""
    pending = await session.get(Announcement, announcement_id)
    if (pending is not None and pending.status == AnnouncementStatus.PENDING
            and not await author_may_send(session, pending)):
        return await _cancel_for_lost_role(session, announcement_id,
                                           (AnnouncementStatus.PENDING,), now)
    change = await _move(session, announcement_id, (AnnouncementStatus.PENDING,),
                         status=AnnouncementStatus.SCHEDULED, decided_by=by, decided_at=now)
    if change.done:
        announcement = change.moved
        due = announcement.send_at is None or announcement.send_at <= now
        when = AUTHOR_APPROVED_NOW if due else AUTHOR_APPROVED_AT.format(
            when=local_time(pack, announcement.send_at))  # type: ignore[arg-type]  # not due: set
        await notify(session, announcement.author_user_id,
                     AUTHOR_APPROVED.format(id=announcement.id, when=when), now)
    return change


async def reject(session: AsyncSession, announcement_id: int, *, by: str, reason: str | None,
                 now: datetime) -> Change:
    change = await _move(session, announcement_id, (AnnouncementStatus.PENDING,),
                         status=AnnouncementStatus.REJECTED, decided_by=by, decided_at=now,
                         decision_note=reason)
    if change.done:
        announcement = change.moved
        await notify(session, announcement.author_user_id, AUTHOR_REJECTED.format(
            id=announcement.id, reason=AUTHOR_REASON.format(reason=reason) if reason else "",
            excerpt=excerpt(announcement.text)), now)
    return change


async def cancel(session: AsyncSession, announcement_id: int, *, by: str,
                 now: datetime) -> Change:
    change = await _move(session, announcement_id,
                         (AnnouncementStatus.PENDING, AnnouncementStatus.SCHEDULED),
                         status=AnnouncementStatus.CANCELLED, decided_by=by, decided_at=now)
    if change.done:
        await notify(session, change.moved.author_user_id,
                     AUTHOR_CANCELLED.format(id=announcement_id), now)
    return change


async def stop(session: AsyncSession, announcement_id: int, *, by: str,
               now: datetime) -> Change:
    """Stop one going out: rows not yet sent are cancelled; rows in flight still finish."""
    change = await _move(session, announcement_id, (AnnouncementStatus.SENDING,),
                         status=AnnouncementStatus.STOPPED, decision_note=f"dừng bởi {by}")
    if change.done:
        await fanout.cancel_batch(session, batch_of(announcement_id), f"dừng bởi {by}")
        counts = await fanout.batch_status(session, batch_of(announcement_id))
        await notify(session, change.moved.author_user_id, AUTHOR_STOPPED.format(
            id=announcement_id, sent=counts["sent"], stopped=counts["stopped"]), now)
    return change


async def delivery(session: AsyncSession, announcement: Announcement) -> dict[str, int]:
    """Queued / sent / failed / stopped counts of its outbox rows (zeros before fan-out)."""
    return await fanout.batch_status(session, batch_of(announcement.id))


# -- releasing ------------------------------------------------------------------------------

def _claimable(now: datetime) -> ColumnElement[bool]:
    """Due and scheduled, or claimed by a process that died before finishing its fan-out."""
    return or_(
        and_(Announcement.status == AnnouncementStatus.SCHEDULED,
             or_(Announcement.send_at.is_(None), Announcement.send_at <= now)),
        and_(Announcement.status == AnnouncementStatus.SENDING,
             Announcement.recipients.is_(None), Announcement.fanned_out_at < now - RESUME_AFTER))


async def release_one(database: Database, pack: Pack, announcement_id: int, *,
                      now: datetime) -> fanout.FanOutResult | None:
    """Claim one due announcement and fan it out; None if it was not ours to release.

    `fanned_out_at` is set when the fan-out starts and `recipients` when it ends, so a
    claim whose process died (started long ago, never ended) can be taken over.
    """
    async with database.transaction() as session:
        announcement = await session.get(Announcement, announcement_id)
        if announcement is None:
            return None
        if (announcement.status == AnnouncementStatus.SCHEDULED
                and not await author_may_send(session, announcement)):
            await _cancel_for_lost_role(session, announcement_id,
                                        (AnnouncementStatus.SCHEDULED,), now)
            return None
        # Guarded: of two schedulers running this at once, exactly one updates the row.
        claimed = await session.execute(
            update(Announcement).where(Announcement.id == announcement_id, _claimable(now))
            .values(status=AnnouncementStatus.SENDING, fanned_out_at=now)
            .execution_options(synchronize_session=False))
        if rows_changed(claimed) != 1:
            return None
        text = HEADER.format(author=announcement.author or pack.campaign.organisation.name,
                             text=announcement.text)
        audience = audience_of(announcement)
    # Outside any transaction: fan-out commits a chunk at a time.
    result = await fanout.fan_out(database, batch=batch_of(announcement_id),
                                  audience=audience, text=text, now=now)
    async with database.transaction() as session:
        announcement = await session.get(Announcement, announcement_id)
        assert announcement is not None  # claimed above; announcements are never deleted
        announcement.recipients = result.recipients
        if announcement.status == AnnouncementStatus.STOPPED:  # stopped while fanning out
            await fanout.cancel_batch(session, batch_of(announcement_id), "đã dừng")
    return result


async def release_due(database: Database, pack: Pack, *, now: datetime) -> int:
    """Fan out every scheduled announcement whose time has come; returns how many."""
    async with database.read() as session:
        due = list((await session.execute(
            select(Announcement.id).where(_claimable(now)).order_by(Announcement.id))).scalars())
    released = 0
    for announcement_id in due:
        if await release_one(database, pack, announcement_id, now=now) is not None:
            released += 1
    return released


async def finish_sent(database: Database) -> int:
    """Mark announcements done once nothing of theirs is queued or in flight."""
    async with database.read() as session:
        sending = list((await session.execute(
            select(Announcement.id).where(Announcement.status == AnnouncementStatus.SENDING,
                                          Announcement.recipients.is_not(None)))).scalars())
    finished = 0
    for announcement_id in sending:
        async with database.transaction() as session:
            counts = await fanout.batch_status(session, batch_of(announcement_id))
            if counts["queued"]:
                continue
            done = await session.execute(
                update(Announcement)
                .where(Announcement.id == announcement_id,
                       Announcement.status == AnnouncementStatus.SENDING)
                .values(status=AnnouncementStatus.DONE)
                .execution_options(synchronize_session=False))
            finished += rows_changed(done)
    return finished
