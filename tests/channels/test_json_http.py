"""JsonHttp, the Zalo channels' client, on loopback: the bytes it sends beside httpx's, the
answers it reads, and the failures it reports."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.json_http import Answer, JsonHttp, TransportFailed
from tests.fakes.telegram_api import running, running_in_thread

PAYLOAD = {"recipient": {"user_id": "42"}, "message": {"text": "Đồng ý & 100% ?"}}


class Server:
    """Records what came in; /json answers JSON, /text plain text, /slow after a pause."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{kind}", self._endpoint, methods=["POST"])])

    async def _endpoint(self, request: Request) -> Response:
        self.requests.append({"headers": request.headers, "body": await request.body()})
        kind = request.path_params["kind"]
        if kind == "slow":
            await asyncio.sleep(2)
        if kind == "text":
            return PlainTextResponse("Bad Gateway", status_code=502)
        return JSONResponse({"error": 0, "data": {"message_id": "m1"}})


@pytest.fixture
async def server():
    recorder = Server()
    async with running(recorder) as base_url:
        recorder.base_url = base_url
        yield recorder


@pytest.fixture
async def http():
    client = JsonHttp(pool_size=4, timeout=0.5, connect_timeout=0.5)
    yield client
    await client.close()


async def test_json_and_form_bodies_are_the_bytes_httpx_sends(server, http):
    async with httpx.AsyncClient() as reference:
        await reference.post(f"{server.base_url}/json", json=PAYLOAD, headers={"access_token": "t"})
        await reference.post(f"{server.base_url}/json", data={"code": "ắ b&c", "app_id": "1"})
    await http.post(f"{server.base_url}/json", json=PAYLOAD, headers={"access_token": "t"})
    await http.post(f"{server.base_url}/json", form={"code": "ắ b&c", "app_id": "1"})
    by_httpx, by_us = server.requests[:2], server.requests[2:]
    for theirs, ours in zip(by_httpx, by_us, strict=True):
        assert ours["body"] == theirs["body"]
        assert ours["headers"]["content-type"] == theirs["headers"]["content-type"]
    assert by_us[0]["headers"]["access_token"] == "t"


async def test_an_answer_is_its_status_and_json_whatever_the_status(server, http):
    assert await http.post(f"{server.base_url}/json", json={}) == Answer(
        200, {"error": 0, "data": {"message_id": "m1"}})
    assert await http.post(f"{server.base_url}/text", json={}) == Answer(502, None)


async def test_no_answer_is_a_transport_failure(server):
    http = JsonHttp(timeout=0.2, connect_timeout=0.5)
    try:
        with pytest.raises(TransportFailed) as slow:
            await http.post(f"{server.base_url}/slow", json={})
        assert slow.value.kind == "TimeoutError"
        with socket.socket() as sock:  # a port with nothing listening: refused
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with pytest.raises(TransportFailed) as refused:
            await http.post(f"http://127.0.0.1:{port}/json", json={})
        assert "Connect" in refused.value.kind
    finally:
        await http.close()


async def test_a_per_call_timeout_overrides_the_default(server, http):
    answer = await http.post(f"{server.base_url}/slow", json={}, timeout=5)  # default is 0.5
    assert answer.status == 200


def test_the_session_follows_a_new_event_loop():
    http = JsonHttp()

    async def post(url: str) -> int:
        return (await http.post(url, json={})).status

    with running_in_thread(Server()) as base_url:  # served from its own thread and loop
        assert asyncio.run(post(f"{base_url}/json")) == 200
        assert asyncio.run(post(f"{base_url}/json")) == 200  # a new loop: a new session
        asyncio.run(http.close())
