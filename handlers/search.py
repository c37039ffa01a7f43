"""Search (/timkiem <từ khóa>, and any plain text outside a flow): FAQ first, then articles."""

from __future__ import annotations

from content.text import shorten
from db import search_misses
from handlers import texts
from handlers.consultation import KEPT_PAYLOAD, KeptComment
from handlers.intents import comment_text
from handlers.menu import show_menu
from handlers.paging import label
from handlers.router import Router, Turn
from messages.types import Option

SHOWN_QUERY = 60


async def search_command(turn: Turn) -> None:
    """Search for the words after the command, or explain how to."""
    if not turn.inbound.text.strip():
        show_menu(turn, texts.SEARCH_HINT)
        return
    await search(turn, turn.inbound.text)


async def search_text(turn: Turn) -> None:
    await search(turn, turn.inbound.text)


async def search(turn: Turn, query: str) -> None:
    """The FAQ answer and the articles true today; a sentence that reads as a comment also
    gets a button that starts /gopy with its text kept (handlers.intents.comment_text)."""
    result = turn.view.search(query)
    shown = query.strip()
    shown = shorten(shown, SHOWN_QUERY)
    kept = comment_text(query)
    offer = [Option(texts.GY_KEEP_COMMENT, KEPT_PAYLOAD)] if kept else []
    if kept:
        turn.goto(None, KeptComment(text=kept))
    if not result.query_words:
        show_menu(turn, texts.SEARCH_EMPTY)
        return
    if result.empty:
        # counted without who asked (db.search_misses), for the campaign report
        await search_misses.record(turn.session, result.query_words, turn.user.id, turn.now)
        _menu_with(turn, texts.SEARCH_NOTHING.format(query=shown), offer)
        return
    if result.faq is not None:
        turn.say(texts.SEARCH_FAQ.format(answer=result.faq.answer))
    options = [Option(label(article.title), f"news:art:{article.id}")
               for article in result.articles]
    if options:
        # after an answer the articles are further reading, not "the results"
        lead = (texts.SEARCH_RELATED if result.faq is not None
                else texts.SEARCH_RESULTS.format(query=shown))
        turn.say(lead, options + offer + [Option(texts.MENU, "menu:show")])
    else:
        _menu_with(turn, texts.MENU_TITLE, offer)


def _menu_with(turn: Turn, text: str, first: list[Option]) -> None:
    turn.say(text, first + turn.menu_options())


def register(router: Router) -> None:
    router.command("timkiem", step=search_command)
    router.fallbacks(text=search_text)
