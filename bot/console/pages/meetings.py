"""/admin/meetings: meetings where chi bộ and organisations spread the word, with the same
checks and audit as /hop and `loaso meetings` (db.meetings via bot.actions.meetings): the
list a page at a time, a form to record one, and its author's edits for 7 days. A leader
records only for their own hamlets and groups."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from bot.actions import ActionRefused
from bot.actions.meetings import edit_meeting, record_meeting
from bot.console.auth import Signed, now, service
from bot.console.forms import read_form
from bot.console.page import Nav, Page
from bot.console.paging import Paging
from bot.console.render import redirect, render
from db.meetings import MeetingInput, meetings_page
from db.models import Role

page = Page("meetings", role=Role.LEADER, nav=Nav("Sinh hoạt", "/admin/meetings", order=27))
PATH = "/admin/meetings"
PER_PAGE = 30


def _given(form: FormData) -> MeetingInput:
    """The form as the actions' input; a field that is not a number or a date is refused."""
    try:
        return MeetingInput(
            held_on=dt.date.fromisoformat(str(form.get("held_on", ""))),
            topic_id=str(form.get("topic", "")), attendance=int(str(form.get("attendance", ""))),
            hamlet_id=str(form.get("hamlet") or "") or None,
            group_id=str(form.get("group") or "") or None,
            comments_gathered=int(str(form.get("comments") or 0)),
            notes=str(form.get("notes") or "") or None)
    except ValueError:
        raise ActionRefused("Ngày họp, số người dự và số ý kiến cần là ngày và số.") from None


@page.get(PATH)
async def meetings(request: Request, who: Signed) -> HTMLResponse:
    pack = service(request).content.current.pack
    paging = Paging.of(request, PER_PAGE)
    async with service(request).database.read() as session:
        rows, total = await meetings_page(session, offset=paging.offset, limit=PER_PAGE)
    scope = who.scope
    return render(request, "meetings.html", {
        "title": "Buổi sinh hoạt, tuyên truyền miệng", "rows": rows,
        "paging": paging.with_total(total),
        "names": {**{item.id: item.name for item in pack.campaign.hamlets},
                  **{item.id: item.name for item in pack.campaign.groups},
                  **{item.id: item.name for item in pack.campaign.topics}},
        "hamlets": {h.id: h.name for h in pack.campaign.hamlets
                    if scope is None or h.id in scope.areas},
        "groups": {g.id: g.name for g in pack.campaign.groups
                   if scope is None or g.id in scope.groups},
        "topics": {t.id: t.name for t in pack.campaign.topics}, "me": who.name,
        "today": dt.datetime.now(pack.zone).date().isoformat()})


@page.post(PATH)
async def add(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    pack = service(request).content.current.pack
    try:
        given = _given(form)
        async with service(request).database.transaction() as session:
            meeting = await record_meeting(
                session, pack, given, author=who.name, author_user_id=None, scope=who.scope,
                who=who.who, today=now().astimezone(pack.zone).date(), now=now())
    except ActionRefused as refused:
        return redirect(PATH, flash=str(refused), error=True)
    return redirect(PATH, flash=f"Đã ghi buổi sinh hoạt số {meeting.id}.")


@page.post(PATH + "/{meeting_id}")
async def edit(request: Request, meeting_id: int, who: Signed) -> Response:
    form = await read_form(request)
    pack = service(request).content.current.pack
    try:
        given = _given(form)
        async with service(request).database.transaction() as session:
            await edit_meeting(session, pack, meeting_id, vars(given), editor=who.name,
                               editor_user_id=None, scope=who.scope, who=who.who,
                               today=now().astimezone(pack.zone).date(), now=now())
    except ActionRefused as refused:
        return redirect(PATH, flash=str(refused), error=True)
    return redirect(PATH, flash=f"Đã sửa buổi sinh hoạt số {meeting_id}.")
