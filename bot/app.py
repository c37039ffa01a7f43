"""The FastAPI application: lifespan starts the sender (and poller), routes stay thin."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.console.router import console_router
from bot.public.router import public_router
from bot.routes import router as routes
from bot.service import Service

log = logging.getLogger(__name__)


def create_app(service: Service, *, run_sender: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.check_migrated()
        await service.load_overlay()
        service.start_background(sender=run_sender)
        service.announce("serve")
        log.info("Loa Số ready: channels %s", ", ".join(service.channels) or "none (no tokens)")
        try:
            yield
        finally:
            await service.close()

    app = FastAPI(title="Loa Số", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.service = service
    app.state.webhooks = service.catalogue.webhooks(service.settings, service.channels)
    app.state.channels = service.channels  # for the channels' own routes
    app.state.inbox = service.processor
    app.state.run_sender = run_sender
    app.include_router(routes)
    for channel_routes in service.catalogue.routes(service.channels):
        app.include_router(channel_routes)
    app.include_router(console_router())  # the staff console under /admin
    app.include_router(public_router())  # residents' pages, /chat's stand-in: last, so others win
    return app


def health_app(service: Service) -> FastAPI:
    """What `loaso worker --health-port` serves beside the worker: /healthz and /metrics
    only (no webhook is answered there), so a process supervisor can watch a worker too.
    The worker itself starts and stops the service."""
    app = FastAPI(title="Loa Số worker", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    app.state.webhooks = {}
    app.state.run_sender = True
    app.include_router(routes)
    return app
