"""What every server-rendered page of Loa Số shares, the staff console's and the public
pages' alike: the template environment and its filters, static files whose URL carries a hash
of their content, the security headers and the Vietnamese names of HTTP errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from content.text import format_number

CONSOLE_STATIC = Path(__file__).parent / "console" / "static"


SECURITY_HEADERS = {
    # no inline script or style anywhere; the console's own files only
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
STATUS_TEXT = {400: "Yêu cầu không hợp lệ", 401: "Cần đăng nhập", 403: "Không có quyền",
               404: "Không tìm thấy", 405: "Không hỗ trợ", 410: "Không còn hiệu lực",
               411: "Thiếu độ dài", 413: "Quá lớn", 429: "Tạm khóa"}


@pass_context
def _day(context: Context, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(context["zone"]).strftime("%d/%m/%Y")


@pass_context
def _moment(context: Context, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(context["zone"]).strftime("%H:%M %d/%m/%Y")


def _number(value: int | float) -> str:
    return format_number(value)


def template_environment(folder: Path, static: Callable[[str], str]) -> Environment:
    """Autoescaped templates from `folder` with the shared filters (`day`, `moment` need
    `zone` in the context; `number`) and `static(name)` for the folder's own files. The
    console's and the public pages' (bot/public) environments are both made here."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(day=_day, moment=_moment, number=_number)
    env.globals["static"] = static
    return env


@cache
def hashed_url(folder: Path, prefix: str, name: str) -> str:
    """`prefix/name?v=…`: a short hash of the file's content in its URL, so browsers never
    keep an old copy (and may keep this one for a year)."""
    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:10]
    return f"{prefix}/{name}?v={digest}"


def console_static_url(name: str) -> str:
    """The console's own static files (its CSS serves the public pages' shared look too)."""
    return hashed_url(CONSOLE_STATIC, "/admin/static", name)


STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*\.(?:js|css|svg|png|ico)$")
STATIC_TYPES = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml",
                "png": "image/png", "ico": "image/x-icon"}


def static_file(folder: Path, name: str) -> FileResponse:
    """One of `folder`'s own files (404 for any other name). Its URL carries a hash of its
    content (hashed_url), so a copy can be kept for a year."""
    path = folder / name
    if not STATIC_NAME.match(name) or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=STATIC_TYPES[name.rsplit(".", 1)[1]],
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
