"""/chat until the web chat channel serves it: a page saying the chat is coming, with the way
back to what the link was about (`?start=tin:<id>` / `gy:<id>`, see links.py).

The web chat channel replaces this module: delete it and its line in router.GROUPS. (The app
includes the public router last, so a /chat route of the channel's own wins even before.)"""

from __future__ import annotations

from fastapi import Request, Response

from bot.public.links import resolve_start
from bot.public.render import PageGroup, page
from bot.public.showing import Showing

group = PageGroup("chat-placeholder")


@group.get("/chat", preview=False)
async def chat(request: Request, showing: Showing) -> Response:
    start = resolve_start(request.query_params.get("start"), showing.view, showing.moment)
    article = draft = None
    if start is not None and start.kind == "tin":
        article = showing.view.article(start.target)
    elif start is not None:
        draft = showing.pack.drafts.get(start.target)
    return page(request, showing, "chat.html", {
        "title": "Trò chuyện với Loa Số",
        "description": "Trò chuyện với Loa Số ngay trên trang web.",
        "article": article, "draft": draft})
