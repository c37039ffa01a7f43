"""/admin/chia-se: copy-ready text for hamlet Zalo groups (issue 19), the console's side of
`loaso share` and the chat's /chiase: today's articles, and for the one chosen its text as
one Zalo message (plain, ≤ 2,000 characters, with the article's public address)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from bot.console.auth import Signed, now, service
from bot.console.page import Nav, Page
from bot.console.render import render
from db.models import Role
from handlers.share import share_article

page = Page("share", role=Role.LEADER, nav=Nav("Chia sẻ lên Zalo", "/admin/chia-se", order=80))
SHOWN = 20


@page.get("/admin/chia-se")
async def share(request: Request, who: Signed) -> HTMLResponse:
    current = service(request).content.current
    view = current.visible(now().astimezone(current.pack.zone).date())
    articles = sorted(view.articles, key=lambda a: (a.published, a.id), reverse=True)[:SHOWN]
    chosen_id = request.query_params.get("bai", "").strip()
    chosen, text = None, None
    if chosen_id:
        chosen = view.article(chosen_id)
        if chosen is None:
            raise HTTPException(404)
        settings = service(request).settings
        text = share_article(chosen, organisation=current.pack.campaign.organisation.name,
                             public_url=settings.public_url)
    return render(request, "share.html", {"title": "Chia sẻ lên nhóm Zalo", "articles": articles,
                                          "chosen": chosen, "text": text})
