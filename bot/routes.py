"""HTTP routes: verify, parse, hand to the processor, answer. Nothing else happens here."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.base import WebhookRejected
from bot.service import Service
from db import migrations
from messages.types import is_number

log = logging.getLogger(__name__)
router = APIRouter()

MAX_BODY_BYTES = 1024 * 1024  # platforms send far less; anything bigger is not an update


async def read_body(request: Request, seconds: float) -> bytes:
    """Read at most MAX_BODY_BYTES, whatever Content-Length claimed (or if it is absent),
    within `seconds`: a body trickling in slower than that is cut off (408), so a few slow
    clients cannot hold the server's connections. uvicorn has no such read timeout of its
    own; the reverse proxy's (docs/deploy.md) comes first when there is one."""
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise WebhookRejected(413, "body too large")
    except TimeoutError:
        raise WebhookRejected(408, "body arrived too slowly") from None
    return bytes(body)


@router.post("/webhook/{channel_name}")
async def webhook(channel_name: str, request: Request) -> Response:
    """Accept one platform event: 200 once it is stored (or known), 4xx if refused."""
    service: Service = request.app.state.service
    channel = request.app.state.webhooks.get(channel_name)
    if channel is None:
        return JSONResponse({"detail": "channel not enabled"}, status_code=404)
    try:
        declared = request.headers.get("content-length")
        if declared and is_number(declared) and int(declared) > MAX_BODY_BYTES:
            raise WebhookRejected(413, "body too large")
        # The whole body first: a platform may sign all of it.
        body = await read_body(request, service.settings.webhook_body_seconds)
        channel.verify(request.headers, body)
        events = channel.parse(body)
    except WebhookRejected as rejected:
        service.metrics.rejected.labels(channel_name, str(rejected.status)).inc()
        log.info("webhook %s refused: %d %s", channel_name, rejected.status, rejected.reason)
        return JSONResponse({"detail": rejected.reason}, status_code=rejected.status)
    try:
        for event in events:
            await service.processor.handle(event)
    except (SQLAlchemyError, OSError) as error:
        # The database is away: 503, and the platform delivers the update again later
        # (events already stored are deduplicated then). Nothing to restart here: the next
        # request gets a fresh connection from the pool.
        service.metrics.rejected.labels(channel_name, "503").inc()
        log.warning("webhook %s: database unavailable (%s); answered 503 for redelivery",
                    channel_name, type(error).__name__)
        return JSONResponse({"detail": "database unavailable"}, status_code=503)
    return Response(status_code=200)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """Database reachable, schema current, sender alive, polling not failing for long."""
    service: Service = request.app.state.service
    checks: dict[str, Any] = {}
    try:
        await service.database.ping()
        checks["database"] = "ok"
        current = await migrations.current_revision(service.database)
        checks["migrations"] = "ok" if current == migrations.head_revision() else "behind"
    except Exception as error:  # the point of a health check is to report, not raise
        checks["database"] = f"error: {type(error).__name__}"
        checks["migrations"] = "unknown"
    if not request.app.state.run_sender:
        checks["sender"] = "disabled"
    else:  # "standby": another worker holds the lock, and this one is ready to take over
        checks["sender"] = service.sender_health
    for channel, reason in service.failing_channels().items():
        checks[f"send:{channel}"] = f"failing for over 2 minutes: {reason}"
    healthy = all(value in ("ok", "disabled", "standby") for value in checks.values())
    if service.polling:  # ok | retrying (lý do) | off; failing for over 2 minutes: 503
        checks["polling"] = {name: health.report() for name, health in service.polling.items()}
        healthy = healthy and all(health.healthy for health in service.polling.values())
    return JSONResponse({"status": "ok" if healthy else "fail", "checks": checks},
                        status_code=200 if healthy else 503)


@router.get("/metrics")
async def metrics(request: Request) -> PlainTextResponse:
    """Counters and the gauges the sender keeps (no query per scrape), to allowed addresses."""
    service: Service = request.app.state.service
    if not service.settings.metrics_allowed(request.client.host if request.client else None):
        return PlainTextResponse("forbidden", status_code=403)
    return PlainTextResponse(service.metrics.render(),
                             media_type="text/plain; version=0.0.4; charset=utf-8")
