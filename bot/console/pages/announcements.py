"""/admin/announcements: compose (with the Telegram and Zalo preview and the number of
recipients), the staff's approval queue, and each announcement's delivery while it sends.

Leaders address their own groups and hamlets and see the announcements addressed there;
staff address anyone, approve or reject leaders' announcements and stop one that is
sending. Every change is bot.actions.announcements, over delivery.announcements: the same
functions as /thongbao, /duyet and `loaso announcements`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bot.actions import ActionRefused
from bot.actions import announcements as actions
from bot.channels.registry import capabilities_of
from bot.console.auth import Forbidden, Principal, Signed, now, service
from bot.console.forms import read_form, text
from bot.console.page import Nav, Page
from bot.console.render import redirect, render
from content.pack import Pack
from db import announcements as queries
from db.models import Announcement, AnnouncementPriority, AnnouncementStatus, Role
from delivery import announcements as delivery
from delivery import fanout
from delivery.error_labels import channel_name
from messages.render import render_reply
from messages.types import Reply

page = Page("announcements", role=Role.LEADER,
            nav=Nav("Thông báo", "/admin/announcements", order=40))
HOME = "/admin/announcements"
# The previews: the channels residents read announcements on, as each shows them.
PREVIEWS = (("telegram", "Telegram"), ("zalo-oa", "Zalo"))
LIVE = (AnnouncementStatus.PENDING, AnnouncementStatus.SCHEDULED, AnnouncementStatus.SENDING)
NOT_YOURS = "Đối tượng này thuộc thôn hoặc tổ chức bạn không phụ trách."


def _pack(request: Request) -> Pack:
    return service(request).content.current.pack


def author_of(who: Principal) -> actions.Author:
    if who.at_least(Role.STAFF):
        return actions.Author(is_staff=True)
    return actions.Author(is_staff=False, groups=who.access.groups, areas=who.access.areas)


def _choices(pack: Pack, who: Principal) -> dict[str, str]:
    return {code: delivery.audience_label(pack, audience) for code in author_of(who).codes(pack)
            if (audience := delivery.audience_from_code(code)) is not None}  # all are valid


def _visible(pack: Pack, who: Principal, announcement: Announcement) -> bool:
    """Staff see all; a leader those addressed within their scope."""
    if who.at_least(Role.STAFF):
        return True
    audience = delivery.audience_of(announcement)
    mine = set(author_of(who).codes(pack))
    wanted = ([f"g:{ref}" for ref in audience.groups] + [f"h:{ref}" for ref in audience.hamlets]
              + (["all"] if audience.everyone or audience.topics else []))
    return bool(wanted) and set(wanted) <= mine


def _summary(pack: Pack, announcement: Announcement) -> dict[str, object]:
    return {"item": announcement, "status": delivery.STATUS_NAMES[announcement.status],
            "priority": delivery.PRIORITY_NAMES.get(announcement.priority, ""),
            "mark": delivery.priority_mark(announcement.priority),
            "audience": delivery.audience_label(pack, delivery.audience_of(announcement)),
            "excerpt": delivery.excerpt(announcement.text, 120)}


@page.get(HOME)
async def listing(request: Request, who: Signed) -> HTMLResponse:
    pack = _pack(request)
    async with service(request).database.read() as session:
        waiting = await queries.pending(session) if who.at_least(Role.STAFF) else []
        queue = []
        for item in waiting:
            entry = _summary(pack, item)
            entry["count"] = await fanout.count_recipients(
                session, delivery.audience_of(item))
            queue.append(entry)
        rows = [_summary(pack, item) for item in await queries.latest(session)
                if _visible(pack, who, item)]
    return render(request, "announcements/list.html", {
        "title": "Thông báo", "queue": queue, "rows": rows,
        "can_decide": who.at_least(Role.STAFF), "reason_limit": delivery.REASON_LENGTH})


def _compose_page(request: Request, who: Principal, *, typed: dict[str, str] | None = None,
                  error: str | None = None, status: int = 200) -> HTMLResponse:
    pack = _pack(request)
    return render(request, "announcements/compose.html", {
        "title": "Soạn thông báo", "choices": _choices(pack, who), "typed": typed or {},
        "error": error, "limit": delivery.MAX_LENGTH, "priorities": delivery.PRIORITY_NAMES,
        "needs_approval": delivery.needs_approval(pack, staff=who.at_least(Role.STAFF))},
        status=status)


@page.get(HOME + "/new")
async def compose_form(request: Request, who: Signed) -> HTMLResponse:
    return _compose_page(request, who)


def _checked_code(request: Request, who: Principal, code: str) -> str:
    """The audience chosen; a code outside the author's scope (an edited form) is a 403."""
    pack = _pack(request)
    if delivery.audience_from_code(code) is None:
        raise ActionRefused("Hãy chọn người nhận thông báo.")
    if not author_of(who).may_choose(pack, code):
        raise Forbidden(NOT_YOURS)
    return code


@page.post(HOME + "/preview")
async def preview(request: Request, who: Signed) -> HTMLResponse:
    """The htmx preview: the message as Telegram and Zalo show it, and who it reaches."""
    form = await read_form(request)
    pack = _pack(request)
    body = text(form, "text").strip()
    code = text(form, "audience")
    count, label = None, None
    audience = delivery.audience_from_code(code)
    if audience is not None:
        _checked_code(request, who, code)
        async with service(request).database.read() as session:
            count = await fanout.count_recipients(session, audience)
        label = delivery.audience_label(pack, audience)
    author = delivery.author_label(pack, author_of(who), audience or fanout.Audience())
    message = delivery.HEADER.format(author=author, text=body or "…")
    previews = [{"name": name, "parts": [part["text"] for part in render_reply(
        Reply(message), capabilities_of(channel))]} for channel, name in PREVIEWS]
    return render(request, "announcements/_preview.html", {
        "previews": previews, "count": count, "audience": label,
        "length": len(body), "limit": delivery.MAX_LENGTH})


