"""/van-kien: the drafts open for comment, each readable section by section with "Góp ý"
opening the web chat at that draft; then the drafts whose consultation has ended (still
readable, as in the chat). A draft not yet open is not shown: nothing from the future."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from bot.public.render import PageGroup, page
from bot.public.showing import Showing
from content.models import Draft
from content.pack import FlatSection
from handlers import texts

group = PageGroup("drafts")


@dataclass(frozen=True)
class ShownDraft:
    draft: Draft
    sections: list[FlatSection]
    level: str  # "cấp xã"
    window: str  # "Đang lấy ý kiến đến 17:00 ngày 15/08/2025."
    open: bool


def shown_drafts(showing: Showing) -> tuple[list[ShownDraft], list[ShownDraft]]:
    """(open drafts, closing soonest first; closed drafts, latest closed first)."""
    pack, moment = showing.pack, showing.moment
    opened: list[ShownDraft] = []
    closed: list[ShownDraft] = []
    by_closing = sorted(pack.drafts.values(),
                        key=lambda draft: (pack.local(draft.closes), draft.title))
    for draft in by_closing:
        if moment < pack.local(draft.opens):
            continue
        closes = pack.local(draft.closes)
        is_open = moment < closes
        when = closes.astimezone(pack.zone).strftime(texts.LOCAL_TIME)
        window = (texts.GY_OPEN_UNTIL if is_open else texts.GY_CLOSED_AT).format(when=when)
        (opened if is_open else closed).append(ShownDraft(
            draft, pack.sections[draft.id], texts.LEVELS[draft.level], window, is_open))
    return opened, closed[::-1]


@group.get("/van-kien")
async def drafts(request: Request, showing: Showing) -> Response:
    opened, closed = shown_drafts(showing)
    return page(request, showing, "drafts.html", {
        "title": "Văn kiện & Góp ý",
        "description": "Dự thảo văn kiện đang lấy ý kiến Nhân dân: đọc từng mục và góp ý "
                       "qua Loa Số.",
        "open_drafts": opened, "closed_drafts": closed,
        "sample_note": texts.GY_SAMPLE})
