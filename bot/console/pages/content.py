"""/admin/content: the campaign's phases and stages (pin or unpin one), its articles (preview,
edit, add) and the placeholders `[[CẦN BỔ SUNG: …]]` still to fill, one by one.

Every change is a new version of a pack file in the database (bot/actions/content.py),
checked first as `loaso content check` checks, then reloaded here and signalled to the other
processes as `loaso content reload` does.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from bot.actions import ActionRefused
from bot.actions import content as actions
from bot.console.auth import Signed, now, service
from bot.console.forms import read_form
from bot.console.page import Nav, Page
from bot.console.render import redirect, render
from bot.public.showing import PREVIEW_BASE
from content.models import Boundary
from content.pack import Pack
from content.phases import period_on, pinned_period
from db import campaign as campaign_queries
from db import content_edits
from db.models import Role

page = Page("content", role=Role.STAFF, nav=Nav("Nội dung", "/admin/content", order=40))
PATH = "/admin/content"


def _directory(request: Request) -> Path:
    return service(request).settings.content_path


async def _overlay(request: Request) -> dict[str, str]:
    async with service(request).database.read() as session:
        return await content_edits.overlay(session)


async def reached_everyone(request: Request) -> None:
    """The new text live here at once, and in the other processes as `content reload` does."""
    svc = service(request)
    await svc.reload_content()
    actions.signal_reload(svc.settings.run_dir, skip=os.getpid())


def _unconfirmed(pack: Pack, boundary: Boundary | None) -> bool:
    event = pack.events.get(boundary.event or "") if boundary else None
    return event is not None and not event.confirmed


@page.get(PATH)
async def overview(request: Request, who: Signed) -> HTMLResponse:
    pack = service(request).content.current.pack
    async with service(request).database.read() as session:
        override = await campaign_queries.active_override(session)
        edits = await content_edits.newest(session)
    today = now().astimezone(pack.zone).date()
    models = pack.phase_models()
    phases = []
    for window in pack.windows:
        model = models[window.id]
        stages = [(stage, _unconfirmed(pack, s.starts) or _unconfirmed(pack, s.ends))
                  for stage, s in zip(window.stages, model.stages, strict=True)]
        phases.append((window, _unconfirmed(pack, model.starts) or _unconfirmed(pack, model.ends),
                       stages))
    pinned = (pinned_period(pack, override.phase_id, override.stage_id) if override else None)
    paths = actions.article_paths(_directory(request), {p: e.text for p, e in edits.items()})
    articles = sorted(pack.articles, key=lambda a: (a.from_, a.id), reverse=True)
    placeholders = actions.all_placeholders(_directory(request),
                                            {p: e.text for p, e in edits.items()})
    return render(request, "content/overview.html", {
        "title": "Nội dung chiến dịch", "phases": phases, "by_date": period_on(pack, today),
        "pinned": pinned, "override": override, "one_day": dt.timedelta(days=1),
        "articles": articles, "pack": pack,
        "edits": {article_id: edits.get(path) for article_id, path in paths.items()},
        "placeholder_count": len(placeholders)})


@page.post(PATH + "/pin")
async def pin(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    phase, _, stage = str(form.get("period", "")).partition("/")
    async with service(request).database.transaction() as session:
        period = await actions.pin_phase(session, service(request).content.current.pack,
                                         phase=phase, stage=stage or None, who=who.who,
                                         now=now())
    return redirect(PATH, flash=f"Đã ghim: {period.label()}.")


@page.post(PATH + "/unpin")
async def unpin(request: Request, who: Signed) -> Response:
    async with service(request).database.transaction() as session:
        cleared = await actions.unpin_phase(session, who=who.who, now=now())
    return redirect(PATH, flash="Đã bỏ ghim; đợt được tính theo ngày." if cleared
                    else "Không có đợt nào đang ghim.")


async def _article_page(request: Request, article_id: str, *, status: int = 200,
                        error: str | None = None, text: str | None = None) -> HTMLResponse:
    svc = service(request)
    pack = svc.content.current.pack
    article = next((a for a in pack.articles if a.id == article_id), None)
    paths = actions.article_paths(_directory(request), await _overlay(request))
    if article is None or article_id not in paths:
        raise HTTPException(404)
    async with svc.database.read() as session:
        shown = await actions.read_text(session, _directory(request), paths[article_id])
        history = await content_edits.history(session, shown.path)
    return render(request, "content/article.html", {
        "title": article.title, "article": article, "pack": pack, "file": shown,
        "text": shown.text if text is None else text, "error": error, "history": history,
        "preview": f"{PREVIEW_BASE}/tin/{article.id}?as_of={article.from_.isoformat()}"},
        status=status)


@page.get(PATH + "/articles/{article_id}")
async def article(request: Request, who: Signed, article_id: str) -> HTMLResponse:
    return await _article_page(request, article_id)


def _version(form: FormData) -> int:
    try:
        return int(str(form.get("version", "")))
    except ValueError:
        raise ActionRefused("Biểu mẫu thiếu phiên bản; hãy tải lại trang rồi sửa.") from None


@page.post(PATH + "/articles/{article_id}")
async def save_article(request: Request, who: Signed, article_id: str) -> Response:
    form = await read_form(request)
    text = str(form.get("text", ""))
    paths = actions.article_paths(_directory(request), await _overlay(request))
    if article_id not in paths:
        raise HTTPException(404)
    try:
        async with service(request).database.transaction() as session:
            await actions.save_text(session, _directory(request), path=paths[article_id],
                                    text=text, base_version=_version(form), who=who.who,
                                    now=now(), note="sửa bài viết")
    except ActionRefused as error:
        return await _article_page(request, article_id, status=409 if "đã có người sửa trước"
                                   in str(error) else 400, error=str(error), text=text)
    await reached_everyone(request)
    return redirect(f"{PATH}/articles/{article_id}", flash="Đã lưu; bà con thấy nội dung mới ngay.")


@page.get(PATH + "/placeholders")
async def placeholders(request: Request, who: Signed) -> HTMLResponse:
    async with service(request).database.read() as session:
        edits = await content_edits.newest(session)
    found = actions.all_placeholders(_directory(request), {p: e.text for p, e in edits.items()})
    versions = {path: edit.version for path, edit in edits.items()}
    return render(request, "content/placeholders.html", {
        "title": "Chỗ cần bổ sung", "found": found, "versions": versions})


@page.post(PATH + "/placeholders")
async def fill_placeholder(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    directory = _directory(request)
    try:
        index = int(str(form.get("index", "")))
    except ValueError:
        raise ActionRefused("Biểu mẫu thiếu số thứ tự chỗ cần bổ sung; hãy tải lại trang.") from None
    try:
        async with service(request).database.transaction() as session:
            shown = await actions.read_text(session, directory, str(form.get("path", "")))
            if shown.version != _version(form):
                raise ActionRefused(actions.STALE.format(
                    by=shown.edit.edited_by if shown.edit else "?", at="vừa xong"))
            filled = actions.fill(shown.text, index, str(form.get("value", "")))
            await actions.save_text(session, directory, path=shown.path, text=filled,
                                    base_version=shown.version, who=who.who, now=now(),
                                    note="điền chỗ cần bổ sung")
    except ActionRefused as error:
        return redirect(PATH + "/placeholders", flash=str(error), error=True)
    await reached_everyone(request)
    return redirect(PATH + "/placeholders",
                    flash="Đã điền; bà con thấy nội dung mới ngay, không cần khởi động lại.")


def _new_page(request: Request, *, status: int = 200, error: str | None = None,
              values: dict[str, str] | None = None) -> HTMLResponse:
    pack = service(request).content.current.pack
    return render(request, "content/new.html", {
        "title": "Thêm bài viết", "pack": pack, "error": error, "values": values or {},
        "today": now().astimezone(pack.zone).date().isoformat()}, status=status)


@page.get(PATH + "/new")
async def new(request: Request, who: Signed) -> HTMLResponse:
    return _new_page(request)


FIELDS = ("article_id", "title", "phase", "topic", "day", "summary", "body")


@page.post(PATH + "/new")
async def add(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    values = {name: str(form.get(name, "")) for name in FIELDS}
    directory = _directory(request)
    try:
        path, text = actions.new_article(**values)
        paths = actions.article_paths(directory, await _overlay(request))
        if values["article_id"] in paths or (directory / path).exists():
            raise ActionRefused(f"Đã có bài viết mã '{values['article_id']}'; hãy chọn mã khác.")
        async with service(request).database.transaction() as session:
            await actions.save_text(session, directory, path=path, text=text, base_version=0,
                                    who=who.who, now=now(), note="thêm bài viết")
    except ActionRefused as error:
        return _new_page(request, status=400, error=str(error), values=values)
    await reached_everyone(request)
    return redirect(f"{PATH}/articles/{values['article_id']}", flash="Đã thêm bài viết.")
