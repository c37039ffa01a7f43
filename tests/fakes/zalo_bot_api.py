"""A fake Zalo Bot Platform API on loopback, for tests and benchmarks.

It answers like the documented API (docs/platforms.md, Zalo Bot Platform): `POST
/bot<token>/<method>` with JSON, `{"ok": true, "result": ...}` or `{"ok": false, "error_code":
N, "description": ...}`; sendMessage takes 1-2000 characters; setWebhook wants HTTPS and a
secret of 8-256 characters; getUpdates hands out one update object (no offset) and refuses
while a webhook is set. The error codes follow the Telegram-like envelope; Zalo documents
none, so the HTTP status mirrors `error_code`. Faults are scripted per call; latency too.

Run standalone (benchmarks): `python -m tests.fakes.zalo_bot_api --port PORT`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.telegram_api import (  # noqa: F401
    configure,
    running,
    running_in_thread,
    unreachable_socket,
)

DESCRIPTIONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
                404: "Not Found", 408: "Request timeout", 429: "Too Many Requests",
                500: "Internal Server Error", 502: "Bad Gateway"}


@dataclass
class FakeZaloBot:
    token: str = "2034567890123456789:fakeZaloBotSecretForTestsOnly0123"
    latency: float = 0.0
    script: deque = field(default_factory=deque)  # ("429", n) | ("403",) | ("500",) per send
    # faults for any method, by name: {"deleteWebhook": [("500",)], "getUpdates": [("401",)]}
    method_script: dict[str, deque] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    pending_updates: deque = field(default_factory=deque)
    on_send: Any = None  # callback(chat_id, text, monotonic time): benchmarks measure latency

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)

    def texts_to(self, chat_id: str) -> list[str]:
        return [message["text"] for message in self.sent if message["chat_id"] == chat_id]

    def reset(self) -> None:
        self.sent.clear()
        self.script.clear()

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["POST"]),
            Route("/_fake/stats", self._stats, methods=["GET"]),
            Route("/_fake/config", self._configure, methods=["POST"]),
        ])

    async def _endpoint(self, request: Request) -> JSONResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.path_params["token"] != self.token:
            return _error(401)
        try:
            raw = await request.body()
            params = json.loads(raw) if raw else {}
        except ValueError:
            return _error(400, "Bad Request: body is not JSON")
        method = request.path_params["method"]
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404)
        if self.method_script.get(method):
            code = int(self.method_script[method].popleft()[0])
            return _error(code)
        result = handler(params)
        return await result if asyncio.iscoroutine(result) else result

    def _m_getMe(self, params: dict[str, Any]) -> JSONResponse:
        return _ok({"id": self.token.split(":")[0], "account_name": "bot.loaso",
                    "account_type": "BASIC", "can_join_groups": False,
                    "display_name": "Bot Loa Số"})

    def _m_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        if self.script:
            kind, *args = self.script.popleft()
            code = int(kind)
            extra = {"parameters": {"retry_after": args[0]}} if code == 429 and args else None
            return _error(code, extra=extra)
        chat_id, text = params.get("chat_id"), params.get("text")
        if not chat_id:
            return _error(400, "Bad Request: chat_id is empty")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(400, "Bad Request: text must be 1-2000 characters")
        self.sent.append({"chat_id": str(chat_id), "text": text, "at": time.monotonic()})
        if self.on_send is not None:
            self.on_send(str(chat_id), text, time.monotonic())
        return _ok({"message_id": f"{next(self._ids):020x}", "date": int(time.time() * 1000)})

    def _m_setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        if not str(params.get("url", "")).startswith("https://"):
            return _error(400, "Bad Request: url must be HTTPS")
        if not 8 <= len(str(params.get("secret_token", ""))) <= 256:
            return _error(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook = {"url": params["url"], "secret_token": params["secret_token"],
                        "updated_at": int(time.time() * 1000)}
        return _ok({"url": params["url"], "updated_at": self.webhook["updated_at"]})

    def _m_deleteWebhook(self, params: dict[str, Any]) -> JSONResponse:
        self.webhook = {}
        return _ok({"url": "", "updated_at": int(time.time() * 1000)})

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> JSONResponse:
        return _ok({"url": self.webhook.get("url", ""),
                    "updated_at": self.webhook.get("updated_at", 0)})

    async def _m_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        if self.webhook:
            return _error(409, "Conflict: webhook is set; call deleteWebhook first")
        if not self.pending_updates:  # long polling: hold a little, then "nothing came"
            await asyncio.sleep(min(float(params.get("timeout") or 0), 0.1))
            if not self.pending_updates:
                return _error(408)
        return _ok(self.pending_updates.popleft())

    async def _stats(self, request: Request) -> JSONResponse:
        return JSONResponse({"sent": len(self.sent)})

    async def _configure(self, request: Request) -> JSONResponse:
        return await configure(self, request)


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str | None = None, extra: dict | None = None) -> JSONResponse:
    body = {"ok": False, "error_code": code,
            "description": description or DESCRIPTIONS.get(code, "Error"), **(extra or {})}
    return JSONResponse(body, status_code=code)


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Zalo Bot API")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default=FakeZaloBot.token)
    args = parser.parse_args()
    uvicorn.run(FakeZaloBot(token=args.token).app(), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
