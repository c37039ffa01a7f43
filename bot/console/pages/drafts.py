"""/admin/drafts: draft documents open for comments. Upload a Word file (the importer of
`loaso drafts import`), see the sections it found, fix the title, level and dates, replace it
with a new version (comments keep the version they were made on), close it early.

A draft is a pack file `drafts/<id>.yaml`; every change is a new version of it in the
content overlay (bot/actions/content.py), checked like `loaso content check` first.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from bot.actions import ActionRefused
from bot.actions import content as content_actions
from bot.actions import drafts as actions
from bot.console.auth import Principal, Signed, now, service
from bot.console.forms import MAX_UPLOAD, TOO_LARGE, read_form, text, upload
from bot.console.page import Nav, Page
from bot.console.pages.content import reached_everyone
from bot.console.render import redirect, render
from content.models import Draft
from content.pack import Pack, flatten
from db import content_edits
from db.models import Role

page = Page("drafts", role=Role.STAFF, nav=Nav("Dự thảo", "/admin/drafts", order=45))
PATH = "/admin/drafts"
NO_FILE = "Chưa chọn tệp. Hãy chọn tệp Word (.docx) của dự thảo."


def _directory(request: Request) -> Path:
    return service(request).settings.content_path


def _pack(request: Request) -> Pack:
    return service(request).content.current.pack


def _local_now(request: Request) -> dt.datetime:
    return now().astimezone(_pack(request).zone).replace(tzinfo=None, second=0, microsecond=0)


def state(draft: Draft, moment: dt.datetime) -> str:
    if moment < draft.opens:
        return "chưa mở góp ý"
    return "đang lấy ý kiến" if moment < draft.closes else "đã hết hạn góp ý"


async def _overlay(request: Request) -> dict[str, str]:
    async with service(request).database.read() as session:
        return await content_edits.overlay(session)


async def _paths(request: Request) -> dict[str, str]:
    return content_actions.article_paths(_directory(request), await _overlay(request), "drafts")


def _list_page(request: Request, *, status: int = 200, error: str | None = None,
               values: dict[str, str] | None = None, found: list[str] | None = None,
               ) -> HTMLResponse:
    pack = _pack(request)
    moment = _local_now(request)
    drafts = [(draft, state(draft, moment)) for draft in pack.drafts.values()]
    default = {"level": pack.campaign.organisation.level, "version": "1",
               "opens": f"{moment:%Y-%m-%d %H:%M}",
               "closes": f"{moment.date() + dt.timedelta(days=30):%Y-%m-%d} 23:59"}
    return render(request, "drafts/list.html", {
        "title": "Dự thảo văn kiện", "drafts": drafts, "error": error, "levels": actions.LEVELS,
        "values": {**default, **(values or {})}, "found": found}, status=status)


@page.get(PATH)
async def drafts(request: Request, who: Signed) -> HTMLResponse:
    return _list_page(request)


async def _read_word(request: Request, form: FormData, *, draft_id: str, title: str, level: str,
                     version: str, opens: dt.datetime, closes: dt.datetime
                     ) -> actions.WordDraft:
    sent = upload(form, "file")
    if sent is None:
        raise ActionRefused(NO_FILE)
    if sent.size is not None and sent.size > MAX_UPLOAD:
        raise ActionRefused(TOO_LARGE)
    name = Path(sent.filename or "").name[:120] or "du-thao.docx"  # upload() saw a name
    with tempfile.TemporaryDirectory(prefix="loaso-draft-") as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower()[:8])
        path.write_bytes(await sent.read())
        return actions.word_draft(path, source_name=name, draft_id=draft_id, title=title,
                                  level=level, version=version, opens=opens, closes=closes,
                                  today=_local_now(request).date())


FIELDS = ("draft_id", "title", "level", "version", "opens", "closes")


@page.post(PATH)
async def upload_new(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    values = {name: text(form, name).strip() for name in FIELDS}
    pack = _pack(request)
    directory = _directory(request)
    try:
        draft_id = actions.check_id(values["draft_id"])
        path = f"drafts/{draft_id}.yaml"
        if draft_id in pack.drafts or draft_id in await _paths(request) or (
                directory / path).exists():
            raise ActionRefused(f"Đã có dự thảo mã '{draft_id}'. Để thay bằng bản mới, mở dự "
                                "thảo đó và tải bản mới lên ở đó.")
        word = await _read_word(
            request, form, draft_id=draft_id, title=values["title"],
            level=actions.choose_level(values["level"], pack.campaign.organisation.level),
            version=values["version"] or "1",
            opens=actions.parse_moment(values["opens"], "bắt đầu góp ý", end_of_day=False),
            closes=actions.parse_moment(values["closes"], "hết hạn góp ý", end_of_day=True))
        if text(form, "check_only"):  # read the file and check the pack, store nothing
            pack_with, report = content_actions.check_with(directory, await _overlay(request),
                                                           path, word.text)
            if pack_with is None:
                raise ActionRefused(content_actions.refusal(report, path))
            return _list_page(request, values=values, found=[
                ("  " * depth + node.heading) for depth, node in word.outline.walk()])
        async with service(request).database.transaction() as session:
            await content_actions.save_text(session, directory, path=path, text=word.text,
                                            base_version=0, who=who.who, now=now(),
                                            note="tải dự thảo từ tệp Word")
    except ActionRefused as error:
        return _list_page(request, status=400, error=str(error), values=values)
    await reached_everyone(request)
    counted = sum(word.outline.counts().values())
    return redirect(f"{PATH}/{draft_id}", flash=f"Đã đăng dự thảo: {counted} đề mục để góp ý.")


async def _draft_page(request: Request, draft_id: str, *, status: int = 200,
                      error: str | None = None) -> HTMLResponse:
    pack = _pack(request)
    draft = pack.drafts.get(draft_id)
    paths = await _paths(request)
    if draft is None or draft_id not in paths:
        raise HTTPException(404)
    async with service(request).database.read() as session:
        shown = await content_actions.read_text(session, _directory(request), paths[draft_id])
        history = await content_edits.history(session, shown.path)
    moment = _local_now(request)
    return render(request, "drafts/detail.html", {
        "title": draft.title, "draft": draft, "sections": flatten(draft.sections),
        "state": state(draft, moment), "open": draft.opens <= moment < draft.closes,
        "file": shown, "history": history, "levels": actions.LEVELS, "error": error},
        status=status)


@page.get(PATH + "/{draft_id}")
async def draft(request: Request, who: Signed, draft_id: str) -> HTMLResponse:
    return await _draft_page(request, draft_id)


async def _save(request: Request, who: Principal, draft_id: str, form: FormData,
                change: Callable[[str, Draft], Awaitable[str]], note: str) -> Response:
    """Apply `change(text, draft)` to the draft's file as a new version, from the version the
    form was opened on."""
    paths = await _paths(request)
    draft = _pack(request).drafts.get(draft_id)
    if draft is None or draft_id not in paths:
        raise HTTPException(404)
    try:
        base = int(text(form, "version_seen") or "-1")
        async with service(request).database.transaction() as session:
            shown = await content_actions.read_text(session, _directory(request), paths[draft_id])
            if shown.version != base:
                raise ActionRefused(content_actions.STALE.format(
                    by=shown.edit.edited_by if shown.edit else "?", at="vừa xong"))
            new_text = await change(shown.text, draft)
            await content_actions.save_text(session, _directory(request), path=shown.path,
                                            text=new_text, base_version=base, who=who.who,
                                            now=now(), note=note)
    except (ActionRefused, ValueError) as error:
        return await _draft_page(request, draft_id, status=400, error=str(error))
    await reached_everyone(request)
    return redirect(f"{PATH}/{draft_id}", flash="Đã lưu; bà con thấy ngay.")


@page.post(PATH + "/{draft_id}")
async def fix(request: Request, who: Signed, draft_id: str) -> Response:
    form = await read_form(request)

    async def change(current: str, draft: Draft) -> str:
        title = " ".join(text(form, "title").split())
        if not title:
            raise ActionRefused("Cần tên dự thảo.")
        opens = actions.parse_moment(text(form, "opens"), "bắt đầu góp ý", end_of_day=False)
        closes = actions.parse_moment(text(form, "closes"), "hết hạn góp ý", end_of_day=True)
        return actions.set_fields(
            current, title=title, level=actions.choose_level(text(form, "level"), draft.level),
            opens=f"{opens:%Y-%m-%d %H:%M}", closes=f"{closes:%Y-%m-%d %H:%M}")

    return await _save(request, who, draft_id, form, change, "sửa tên, cấp, thời gian")


@page.post(PATH + "/{draft_id}/close")
async def close(request: Request, who: Signed, draft_id: str) -> Response:
    form = await read_form(request)
    moment = _local_now(request)

    async def change(current: str, draft: Draft) -> str:
        if not draft.opens <= moment < draft.closes:
            raise ActionRefused(f"Dự thảo đang ở trạng thái “{state(draft, moment)}”: "
                                "không có gì để đóng.")
        closes = max(moment, draft.opens + dt.timedelta(minutes=1))
        return actions.set_fields(current, closes=f"{closes:%Y-%m-%d %H:%M}")

    return await _save(request, who, draft_id, form, change, "đóng góp ý sớm")


@page.post(PATH + "/{draft_id}/replace")
async def replace(request: Request, who: Signed, draft_id: str) -> Response:
    form = await read_form(request)

    async def change(current: str, draft: Draft) -> str:
        version = text(form, "new_version").strip()
        if version == draft.version:
            raise ActionRefused(f"Bản mới cần số phiên bản khác bản đang dùng ({draft.version}); "
                                "góp ý đã có giữ phiên bản cũ.")
        word = await _read_word(request, form, draft_id=draft.id, title=draft.title,
                                level=draft.level, version=version, opens=draft.opens,
                                closes=draft.closes)
        return word.text

    return await _save(request, who, draft_id, form, change, "thay bằng bản mới")
