"""Questions and answers ("Hỏi đáp"): the pack's FAQ, one question per option."""

from __future__ import annotations

from handlers import texts
from handlers.menu import stale
from handlers.paging import int_or_zero, label, navigation, page_of
from handlers.router import Router, Turn
from messages.types import Option


async def questions(turn: Turn) -> None:
    """faq:list:<page>: the questions, a page at a time."""
    page = int_or_zero(turn.value)
    shown, more = page_of(turn.view.faq, page)
    options = [Option(label(entry.questions[0]), f"faq:q:{entry.id}") for entry in shown]
    turn.say(texts.FAQ_TITLE,
             options + navigation(more=f"faq:list:{page + 1}" if more else None))


async def answer(turn: Turn) -> None:
    """faq:q:<id>: one answer."""
    entry = turn.view.faq_entry(turn.value)
    if entry is None:
        stale(turn)
        return
    turn.say(texts.FAQ_ANSWER.format(question=entry.questions[0], answer=entry.answer),
             navigation(back="faq:list:0"))


def register(router: Router) -> None:
    router.steps("faq", {"": questions, "list": questions, "q": answer})
    router.menu_item(texts.MENU_FAQ, "faq:list:0", order=40)
