"""The console's own files (htmx, the style sheet, a small script): served by Loa Số itself,
so the console works on a commune LAN without internet."""

from __future__ import annotations

from fastapi.responses import FileResponse

from bot.console.page import Page
from bot.console.render import STATIC
from bot.html import static_file

page = Page("static", role=None)


@page.get("/admin/static/{name}")
async def console_static_file(name: str) -> FileResponse:
    return static_file(STATIC, name)
