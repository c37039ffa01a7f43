"""Who is asking, and may they: the signed-in principal, roles, a leader's scope, CSRF.

A page never calls these itself: `Page.get/post` attach `guard(role)` to each route, which
resolves the session, checks the role and, on every state-changing request, the CSRF token,
then leaves the principal for the handler (`who: Signed`). Refusals are exceptions that the
console's route class turns into answers: NotSignedIn → the sign-in page (a browser asking
for a page) or 401; Forbidden → 403; FormRefused → its status.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import UploadFile

from bot.actions.accounts import Access
from bot.console import sessions
from bot.console.forms import read_form, scratch
from db.audit import Who
from db.comments import Scope
from db.login_links import ROLE_LABELS
from db.models import Role

if TYPE_CHECKING:
    from bot.service import Service

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_CSRF_COOKIE = "loaso_login_csrf"  # before sign-in: a double-submit token


class NotSignedIn(Exception):
    """No live session."""


class Forbidden(Exception):
    """Signed in, but not allowed (role, scope or CSRF); the message is for the person."""


NOT_YOURS = "Bạn không có quyền xem trang này."
CSRF_MISSING = ("Yêu cầu bị từ chối vì thiếu mã bảo vệ (CSRF) hoặc mã đã cũ. Hãy tải lại "
                "trang rồi làm lại.")


@dataclass(frozen=True)
class Principal:
    """The signed-in person for one request."""

    account_id: int
    username: str
    name: str
    access: Access
    session_id: int
    csrf_token: str
    address: str

    @property
    def role(self) -> Role:
        return self.access.role

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def at_least(self, role: Role) -> bool:
        return self.access.at_least(role)

    @property
    def scope(self) -> Scope | None:
        """A leader's hamlets and groups; None for staff and admins (the whole commune)."""
        if self.role != Role.LEADER:
            return None
        return Scope(self.access.areas, self.access.groups)

    def covers(self, hamlet_id: str | None, group_id: str | None = None) -> bool:
        scope = self.scope
        return scope is None or scope.covers(hamlet_id, group_id)

    @property
    def who(self) -> Who:
        return Who(self.name, self.account_id, self.address)


def now() -> datetime:
    return datetime.now(UTC)


def client_address(request: Request) -> str:
    # uvicorn puts the proxy's X-Forwarded-For here when the proxy is trusted (--proxy-headers)
    return request.client.host if request.client else "?"


def service(request: Request) -> Service:
    running: Service = request.app.state.service  # set by bot.app when the app is built
    return running


def secure_cookies(request: Request) -> bool:
    return (service(request).settings.public_url or "").startswith("https://")


async def principal_of(request: Request) -> Principal | None:
    """The live session of this request, if any (cached on the request)."""
    if scratch(request).looked_up:
        return scratch(request).principal
    settings = service(request).settings
    live = await sessions.resolve(
        service(request).database, request.cookies.get(sessions.COOKIE),
        idle=timedelta(hours=settings.console_idle_hours), now=now())
    found = None if live is None else Principal(
        live.account.id, live.account.username, live.account.name, live.access, live.row.id,
        live.row.csrf_token, client_address(request))
    scratch(request).principal, scratch(request).looked_up = found, True
    return found


async def _check_csrf(request: Request, expected: str) -> None:
    given: str | UploadFile | None = request.headers.get(CSRF_HEADER)
    if given is None:
        given = (await read_form(request)).get(CSRF_FIELD)
    if not isinstance(given, str) or not given or not hmac.compare_digest(
            given.encode(), expected.encode()):
        raise Forbidden(CSRF_MISSING)


def guard(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """The dependency every signed-in route carries: session, role, then CSRF."""
    async def dependency(request: Request) -> Principal:
        principal = await principal_of(request)
        if principal is None:
            raise NotSignedIn()
        if not principal.at_least(role):
            raise Forbidden(NOT_YOURS)
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, principal.csrf_token)
        return principal
    return dependency


async def public_guard(request: Request) -> None:
    """Routes used before sign-in (the sign-in form, the one-time link): their forms carry
    the double-submit token of the LOGIN_CSRF_COOKIE."""
    if request.method not in SAFE_METHODS:
        await _check_csrf(request, request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_hex(8))


def login_csrf_token(request: Request) -> str:
    """The pre-sign-in token for a form: the browser's, or a new one (see remember_login_csrf)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def remember_login_csrf(request: Request, response: Response, token: str) -> None:
    if request.cookies.get(LOGIN_CSRF_COOKIE) != token:
        response.set_cookie(LOGIN_CSRF_COOKIE, token, path=sessions.PATH, httponly=True,
                            samesite="strict", secure=secure_cookies(request))


async def current(request: Request) -> Principal:
    """The principal `guard` found; for handlers: `who: Signed`."""
    principal = scratch(request).principal
    if principal is None:
        raise NotSignedIn()
    return principal


Signed = Annotated[Principal, Depends(current)]


def require_scope(who: Principal, hamlet_id: str | None, group_id: str | None = None) -> None:
    """403 unless this data is within the principal's scope (a leader's hamlets/groups)."""
    if not who.covers(hamlet_id, group_id):
        raise Forbidden("Góp ý này thuộc thôn hoặc tổ chức bạn không phụ trách.")
