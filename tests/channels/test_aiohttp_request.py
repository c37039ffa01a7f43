"""AiohttpRequest against the fake Bot API on loopback: delivery, the Bot API's error answers,
transport failures, timeouts, session lifetime, and the request bytes beside HTTPXRequest's."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.aiohttp_request import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegram, running

TOKEN = FakeTelegram.token


def make_bot(base_url: str, request: BaseRequest) -> Bot:
    return Bot(TOKEN, base_url=f"{base_url}/bot", request=request)


async def send(bot: Bot, chat_id: int = 42, text: str = "xin chào", **kwargs: Any) -> dict:
    return await bot.do_api_request("sendMessage",
                                    api_kwargs={"chat_id": chat_id, "text": text}, **kwargs)


@pytest_asyncio.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(connection_pool_size=8, read_timeout=5.0, connect_timeout=2.0,
                             pool_timeout=1.0)
    yield request
    await request.shutdown()


@pytest.fixture
def bot(fake_telegram, request_) -> Bot:
    return make_bot(fake_telegram.base_url, request_)


def free_port() -> int:
    """A loopback port with nothing listening on it: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- delivery ----------------------------------------------------------------------------------

async def test_send_message_is_delivered_without_initialize(bot, fake_telegram):
    # TelegramChannel never calls Bot.initialize(): the first request opens the session.
    message = await send(bot, 42, "xin chào")
    assert message["message_id"] >= 1 and message["chat"]["id"] == 42
    assert fake_telegram.per_chat[42] == 1
    assert fake_telegram.texts_to(42) == ["xin chào"]


async def test_vietnamese_form_parameters_arrive_intact(bot, fake_telegram):
    markup = {"inline_keyboard": [[{"text": "Đồng ý", "callback_data": "consent:yes"}]]}
    await bot.do_api_request("sendMessage", api_kwargs={
        "chat_id": 7, "text": "Đồng ý", "reply_markup": markup})
    assert fake_telegram.sent[0]["text"] == "Đồng ý"
    assert fake_telegram.sent[0]["reply_markup"] == markup


async def test_many_sends_in_flight_share_the_pool(bot, fake_telegram):
    await asyncio.gather(*(send(bot, chat) for chat in range(100)))
    assert fake_telegram.tally(range(100)) == {"expected": 100, "lost": 0, "duplicates": 0,
                                               "duplicated_chats": 0}


# -- the Bot API's error answers: returned as (status, body), classified by PTB -----------------

async def test_429_raises_retry_after_with_its_delay(bot, fake_telegram, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as bot/channels/telegram.py opts in
    fake_telegram.script.append(("429", 7))
    with pytest.raises(RetryAfter) as caught:
        await send(bot)
    assert caught.value.retry_after == timedelta(seconds=7)
    assert fake_telegram.per_chat[42] == 0


async def test_403_blocked_raises_forbidden(bot, fake_telegram):
    fake_telegram.blocked.add(42)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await send(bot)


@pytest.mark.parametrize("status", ["500", "502"])
async def test_5xx_raises_network_error(bot, fake_telegram, status):
    fake_telegram.script.append((status,))
    with pytest.raises(NetworkError) as caught:
        await send(bot)
    assert not isinstance(caught.value, (BadRequest, TimedOut))


async def test_do_request_returns_error_status_and_body(request_, fake_telegram):
    fake_telegram.script.append(("403",))
    data = RequestData([RequestParameter.from_input("chat_id", 1),
                        RequestParameter.from_input("text", "x")])
    status, body = await request_.do_request(f"{fake_telegram.base_url}/bot{TOKEN}/sendMessage",
                                             "POST", data)
    assert status == 403 and b"blocked by the user" in body


# -- transport failures -----------------------------------------------------------------------

async def test_connection_refused_raises_network_error(request_):
    bot = make_bot(f"http://127.0.0.1:{free_port()}", request_)
    with pytest.raises(NetworkError, match=r"^aiohttp\.ClientConnectorError: ") as caught:
        await send(bot)
    assert not isinstance(caught.value, TimedOut)


async def test_latency_over_read_timeout_raises_timed_out(fake_telegram):
    fake_telegram.latency = 1.0
    request = AiohttpRequest(read_timeout=0.2)
    try:
        with pytest.raises(TimedOut):
            await send(make_bot(fake_telegram.base_url, request))
    finally:
        await request.shutdown()


async def test_timeouts_given_per_call_override_the_defaults(bot, fake_telegram):
    fake_telegram.latency = 0.5
    with pytest.raises(TimedOut):
        await send(bot, read_timeout=0.1)
    fast = AiohttpRequest(read_timeout=0.1)
    try:
        await send(make_bot(fake_telegram.base_url, fast), 9, read_timeout=3.0)
    finally:
        await fast.shutdown()
    assert fake_telegram.per_chat[9] == 1


async def test_full_pool_raises_timed_out_with_the_pool_message(fake_telegram):
    fake_telegram.latency = 0.5
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.05)
    bot = make_bot(fake_telegram.base_url, request)
    try:
        results = await asyncio.gather(send(bot, 1), send(bot, 2), return_exceptions=True)
    finally:
        await request.shutdown()
    assert isinstance(results[0], dict)
    assert isinstance(results[1], TimedOut) and "Pool timeout" in str(results[1])


