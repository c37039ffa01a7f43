"""/admin/inbox: residents' questions and reports (/phananh) for staff, the same actions as
`loaso inbox` (bot.actions.inbox): the list with filters and pages, one message in full
(audited), its status, topic tags, the "nhạy cảm" flag, the answer and a correction."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from bot.actions import ActionRefused, inbox
from bot.console.auth import Signed, now, service
from bot.console.forms import FormChange, read_form
from bot.console.page import Nav, Page
from bot.console.paging import Paging
from bot.console.render import redirect, render
from db import inquiries as inquiry_queries
from db.models import Role
from handlers import texts

page = Page("inbox", role=Role.STAFF, nav=Nav("Phản ánh", "/admin/inbox", order=25))
PATH = "/admin/inbox"
PER_PAGE = 30


def _choice(value: str | None, names: dict[str, str]) -> str | None:
    return value if value in names else None


@page.get(PATH)
async def inbox_list(request: Request, who: Signed) -> HTMLResponse:
    query = request.query_params
    topics = {topic.id: topic.name for topic in service(request).content.current.pack.campaign.topics}
    where = inquiry_queries.InboxFilter(
        kind=_choice(query.get("kind"), texts.PA_KINDS),
        status=_choice(query.get("status"), texts.PA_STATUSES),
        tag=_choice(query.get("tag"), topics),
        sensitive=True if query.get("sensitive") == "1" else None)
    paging = Paging.of(request, PER_PAGE)
    async with service(request).database.read() as session:
        rows, total = await inquiry_queries.inbox_page(session, where, offset=paging.offset,
                                                       limit=PER_PAGE)
        pending = (await inquiry_queries.pending_corrections(session)
                   if who.at_least(Role.ADMIN) else [])
    return render(request, "inbox/list.html", {
        "title": "Hỏi – Phản ánh", "rows": rows, "kinds": texts.PA_KINDS,
        "statuses": texts.PA_STATUSES, "topics": topics, "where": where,
        "paging": paging.with_total(total), "pending": pending})


@page.get(PATH + "/{receipt}")
async def inbox_detail(request: Request, receipt: str, who: Signed) -> HTMLResponse:
    async with service(request).database.transaction() as session:
        row = await inbox.view(session, receipt, who=who.who, now=now())
    topics = {topic.id: topic.name for topic in service(request).content.current.pack.campaign.topics}
    return render(request, "inbox/detail.html", {
        "title": f"Phản ánh {row.receipt}", "row": row, "kinds": texts.PA_KINDS,
        "statuses": texts.PA_STATUSES, "topics": topics})


async def _act(request: Request, receipt: str, work: FormChange, done: str) -> Response:
    """Run one action on the message; a refusal comes back as the flash, nothing written."""
    form = await read_form(request)
    back = f"{PATH}/{receipt}"
    try:
        async with service(request).database.transaction() as session:
            await work(session, form)
    except ActionRefused as refused:
        return redirect(back, flash=str(refused), error=True)
    return redirect(back, flash=done)


@page.post(PATH + "/{receipt}/status")
async def status(request: Request, receipt: str, who: Signed) -> Response:
    return await _act(request, receipt, lambda session, form: inbox.set_status(
        session, receipt, status=str(form.get("status", "")), who=who.who, now=now()),
        "Đã đổi trạng thái.")


@page.post(PATH + "/{receipt}/tags")
async def tags(request: Request, receipt: str, who: Signed) -> Response:
    pack = service(request).content.current.pack
    return await _act(request, receipt, lambda session, form: inbox.set_tags(
        session, pack, receipt, tags=[str(tag) for tag in form.getlist("tag")], who=who.who,
        now=now()), "Đã gắn chủ đề.")


@page.post(PATH + "/{receipt}/sensitive")
async def sensitive(request: Request, receipt: str, who: Signed) -> Response:
    pack = service(request).content.current.pack
    return await _act(request, receipt, lambda session, form: inbox.set_sensitive(
        session, pack, receipt, sensitive=form.get("sensitive") == "1", who=who.who, now=now()),
        "Đã cập nhật đánh dấu nhạy cảm.")


@page.post(PATH + "/{receipt}/answer")
async def answer(request: Request, receipt: str, who: Signed) -> Response:
    return await _act(request, receipt, lambda session, form: inbox.answer(
        session, receipt, text=str(form.get("text", "")), who=who.who, now=now(),
        correction_title=str(form.get("correction_title", "")),
        correction_body=str(form.get("correction_body", ""))),
        "Đã trả lời; người gửi nhận được tin kèm mã phản ánh.")


@page.post(PATH + "/corrections/{correction}", role=Role.ADMIN)
async def publish(request: Request, correction: int, who: Signed) -> Response:
    form = await read_form(request)
    try:
        async with service(request).database.transaction() as session:
            row = await inbox.decide_correction(session, correction,
                                                approve=form.get("decision") == "publish",
                                                who=who.who, now=now())
    except ActionRefused as refused:
        return redirect(PATH, flash=str(refused), error=True)
    return redirect(PATH, flash=f"Đã xử lý bài kiểm chứng số {row.id}.")
