"""/admin/reports: the campaign reports written on the pack's schedule, kept for download
(channels that cannot send files link here); every download is audited."""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from bot.console.auth import Signed, now, service
from bot.console.page import Nav, Page
from bot.console.paging import Paging
from bot.console.render import render
from db import audit
from db.campaign_reports import reports_page
from db.listening_models import CampaignReport
from db.models import Role

page = Page("reports", role=Role.STAFF, nav=Nav("Báo cáo", "/admin/reports", order=35))
PER_PAGE = 30
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@page.get("/admin/reports")
async def reports(request: Request, who: Signed) -> HTMLResponse:
    paging = Paging.of(request, PER_PAGE)
    async with service(request).database.read() as session:
        rows, total = await reports_page(session, offset=paging.offset, limit=PER_PAGE)
    return render(request, "reports.html", {"title": "Báo cáo kết quả thực hiện Kế hoạch",
                                            "rows": rows, "paging": paging.with_total(total)})


@page.get("/admin/reports/{report_id}")
async def download(request: Request, report_id: int, who: Signed) -> FileResponse:
    folder = Path(service(request).settings.console_export_dir)
    async with service(request).database.transaction() as session:
        row = await session.get(CampaignReport, report_id)
        if row is None or not (folder / row.stored_name).is_file():
            raise HTTPException(404)
        await audit.record(session, who.who, "report.download", now=now(),
                           target=row.file_name)
    return FileResponse(folder / row.stored_name, media_type=DOCX, filename=row.file_name)
