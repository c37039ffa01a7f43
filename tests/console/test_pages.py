"""The audit page, the navigation by role, and adding a page the way part 2 will."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from bot.console.auth import Signed
from bot.console.page import Nav, Page
from bot.console.pages import PAGES
from bot.console.render import render
from bot.console.router import console_router
from db.models import Role
from tests.console.conftest import HTML, Desk


async def test_admins_read_the_audit_log_a_page_at_a_time(desk):
    await desk.account("quan.tri", "admin", name="Quản trị viên")
    for _ in range(3):
        await desk.sign_in("quan.tri", "sai-mat-khau-roi")
    await desk.sign_in("quan.tri")
    receipt = await desk.comment()
    for _ in range(52):
        await desk.client.get(f"/admin/comments/{receipt}", headers=HTML)
    first = await desk.client.get("/admin/audit", headers=HTML)
    assert first.status_code == 200
    assert "Mục 1–50 trong 57" in first.text and "Trang 1 / 2" in first.text
    assert first.text.count("Xem góp ý") >= 50 and "127.0.0.1" in first.text
    second = await desk.client.get("/admin/audit?page=2", headers=HTML)
    assert "Đăng nhập sai" in second.text and "Mục 51–57 trong 57" in second.text
    only = await desk.client.get("/admin/audit?action=login.failed", headers=HTML)
    assert only.text.count("<td data-label=\"Thao tác\">Đăng nhập sai</td>") == 3


@pytest.mark.parametrize("role, shown, hidden", [
    ("leader", ["Trang chính", "Góp ý"], ["Nhật ký"]),
    ("staff", ["Trang chính", "Góp ý"], ["Nhật ký"]),
    ("admin", ["Trang chính", "Góp ý", "Nhật ký"], []),
])
async def test_the_navigation_shows_what_the_role_may_open(desk, role, shown, hidden):
    await desk.account("nguoi.dung", role, areas=["thon-1"] if role == "leader" else ())
    await desk.sign_in("nguoi.dung")
    html = (await desk.client.get("/admin", headers=HTML)).text
    menu = html[html.index('class="menu"'):html.index("</nav>")]
    assert all(f">{label}</a>" in menu for label in shown)
    assert not any(f">{label}</a>" in menu for label in hidden)
    assert (await desk.client.get("/admin/audit", headers=HTML)).status_code == (
        200 if role == "admin" else 403)


# A page as part 2 adds one: a module-level Page, its routes, a template.
extra = Page("vi-du", role=Role.STAFF, nav=Nav("Gửi tin", "/admin/vi-du", order=60))


@extra.get("/admin/vi-du")
async def outbox_page(request: Request, who: Signed) -> HTMLResponse:
    return render(request, "error.html", {"title": "Gửi tin", "status": 200,
                                          "message": f"Xin chào {who.name}"})


@extra.post("/admin/vi-du/stop", role=Role.ADMIN)
async def outbox_stop(request: Request, who: Signed) -> HTMLResponse:
    return render(request, "error.html", {"title": "Đã dừng", "status": 200, "message": "ok"})


async def test_a_new_page_gets_sign_in_roles_csrf_headers_and_navigation(telegram_settings):
    from bot.service import Service

    service = Service(telegram_settings(public_url="http://loaso.test"))
    app = FastAPI()
    app.state.service = service
    app.include_router(console_router([*PAGES[:-1], extra, PAGES[-1]]))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://loaso.test") as client:
            desk = Desk(client, service)
            assert (await client.get("/admin/vi-du", headers=HTML)).status_code == 303
            await desk.account("can.bo", name="Lê Thị Lan")
            await desk.sign_in("can.bo")
            page = await client.get("/admin/vi-du", headers=HTML)
            assert page.status_code == 200 and "Xin chào Lê Thị Lan" in page.text
            assert '<a href="/admin/vi-du" aria-current="page">Gửi tin</a>' in page.text
            assert page.headers["x-frame-options"] == "DENY"
            assert (await desk.post("/admin/vi-du/stop")).status_code == 403  # staff < admin
            await desk.account("quan.tri", "admin")
            await desk.sign_in("quan.tri")
            assert (await desk.post("/admin/vi-du/stop")).status_code == 200
            assert (await client.post("/admin/vi-du/stop", headers=HTML)).status_code == 403
    await service.close()


def test_a_route_cannot_ask_for_less_than_its_page():
    page = Page("x", role=Role.STAFF)
    with pytest.raises(ValueError):
        page.get("/admin/x", role=Role.LEADER)


def test_every_page_module_is_found_and_the_catch_all_comes_last():
    """A new page is a file: nothing lists the pages by hand."""
    from pathlib import Path

    import bot.console.pages as package
    from bot.console.pages import PAGES

    modules = {path.stem for path in Path(package.__file__).parent.glob("*.py")} - {"__init__"}
    assert {page.name.replace("-", "_") for page in PAGES} == modules
    assert [page.catches_all for page in PAGES] == [False] * (len(PAGES) - 1) + [True]
    assert PAGES[-1].name == "not-found"
