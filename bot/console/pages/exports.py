"""/admin/exports: comments as an Excel or CSV file, and the summary report for the standing
committee (Word or Excel), with the CLI's filters. A request makes a job and returns at once;
the file is made in the background (bot/console/export_runner.py) while the page shows its
progress (htmx polls the list) and then a download link. Leaders export the comments of their
hamlets and groups; reports are for staff. Files are kept for a day, offered only to the
account that asked (and admins), and every download is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import FormData

from bot.actions import ActionRefused
from bot.actions import exports as actions
from bot.console import desk
from bot.console.auth import Principal, Signed, now, require_scope, service
from bot.console.export_runner import ExportRunner
from bot.console.forms import read_form, text, texts
from bot.console.page import Nav, Page
from bot.console.render import redirect, render
from bot.reports.labels import STATUS_LABELS
from db import export_jobs as jobs
from db.console_models import ExportJob
from db.models import Role


@asynccontextmanager
async def running_exports(app: FastAPI) -> AsyncIterator[None]:
    """The page's background runner, for as long as the app runs."""
    svc = app.state.service
    runner = ExportRunner(svc.database, database_url=svc.settings.database_url,
                          folder=svc.settings.console_export_dir,
                          keep=dt.timedelta(hours=svc.settings.console_export_hours),
                          pack=lambda: svc.content.current.pack, settings=svc.settings)
    await runner.start()
    app.state.exports = runner
    try:
        yield
    finally:
        await runner.stop()


page = Page("exports", role=Role.LEADER,
            nav=Nav("Xuất dữ liệu", "/admin/exports", order=30), lifespan=running_exports)
PATH = "/admin/exports"
KINDS = {"csv": "Góp ý (CSV)", "xlsx": "Góp ý (Excel)", "report-docx": "Báo cáo (Word)",
         "report-xlsx": "Báo cáo (Excel)"}
STATES = {"queued": "Đang chờ", "running": "Đang tạo", "done": "Đã xong", "failed": "Lỗi",
          "expired": "Đã xóa (hết hạn)"}
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def runner(request: Request) -> ExportRunner:
    running: ExportRunner = request.app.state.exports  # set by running_exports
    return running


@dataclass(frozen=True)
class JobView:
    job: ExportJob
    kind: str
    state: str
    mine: bool

    @property
    def active(self) -> bool:
        return self.job.status in jobs.ACTIVE


def _views(found: list[ExportJob], who: Principal) -> list[JobView]:
    return [JobView(job, KINDS.get(job.kind, job.kind), STATES.get(job.status, job.status),
                    job.account_id == who.account_id) for job in found]


async def _jobs(request: Request, who: Principal) -> list[JobView]:
    """The recent jobs this person may see (an admin: everyone's), after failing any whose
    process is gone, so the page never shows a dead job as running."""
    async with service(request).database.transaction() as session:
        await runner(request).sweep_lost(session)
        found = await jobs.recent_jobs(
            session, account_id=None if who.at_least(Role.ADMIN) else who.account_id)
    return _views(found, who)


def _choices(request: Request, who: Principal) -> dict[str, object]:
    pack = service(request).content.current.pack
    return {
        "drafts": {draft.id: draft.title for draft in pack.drafts.values()},
        "statuses": dict(STATUS_LABELS), "sources": desk.SOURCES,
        "hamlets": {ref: name for ref, name in desk.hamlet_names(pack).items()
                    if who.covers(ref)},
        "can_report": who.at_least(Role.STAFF),
        "keep_hours": service(request).settings.console_export_hours,
    }


async def _page(request: Request, who: Principal, *, error: str | None = None,
                typed: dict[str, str | list[str]] | None = None, form: str = "") -> HTMLResponse:
    return render(request, "exports/page.html", {
        "title": "Xuất dữ liệu và báo cáo", "jobs": await _jobs(request, who),
        "error": error, "error_form": form, "typed": typed or {}, **_choices(request, who)},
        status=400 if error else 200)


@page.get(PATH)
async def exports_page(request: Request, who: Signed) -> HTMLResponse:
    return await _page(request, who)


@page.get(PATH + "/jobs")
async def job_list(request: Request, who: Signed) -> HTMLResponse:
    """The list alone, for htmx to poll while a file is being made."""
    return render(request, "exports/_jobs.html", {"jobs": await _jobs(request, who)})


def _typed(form: FormData) -> dict[str, str | list[str]]:
    return {key: (texts(form, key) if key == "status" else text(form, key))
            for key in form.keys() if key != "csrf_token"}


async def _start(request: Request, who: Principal, asked: actions.Asked) -> Response:
    async with service(request).database.transaction() as session:
        job = await actions.request_file(session, asked, account_id=who.account_id,
                                         who=who.who, runner=runner(request).id, now=now())
    runner(request).submit(job.id, asked, who.name)
    return redirect(f"{PATH}#job-{job.id}",
                    flash="Đang tạo tệp; trang này cho biết tiến độ và hiện nút tải về khi xong.")


@page.post(PATH)
async def export(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    if text(form, "hamlet"):
        require_scope(who, text(form, "hamlet"))  # a leader's other hamlet: 403
    try:
        asked = actions.check_export(service(request).content.current.pack, form,
                                     texts(form, "status"), who.scope)
        return await _start(request, who, asked)
    except ActionRefused as refused:
        return await _page(request, who, error=str(refused), typed=_typed(form), form="export")


@page.post(PATH + "/report", role=Role.STAFF)
async def report(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    try:
        asked = actions.check_report(service(request).content.current.pack, form)
        return await _start(request, who, asked)
    except ActionRefused as refused:
        return await _page(request, who, error=str(refused), typed=_typed(form), form="report")


class _Gone(Exception):
    """The file is not on this server's disk: undo the download's audit row."""


@page.get(PATH + "/jobs/{job_id:int}/file")
async def download(request: Request, job_id: int, who: Signed) -> Response:
    folder = runner(request).folder
    try:
        async with service(request).database.transaction() as session:
            job = await actions.hand_over(session, job_id, account_id=who.account_id,
                                          admin=who.at_least(Role.ADMIN), who=who.who,
                                          now=now())
            stored = job.stored_name  # a job handed over is done: its file has a name
            if stored is None or not (folder / stored).is_file():
                raise _Gone()
            path = folder / stored
    except actions.NotYours:
        raise HTTPException(404) from None
    except _Gone:
        return render(request, "error.html", {
            "title": "Tệp không còn", "status": 410,
            "message": "Tệp này không còn trên máy chủ (đã quá hạn giữ hoặc đã bị xóa). "
                       "Hãy tạo lại ở trang Xuất dữ liệu."}, status=410)
    return FileResponse(path, media_type=MEDIA[job.kind.removeprefix("report-")],
                        filename=job.file_name)