@page.post(HOME)
async def submit(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    pack = _pack(request)
    typed = {key: text(form, key)
             for key in ("text", "audience", "priority", "when", "day", "time")}
    moment = now()
    try:
        code = _checked_code(request, who, typed["audience"])
        body = actions.clean_text(typed["text"])
        send_at = (actions.parse_send_at(typed["day"], typed["time"],
                                         zone=service(request).settings.zone, now=moment)
                   if typed["when"] == "later" else None)
        async with service(request).database.transaction() as session:
            announcement = await actions.compose(
                session, pack, author=author_of(who), text=body, audience_code=code,
                send_at=send_at, who=who.who, now=moment,
                priority=typed["priority"] or AnnouncementPriority.NORMAL)
            announcement_id, status = announcement.id, announcement.status
    except ActionRefused as refused:
        return _compose_page(request, who, typed=typed, error=str(refused), status=400)
    if status == AnnouncementStatus.SCHEDULED and send_at is None:
        await _release(request, announcement_id)
    done = ("Đã gửi thông báo để cán bộ duyệt." if status == AnnouncementStatus.PENDING
            else "Đã lên lịch gửi thông báo." if send_at else "Đang gửi thông báo.")
    return redirect(f"{HOME}/{announcement_id}", flash=done)


async def _release(request: Request, announcement_id: int) -> None:
    """Fan out now what is due now, rather than at the scheduler's next round (guarded: if
    the scheduler got there first, this does nothing)."""
    await delivery.release_one(service(request).database, _pack(request), announcement_id,
                               now=now())


async def _detail(request: Request, who: Principal, announcement_id: int) -> dict[str, object]:
    pack = _pack(request)
    async with service(request).database.read() as session:
        item = await session.get(Announcement, announcement_id)
        if item is None or not _visible(pack, who, item):
            raise HTTPException(404)
        channels = await fanout.batch_by_channel(session, delivery.batch_of(item.id))
        estimate = (await fanout.count_recipients(session, delivery.audience_of(item))
                    if item.recipients is None else None)
    view = _summary(pack, item)
    view.update(channels=[{"label": channel_name(line.channel), "line": line}
                          for line in channels],
                estimate=estimate, live=item.status in LIVE,
                can_decide=who.at_least(Role.STAFF), reason_limit=delivery.REASON_LENGTH)
    return view


@page.get(HOME + "/{announcement_id:int}")
async def detail(request: Request, announcement_id: int, who: Signed) -> HTMLResponse:
    view = await _detail(request, who, announcement_id)
    view["title"] = f"Thông báo #{announcement_id}"
    return render(request, "announcements/detail.html", view)


@page.get(HOME + "/{announcement_id:int}/delivery")
async def delivery_part(request: Request, announcement_id: int, who: Signed) -> HTMLResponse:
    """The delivery table alone, polled by htmx while the announcement is live."""
    return render(request, "announcements/_delivery.html",
                  await _detail(request, who, announcement_id))


async def _decide(request: Request, who: Principal, announcement_id: int,
                  work: Callable[[AsyncSession, FormData], Awaitable[Announcement]],
                  done: str) -> Response:
    form = await read_form(request)
    back = HOME if text(form, "back") == "list" else f"{HOME}/{announcement_id}"
    try:
        async with service(request).database.transaction() as session:
            item = await work(session, form)
            due = item.status == AnnouncementStatus.SCHEDULED and (
                item.send_at is None or item.send_at <= now())
            refused = actions.refusal(item)
    except ActionRefused as error:
        return redirect(back, flash=str(error), error=True)
    if refused:
        return redirect(back, flash=refused, error=True)
    if due:
        await _release(request, announcement_id)
    return redirect(back, flash=done.format(id=announcement_id))


@page.post(HOME + "/{announcement_id:int}/approve", role=Role.STAFF)
async def approve(request: Request, announcement_id: int, who: Signed) -> Response:
    pack = _pack(request)
    return await _decide(request, who, announcement_id, lambda session, form: actions.approve(
        session, pack, announcement_id, who=who.who, now=now()),
        "Đã duyệt thông báo #{id}; người viết được báo trong chat.")


@page.post(HOME + "/{announcement_id:int}/reject", role=Role.STAFF)
async def reject(request: Request, announcement_id: int, who: Signed) -> Response:
    return await _decide(request, who, announcement_id, lambda session, form: actions.reject(
        session, announcement_id, reason=text(form, "reason"), who=who.who, now=now()),
        "Đã từ chối thông báo #{id}; người viết được báo kèm lý do.")


@page.post(HOME + "/{announcement_id:int}/stop", role=Role.STAFF)
async def stop(request: Request, announcement_id: int, who: Signed) -> Response:
    return await _decide(request, who, announcement_id, lambda session, form: actions.stop(
        session, announcement_id, who=who.who, now=now()),
        "Đã dừng thông báo #{id}: các tin chưa gửi sẽ không gửi nữa.")


@page.post(HOME + "/{announcement_id:int}/cancel", role=Role.STAFF)
async def cancel(request: Request, announcement_id: int, who: Signed) -> Response:
    return await _decide(request, who, announcement_id, lambda session, form: actions.cancel(
        session, announcement_id, who=who.who, now=now()), "Đã hủy thông báo #{id}.")
