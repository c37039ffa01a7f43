"""Questions and answers ("Hỏi đáp"): the pack's FAQ, one question per option."""

from __future__ import annotations

from handlers import texts
from handlers.news import stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Turn, router
from messages.types import Option


@router.button("faq")
async def faq(turn: Turn) -> None:
    """faq:list:<page> lists questions; faq:q:<id> answers one."""
    screen, _, args = turn.value.partition(":")
    entries = turn.content.pack.faq
    if screen == "q":
        entry = next((entry for entry in entries if entry.id == args), None)
        if entry is None:
            stale(turn)
            return
        turn.say(f"❓ {entry.questions[0]}\n\n{entry.answer}", navigation(back="faq:list:0"))
        return
    page = int_or_zero(args)
    shown, more = page_of(entries, page)
    options = [Option(label(entry.questions[0]), f"faq:q:{entry.id}") for entry in shown]
    turn.say(texts.FAQ_TITLE,
             options + navigation(more=f"faq:list:{page + 1}" if more else None))


router.menu_item(texts.MENU_FAQ, "faq:list:0", order=40)
