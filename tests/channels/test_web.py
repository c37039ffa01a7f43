"""The web chat through the shared harness, plus its own: each abuse the issue names is
refused clearly with nothing stored, the event stream replays and pushes, framing is
allowed only to the widget on allowed sites."""

from __future__ import annotations

import asyncio
import json
import socket
from contextlib import asynccontextmanager

import httpx
import pytest
import pytest_asyncio
import uvicorn

from messages.types import InboundKind
from tests.channels.drivers.web import ORIGIN, address_of, message_id, open_session
from tests.channels.harness import (
    Expect,
    IncomingCase,
    run_incoming,
    run_outgoing,
    send_cases,
    text_cases,
)
from tests.conftest import count_rows
from tests.utils import running_app

RECIPIENT = "5512345678"  # the harness's outgoing recipient
JSON = {"content-type": "application/json"}
GOOD = {"Origin": ORIGIN, **JSON}
TABLES = ("users", "inbound_events", "outbox", "webchat_messages")


class WebDriver:
    """Posts what the page's script posts; the platform is the open pages (driver fixture)."""

    def __init__(self, client, service, pages, token: str) -> None:
        self.client, self.service, self.pages, self.token = client, service, pages, token
        self.channel = service.channels["web"]
        self.database = service.database
        self.secrets = [token]
        self.seen = []
        handle = service.processor.handle

        async def recording(event):
            self.seen.append(event)
            return await handle(event)

        service.processor.handle = recording
        pages.watch(self.channel, RECIPIENT)

    async def deliver(self, body, headers):
        self.seen = []
        if isinstance(body, dict):
            body = json.dumps({"session": self.token, "id": message_id(), **body}).encode()
        response = await self.client.post("/chat/api/send", content=body,
                                          headers=GOOD if headers is None else headers)
        return response.status_code, list(self.seen)

    def platform_messages(self):
        return [{"text": line["text"], "buttons": [label for label, _ in line["buttons"]]
                 if line["buttons"] else None} for line in self.pages.said(RECIPIENT)]

    def inject(self, faults):
        assert not faults, "a browser has no platform to fail"


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


@pytest_asyncio.fixture
async def app(web_settings):
    async with running_app(web_settings(webchat_session_rate=0, webchat_address_rate=0),
                           run_sender=False) as (client, service):
        yield client, service


@pytest_asyncio.fixture
async def driver(app, web_pages):
    client, service = app
    token = await open_session(client)
    yield WebDriver(client, service, web_pages, token)


def text(value: str) -> dict:
    return {"text": value}


FORGED = "A" * 43  # the shape of a token, never handed out
INCOMING = [case for case in text_cases(text, None) if case.label != "10,000 characters"] + [
    IncomingCase("a tap", {"tap": "consent:yes", "label": "Đồng ý"},
                 events=(Expect(InboundKind.BUTTON, button="consent:yes"),)),
    IncomingCase("4,000 characters", text("ý" * 4000),
                 events=(Expect(InboundKind.TEXT, text="ý" * 4000),)),
    # refused: a clear status and message, nothing stored (the runner checks the tables)
    IncomingCase("4,001 characters", text("ý" * 4001), status=413),
    IncomingCase("a body over 64 KB", text("x") | {"pad": "x" * 70_000}, status=413),
    IncomingCase("binary data", b"\x00\x01\x02\xff\xfe", status=415,
                 headers={"Origin": ORIGIN, "content-type": "application/octet-stream"}),
    IncomingCase("JSON that is not UTF-8", b'{"text": "\xff\xfe"}', status=415),
    IncomingCase("form data instead of JSON", b"text=hi", status=415,
                 headers={"Origin": ORIGIN,
                          "content-type": "application/x-www-form-urlencoded"}),
    IncomingCase("malformed JSON", b'{"session": "x", "text": ', status=400),
    IncomingCase("JSON that is a list", b"[1, 2, 3]", status=400),
    IncomingCase("text that is not a string", {"text": 5}, status=400),
    IncomingCase("text and a tap at once", {"text": "a", "tap": "menu"}, status=400),
    IncomingCase("nothing to send", {}, status=400),
    IncomingCase("blank text", text("   \n "), status=400),
    IncomingCase("a tap over 64 bytes", {"tap": "x" * 65}, status=400),
    IncomingCase("a forged session", {"session": FORGED, "text": "xin chào"}, status=401),
    IncomingCase("a session that is not a token", {"session": "../../etc", "text": "x"},
                 status=401),
    IncomingCase("a message id that is not one", {"id": "<script>", "text": "x"}, status=400),
    IncomingCase("a poster's tag on a message", {"text": "x", "src": "pano-truong-hoc"},
                 status=400),
    IncomingCase("a poster's tag that is not one", {"open": "", "src": "Pano Trường"},
                 status=400),
    IncomingCase("another site's Origin", text("xin chào"), status=403,
                 headers={"Origin": "https://evil.example", **JSON}),
    IncomingCase("no Origin at all", text("xin chào"), status=403, headers=JSON),
    IncomingCase("an Origin that only starts like ours", text("x"), status=403,
                 headers={"Origin": ORIGIN + ".evil.example", **JSON}),
]


