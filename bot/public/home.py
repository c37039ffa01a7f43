"""/: what Loa Số is, for a resident who finds it on the commune's site and for a newcomer
who has just run `make run`; the way to the chat and to the news."""

from __future__ import annotations

from fastapi import Request, Response

from bot.public.render import PageGroup, page
from bot.public.showing import Showing

group = PageGroup("home")


@group.get("/")
async def home(request: Request, showing: Showing) -> Response:
    period = showing.period
    return page(request, showing, "home.html", {
        "title": "Loa Số",
        "full_title": f"Loa Số — {showing.pack.campaign.organisation.name}",
        "description": "Kênh thông tin về Đại hội Đảng các cấp và nơi góp ý vào dự thảo "
                       "văn kiện, không cần cài thêm ứng dụng.",
        "phase": period.phase, "stage": period.stage,
        "open_drafts": sum(1 for draft in showing.pack.drafts.values()
                           if showing.pack.local(draft.opens) <= showing.moment
                           < showing.pack.local(draft.closes))})
