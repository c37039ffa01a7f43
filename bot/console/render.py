"""Templates (Jinja2, autoescaped), the static files' URLs, flash messages and redirects.

Everything a template prints is escaped unless it is marked safe, and nothing here marks
text from residents or staff safe: a comment holding `<script>` is shown as those characters.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment

from bot.console.forms import scratch
from bot.html import (  # noqa: F401  (re-exported for the console's pages)
    STATIC_NAME,
    STATIC_TYPES,
    console_static_url,
    hashed_url,
    static_file,
    template_environment,
)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
FLASH_COOKIE = "loaso_flash"


@cache
def environment() -> Environment:
    return template_environment(TEMPLATES, static_url)


def static_url(name: str) -> str:
    return console_static_url(name)


def _flash(cookie: str | None) -> dict[str, str] | None:
    if not cookie:
        return None
    kind, _, message = unquote(cookie).partition("|")
    return {"kind": "error" if kind == "error" else "ok", "message": message[:500]}


def _zone(request: Request) -> tzinfo:
    zone: tzinfo = request.app.state.service.settings.zone  # the running Service's
    return zone


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> HTMLResponse:
    """A page: the template with who is signed in, the navigation and any flash message."""
    bag = scratch(request)
    who, console = bag.principal, bag.console
    flash = request.cookies.get(FLASH_COOKIE)
    values = {
        "request": request, "who": who, "zone": _zone(request),
        "nav": console.nav_for(who) if console and who else [],
        "csrf": who.csrf_token if who else "",
        "flash": _flash(flash),
        "path": request.url.path,
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/admin")
    return response


def redirect(url: str, *, flash: str | None = None, error: bool = False) -> RedirectResponse:
    """See-other after a change (so reloading does not repeat it), with a message to show on
    the next page (`error`: shown as a problem)."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        value = quote(f"{'error' if error else 'ok'}|{flash}")
        response.set_cookie(FLASH_COOKIE, value, path="/admin", httponly=True, samesite="lax",
                            max_age=120)
    return response
