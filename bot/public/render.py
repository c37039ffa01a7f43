"""Rendering the public pages: the console's template environment and security headers
(bot/console/render.py, bot/console/page.py), this package's templates and style sheet.

Everything a template prints is escaped unless marked safe; the only markup marked safe is
what `markdown.to_html` made from an article, which escapes the article's own text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment

from bot.html import SECURITY_HEADERS, STATUS_TEXT, console_static_url, hashed_url, template_environment
from bot.public import links, markdown
from bot.public.caching import cached
from bot.public.showing import PREVIEW_BASE, Showing, service_of
from handlers.campaign import vietnamese_date

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PREFIX = "/static"
HTML = "text/html; charset=utf-8"

Handler = Callable[..., Awaitable[Response]]


def static_url(name: str) -> str:
    return hashed_url(STATIC, STATIC_PREFIX, name)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


@cache
def environment() -> Environment:
    env = template_environment(TEMPLATES, static_url)
    env.globals.update(ask_about=links.ask_about, comment_on=links.comment_on,
                       console_static=console_static_url)
    env.filters.update(date=vietnamese_date, plain=markdown.plain, host=_host)
    env.tests["web"] = markdown.is_web_address  # only http(s) addresses become links
    return env


def site_url(request: Request) -> str:
    """The site's address for links that leave it (Open Graph, the feed): LOASO_PUBLIC_URL,
    else the address this request came to."""
    configured = service_of(request).settings.public_url
    if configured:
        return configured.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


def render_html(request: Request, template: str, context: dict[str, Any],
                showing: Showing | None = None) -> str:
    service = service_of(request)
    pack = showing.pack if showing else service.content.current.pack
    path = request.url.path
    values = {
        "showing": showing, "zone": service.settings.zone,
        "organisation": pack.campaign.organisation,
        "link": showing.link if showing else (lambda target: target),
        "site": site_url(request), "path": path,
        # the public address of the page (a preview's too): for og:url and the menu
        "canonical": (path.removeprefix(PREVIEW_BASE) or "/") if showing and showing.preview
        else path,
    }
    values.update(context)
    return environment().get_template(template).render(values)


def page(request: Request, showing: Showing, template: str, context: dict[str, Any]) -> Response:
    """A public page: cached with its ETag, or (a staff preview) not cached at all."""
    html = render_html(request, template, context, showing).encode()
    if showing.preview:
        return Response(html, media_type=HTML)
    return cached(request, html, media_type=HTML, now=showing.moment)


def error_page(request: Request, status: int, message: str = "") -> HTMLResponse:
    title = STATUS_TEXT.get(status, "Lỗi")
    html = render_html(request, "error.html", {"status": status, "title": title,
                                               "message": message})
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


class PublicRoute(APIRoute):
    """Every answer carries the console's security headers (no framing, no inline script
    or style, no sniffing); a refusal is a page in Vietnamese."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except HTTPException as error:
                response = error_page(request, error.status_code,
                                      error.detail if isinstance(error.detail, str) else "")
            for name, value in SECURITY_HEADERS.items():  # a page may open one (the widget's
                if name not in response.headers:          # frame-ancestors), never drop one
                    response.headers[name] = value
            if "frame-ancestors 'none'" not in response.headers["Content-Security-Policy"]:
                del response.headers["X-Frame-Options"]  # DENY would override the allow-list
            return response

        return route


@dataclass(frozen=True)
class PublicPage:
    path: str
    handler: Handler  # (request, showing, **path parameters) -> Response
    preview: bool  # staff may preview it at PREVIEW_BASE + path


@dataclass
class PageGroup:
    """One module's pages. A handler takes the request, the `Showing` (today, or a staff
    preview's day) and the path's parameters; the router and the console's preview page
    decide which Showing it gets."""

    name: str
    pages: list[PublicPage] = field(default_factory=list)

    def get(self, path: str, *, preview: bool = True) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.pages.append(PublicPage(path, handler, preview))
            return handler
        return register
