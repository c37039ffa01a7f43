"""A console page: its routes, the role they need and its place in the navigation.

    page = Page("exports", role=Role.STAFF, nav=Nav("Xuất dữ liệu", "/admin/exports", order=30))

    @page.get("/admin/exports")
    async def exports(request: Request, who: Signed) -> HTMLResponse:
        return render(request, "exports.html", {...})

Every route of a page carries the guard for its role (a route may ask for a higher one with
`role=`): no session → the sign-in page or 401, a lower role → 403, a state-changing request
without the session's CSRF token → 403. Every answer, refusals included, carries the
security headers. A page with `role=None` is public (the sign-in form); its forms are
protected by the pre-sign-in CSRF cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.types import DecoratedCallable

from bot.actions import ActionRefused
from bot.console.auth import Forbidden, NotSignedIn, Principal, guard, public_guard
from bot.console.forms import FormRefused
from bot.console.render import render
from bot.html import SECURITY_HEADERS, STATUS_TEXT  # noqa: F401  (re-exported)
from db.login_links import ROLE_RANK
from db.models import Role

SIGN_IN = "/admin/login"


@dataclass(frozen=True)
class Nav:
    label: str
    path: str
    order: int = 50
    role: Role | None = None  # shown from this role up (default: the page's role)


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, message: str) -> Response:
    if not wants_html(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message,
                                          "title": STATUS_TEXT.get(status, "Lỗi")},
                  status=status)


def _not_signed_in(request: Request) -> Response:
    if request.headers.get("hx-request"):  # htmx: let the page go to the sign-in form
        return JSONResponse({"detail": "Cần đăng nhập."}, status_code=401,
                            headers={"HX-Redirect": SIGN_IN})
    if wants_html(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        after = f"?next={quote(target, safe='')}" if request.method == "GET" else ""
        return RedirectResponse(SIGN_IN + after, status_code=303)
    return JSONResponse({"detail": "Cần đăng nhập."}, status_code=401)


class ConsoleRoute(APIRoute):
    """Turns the console's refusals into answers and puts the security headers on all."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except NotSignedIn:
                response = _not_signed_in(request)
            except Forbidden as refused:
                response = error_page(request, 403, str(refused))
            except FormRefused as refused:
                response = error_page(request, refused.status, refused.message)
            except ActionRefused as refused:
                response = error_page(request, 400, str(refused))
            except RequestValidationError:
                response = error_page(request, 400, "Dữ liệu gửi lên không hợp lệ.")
            except HTTPException as error:
                response = error_page(request, error.status_code,
                                      STATUS_TEXT.get(error.status_code, str(error.detail)))
            response.headers.update(SECURITY_HEADERS)
            if "cache-control" not in response.headers:
                response.headers["Cache-Control"] = "no-store"  # pages hold personal data
            return response

        return route


class Page:
    """One page module's routes, its role and its navigation entry."""

    def __init__(self, name: str, *, role: Role | None, nav: Nav | None = None,
                 lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
                 ) -> None:
        """`lifespan`: what the page runs while the app runs (an async context manager
        factory taking the app, as FastAPI's), e.g. the exports' background runner."""
        self.name, self.role, self.nav = name, role, nav
        self.router = APIRouter(route_class=ConsoleRoute, lifespan=lifespan)

    def route(self, path: str, methods: list[str], *, role: Role | None = None,
              ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        needed = role or self.role
        if needed is not None and self.role is not None and ROLE_RANK[needed] < ROLE_RANK[self.role]:
            raise ValueError(f"{path}: a route cannot need less than its page ({self.role})")
        check = public_guard if needed is None else guard(needed)
        return self.router.api_route(path, methods=methods, dependencies=[Depends(check)],
                                     response_class=HTMLResponse, include_in_schema=False)

    def get(self, path: str, *, role: Role | None = None,
            ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.route(path, ["GET"], role=role)

    def post(self, path: str, *, role: Role | None = None,
             ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.route(path, ["POST"], role=role)

    @property
    def catches_all(self) -> bool:
        """A route that takes any path (`{rest:path}`): matched after every other page's."""
        return any(":path}" in getattr(route, "path", "") for route in self.router.routes)

    def shows_to(self, who: Principal) -> bool:
        needed = (self.nav.role if self.nav and self.nav.role else self.role) or Role.LEADER
        return who.at_least(needed)


class Console:
    """The pages joined: what `render` needs to draw the navigation."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages

    def nav_for(self, who: Principal) -> list[Nav]:
        entries = [page.nav for page in self.pages if page.nav and page.shows_to(who)]
        return sorted(entries, key=lambda entry: entry.order)
