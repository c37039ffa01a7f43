"""Pages of options with the same navigation on every screen: Xem thêm, Quay lại, Menu."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from content.text import shorten
from handlers import texts
from messages.types import Option, is_number

Item = TypeVar("Item")
PAGE_SIZE = 8


def page_of(items: Sequence[Item], page: int) -> tuple[Sequence[Item], bool]:
    """The items on `page` (clamped to a real page) and whether more follow."""
    last = max(0, (len(items) - 1) // PAGE_SIZE)
    page = min(max(page, 0), last)
    start = page * PAGE_SIZE
    return items[start:start + PAGE_SIZE], start + PAGE_SIZE < len(items)


def navigation(*, more: str | None = None, back: str | None = None,
               extra: Sequence[Option] = ()) -> list[Option]:
    options = []
    if more:
        options.append(Option(texts.MORE, more))
    options.extend(extra)
    options.append(Option(texts.BACK, back or "menu:show"))
    options.append(Option(texts.MENU, "menu:show"))
    return options


def int_or_zero(value: str) -> int:
    return int(value) if is_number(value) else 0


def label(text: str, limit: int = 60) -> str:
    """Button labels stay short enough to read on a phone, cut between words with "…"."""
    return shorten(text, limit)
