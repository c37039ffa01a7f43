"""/admin/reports: the campaign reports written on the pack's schedule, or made here for a
period a staff member picks (DOCX in the Party layout, or XLSX with charts), kept for
download (channels that cannot send files link here); every report made and every download
is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from bot.actions import ActionRefused
from bot.console.auth import Principal, Signed, now, service
from bot.console.forms import read_form, text
from bot.console.page import Nav, Page
from bot.console.paging import Paging
from bot.console.render import redirect, render
from db import audit
from db.campaign_reports import reports_page
from db.listening_models import CampaignReport
from db.models import Role
from handlers.texts import REPORT_REASONS

page = Page("reports", role=Role.STAFF, nav=Nav("Báo cáo", "/admin/reports", order=35))
HOME = "/admin/reports"
PER_PAGE = 30
MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_NAMES = {"docx": "Word (.docx), trình bày theo thể thức văn bản của Đảng",
                "xlsx": "Excel (.xlsx), kèm biểu đồ"}
LONGEST = dt.timedelta(days=366)  # a longer period is surely a typo in the year


async def _listing(request: Request, who: Principal, *, typed: dict[str, str] | None = None,
                   error: str | None = None, status: int = 200) -> HTMLResponse:
    paging = Paging.of(request, PER_PAGE)
    async with service(request).database.read() as session:
        rows, total = await reports_page(session, offset=paging.offset, limit=PER_PAGE)
    pack = service(request).content.current.pack
    today = now().astimezone(pack.zone).date()
    typed = typed or {"from": (today - dt.timedelta(days=7)).isoformat(),
                      "to": (today - dt.timedelta(days=1)).isoformat(), "format": "docx"}
    return render(request, "reports.html", {
        "title": "Báo cáo kết quả thực hiện Kế hoạch", "rows": rows,
        "paging": paging.with_total(total), "typed": typed, "error": error,
        "formats": FORMAT_NAMES}, status=status)


@page.get(HOME)
async def reports(request: Request, who: Signed) -> HTMLResponse:
    return await _listing(request, who)


def _day(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ActionRefused(f"Hãy chọn {name} (ngày/tháng/năm).") from None


def _period(typed: dict[str, str]) -> tuple[dt.date, dt.date, str]:
    first, last = _day(typed["from"], "ngày bắt đầu"), _day(typed["to"], "ngày kết thúc")
    if last < first:
        raise ActionRefused(f"Kỳ báo cáo ngược: từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}.")
    if last - first >= LONGEST:
        raise ActionRefused("Kỳ báo cáo dài quá một năm; hãy kiểm tra lại năm đã chọn.")
    if typed["format"] not in FORMAT_NAMES:
        raise ActionRefused("Hãy chọn định dạng Word hoặc Excel.")
    return first, last, typed["format"]


@page.post(HOME)
async def make_report(request: Request, who: Signed) -> Response:
    """A report for the period picked, written now (a few seconds at most for a commune)."""
    from bot.reports import kept

    form = await read_form(request)
    typed = {key: text(form, key) for key in ("from", "to", "format")}
    try:
        first, last, kind = _period(typed)
    except ActionRefused as refused:
        return await _listing(request, who, typed=typed, error=str(refused), status=400)
    desk = service(request)
    moment = now()
    published = await kept.write(desk.database, desk.content.current.pack, desk.settings,
                                 first=first, last=last, kind=kind, actor=who.name, now=moment,
                                 on_request=True)
    async with desk.database.transaction() as session:
        row = await kept.record(session, published, first=first, last=last,
                                reason=kept.ON_REQUEST,
                                label=f"{REPORT_REASONS[kept.ON_REQUEST]} của {who.name}",
                                now=moment)
        await audit.record(session, who.who, "report.create", now=moment, target=row.file_name,
                           details={"from": first.isoformat(), "to": last.isoformat(),
                                    "format": kind})
    return redirect(HOME, flash=f"Đã lập báo cáo {first:%d/%m/%Y} – {last:%d/%m/%Y}: "
                                f"{row.file_name}.")


@page.get(HOME + "/{report_id}")
async def download(request: Request, report_id: int, who: Signed) -> FileResponse:
    folder = Path(service(request).settings.console_export_dir)
    async with service(request).database.transaction() as session:
        row = await session.get(CampaignReport, report_id)
        if row is None or not (folder / row.stored_name).is_file():
            raise HTTPException(404)
        await audit.record(session, who.who, "report.download", now=now(),
                           target=row.file_name)
    path = folder / row.stored_name
    return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                        filename=row.file_name)
