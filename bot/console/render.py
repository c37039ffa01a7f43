"""Templates (Jinja2, autoescaped), the static files' URLs, flash messages and redirects.

Everything a template prints is escaped unless it is marked safe, and nothing here marks
text from residents or staff safe: a comment holding `<script>` is shown as those characters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from bot.console.forms import scratch
from content.text import format_number

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
FLASH_COOKIE = "loaso_flash"


@pass_context
def _day(context, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(context["zone"]).strftime("%d/%m/%Y")


@pass_context
def _moment(context, moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(context["zone"]).strftime("%H:%M %d/%m/%Y")


def _number(value: int | float) -> str:
    return format_number(value)


def template_environment(folder: Path, static: Callable[[str], str]) -> Environment:
    """Autoescaped templates from `folder` with the shared filters (`day`, `moment` need
    `zone` in the context; `number`) and `static(name)` for the folder's own files. The
    console's and the public pages' (bot/public) environments are both made here."""
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(day=_day, moment=_moment, number=_number)
    env.globals["static"] = static
    return env


@cache
def environment() -> Environment:
    return template_environment(TEMPLATES, static_url)


@cache
def hashed_url(folder: Path, prefix: str, name: str) -> str:
    """`prefix/name?v=…`: a short hash of the file's content in its URL, so browsers never
    keep an old copy (and may keep this one for a year)."""
    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:10]
    return f"{prefix}/{name}?v={digest}"


def static_url(name: str) -> str:
    return hashed_url(STATIC, "/admin/static", name)


STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*\.(?:js|css|svg|png|ico)$")
STATIC_TYPES = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml",
                "png": "image/png", "ico": "image/x-icon"}


def static_file(folder: Path, name: str) -> FileResponse:
    """One of `folder`'s own files (404 for any other name). Its URL carries a hash of its
    content (hashed_url), so a copy can be kept for a year."""
    path = folder / name
    if not STATIC_NAME.match(name) or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=STATIC_TYPES[name.rsplit(".", 1)[1]],
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})


def _flash(cookie: str | None) -> dict[str, str] | None:
    if not cookie:
        return None
    kind, _, message = unquote(cookie).partition("|")
    return {"kind": "error" if kind == "error" else "ok", "message": message[:500]}


def _zone(request: Request) -> tzinfo:
    return request.app.state.service.settings.zone


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> HTMLResponse:
    """A page: the template with who is signed in, the navigation and any flash message."""
    bag = scratch(request)
    who, console = bag.get("principal"), bag.get("console")
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
