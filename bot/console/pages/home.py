"""/admin: where sign-in lands. For now a greeting and the way to the work waiting; the
campaign dashboard (issue 14, item 2) replaces this page's content."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.console.auth import Signed, service
from bot.console.page import Nav, Page
from bot.console.render import render
from db import comments as comment_queries
from db.models import CommentStatus, Role

page = Page("home", role=Role.LEADER, nav=Nav("Trang chính", "/admin", order=10))


@page.get("/admin")
async def home(request: Request, who: Signed) -> HTMLResponse:
    waiting = comment_queries.CommentFilter(statuses=(CommentStatus.NEW,), scope=who.scope)
    async with service(request).database.read() as session:
        new_comments = await comment_queries.count_comments(session, waiting)
    return render(request, "home.html", {"title": "Trang chính", "new_comments": new_comments})
