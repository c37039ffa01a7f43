"""/admin/audit: the audit log for admins, newest first, a page at a time."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.console.auth import Signed, service
from bot.console.page import Nav, Page
from bot.console.paging import Paging
from bot.console.render import render
from db import audit
from db.models import Role

page = Page("audit", role=Role.ADMIN, nav=Nav("Nhật ký", "/admin/audit", order=90))
PER_PAGE = 50

ACTIONS = {
    "login": "Đăng nhập", "login.failed": "Đăng nhập sai", "login.locked": "Đăng nhập bị khóa",
    "logout": "Đăng xuất", "link.create": "Tạo đường dẫn đăng nhập",
    "account.add": "Tạo tài khoản", "account.disable": "Khóa tài khoản",
    "account.reset_password": "Đặt lại mật khẩu", "comment.view": "Xem góp ý",
    "comment.status": "Đổi trạng thái góp ý", "comment.status_bulk": "Đổi trạng thái nhiều góp ý",
    "comment.duplicate": "Đánh dấu góp ý trùng", "comment.answer": "Trả lời góp ý",
    "meeting.import": "Nhập góp ý hội nghị",
}


@page.get("/admin/audit")
async def audit_log(request: Request, who: Signed) -> HTMLResponse:
    action = request.query_params.get("action") or None
    paging = Paging.of(request, PER_PAGE)
    async with service(request).database.read() as session:
        entries, total = await audit.page(session, offset=paging.offset, limit=PER_PAGE,
                                          action=action)
        recorded = await audit.actions_recorded(session)
    return render(request, "audit.html", {
        "title": "Nhật ký thao tác", "entries": entries, "labels": ACTIONS, "action": action,
        "actions": [(code, ACTIONS.get(code, code)) for code in recorded],
        "paging": paging.with_total(total)})
