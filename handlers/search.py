"""Search (/timkiem <từ khóa>, and any plain text outside a flow): FAQ first, then articles."""

from __future__ import annotations

from content.text import fold
from handlers import texts
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


GREETINGS = {"xin chao", "chao", "chao ban", "alo", "hi", "hello", "chao loa so", "a lo"}
THANKS = {"cam on", "cam on ban", "cam on loa so", "thanks", "thank you", "ok cam on"}


async def search(turn: Turn, query: str) -> None:
    folded = fold(query).strip(" !.?")
    if folded in GREETINGS:
        show_menu(turn, texts.HELLO)
        return
    if folded in THANKS:
        show_menu(turn, texts.THANKS)
        return
    result = turn.view.search(query)
    shown = query.strip()
    shown = shown if len(shown) <= SHOWN_QUERY else shown[: SHOWN_QUERY - 1] + "…"
    if not result.query_words:
        show_menu(turn, texts.SEARCH_EMPTY)
        return
    if result.empty:
        show_menu(turn, texts.SEARCH_NOTHING.format(query=shown))
        return
    if result.faq is not None:
        turn.say(texts.SEARCH_FAQ.format(answer=result.faq.answer))
    options = [Option(label(article.title), f"news:art:{article.id}")
               for article in result.articles]
    if options:
        turn.say(texts.SEARCH_RESULTS.format(query=shown),
                 options + [Option(texts.MENU, "menu:show")])
    else:
        show_menu(turn)


def register(router: Router) -> None:
    router.command("timkiem", step=search_command)
    router.fallbacks(text=search_text)
