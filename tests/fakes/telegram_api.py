"""A fake Telegram Bot API on loopback, for tests and benchmarks.

It answers like the real one (https://core.telegram.org/bots/api): `{"ok": true,
"result": ...}` envelopes, real Message shapes, form or JSON parameters, and the real
error bodies for 401, 404, 400, 403 "bot was blocked by the user", 429 with
`parameters.retry_after`, and 5xx. Faults are switchable: scripted per call, random by
rate (seeded), per-second throttling (a fixed window, or a sliding second like the real
API's 429 behaviour), and latency. Every delivered message is tallied per chat, so a
benchmark or test can count what was lost and what arrived twice.

Run standalone (benchmarks): `python -m tests.fakes.telegram_api --port PORT`; the
`/_fake/*` routes read and change its state over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass
class FakeTelegram:
    token: str = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
    latency: float = 0.0
    # per sendMessage call, in arrival order, before `latency`: a slow answer then a fast one
    latencies: deque = field(default_factory=deque)
    rate_5xx: float = 0.0
    rate_429: float = 0.0
    retry_after: int = 1
    throttle_per_second: int | None = None  # above this many sends per second: 429
    # At most this many sendMessage requests received over any sliding second (counted as
    # they arrive, refused ones included, as the platform counts); beyond it a 429 with
    # parameters.retry_after, as the real API answers a bot that outruns its limit.
    throttle_sliding: int | None = None
    blocked: set[int] = field(default_factory=set)
    script: deque = field(default_factory=deque)  # ("429", n) | ("500",) | ("403",) per call
    # faults for any method, by name: {"deleteWebhook": [("500",)], "getUpdates": [("401",)]}
    method_script: dict[str, deque] = field(default_factory=dict)
    seed: int = 7
    sent: list[dict[str, Any]] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)  # editMessageText calls
    calls: list[tuple[float, str]] = field(default_factory=list)  # (time, method)
    errors: dict[str, int] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    pending_updates: list[dict[str, Any]] = field(default_factory=list)
    on_send: Any = None  # callback(chat_id, text, monotonic time): benchmarks measure latency
    documents: list[dict[str, Any]] = field(default_factory=list)  # sendDocument calls

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._message_ids = 0
        self._window_second = 0
        self._window_count = 0
        self._received_at: deque[float] = deque()  # sendMessage arrivals, last second
        self.received_per_second: Counter[int] = Counter()  # arrivals by whole second
        self.peak_sliding = 0  # the most arrivals seen in any sliding second
        self.per_chat: Counter[int] = Counter()  # sendMessage deliveries per chat

    # -- state helpers for tests -----------------------------------------------------------

    def texts_to(self, chat_id: int) -> list[str]:
        return [message["text"] for message in self.sent if message["chat_id"] == chat_id]

    def tally(self, expected_chats, text: str | None = None) -> dict[str, int]:
        """Against the chats that should have had exactly one message each (the one with
        `text`, if given): how many had none (lost), how many extra copies arrived
        (duplicates), and in how many chats."""
        expected = set(expected_chats)
        counts = self.per_chat if text is None else Counter(
            message["chat_id"] for message in self.sent if message["text"] == text)
        lost = sum(1 for chat in expected if counts[chat] == 0)
        extra = {chat: counts[chat] - 1 for chat in expected if counts[chat] > 1}
        return {"expected": len(expected), "lost": lost, "duplicates": sum(extra.values()),
                "duplicated_chats": len(extra)}

    def reset(self) -> None:
        self.sent.clear()
        self.answered_callbacks.clear()
        self.edits.clear()
        self.calls.clear()
        self.errors.clear()
        self.script.clear()
        self.per_chat.clear()
        self._received_at.clear()
        self.received_per_second.clear()
        self.peak_sliding = 0

    # -- the API ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/_fake/stats", self._stats, methods=["GET"]),
            Route("/_fake/config", self._configure, methods=["POST"]),
        ])

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["method"] == "sendMessage":
            self._received(time.monotonic())
            if self.latencies:
                await asyncio.sleep(self.latencies.popleft())
        if self.latency:
            await asyncio.sleep(self.latency)
        method = request.path_params["method"]
        self.calls.append((time.monotonic(), method))
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        try:
            params = await _parameters(request)
        except ClientDisconnect:  # a sender killed mid-request (kill -9 tests): nothing arrived
            return _error(400, "Bad Request: client went away")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        if self.method_script.get(method):
            kind, *args = self.method_script[method].popleft()
            return _scripted(kind, args, self.retry_after)
        if method in ("sendMessage", "answerCallbackQuery"):
            fault = self._fault(params, method)
            if fault is not None:
                self.errors[str(fault.status_code)] = self.errors.get(str(fault.status_code), 0) + 1
                return fault
        result = handler(params)
        return await result if asyncio.iscoroutine(result) else result

    def _received(self, now: float) -> None:
        """A sendMessage request arrived: the sliding second the limit counts, and the
        per-second figures a benchmark shows."""
        self._received_at.append(now)
        while self._received_at[0] <= now - 1.0:
            self._received_at.popleft()
        self.peak_sliding = max(self.peak_sliding, len(self._received_at))
        self.received_per_second[int(now)] += 1

    def _fault(self, params: dict[str, Any], method: str = "sendMessage") -> JSONResponse | None:
        if self.script:
            kind, *args = self.script.popleft()
            return _scripted(kind, args, self.retry_after)
        chat_id = _int(params.get("chat_id"))
        if chat_id in self.blocked:
            return _error(403, BLOCKED)
        if (self.throttle_sliding is not None and method == "sendMessage"
                and len(self._received_at) > self.throttle_sliding):
            return _too_many(self.retry_after)
        if self.throttle_per_second is not None:
            second = int(time.monotonic())
            if second != self._window_second:
                self._window_second, self._window_count = second, 0
            self._window_count += 1
            if self._window_count > self.throttle_per_second:
                return _too_many(self.retry_after)
        if self.rate_429 and self._random.random() < self.rate_429:
            return _too_many(self.retry_after)
        if self.rate_5xx and self._random.random() < self.rate_5xx:
            return _error(500, "Internal Server Error")
        return None

    def _m_getMe(self, params: dict[str, Any]) -> JSONResponse:
        bot_id = int(self.token.split(":")[0])
        return _ok({"id": bot_id, "is_bot": True, "first_name": "Loa Số", "username": "loaso_bot",
                    "can_join_groups": False, "can_read_all_group_messages": False,
                    "supports_inline_queries": False})

    def _m_sendDocument(self, params: dict[str, Any]) -> JSONResponse:
        chat_id, document = _int(params.get("chat_id")), params.get("document")
        if chat_id is None or not isinstance(document, dict):
            return _error(400, "Bad Request: there is no document in the request")
        if len(document["data"]) > 50 * 1024 * 1024:
            return _error(413, "Request Entity Too Large")
        self._message_ids += 1
        self.documents.append({"chat_id": chat_id, "file_name": document["filename"],
                               "caption": params.get("caption") or "",
                               "size": len(document["data"])})
        return _ok({"message_id": self._message_ids, "chat": {"id": chat_id, "type": "private"},
                    "date": int(time.time()), "document": {"file_name": document["filename"],
                                                           "file_id": f"doc{self._message_ids}"}})

    def _m_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        chat_id = _int(params.get("chat_id"))
        text = params.get("text") or ""
        if chat_id is None:
            return _error(400, "Bad Request: chat_id is empty")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if not 1 <= len(data.encode("utf-8")) <= 64:
                    return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        self._message_ids += 1
        message = {"message_id": self._message_ids,
                   "from": {"id": int(self.token.split(":")[0]), "is_bot": True,
                            "first_name": "Loa Số", "username": "loaso_bot"},
                   "chat": {"id": chat_id, "first_name": "Dân", "type": "private"},
                   "date": int(time.time()), "text": text}
        if markup:
            message["reply_markup"] = markup
        self.sent.append({"chat_id": chat_id, "text": text, "reply_markup": markup,
                          "at": time.monotonic(), "message_id": self._message_ids})
        self.per_chat[chat_id] += 1
        if self.on_send is not None:
            self.on_send(chat_id, text, time.monotonic())
        return _ok(message)

    def _m_editMessageText(self, params: dict[str, Any]) -> JSONResponse:
        """Redraw a message sent before, in place (kept in `sent`; each edit in `edits`)."""
        chat_id, message_id = _int(params.get("chat_id")), _int(params.get("message_id"))
        target = next((message for message in self.sent if message["chat_id"] == chat_id
                       and message.get("message_id") == message_id), None)
        if target is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        target.update(text=params.get("text") or "", reply_markup=markup)
        self.edits.append({"chat_id": chat_id, "message_id": message_id,
                           "text": target["text"]})
        return _ok({"message_id": message_id, "chat": {"id": chat_id, "type": "private"},
                    "date": int(time.time()), "text": target["text"]})

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> JSONResponse:
        if not params.get("callback_query_id"):
            return _error(400, "Bad Request: query is too old and response timeout expired "
                               "or query ID is invalid")
        self.answered_callbacks.append(str(params["callback_query_id"]))
        return _ok(True)

    def _m_setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        if not str(params.get("url", "")).startswith("https://"):
            return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = params
        return _ok(True, description="Webhook was set")

    def _m_deleteWebhook(self, params: dict[str, Any]) -> JSONResponse:
        self.webhook = {}
        return _ok(True, description="Webhook was deleted")

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> JSONResponse:
        return _ok({"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": 0})

    async def _m_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        if self.webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                               "use deleteWebhook to delete the webhook first")
        offset = _int(params.get("offset")) or 0
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        if not self.pending_updates:  # long polling: hold the request a little, like Telegram
            await asyncio.sleep(min(float(params.get("timeout") or 0), 0.2))
        return _ok(list(self.pending_updates))

    # -- remote control --------------------------------------------------------------------

    async def _stats(self, request: Request) -> JSONResponse:
        return JSONResponse({"sent": len(self.sent), "errors": self.errors,
                             "callbacks": len(self.answered_callbacks),
                             "chats": len(self.per_chat),
                             "duplicates": sum(n - 1 for n in self.per_chat.values() if n > 1)})

    async def _configure(self, request: Request) -> JSONResponse:
        return await configure(self, request)


async def configure(fake: Any, request: Request) -> JSONResponse:
    """POST /_fake/config for every fake: {"reset": true} or attribute values to set (a list
    given for a set attribute, like `blocked`, becomes a set)."""
    for key, value in (await request.json()).items():
        if key == "reset":
            fake.reset()
        elif hasattr(fake, key):
            setattr(fake, key, set(value) if isinstance(getattr(fake, key), set) else value)
    return JSONResponse({"ok": True})


def _ok(result: Any, description: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JSONResponse(body)


def _error(code: int, description: str, parameters: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def _too_many(retry_after: int) -> JSONResponse:
    return _error(429, f"Too Many Requests: retry after {retry_after}",
                  {"retry_after": retry_after})


def _scripted(kind: str, args: list, default_retry: int) -> JSONResponse:
    if kind == "429":
        return _too_many(args[0] if args else default_retry)
    if kind == "403":
        return _error(403, BLOCKED)
    if kind == "400":
        return _error(400, "Bad Request: chat not found")
    if kind == "401":
        return _error(401, "Unauthorized")
    if kind == "404":
        return _error(404, "Not Found")
    if kind == "409":
        return _error(409, "Conflict: terminated by other getUpdates request; make sure that "
                           "only one bot instance is running")
    if kind == "502":
        return _error(502, "Bad Gateway")
    return _error(500, "Internal Server Error")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


async def _parameters(request: Request) -> dict[str, Any]:
    """Bot API takes JSON bodies, form fields (PTB sends these) or query strings."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.body()
        params.update(json.loads(body) if body else {})
    elif "x-www-form-urlencoded" in content_type:
        for key, value in parse_qsl((await request.body()).decode("utf-8")):
            params[key] = _maybe_json(value)
    elif "multipart/form-data" in content_type:  # sendDocument: the file and its fields
        form = await request.form()
        for key, value in form.multi_items():
            params[key] = ({"filename": value.filename, "data": await value.read()}
                           if hasattr(value, "filename") else _maybe_json(value))
    return params


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def unreachable_socket() -> socket.socket:
    """A loopback port bound but not listening: connections to it are refused until a fake
    is served on it (`running(fake, sock=...)`), like a platform unreachable for a while."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def running(fake: FakeTelegram, sock: socket.socket | None = None):
    """Serve the fake on a free loopback port (or `sock`) inside the current event loop;
    yield its base URL."""
    sock = sock or unreachable_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextmanager
def running_in_thread(fake: FakeTelegram):
    """Serve the fake from a background thread (for tests of synchronous CLI commands)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default=FakeTelegram.token)
    args = parser.parse_args()
    fake = FakeTelegram(token=args.token)
    uvicorn.run(fake.app(), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
