"""Any other /admin/… address: a clear page (with the console's headers) rather than JSON."""

from __future__ import annotations

from fastapi import HTTPException

from bot.console.page import Page

page = Page("not-found", role=None)


@page.route("/admin/{rest:path}", ["GET", "POST"])
async def not_found(rest: str) -> None:
    raise HTTPException(404)
