"""The main menu, help, and the answers for everything no flow claims."""

from __future__ import annotations

from handlers import texts
from handlers.router import Router, Turn


def show_menu(turn: Turn, title: str = texts.MENU_TITLE) -> None:
    turn.say(title, turn.menu_options())


def stale(turn: Turn) -> None:
    """The one answer for a button that is out of date, unknown or forged, and for a flow
    whose stored data no longer loads: say so and show the menu."""
    show_menu(turn, texts.STALE)


async def menu(turn: Turn) -> None:
    """Show the features that exist; "Menu" leaves whatever flow was waiting."""
    turn.goto(None)
    show_menu(turn)


async def help_(turn: Turn) -> None:
    """Explain the commands and how to choose options."""
    turn.say(texts.HELP)
    show_menu(turn)


async def unknown_command(turn: Turn) -> None:
    show_menu(turn, texts.UNKNOWN_COMMAND.format(command=turn.inbound.command))


async def stale_button(turn: Turn) -> None:
    stale(turn)


async def unsupported(turn: Turn) -> None:
    show_menu(turn, texts.UNSUPPORTED)


def register(router: Router) -> None:
    router.command("menu", step=menu)
    router.command("trogiup", "help", step=help_)
    router.button("help", help_)
    router.button("menu", menu)
    router.fallbacks(unknown_command=unknown_command, stale_button=stale_button,
                     unsupported=unsupported)
    router.menu_item(texts.MENU_HELP, "help:show", order=80)