# -- session lifetime ---------------------------------------------------------------------------

async def test_shutdown_closes_the_session_and_initialize_reopens_it(fake_telegram):
    request = AiohttpRequest()
    async with make_bot(fake_telegram.base_url, request) as bot:  # initialize(): getMe
        await send(bot, 1)
        session = request._session
        assert session is not None and not session.closed
    assert session.closed and request._session is None
    await request.shutdown()  # twice is harmless

    await request.initialize()
    try:
        await send(make_bot(fake_telegram.base_url, request), 2)
    finally:
        await request.shutdown()
    assert fake_telegram.per_chat[1] == fake_telegram.per_chat[2] == 1


def test_read_timeout_property_is_the_default():
    assert AiohttpRequest(read_timeout=40.0).read_timeout == 40.0
    assert AiohttpRequest(read_timeout=None).read_timeout is None


# -- the bytes on the wire, beside HTTPXRequest's -----------------------------------------------

class Recorder:
    """Answers every Bot API call with a Message and keeps what came in, for `running()`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST"])])

    async def _endpoint(self, request: Request) -> JSONResponse:
        body = await request.body()
        record: dict[str, Any] = {"headers": request.headers, "body": body, "form": {}}
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            # python-multipart is not installed, so the stdlib MIME parser reads the parts.
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True)
                record["form"][name] = (
                    payload.decode() if filename is None else
                    (filename.encode("utf-8", "surrogateescape").decode(),
                     part.get_content_type(), payload))
        self.requests.append(record)
        return JSONResponse({"ok": True, "result": {
            "message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}})


async def record_both(call) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same call through HTTPXRequest, then AiohttpRequest: what the server saw each time."""
    recorder = Recorder()
    async with running(recorder) as base_url:
        for request in (HTTPXRequest(), AiohttpRequest()):
            try:
                await call(make_bot(base_url, request))
            finally:
                await request.shutdown()
    return recorder.requests[0], recorder.requests[1]


async def test_form_body_and_headers_match_httpx():
    markup = {"inline_keyboard": [[{"text": "Đồng ý", "callback_data": "consent:yes"}]]}
    httpx_seen, aiohttp_seen = await record_both(lambda bot: bot.do_api_request(
        "sendMessage", api_kwargs={"chat_id": 5, "text": "Đồng ý & 100% ?", "reply_markup": markup}))
    assert aiohttp_seen["body"] == httpx_seen["body"]
    for header in ("content-type", "content-length", "user-agent"):
        assert aiohttp_seen["headers"][header] == httpx_seen["headers"][header]
    assert aiohttp_seen["headers"]["user-agent"] == BaseRequest.USER_AGENT


async def test_file_upload_is_multipart_like_httpx():
    document = InputFile(b"noi dung\n", filename="biên bản.txt")
    httpx_seen, aiohttp_seen = await record_both(lambda bot: bot.send_document(
        chat_id=5, document=document, caption="Đồng ý"))
    assert aiohttp_seen["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert aiohttp_seen["form"] == httpx_seen["form"]
    assert aiohttp_seen["form"]["caption"] == "Đồng ý"
    assert aiohttp_seen["form"]["document"] == ("biên bản.txt", "text/plain", b"noi dung\n")