@pytest.mark.parametrize("case", INCOMING, ids=lambda case: case.label)
async def test_incoming(driver, case, caplog):
    await run_incoming(driver, case, lambda: caplog.text)
    if case.status != 200:
        assert await count_rows(driver.database, "webchat_messages") == 0


@pytest.mark.parametrize("case", send_cases(), ids=lambda case: case.label)
async def test_outgoing(driver, case, caplog):
    await run_outgoing(driver, case, lambda: caplog.text)


async def test_refusals_say_why_in_vietnamese(driver):
    response = await driver.client.post("/chat/api/send", content=body(
        session=driver.token, id=message_id(), text="x" * 4001), headers=GOOD)
    assert response.json() == {"error": "too_long", "message": (
        "Tin nhắn dài quá 4.000 ký tự, chưa được gửi. Bạn chia thành vài tin ngắn hơn nhé.")}
    response = await driver.client.post("/chat/api/send", content=body(
        session=FORGED, id=message_id(), text="x"), headers=GOOD)
    assert response.json()["error"] == "session" and "không hợp lệ" in response.json()["message"]
    response = await driver.client.post("/chat/api/send", content=b"\x00",
                                        headers={"Origin": ORIGIN})
    assert response.status_code == 415 and "nhị phân" in response.json()["message"]


async def test_a_resent_message_is_one_line_and_one_event(driver):
    same = body(session=driver.token, id=message_id(), text="/menu")
    for _ in range(2):
        assert (await driver.client.post("/chat/api/send", content=same,
                                         headers=GOOD)).status_code == 200
    assert await count_rows(driver.database, "webchat_messages") == 1
    assert await count_rows(driver.database, "inbound_events") == 1


