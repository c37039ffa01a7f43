"""The main menu, help, and the answers for everything no flow claims."""

from __future__ import annotations

from handlers import texts
from handlers.router import Turn, router


def show_menu(turn: Turn, title: str = texts.MENU_TITLE) -> None:
    turn.say(title, router.menu_options())


@router.command("menu")
async def menu(turn: Turn) -> None:
    """Show the features that exist."""
    show_menu(turn)


@router.command("trogiup", "help")
@router.button("help")
async def help_(turn: Turn) -> None:
    """Explain the commands and how to choose options."""
    turn.say(texts.HELP)
    show_menu(turn)


@router.button("menu")
async def menu_button(turn: Turn) -> None:
    show_menu(turn)


async def unknown_command(turn: Turn) -> None:
    show_menu(turn, texts.UNKNOWN_COMMAND.format(command=turn.inbound.command))


async def stale_button(turn: Turn) -> None:
    show_menu(turn, texts.STALE_BUTTON)


async def unsupported(turn: Turn) -> None:
    show_menu(turn, texts.UNSUPPORTED)


router.on_unknown_command = unknown_command
router.on_stale_button = stale_button
router.on_unsupported = unsupported
router.menu_item(texts.MENU_HELP, "help:show", order=80)
