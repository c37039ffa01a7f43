"""The web chat's routes: the widget script, the page's script and style, and the transport,
POST for what the resident sends and server-sent events for what they receive.

    POST /chat/api/session   a new session: {"session": <token>} for the browser to keep
    POST /chat/api/send      {"session", "id", "text" | "tap" (+ "label") | "open" (+ "src")}
    GET  /chat/api/events    ?session=…&after=<line id>: the conversation, then each new line
    GET  /chat/api/embed     may the site in Origin embed the widget? (CORS: 204, or 403)

`open` is what the page sends when it opens with nothing on screen, or from a link into the
chat (`/chat?start=…`, resolved by the page into a button payload): a resident who has not
yet agreed to the privacy notice is greeted and asked first (/start), and the page sends the
link's button again once they agree; one who has is taken there at once. A poster's QR code
(`/chat?src=<tag>`) adds "src" to the opening, and /start counts a first contact for it.

POST + SSE rather than a WebSocket: EventSource reconnects by itself and tells the server the
last line it has (Last-Event-ID), and each message is an ordinary request that proxies,
logs and rate limits understand. The page adds its own back-off on top.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from bot.channels import web_guard as guard
from bot.channels.web_guard import Refusal
from bot.channels.web_hub import WebChannel, utcnow
from db import residents, webchat
from messages.types import Inbound, InboundKind, text_event

STATIC = Path(__file__).parent / "web_static"
FILES = {"chat.js": "text/javascript", "chat.css": "text/css", "widget.js": "text/javascript"}
PING_SECONDS = 20.0  # a comment line now and then keeps proxies from closing an idle stream
STREAMS_PER_SESSION = 6  # tabs of one browser; more is a script
_KNOWN: dict[str, str] = {}  # token hash → address, for sessions seen by this process

router = APIRouter()


def channel_of(request: Request) -> WebChannel:
    channel: WebChannel = request.app.state.channels["web"]
    return channel


def refused(refusal: Refusal) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if refusal.retry_after is not None:
        headers["Retry-After"] = str(int(refusal.retry_after + 0.999))
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=headers)


def allowed_origins(request: Request, channel: WebChannel) -> set[str]:
    """The page's own origin (as the browser reached it, and LOASO_PUBLIC_URL's) and the
    sites allowed to embed the widget."""
    own = {f"{scheme}://{request.headers.get('host', '')}".lower() for scheme in ("http", "https")}
    if channel.public_origin:
        own.add(channel.public_origin)
    return own | set(channel.origins)


def network_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def address_for(channel: WebChannel, token: str) -> str:
    """The resident behind a session token, or the refusal of a token never handed out."""
    if not 20 <= len(token) <= 100:
        raise guard.UNKNOWN_SESSION
    key = token_hash(token)
    if (address := _KNOWN.get(key)) is not None:
        return address
    async with channel.database.read() as session:
        address = await webchat.address_of(session, key)
    if address is None:
        raise guard.UNKNOWN_SESSION
    if len(_KNOWN) > 50_000:
        _KNOWN.clear()
    _KNOWN[key] = address
    return address


async def read_limited(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > guard.MAX_BODY:
            raise guard.TOO_BIG
    return bytes(body)


@router.post("/chat/api/session", include_in_schema=False)
async def new_session(request: Request) -> Response:
    channel = channel_of(request)
    try:
        guard.check_origin(request.headers.get("origin"), allowed_origins(request, channel),
                           required=True)
        channel.guard.admit(channel.guard.new_sessions, network_address(request))
    except Refusal as refusal:
        return refused(refusal)
    token, address = secrets.token_urlsafe(32), "w" + secrets.token_hex(8)
    async with channel.database.transaction() as session:
        await webchat.open_session(session, token_hash=token_hash(token), address=address,
                                   now=utcnow())
    return JSONResponse({"session": token}, headers={"Cache-Control": "no-store"})


@router.post("/chat/api/send", include_in_schema=False)
async def send(request: Request) -> Response:
    """One message from the resident: refused with nothing stored, or stored and answered
    (the answer arrives on the event stream)."""
    channel = channel_of(request)
    try:
        guard.check_origin(request.headers.get("origin"), allowed_origins(request, channel),
                           required=True)
        channel.guard.admit(channel.guard.per_address, network_address(request))
        data = guard.parse_message(request.headers.get("content-type"),
                                   await read_limited(request))
        address = await address_for(channel, data["session"])
        channel.guard.admit(channel.guard.per_session, address)
    except Refusal as refusal:
        return refused(refusal)
    event_id = f"{address}:{data['id']}"
    if "open" in data:
        return await _open(request, channel, address, event_id, data["open"],
                           source=data.get("src"))
    if "text" in data:
        event = text_event(channel.name, event_id, address, data["text"])
        said = {"text": event.text if event.kind == InboundKind.TEXT else data["text"].strip()}
    else:
        event = Inbound(channel.name, event_id, address, InboundKind.BUTTON, button=data["tap"],
                        what="button")
        said = {"text": data.get("label") or data["tap"], "tap": True}
    async with channel.database.transaction() as session:
        line = await webchat.record(session, address=address, author="resident", payload=said,
                                    now=utcnow(), event_id=data["id"])
        await webchat.touch(session, address, utcnow())
    if line is not None:
        channel.hub.publish(line)
    await request.app.state.inbox.handle(event)
    return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})


async def _open(request: Request, channel: WebChannel, address: str, event_id: str,
                payload: str, *, source: str | None = None) -> Response:
    async with channel.database.read() as session:
        user = await residents.find_user(session, channel=channel.name, address=address)
        # two tabs of a new session may both open it: greet once
        greeted = bool(await webchat.history(session, address, limit=1))
    agreed = user is not None and user.consent_at is not None
    if not agreed and not payload and greeted:
        return JSONResponse({"ok": True, "deferred": False}, headers={"Cache-Control": "no-store"})
    if agreed and payload:
        event = Inbound(channel.name, event_id, address, InboundKind.BUTTON, button=payload,
                        what="link")
    elif agreed:
        return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
    else:  # the notice comes first; the page sends the link's button again after "Đồng ý"
        # a poster's tag rides on /start as on Telegram; counted if this is a first contact
        event = Inbound(channel.name, event_id, address, InboundKind.COMMAND, command="start",
                        text=f"src:{source}" if source else "", what="open")
    await request.app.state.inbox.handle(event)
    return JSONResponse({"ok": True, "deferred": bool(payload) and not agreed},
                        headers={"Cache-Control": "no-store"})


def _event(line: webchat.Line) -> str:
    return f"id: {line.id}\ndata: {json.dumps(line.public(), ensure_ascii=False)}\n\n"


@router.get("/chat/api/events", include_in_schema=False)
async def events(request: Request, session: str = "", after: int = 0) -> Response:
    channel = channel_of(request)
    try:
        guard.check_origin(request.headers.get("origin"), allowed_origins(request, channel),
                           required=False)
        address = await address_for(channel, session)
        if len(channel.hub.listeners.get(address, ())) >= STREAMS_PER_SESSION:
            raise guard.too_fast(5)
    except Refusal as refusal:
        return refused(refusal)
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else max(after, 0)
    queue = channel.hub.subscribe(address)  # before reading the history: nothing falls between

    async def stream() -> AsyncIterator[str]:
        sent: set[int] = set()
        try:
            yield "retry: 3000\n\n"
            async with channel.database.read() as db:
                backlog = await webchat.history(db, address, after=after)
            for line in backlog:
                sent.add(line.id)
                yield _event(line)
            yield "event: ready\ndata: {}\n\n"
            while True:
                try:
                    line = await asyncio.wait_for(queue.get(), PING_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if line.id in sent or line.id <= after:
                    continue
                sent.add(line.id)
                yield _event(line)
        finally:
            channel.hub.unsubscribe(address, queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/chat/api/embed", include_in_schema=False)
async def embed_allowed(request: Request) -> Response:
    """The widget asks before it shows its bubble: only allowed sites get an answer their
    page may read (CORS), so on any other site the bubble never appears."""
    channel = channel_of(request)
    origin = (request.headers.get("origin") or "").rstrip("/").lower()
    if origin and origin in allowed_origins(request, channel):
        return Response(status_code=204, headers={"Access-Control-Allow-Origin": origin,
                                                  "Vary": "Origin", "Cache-Control": "no-store"})
    return refused(guard.WRONG_ORIGIN)


@router.get("/chat/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    # A fixed address sites paste once: cached for an hour, not for a year.
    return FileResponse(STATIC / "widget.js", media_type=FILES["widget.js"],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/chat/static/{name}", include_in_schema=False)
async def chat_static(name: str) -> FileResponse:
    if name not in FILES:
        raise HTTPException(404)
    return FileResponse(STATIC / name, media_type=FILES[name],
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})


