"""/admin/chia-se: copy-ready text for hamlet Zalo groups (issue 19), the console's side of
`loaso share` and the chat's /chiase: today's articles, and for the one chosen its text as
one Zalo message (plain, ≤ 2,000 characters, with the article's public address); or a text
the leader writes, made into the same kind of message. Nothing is stored: the page only
formats, and a "Sao chép" button copies the result."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from bot.console.auth import Signed, now, service
from bot.console.forms import read_form
from bot.console.forms import text as form_text
from bot.console.page import Nav, Page
from bot.console.render import render
from content.models import Article
from content.text import format_number
from db.models import Role
from handlers.share import share_article, share_text

page = Page("share", role=Role.LEADER, nav=Nav("Chia sẻ lên Zalo", "/admin/chia-se", order=80))
SHOWN = 20
MAX_TYPED = 20_000  # characters pasted in; the message itself is cut to Zalo's 2,000


@page.get("/admin/chia-se")
async def share(request: Request, who: Signed) -> HTMLResponse:
    current = service(request).content.current
    view = current.visible(now().astimezone(current.pack.zone).date())
    articles = _newest(view.articles)
    chosen_id = request.query_params.get("bai", "").strip()
    chosen, text = None, None
    if chosen_id:
        chosen = view.article(chosen_id)
        if chosen is None:
            raise HTTPException(404)
        settings = service(request).settings
        text = share_article(chosen, organisation=current.pack.campaign.organisation.name,
                             public_url=settings.public_url)
    return _page(request, articles, chosen=chosen.title if chosen else None, text=text)


def _newest(articles: Iterable[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.published, a.id), reverse=True)[:SHOWN]


def _page(request: Request, articles: list[Article], *, chosen: str | None = None,
          text: str | None = None, typed: str = "", error: str | None = None,
          status: int = 200) -> HTMLResponse:
    return render(request, "share.html", {
        "title": "Chia sẻ lên nhóm Zalo", "articles": articles, "chosen": chosen, "text": text,
        "typed": typed, "error": error, "max_typed": MAX_TYPED}, status=status)


@page.post("/admin/chia-se")
async def share_own_text(request: Request, who: Signed) -> HTMLResponse:
    """A text the leader wrote, as one Zalo message with the commune's signature."""
    current = service(request).content.current
    articles = _newest(current.visible(now().astimezone(current.pack.zone).date()).articles)
    typed = form_text(await read_form(request), "noi_dung")
    if not typed.strip():
        return _page(request, articles, typed=typed, status=400,
                     error="Hãy dán hoặc gõ nội dung cần chia sẻ.")
    if len(typed) > MAX_TYPED:
        return _page(request, articles, typed=typed[:MAX_TYPED], status=400,
                     error=f"Nội dung dài quá {format_number(MAX_TYPED)} ký tự.")
    text = share_text(typed, organisation=current.pack.campaign.organisation.name)
    return _page(request, articles, chosen="Nội dung tự soạn", text=text, typed=typed)
