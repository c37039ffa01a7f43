"""The public router: every page group of GROUPS, and the pages' own style sheet.

The app includes it last (bot/app.py), so a route another part declares for the same path
wins; the console's preview page (bot/console/pages/preview.py) serves the same groups to
staff under /admin/xem-truoc.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from bot.html import static_file
from bot.public import calendar, chat, drafts, feed, home, news
from bot.public.render import STATIC, STATIC_PREFIX, PageGroup, PublicPage, PublicRoute
from bot.public.showing import today

GROUPS: list[PageGroup] = [
    home.group,
    feed.group,  # before news: /tin/feed.xml is not an article
    news.group,
    drafts.group,
    calendar.group,
    chat.group,  # the web chat's page (the channel's own routes carry its messages)
]


def _endpoint(shown: PublicPage) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await shown.handler(request, await today(request), **request.path_params)
    endpoint.__name__ = f"public_{shown.handler.__name__}"
    return endpoint


async def public_static_file(name: str) -> FileResponse:
    return static_file(STATIC, name)


def public_router(groups: list[PageGroup] | None = None) -> APIRouter:
    router = APIRouter(route_class=PublicRoute)
    for group in GROUPS if groups is None else groups:
        for shown in group.pages:
            router.add_api_route(shown.path, _endpoint(shown), methods=["GET", "HEAD"],
                                 include_in_schema=False)
    router.add_api_route(STATIC_PREFIX + "/{name}", public_static_file, methods=["GET"],
                         include_in_schema=False)
    return router
