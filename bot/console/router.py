"""The console's one router: every page module of `pages.PAGES`, in that order."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from bot.console.forms import scratch
from bot.console.page import Console, Page


def console_router(pages: list[Page] | None = None) -> APIRouter:
    if pages is None:
        from bot.console.pages import PAGES

        pages = PAGES
    console = Console(pages)

    async def with_console(request: Request) -> None:
        scratch(request).console = console

    router = APIRouter()
    for page in pages:
        router.include_router(page.router, dependencies=[Depends(with_console)])
    return router
