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
    "meeting.import": "Nhập góp ý hội nghị", "export.request": "Yêu cầu tệp xuất",
    "export.download": "Tải tệp xuất",
    "inquiry.view": "Xem phản ánh", "inquiry.status": "Đổi trạng thái phản ánh",
    "inquiry.tags": "Gắn chủ đề phản ánh", "inquiry.sensitive": "Đánh dấu phản ánh nhạy cảm",
    "inquiry.answer": "Trả lời phản ánh", "correction.publish": "Đăng bài kiểm chứng",
    "correction.reject": "Từ chối bài kiểm chứng", "meeting.add": "Ghi buổi sinh hoạt",
    "meeting.edit": "Sửa buổi sinh hoạt", "report.download": "Tải báo cáo kế hoạch",
}

DETAILS = {"via": "cách", "role": "vai trò", "groups": "nhóm", "areas": "thôn",
           "linked": "theo vai trò trong Loa Số", "sessions_ended": "phiên đã chấm dứt",
           "from": "từ", "to": "sang", "note": "có ghi chú", "receipts": "góp ý",
           "of": "trùng với", "decision": "kết quả", "notified": "đã gửi người góp ý",
           "rows": "số dòng", "already": "đã nhập trước", "per_draft": "theo dự thảo",
           "kind": "loại tệp", "filters": "bộ lọc", "sha256": "SHA-256", "by": "người yêu cầu"}
VALUES: dict[str | bool | None, str] = {
    "password": "mật khẩu", "link": "đường dẫn một lần", True: "có", False: "không", None: "—"}


def describe(details: dict[str, object]) -> list[str]:
    """An audit row's details in words staff read."""
    lines = []
    for key, value in details.items():
        shown: object
        if isinstance(value, list):
            shown = ", ".join(str(item) for item in value) or "—"
        elif isinstance(value, dict):
            shown = ", ".join(f"{name}: {count}" for name, count in value.items())
        else:
            shown = VALUES.get(value, value) if isinstance(value, bool | str | None) else value
        lines.append(f"{DETAILS.get(key, key)}: {shown}")
    return lines


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
        "describe": describe,
        "actions": [(code, ACTIONS.get(code, code)) for code in recorded],
        "paging": paging.with_total(total)})
