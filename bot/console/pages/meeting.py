"""/admin/comments/meeting: comments gathered at meetings, through the same spreadsheet as
`loaso comments template|import`: download the template, upload it filled in; every row is
checked and the rows are imported all or none, with the same "Dòng N: lý do" list."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.background import BackgroundTask

from bot.actions.comments import import_meeting_sheet
from bot.console.auth import Signed, now, service
from bot.console.forms import MAX_UPLOAD, TOO_LARGE, read_form, upload
from bot.console.page import Page
from bot.console.render import redirect, render
from bot.reports.meeting_import import MeetingImportError, read_sheet, write_template
from content.pack import Pack
from db.models import Role

page = Page("meeting", role=Role.STAFF)
PATH = "/admin/comments/meeting"
TEMPLATE_NAME = "gop-y-hoi-nghi.xlsx"


def _pack(request: Request) -> Pack:
    return service(request).content.current.pack


def _page(request: Request, *, status: int = 200, error: str | None = None,
          rows: Sequence[tuple[int, str]] = (), total: int = 0) -> HTMLResponse:
    pack = _pack(request)
    return render(request, "comments/meeting.html", {
        "title": "Góp ý thu ở hội nghị", "error": error, "row_errors": rows, "total": total,
        "has_drafts": bool(pack.drafts)}, status=status)


@page.get(PATH)
async def meeting(request: Request, who: Signed) -> HTMLResponse:
    return _page(request)


@page.get(PATH + "/" + TEMPLATE_NAME)
async def template(request: Request, who: Signed) -> Response:
    pack = _pack(request)
    if not pack.drafts:
        return _page(request, status=400, error="Gói nội dung chưa có dự thảo nào.")
    folder = tempfile.TemporaryDirectory(prefix="loaso-template-")
    path = Path(folder.name) / TEMPLATE_NAME
    await asyncio.to_thread(write_template, path, pack)
    return FileResponse(path, filename=TEMPLATE_NAME, background=BackgroundTask(folder.cleanup),
                        media_type="application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet")


@page.post(PATH)
async def import_sheet(request: Request, who: Signed) -> Response:
    form = await read_form(request)
    sent = upload(form, "file")
    if sent is None:
        return _page(request, status=400, error="Chưa chọn tệp. Hãy chọn tệp .xlsx đã ghi góp ý.")
    if sent.size is not None and sent.size > MAX_UPLOAD:
        return _page(request, status=413, error=TOO_LARGE)
    name = Path(sent.filename or "").name[:120] or "tep.xlsx"  # upload() saw a name
    pack = _pack(request)
    with tempfile.TemporaryDirectory(prefix="loaso-import-") as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower()[:8])
        path.write_bytes(await sent.read())
        try:
            sheet = await asyncio.to_thread(read_sheet, path, pack,
                                            now().astimezone(pack.zone).date())
        except MeetingImportError as error:
            return _page(request, status=400, error=str(error).replace(path.name, name))
    if sheet.errors:
        return _page(request, status=400, rows=sheet.errors,
                     total=len(sheet.errors) + len(sheet.rows),
                     error=f"Không nhập dòng nào: {len(sheet.errors)} dòng có lỗi. Sửa các dòng "
                           "dưới đây rồi tải tệp lên lại.")
    if not sheet.rows:
        return _page(request, status=400,
                     error=f"Trang “{sheet.name}” không có dòng góp ý nào (ngoài dòng tiêu đề).")
    try:
        async with service(request).database.transaction() as session:
            imported = await import_meeting_sheet(session, pack, sheet, file_name=name,
                                                  who=who.who, now=dt.datetime.now(dt.UTC))
    except IntegrityError:
        return _page(request, status=409, error="Tệp này đang được nhập cùng lúc ở nơi khác; "
                                                "không nhập dòng nào. Hãy thử lại.")
    if imported.count == 0:
        return redirect(PATH, flash=f"Tệp này đã được nhập trước đây ({imported.already} góp ý); "
                                    "không nhập lại, không có góp ý trùng.")
    already = f" Bỏ qua {imported.already} dòng đã nhập trước đây." if imported.already else ""
    return redirect("/admin/comments?source=meeting",
                    flash=f"Đã nhập {imported.count} góp ý từ {name}.{already}")
