"""/admin/bulletins: the next 14 days of bulletin occurrences with their audience sizes, skip
one or pause a bulletin (kept in the database; the scheduler honours both when an
occurrence falls due), and the past weeks' occurrences with their delivery counts."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from bot.actions import ActionRefused
from bot.actions import bulletins as actions
from bot.console.auth import Signed, now, service
from bot.console.forms import FormChange, read_form, text
from bot.console.page import Nav, Page
from bot.console.render import redirect, render
from content.models import Bulletin
from content.pack import Pack
from db import bulletins as queries
from db.models import Role
from delivery import announcements, fanout
from scheduler import bulletins

page = Page("bulletins", role=Role.STAFF, nav=Nav("Bản tin định kỳ", "/admin/bulletins",
                                                  order=45))
HOME = "/admin/bulletins"
PAST = timedelta(days=30)


def _pack(request: Request) -> Pack:
    return service(request).content.current.pack


def _about(pack: Pack, bulletin: Bulletin) -> dict[str, object]:
    message, _ = bulletins.content_of(pack, bulletin)
    period = bulletin.stage or bulletin.phase
    return {"id": bulletin.id, "excerpt": announcements.excerpt(message, 100),
            "audience": announcements.audience_label(pack, bulletins.audience_of(bulletin)),
            "period": period}


@page.get(HOME)
async def schedule(request: Request, who: Signed) -> HTMLResponse:
    pack = _pack(request)
    moment = now()
    upcoming = list(bulletins.occurrences(pack, moment, moment + actions.AHEAD))
    upcoming.sort(key=lambda due: (due.at, due.bulletin.id))
    async with service(request).database.read() as session:
        paused = await queries.pauses(session)
        taken = {(row.bulletin_id, row.scheduled_for): row for row in
                 await queries.occurrences_between(session, moment, moment + actions.AHEAD)}
        sizes = {}
        for due in upcoming:
            if due.bulletin.id not in sizes:
                sizes[due.bulletin.id] = await fanout.count_recipients(
                    session, bulletins.audience_of(due.bulletin))
        past = await queries.occurrences_between(session, moment - PAST, moment,
                                                 newest_first=True, limit=200)
        delivered = await fanout.batches_status(session, [f"bulletin:{row.id}" for row in past])
    known = {bulletin.id: bulletin for bulletin in bulletins.all_bulletins(pack)}
    rows = []
    for due in upcoming:
        row = taken.get((due.bulletin.id, due.at))
        rows.append({"due": due, "about": _about(pack, due.bulletin),
                     "size": sizes[due.bulletin.id], "paused": due.bulletin.id in paused,
                     "skipped": row is not None and row.skipped_by is not None,
                     "started": row is not None and row.skipped_by is None})
    used = {due.bulletin.id for due in upcoming} | set(paused)
    return render(request, "bulletins.html", {
        "title": "Bản tin định kỳ", "rows": rows,
        "bulletins": [_about(pack, known[ref]) | {"paused": paused.get(ref)}
                      for ref in sorted(used) if ref in known],
        "past": [{"row": row, "about": _about(pack, known[row.bulletin_id])
                  if row.bulletin_id in known else {"id": row.bulletin_id},
                  "counts": delivered[f"bulletin:{row.id}"]} for row in past],
        "paused_word": bulletins.PAUSED})


async def _change(request: Request, work: FormChange, done: str) -> Response:
    form = await read_form(request)
    try:
        async with service(request).database.transaction() as session:
            await work(session, form)
    except ActionRefused as refused:
        return redirect(HOME, flash=str(refused), error=True)
    return redirect(HOME, flash=done)


@page.post(HOME + "/skip")
async def skip(request: Request, who: Signed) -> Response:
    pack = _pack(request)
    return await _change(request, lambda session, form: actions.skip(
        session, pack, text(form, "bulletin"), text(form, "at"), who=who.who, now=now()),
        "Đã bỏ qua lần gửi này.")


@page.post(HOME + "/unskip")
async def unskip(request: Request, who: Signed) -> Response:
    pack = _pack(request)
    return await _change(request, lambda session, form: actions.unskip(
        session, pack, text(form, "bulletin"), text(form, "at"), who=who.who, now=now()),
        "Lần gửi này sẽ được gửi như lịch.")


@page.post(HOME + "/pause")
async def pause(request: Request, who: Signed) -> Response:
    pack = _pack(request)
    return await _change(request, lambda session, form: actions.pause(
        session, pack, text(form, "bulletin"), who=who.who, now=now()),
        "Đã tạm dừng bản tin: các lần gửi tới sẽ bị bỏ qua cho tới khi tiếp tục.")


@page.post(HOME + "/resume")
async def resume(request: Request, who: Signed) -> Response:
    pack = _pack(request)
    return await _change(request, lambda session, form: actions.unpause(
        session, pack, text(form, "bulletin"), who=who.who, now=now()),
        "Bản tin gửi lại theo lịch.")
