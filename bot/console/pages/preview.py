"""/admin/xem-truoc: staff see the public pages (bot/public) as residents will on another
day, `?as_of=YYYY-MM-DD`, through the same phase engine (`loaso chat --as-of` semantics: the
day at 00:00, staff's pin ignored; without a day, today as residents see it).

The preview lives under /admin because the console's session cookie is sent only there; the
public addresses ignore `as_of`, so nobody else can make them show another day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from bot.actions import ActionRefused
from bot.console.page import Nav, Page
from bot.public.render import PublicPage
from bot.public.router import GROUPS
from bot.public.showing import PREVIEW_BASE, preview
from db.models import Role

page = Page("preview", role=Role.STAFF,
            nav=Nav("Xem trước trang công khai", PREVIEW_BASE, order=90))
BAD_DAY = "Ngày xem trước không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2026-01-20."


def preview_day(request: Request) -> dt.date | None:
    value = request.query_params.get("as_of", "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ActionRefused(BAD_DAY) from None


def _endpoint(shown: PublicPage) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        showing = await preview(request, preview_day(request))
        return await shown.handler(request, showing, **request.path_params)
    endpoint.__name__ = f"preview_{shown.handler.__name__}"
    return endpoint


for _group in GROUPS:
    for _shown in _group.pages:
        if _shown.preview:
            page.get(PREVIEW_BASE + ("" if _shown.path == "/" else _shown.path))(
                _endpoint(_shown))
