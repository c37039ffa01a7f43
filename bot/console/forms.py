"""Reading a submitted form with limits, once per request (the CSRF check and the page share it).

Browsers send Content-Length with every form, so a body without one, or larger than the
limit, is refused before any of it is read: an upload (multipart) up to MAX_UPLOAD plus room
for the other fields, any other form up to MAX_FORM.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from messages.types import is_number

if TYPE_CHECKING:
    from bot.console.auth import Principal
    from bot.console.page import Console

MAX_UPLOAD = 10 * 1024 * 1024  # the files staff upload (meeting sheets) are far smaller
MAX_FORM = 256 * 1024
MULTIPART_SLACK = 64 * 1024


# A change a page makes from a submitted form, in one transaction (what it returns is unused).
FormChange = Callable[[AsyncSession, FormData], Awaitable[object]]

SCRATCH = "loaso.console"


@dataclass
class Scratch:
    """What the console keeps for one request."""

    form: FormData | None = None  # the form read (the CSRF check and the page share it)
    looked_up: bool = False  # the session was looked for; `principal` None: nobody signed in
    principal: Principal | None = None
    console: Console | None = None  # the pages, for the navigation drawn by render()


def scratch(request: Request) -> Scratch:
    """What the console keeps for one request, in the request's own scope: `request.state`
    can be the lifespan's state shared by every request, depending on the server."""
    kept = request.scope.get(SCRATCH)
    if not isinstance(kept, Scratch):
        kept = request.scope[SCRATCH] = Scratch()
    return kept


class FormRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


TOO_LARGE = "Tệp quá lớn: tối đa 10 MB. Hãy kiểm tra đã chọn đúng tệp; không có gì được lưu."


async def read_form(request: Request) -> FormData:
    cached = scratch(request).form
    if cached is not None:
        return cached
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    limit = MAX_UPLOAD + MULTIPART_SLACK if multipart else MAX_FORM
    declared = request.headers.get("content-length", "")
    if not is_number(declared):
        raise FormRefused(411, "Yêu cầu thiếu độ dài (Content-Length); hãy gửi lại từ trình duyệt.")
    if int(declared) > limit:
        raise FormRefused(413, TOO_LARGE if multipart else "Dữ liệu gửi lên quá lớn.")
    try:
        form = await request.form(max_files=1, max_fields=MAX_FORM // 64)
    except Exception:  # a malformed body, whatever the parser's complaint
        raise FormRefused(400, "Không đọc được dữ liệu gửi lên; hãy tải lại trang rồi thử lại.") from None
    scratch(request).form = form
    return form


def text(form: FormData, name: str) -> str:
    """A text field ("" if absent, or if a file was sent under that name)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None
