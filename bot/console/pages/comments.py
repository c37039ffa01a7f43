"""/admin/comments: the comment desk. Leaders read the comments of their hamlets and groups;
staff and admins also review (status with a note, one or many), mark duplicates and answer.
Every change goes through bot.actions.comments, as `loaso comments …` does."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.convertors import Convertor, register_url_convertor

from bot.actions import ActionRefused
from bot.actions import comments as actions
from bot.console import desk
from bot.console.auth import Principal, Signed, now, service
from bot.console.forms import FormChange, read_form, text, texts
from bot.console.page import Nav, Page
from bot.console.paging import Paging
from bot.console.render import redirect, render
from content.pack import Pack
from db import comments as comment_queries
from db.models import Comment, Role

page = Page("comments", role=Role.LEADER, nav=Nav("Góp ý", "/admin/comments", order=20))
PER_PAGE = 50
QUEUE = "/admin/comments"


class ReceiptConvertor(Convertor[str]):
    """`GY-XXXXXXXX` in a path, any case: other words under /admin/comments/ stay free."""

    regex = "[Gg][Yy]-[A-Za-z0-9]{8}"

    def convert(self, value: str) -> str:
        return value.upper()

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("receipt", ReceiptConvertor())


def _pack(request: Request) -> Pack:
    return service(request).content.current.pack


@page.get(QUEUE)
async def queue(request: Request, who: Signed) -> HTMLResponse:
    pack = _pack(request)
    filters = desk.read_filters(request.query_params, pack, who)
    paging = Paging.of(request, PER_PAGE)
    found: list[Comment] = []
    total = 0
    if not filters.errors:
        async with service(request).database.read() as session:
            found, total = await comment_queries.queue_page(
                session, filters.where, offset=paging.offset, limit=PER_PAGE)
    return render(request, "comments/queue.html", {
        "title": "Góp ý vào dự thảo", "filters": filters.values, "errors": filters.errors,
        "rows": desk.rows(pack, found), "paging": paging.with_total(total),
        "drafts": {draft.id: draft.title for draft in pack.drafts.values()},
        "sections": desk.section_choices(pack), "stances": desk.stance_options(),
        "statuses": desk.status_options(), "sources": desk.SOURCES,
        "hamlets": {ref: name for ref, name in desk.hamlet_names(pack).items()
                    if who.covers(ref)},
        "review_statuses": desk.review_options(), "can_review": who.at_least(Role.STAFF),
        "back": str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")},
        status=400 if filters.errors else 200)


def _back(target: str) -> str:
    return target if target.startswith(QUEUE) and not target.startswith("//") else QUEUE


@page.post(QUEUE + "/bulk", role=Role.STAFF)
async def bulk(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    back = _back(text(form, "back"))
    try:
        async with service(request).database.transaction() as session:
            changed = await actions.review_comments(
                session, texts(form, "receipt"), status=text(form, "status"),
                note=text(form, "note") or None, who=who.who, now=now())
    except ActionRefused as refused:
        return redirect(back, flash=str(refused), error=True)
    return redirect(back, flash=f"Đã chuyển {len(changed)} góp ý sang "
                                f"“{desk.review_options()[text(form, 'status')]}”.")


async def _detail_page(request: Request, who: Principal, receipt: str, *,
                       error: str | None = None, typed: dict[str, str] | None = None,
                       ) -> HTMLResponse:
    async with service(request).database.transaction() as session:
        view = await desk.detail(session, _pack(request), receipt, who, now())
    if view is None:
        raise HTTPException(404)
    view.update(title=f"Góp ý {receipt}", error=error, typed=typed or {},
                review_statuses=desk.review_options(), can_review=who.at_least(Role.STAFF))
    return render(request, "comments/detail.html", view, status=400 if error else 200)


@page.get(QUEUE + "/{receipt:receipt}")
async def comment(request: Request, receipt: str, who: Signed) -> HTMLResponse:
    return await _detail_page(request, who, receipt)


async def _change(request: Request, who: Principal, receipt: str, work: FormChange,
                  done: str) -> Response:
    """Run one action on this comment; on refusal show the page again with the reason and
    what was typed (nothing was changed)."""
    form = await read_form(request)
    try:
        async with service(request).database.transaction() as session:
            await work(session, form)
    except ActionRefused as refused:
        return await _detail_page(request, who, receipt, error=str(refused),
                                  typed={key: text(form, key) for key in form.keys()
                                         if key != "csrf_token"})
    return redirect(f"{QUEUE}/{receipt}", flash=done)


@page.post(QUEUE + "/{receipt:receipt}/status", role=Role.STAFF)
async def set_status(request: Request, receipt: str, who: Signed) -> Response:
    return await _change(request, who, receipt, lambda session, form: actions.review_comment(
        session, receipt, status=text(form, "status"), note=text(form, "note"), who=who.who,
        now=now()), "Đã cập nhật trạng thái.")


@page.post(QUEUE + "/{receipt:receipt}/duplicate", role=Role.STAFF)
async def duplicate(request: Request, receipt: str, who: Signed) -> Response:
    return await _change(request, who, receipt, lambda session, form: actions.mark_duplicate(
        session, receipt, of=text(form, "of"), note=text(form, "note") or None, who=who.who,
        now=now()), "Đã đánh dấu góp ý trùng lặp.")


@page.post(QUEUE + "/{receipt:receipt}/answer", role=Role.STAFF)
async def answer(request: Request, receipt: str, who: Signed) -> Response:
    pack = _pack(request)
    return await _change(request, who, receipt, lambda session, form: actions.answer_comment(
        session, pack, receipt, text=text(form, "text"), decision=text(form, "decision") or None,
        who=who.who, now=now()), "Đã lưu câu trả lời; Loa Số gửi tới người góp ý qua hàng đợi tin.")
