"""/admin: where sign-in lands, the campaign at a glance. The current phase and stage, the
drafts open for comments, and the campaign's numbers as charts with their tables (see
bot/console/dashboard.py); a leader sees the figures of their hamlets and groups only."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.console import dashboard
from bot.console.auth import Principal, Signed, now, service
from bot.console.charts import bar_layout, column_layout
from bot.console.page import Nav, Page
from bot.console.render import render
from content.pack import Pack
from db.models import Role

page = Page("home", role=Role.LEADER, nav=Nav("Trang chính", "/admin", order=10))


@page.get("/admin")
async def home(request: Request, who: Signed) -> HTMLResponse:
    pack = service(request).content.current.pack
    async with service(request).database.read() as session:
        view = await dashboard.build(session, pack, who.scope, now())
    return render(request, "dashboard.html", {
        "title": "Tổng quan chiến dịch", "board": view, "charts": view.charts,
        "bar_layout": bar_layout, "column_layout": column_layout,
        "scope_names": _scope_names(pack, who)})


def _scope_names(pack: Pack, who: Principal) -> str:
    if who.scope is None:
        return ""
    names = {hamlet.id: hamlet.name for hamlet in pack.campaign.hamlets}
    names.update({group.id: group.name for group in pack.campaign.groups})
    return ", ".join(names.get(ref, ref) for ref in (*who.scope.areas, *who.scope.groups))
