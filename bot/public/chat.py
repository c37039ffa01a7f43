"""/chat: the web chat's page (the `web` channel, bot/channels/web.py, carries the messages).

The page is server-rendered with the conversation area empty; its script (chat.js) fills it
from the resident's history and keeps it live. A link into the chat (`?start=tin:<id>` /
`gy:<id>`, links.py) is resolved here into the button the script presses for the resident,
once they have agreed to the privacy notice. A poster's QR code adds `?src=<tag>`
(bot/outputs/qr.py): the script passes the tag with its opening, and a resident's first
contact is counted for that poster (handlers/consent.py), with nothing about them.
`?embed=1` is the same chat without the site's header, for the widget's frame: it alone may
be framed, and only by the sites in LOASO_WEBCHAT_ORIGINS (Content-Security-Policy
frame-ancestors).
"""

from __future__ import annotations

from fastapi import Request, Response

from bot.channels.web_transport import STATIC as CHAT_STATIC
from bot.html import SECURITY_HEADERS, hashed_url
from bot.public.links import resolve_start
from bot.public.render import PageGroup, page
from bot.public.showing import Showing, service_of
from messages.source_tags import source_tag

group = PageGroup("chat")


def chat_static(name: str) -> str:
    return hashed_url(CHAT_STATIC, "/chat/static", name)


def embedding_policy(origins: list[str]) -> str:
    """The site's policy with frame-ancestors opened to the allowed sites only."""
    allowed = " ".join(["'self'", *origins])
    return SECURITY_HEADERS["Content-Security-Policy"].replace(
        "frame-ancestors 'none'", f"frame-ancestors {allowed}")


@group.get("/chat", preview=False)
async def chat(request: Request, showing: Showing) -> Response:
    service = service_of(request)
    start = resolve_start(request.query_params.get("start"), showing.view, showing.moment)
    article = draft = None
    if start is not None and start.kind == "tin":
        article = showing.view.article(start.target)
    elif start is not None:
        draft = showing.pack.drafts.get(start.target)
    embed = request.query_params.get("embed") == "1"
    response = page(request, showing, "chat.html", {
        "title": "Trò chuyện với Loa Số",
        "description": "Hỏi đáp, đọc tin Đại hội và góp ý dự thảo văn kiện với Loa Số "
                       "ngay trên trang web, không cần cài ứng dụng.",
        "enabled": "web" in service.channels, "embed": embed,
        "start": start.payload if start else "",
        "source": source_tag(request.query_params.get("src")) or "", "article": article, "draft": draft,
        "chat_static": chat_static})
    if embed:
        response.headers["Content-Security-Policy"] = embedding_policy(
            service.settings.webchat_origins)
    return response
