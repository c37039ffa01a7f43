"""The console's pages, one module each: a module of this package with a top-level
`page = Page(...)` (bot/console/page.py) is a page, found by reading the sources, so a new
page is a module, a template and a test, edited into no list. Routes are matched in module
order, except that a page with a catch-all route (`not_found`: any other /admin/… path)
comes last; paths that could overlap across pages use typed parameters instead
(`{receipt:receipt}`, `{announcement_id:int}`)."""

from __future__ import annotations

import sys

from bot.channels.declarations import declaring
from bot.console.page import Page


def _pages() -> list[Page]:
    pages = [module.page for module in declaring(sys.modules[__name__], "page = Page(")
             if isinstance(getattr(module, "page", None), Page)]
    return sorted(pages, key=lambda page: page.catches_all)  # stable: the rest keep their order


PAGES = _pages()