async def test_a_session_is_handed_only_to_our_own_pages(app):
    client, service = app
    refused = await client.post("/chat/api/session", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and refused.json()["error"] == "origin"
    assert (await client.post("/chat/api/session")).status_code == 403
    assert await count_rows(service.database, "webchat_sessions") == 0
    token = await open_session(client)
    address = await address_of(service, token)
    # the resident is a random address, not the token, an IP address or anything else
    assert address.startswith("w") and len(address) == 17 and token not in address
    async with service.database.read() as session:
        from sqlalchemy import text as sql
        stored = (await session.execute(sql("SELECT * FROM webchat_sessions"))).one()
    assert token not in stored and "127.0.0.1" not in stored


# -- rate limits ------------------------------------------------------------------------------

async def test_a_resident_typing_fast_is_fine_a_script_is_not(web_settings):
    settings = web_settings(webchat_session_rate=0.01, webchat_session_burst=8)
    async with running_app(settings, run_sender=False) as (client, service):
        token = await open_session(client)

        async def say(words: str) -> httpx.Response:
            return await client.post("/chat/api/send", headers={"Origin": ORIGIN},
                                     json={"session": token, "id": message_id(), "text": words})

        for number in range(8):  # a burst a person types
            assert (await say(f"câu {number}")).status_code == 200
        before = await count_rows(service.database, "inbound_events")
        flood = await say("một script")
        assert flood.status_code == 429 and int(flood.headers["retry-after"]) >= 1
        assert flood.json()["error"] == "too_fast" and "nhanh quá" in flood.json()["message"]
        assert await count_rows(service.database, "inbound_events") == before
        assert await count_rows(service.database, "webchat_messages") == 8


async def test_many_sessions_from_one_address_share_its_limit(web_settings):
    settings = web_settings(webchat_session_rate=0, webchat_address_rate=0.01,
                            webchat_address_burst=5)
    async with running_app(settings, run_sender=False) as (client, service):
        tokens = [await open_session(client) for _ in range(3)]
        statuses = [(await client.post("/chat/api/send", headers={"Origin": ORIGIN}, json={
            "session": tokens[number % 3], "id": message_id(), "text": "chào"})).status_code
            for number in range(7)]
        assert statuses == [200] * 5 + [429] * 2
        assert await count_rows(service.database, "inbound_events") == 5


async def test_opening_sessions_is_rate_limited_per_address(app):
    client, service = app
    statuses = [(await client.post("/chat/api/session", headers={"Origin": ORIGIN})).status_code
                for _ in range(22)]
    assert statuses[:20] == [200] * 20 and statuses[20:] == [429, 429]
    assert await count_rows(service.database, "webchat_sessions") == 20


# -- the event stream, on a real server ---------------------------------------------------------

@asynccontextmanager
async def served(app):
    """The running app behind uvicorn on a free loopback port (streams need a real server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


class Events:
    """A page's view of its event stream: every event so far, read as far as a test needs."""

    def __init__(self, response) -> None:
        self._lines = response.aiter_lines()
        self.got: list[dict] = []

    async def until(self, done) -> list[dict]:
        """Read until `done(events)` holds (the test's timeout bounds the wait)."""
        kind = "message"
        while not done(self.got):
            raw = await anext(self._lines)
            if raw.startswith("event: "):
                kind = raw[7:]
            elif raw.startswith("data: "):
                self.got.append({"event": kind, **json.loads(raw[6:])})
                kind = "message"
        return self.got


def said(lines):
    return [line for line in lines if line.get("author") == "loaso"]


@pytest.mark.timeout(60)
async def test_answers_arrive_on_the_stream_and_come_back_after_a_reload(web_settings):
    async with running_app(web_settings()) as (client, service), served(client.app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as browser:
            token = await open_session(browser, base)
            events = f"/chat/api/events?session={token}"
            async with browser.stream("GET", events) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                page = Events(stream)
                assert (await page.until(lambda got: got))[0]["event"] == "ready"
                sent = await browser.post("/chat/api/send", headers={"Origin": base}, json={
                    "session": token, "id": message_id(), "open": ""})
                assert sent.json() == {"ok": True, "deferred": False}
                live = said(await page.until(lambda got: len(said(got)) >= 2))
            assert "Xin chào! Đây là Loa Số" in live[0]["text"]
            assert ["Đồng ý", "consent:yes"] in live[-1]["buttons"]
            # a bulletin while the page is closed waits in the history
            await service.channels["web"].send(await address_of(service, token), {
                "type": "message", "text": "Bản tin: họp thôn tối nay."})
            async with browser.stream("GET", events) as stream:  # the page opens again
                again = await Events(stream).until(lambda got: got and got[-1]["event"] == "ready")
            assert [line["text"] for line in said(again)] == [
                *(line["text"] for line in live), "Bản tin: họp thôn tối nay."]
            # a reconnection asks only for what it has not seen
            last = live[-1]["id"]
            async with browser.stream("GET", events, headers={"Last-Event-ID": str(last)}) as s:
                newer = await Events(s).until(lambda got: got and got[-1]["event"] == "ready")
            assert [line["text"] for line in said(newer)] == ["Bản tin: họp thôn tối nay."]
            forged = await browser.get(f"/chat/api/events?session={FORGED}")
            assert forged.status_code == 401 and forged.json()["error"] == "session"
            elsewhere = await browser.get(events, headers={"Origin": "https://evil.example"})
            assert elsewhere.status_code == 403


async def test_a_link_into_the_chat_waits_for_consent(app, web_pages):
    client, service = app
    token = await open_session(client)
    address = await address_of(service, token)
    web_pages.watch(service.channels["web"], address)

    async def post(**fields):
        response = await client.post("/chat/api/send", headers={"Origin": ORIGIN},
                                     json={"session": token, "id": message_id(), **fields})
        await service.sender.drain()
        return response.json()

    assert await post(open="gy:d:bao-cao") == {"ok": True, "deferred": True}
    assert "Xin chào! Đây là Loa Số" in web_pages.said(address)[0]["text"]
    await post(tap="consent:yes", label="Đồng ý")
    assert await post(open="gy:d:bao-cao") == {"ok": True, "deferred": False}
    assert "Dự thảo Báo cáo chính trị (thử nghiệm)" in web_pages.said(address)[-1]["text"]


async def test_a_first_visit_from_a_posters_code_is_counted_once_and_nothing_else(
        app, web_pages):
    from sqlalchemy import select

    from db.models import SourceArrival

    client, service = app
    page = await client.get("/chat?src=pano-truong-hoc")
    assert 'data-src="pano-truong-hoc"' in page.text
    assert 'data-src=""' in (await client.get('/chat?src="><script>')).text

    async def visit(token: str, source: str = "pano-truong-hoc"):
        response = await client.post("/chat/api/send", headers={"Origin": ORIGIN}, json={
            "session": token, "id": message_id(), "open": "", "src": source})
        await service.sender.drain()
        assert response.status_code == 200

    first, second = await open_session(client), await open_session(client)
    await visit(first)
    await visit(first)  # the page opened again: greeted already, not a first contact
    await visit(second)
    await client.post("/chat/api/send", headers={"Origin": ORIGIN}, json={
        "session": second, "id": message_id(), "tap": "consent:yes", "label": "Đồng ý"})
    await visit(second)  # a returning resident: not counted again
    async with service.database.read() as session:
        rows = (await session.execute(select(SourceArrival))).scalars().all()
    assert [(row.source, row.arrivals) for row in rows] == [("pano-truong-hoc", 2)]


# -- framing ----------------------------------------------------------------------------------

async def test_only_the_widget_frame_may_be_framed_and_only_by_allowed_sites(web_settings):
    settings = web_settings(webchat_origins="https://xa.example.vn")
    async with running_app(settings, run_sender=False) as (client, service):
        page = await client.get("/chat")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        frame = await client.get("/chat?embed=1")
        assert ("frame-ancestors 'self' https://xa.example.vn;"
                in frame.headers["content-security-policy"])
        assert "x-frame-options" not in frame.headers
        assert "<header" not in frame.text and 'id="chat-log"' in frame.text
        for path in ("/", "/tin", "/van-kien"):
            assert (await client.get(path)).headers["x-frame-options"] == "DENY"
        allowed = await client.get("/chat/api/embed", headers={"Origin": "https://xa.example.vn"})
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://xa.example.vn"
        other = await client.get("/chat/api/embed", headers={"Origin": "https://evil.example"})
        assert other.status_code == 403 and "access-control-allow-origin" not in other.headers


async def test_the_widget_script_is_one_small_file(app):
    client, _ = app
    script = await client.get("/chat/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "/chat/api/embed" in script.text and "max-age=3600" in script.headers["cache-control"]
    assert (await client.get("/chat/static/../web.py")).status_code == 404
    assert (await client.get("/chat/static/web.py")).status_code == 404


def test_origins_must_be_bare_origins(make_settings):
    from pydantic import ValidationError

    settings = make_settings(webchat_origins="https://A.example.vn/, http://b.vn:8080")
    assert settings.webchat_origins == ["https://a.example.vn", "http://b.vn:8080"]
    for wrong in ("xa.example.vn", "https://xa.example.vn/trang", "javascript:alert(1)"):
        with pytest.raises(ValidationError, match="địa chỉ gốc"):
            make_settings(webchat_origins=wrong)


async def test_two_tabs_opening_a_new_conversation_are_greeted_once(app, web_pages):
    client, service = app
    token = await open_session(client)
    address = await address_of(service, token)
    web_pages.watch(service.channels["web"], address)
    for _ in range(2):
        await client.post("/chat/api/send", headers={"Origin": ORIGIN},
                          json={"session": token, "id": message_id(), "open": ""})
        await service.sender.drain()
    greetings = [line for line in web_pages.said(address) if "Xin chào!" in line["text"]]
    assert len(greetings) == 1
