"""The plainest python-telegram-bot echo bot, as the peer for bench/webhook_bench.py.

This is python-telegram-bot's own "custom webhook" pattern: an `Application` without an
`Updater`, concurrent updates on, a large HTTPX pool, and a minimal FastAPI app (the same
web framework as Loa Số) whose webhook route only decodes the update and puts it on
`application.update_queue`. It does no storage, no deduplication and no rate limiting: it
is the floor, not a rival design.

    python -m bench.echo_ptb --port PORT --api-base http://127.0.0.1:PORT --token 123:ABC
"""

from __future__ import annotations

import argparse
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request, Response
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


def build(token: str, api_base: str) -> FastAPI:
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api_base.rstrip('/')}/bot")
        .request(HTTPXRequest(connection_pool_size=256))
        .updater(None)
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await application.initialize()
        await application.start()
        try:
            yield
        finally:
            await application.stop()
            await application.shutdown()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/webhook/telegram")
    async def webhook(request: Request) -> Response:
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return Response(status_code=200)

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(content="ok", media_type="text/plain")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Plain PTB echo bot behind a webhook")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-base", required=True, help="e.g. http://127.0.0.1:PORT")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    uvicorn.run(build(args.token, args.api_base), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False, server_header=False)


if __name__ == "__main__":
    main()
