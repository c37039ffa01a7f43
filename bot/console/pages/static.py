"""The console's own files (htmx, the style sheet, a small script): served by Loa Số itself,
so the console works on a commune LAN without internet."""

from __future__ import annotations

import re

from fastapi import HTTPException
from fastapi.responses import FileResponse

from bot.console.page import Page
from bot.console.render import STATIC

page = Page("static", role=None)
NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*\.(?:js|css|svg|png|ico)$")
TYPES = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml",
         "png": "image/png", "ico": "image/x-icon"}


@page.get("/admin/static/{name}")
async def static_file(name: str) -> FileResponse:
    path = STATIC / name
    if not NAME.match(name) or not path.is_file():
        raise HTTPException(404)
    # URLs carry a hash of the content (render.static_url): a copy can be kept for a year
    return FileResponse(path, media_type=TYPES[name.rsplit(".", 1)[1]],
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
