"""Zalo OA through the shared harness, plus what only the OA has: signatures, tokens, window."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import update

from bot.channels import zalo_oa
from bot.channels.base import SendError
from bot.channels.registry import build_channels
from db import channel_tokens
from db.models import ChannelToken
from messages.types import InboundKind, Option, Reply
from tests.channels.harness import (
    Expect,
    IncomingCase,
    OutgoingCase,
    WebhookDriver,
    run_incoming,
    run_outgoing,
    send_cases,
    text_cases,
)
from tests.conftest import count_rows, fixture, wait_until
from tests.utils import running_app

USER = "5510000000000000001"
_msg_ids = itertools.count(1)


def oa_event(name: str, **message) -> dict:
    """A fixture event with a fresh msg_id (and optionally other message fields)."""
    event = copy.deepcopy(fixture(f"zalo_oa/{name}.json"))
    if "message" in event:
        event["message"]["msg_id"] = f"{next(_msg_ids):020x}"
        event["message"].update(message)
    return event


def text_body(text: str) -> dict:
    return oa_event("user_send_text", text=text)


class ZaloOADriver(WebhookDriver):
    channel_name = "zalo-oa"

    @property
    def secrets(self) -> list[str]:
        return [self.fake.app_secret, self.fake.secret_key, self.fake.refresh_token,
                *self.fake.valid_access]

    def encode(self, body):
        if isinstance(body, dict) and "__raw_message__" in body:  # too deep for json.dumps
            return self.fake.webhook(oa_event("user_send_text"),
                                     extra_raw=body["__raw_message__"])
        if isinstance(body, dict):  # a genuine event: signed as Zalo signs it
            return self.fake.webhook(body)
        content, _ = super().encode(body)
        return content, {"X-ZEvent-Signature": "mac=" + "0" * 64}

    def platform_messages(self):
        return [{"text": message["text"],
                 "buttons": [button["title"] for button in message["buttons"]]
                 if message["buttons"] else None}
                for message in self.fake.sent]



@pytest_asyncio.fixture
async def driver(zalo_oa_settings, fake_zalo_oa):
    async with running_app(zalo_oa_settings(), run_sender=False) as (client, service):
        yield ZaloOADriver(client, service, fake_zalo_oa)


def stale(minutes: float) -> int:
    return int((time.time() + minutes * 60) * 1000)


def raw(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def nested(opener: str, depth: int) -> dict:
    """A signed event whose message holds `depth` levels of lists or objects."""
    value: object = "x"
    for _ in range(depth if depth < 900 else 0):
        value = [value] if opener == "[" else {"a": value}
    if depth >= 900:  # too deep for json.dumps: built as text, signed by the driver
        inner = ("[" * depth + "]" * depth if opener == "[" else '{"a":' * depth + "1" + "}" * depth)
        return {"__raw_message__": inner}
    return oa_event("user_send_text") | {"extra": value}


INCOMING = text_cases(text_body, USER) + [
    IncomingCase("button tap arrives as prefixed text", oa_event("button"),
                 events=(Expect(InboundKind.BUTTON, address=USER, button="consent:yes"),)),
    IncomingCase("follow greets", oa_event("follow"),
                 events=(Expect(InboundKind.FOLLOW, address=USER),)),
    IncomingCase("unfollow stops", oa_event("unfollow"),
                 events=(Expect(InboundKind.STOPPED, address=USER),)),
    *[IncomingCase(name, oa_event(name), events=(Expect(InboundKind.UNSUPPORTED, address=USER),))
      for name in ("user_send_image", "user_send_sticker", "user_send_file",
                   "user_send_location")],
    *[IncomingCase(name, oa_event(name), events=(Expect(InboundKind.IGNORED),))
      for name in ("oa_send_text", "user_seen_message", "user_submit_info",
                   "user_send_group_text",
                   # older and newer variants (fixtures/zalo_oa/README.md names the sources)
                   "user_submit_info_newer", "user_received_message", "oa_send_image")],
    IncomingCase("location in the secondary document's shape",
                 oa_event("user_send_location_secondary"),
                 events=(Expect(InboundKind.UNSUPPORTED, address=USER),)),
    IncomingCase("unknown event name", {"event_name": "user_reacted_message", "app_id": "1",
                                        "sender": {"id": USER}, "recipient": {"id": "2"}},
                 events=(Expect(InboundKind.IGNORED),)),
    # bad input: refused, nothing written (the runner checks the tables)
    IncomingCase("missing signature", oa_event("user_send_text"), status=401, headers={}),
    IncomingCase("wrong signature", oa_event("user_send_text"), status=403,
                 headers={"X-ZEvent-Signature": "mac=nope"}),
    IncomingCase("wrong signature of the right length", oa_event("user_send_text"), status=403,
                 headers={"X-ZEvent-Signature": "mac=" + "f" * 64}),
    IncomingCase("body is not JSON", b"event_name=user_send_text", status=400),
    IncomingCase("body is not UTF-8", b"\xff\xfe\x00{", status=400),
    IncomingCase("JSON that is a list", [1, 2, 3], status=400),
    IncomingCase("event without timestamp", raw({"event_name": "user_send_text"}), status=400),
    IncomingCase("timestamp of non-ASCII digits", raw({"event_name": "user_send_text",
                                                       "timestamp": "1717061839659²"}),
                 status=400),
    IncomingCase("signed event nested 1,000 deep", nested("[", 1000), status=400),
    IncomingCase("signed event nested 100,000 deep", nested("{", 100_000), status=400),
    IncomingCase("signed event nested 100 deep (under the parser's limit)", nested("[", 100),
                 status=400),
    IncomingCase("text without sender", {**oa_event("user_send_text"), "sender": None},
                 status=400),
    IncomingCase("text without msg_id", {**oa_event("user_send_text"), "message": {"text": "x"}},
                 status=400),
    IncomingCase("text that is not a string", oa_event("user_send_text", text=["x"]),
                 status=400),
    IncomingCase("follow without follower", {**oa_event("follow"), "follower": {}}, status=400),
    IncomingCase("body over 1 MB", {**oa_event("user_send_text"), "pad": "x" * (1024 * 1024)},
                 status=413),
]


@pytest.mark.parametrize("case", INCOMING, ids=lambda case: case.label)
async def test_incoming(driver, case, caplog):
    await run_incoming(driver, case, lambda: caplog.text)


@pytest.mark.parametrize("body", [b"{}", b'{"app_id": "1"}', b""], ids=["{}", "no event", "empty"])
async def test_a_request_without_an_event_is_answered_200_and_stores_nothing(driver, body):
    response = await driver.client.post("/webhook/zalo-oa", content=body,
                                        headers={"content-type": "application/json"})
    assert response.status_code == (400 if body == b"" else 200)
    for table in ("users", "inbound_events", "outbox"):
        assert await count_rows(driver.database, table) == 0


async def test_every_event_still_needs_its_signature(driver):
    body, _ = driver.fake.webhook(oa_event("user_send_text"))
    unsigned = await driver.client.post("/webhook/zalo-oa", content=body)
    assert unsigned.status_code == 401
    assert await count_rows(driver.database, "inbound_events") == 0


async def test_x_zevent_timestamp_must_agree_with_the_body(driver):
    body, headers = driver.fake.webhook(text_body("Xin chào"))
    stated = json.loads(body)["timestamp"]
    refused = await driver.client.post("/webhook/zalo-oa", content=body, headers={
        **headers, "X-ZEvent-Timestamp": str(int(stated) - 60_000)})
    assert refused.status_code == 403
    assert await count_rows(driver.database, "inbound_events") == 0
    agreed = await driver.client.post("/webhook/zalo-oa", content=body, headers={
        **headers, "X-ZEvent-Timestamp": stated})
    assert agreed.status_code == 200
    assert await count_rows(driver.database, "inbound_events") == 1


def _expect_list_beyond_five(messages, channel) -> None:
    (message,) = messages
    assert message["buttons"] is None
    assert "6. Lựa chọn 6" in message["text"]


OUTGOING = send_cases() + [
    OutgoingCase("more than 5 options become a numbered list",
                 Reply("Chọn:", tuple(Option(f"Lựa chọn {n}", f"x:{n}") for n in range(1, 7))),
                 check=_expect_list_beyond_five),
    *[OutgoingCase(f"{code} stops the recipient with the reason", Reply("x"),
                   faults=((str(code),),), error=SendError.STOPPED)
      for code in (-213, -230, -232)],
    OutgoingCase("-32 is throttled", Reply("x"), faults=(("-32",),), error=SendError.THROTTLED,
                 retry_after=zalo_oa.THROTTLE_PAUSE),
    OutgoingCase("-224 (OA package) is a configuration error", Reply("x"),
                 faults=(("-224",),), error=SendError.CONFIG),
    OutgoingCase("-201 is permanent", Reply("x"), faults=(("-201",),),
                 error=SendError.PERMANENT),
    OutgoingCase("500 is transient", Reply("x"), faults=(("500",),), error=SendError.TRANSIENT),
    OutgoingCase("502 is transient", Reply("x"), faults=(("502",),), error=SendError.TRANSIENT),
]


@pytest.mark.parametrize("case", OUTGOING, ids=lambda case: case.label)
async def test_outgoing(driver, case, caplog):
    await run_outgoing(driver, case, lambda: caplog.text)


# -- signature and timestamp ----------------------------------------------------------------

@pytest.mark.parametrize("minutes", [-6, 6])
async def test_a_timestamp_more_than_5_minutes_away_is_refused(driver, minutes):
    body, headers = driver.fake.webhook(oa_event("user_send_text"), now_ms=stale(minutes))
    response = await driver.client.post("/webhook/zalo-oa", content=body, headers=headers)
    assert response.status_code == 403
    assert await count_rows(driver.database, "inbound_events") == 0


async def test_a_signature_without_the_mac_prefix_is_accepted(driver):
    body, headers = driver.fake.webhook(oa_event("user_send_text"))
    headers["X-ZEvent-Signature"] = headers["X-ZEvent-Signature"].removeprefix("mac=").upper()
    response = await driver.client.post("/webhook/zalo-oa", content=body, headers=headers)
    assert response.status_code == 200


async def test_a_mismatch_names_the_variant_that_would_have_matched(driver, caplog):
    body, headers = driver.fake.webhook(oa_event("user_send_text"), variant="oa_id/secret_key")
    with caplog.at_level(logging.WARNING):
        response = await driver.client.post("/webhook/zalo-oa", content=body, headers=headers)
    assert response.status_code == 403
    assert "matches variant oa_id/secret_key" in caplog.text
    assert "LOASO_ZALO_OA_SIGNATURE=oa_id/secret_key" in caplog.text


@pytest.mark.parametrize("variant", zalo_oa.SIGNATURE_VARIANTS)
async def test_each_signature_variant_can_be_chosen(zalo_oa_settings, fake_zalo_oa, variant):
    async with running_app(zalo_oa_settings(zalo_oa_signature=variant),
                           run_sender=False) as (client, _):
        for event in (oa_event("user_send_text"), oa_event("follow"), oa_event("oa_send_text")):
            body, headers = fake_zalo_oa.webhook(event, variant=variant)
            response = await client.post("/webhook/zalo-oa", content=body, headers=headers)
            assert response.status_code == 200, event["event_name"]


# -- dedupe on msg_id ------------------------------------------------------------------------

async def test_a_redelivered_msg_id_is_handled_once(driver):
    body, headers = driver.fake.webhook(oa_event("user_send_text", text="/menu"))
    for _ in range(2):
        response = await driver.client.post("/webhook/zalo-oa", content=body, headers=headers)
        assert response.status_code == 200
    assert await count_rows(driver.database, "inbound_events") == 1
    replies = await count_rows(driver.database, "outbox")
    assert replies >= 1
    again, headers = driver.fake.webhook(json.loads(body))  # Zalo's retry: same msg_id, new time
    assert (await driver.client.post("/webhook/zalo-oa", content=again,
                                     headers=headers)).status_code == 200
    assert await count_rows(driver.database, "outbox") == replies


async def test_twenty_concurrent_redeliveries_are_handled_once(driver):
    body, headers = driver.fake.webhook(oa_event("user_send_text", text="/menu"))
    responses = await asyncio.gather(*[
        driver.client.post("/webhook/zalo-oa", content=body, headers=headers)
        for _ in range(20)])
    assert [response.status_code for response in responses] == [200] * 20
    assert await count_rows(driver.database, "inbound_events") == 1
    assert await count_rows(driver.database, "users") == 1
    single = await count_rows(driver.database, "outbox")
    assert single == 1  # the menu: one message with its buttons


# -- sending shapes ----------------------------------------------------------------------------

async def test_buttons_are_hidden_queries_with_prefixed_payloads(driver):
    await driver.channel.send(USER, {"type": "message", "text": "Bạn chọn:",
                                     "buttons": [["Đồng ý", "consent:yes"]]})
    (sent,) = driver.fake.sent
    assert sent["buttons"] == [{"title": "Đồng ý", "type": "oa.query.hide",
                                "payload": "#ls:consent:yes"}]
    # and the tap comes back as text carrying that payload
    tap = oa_event("user_send_text", text=sent["buttons"][0]["payload"])
    event = driver.channel.parse_event(tap)
    assert (event.kind, event.button) == (InboundKind.BUTTON, "consent:yes")


async def test_typed_text_looking_like_a_number_stays_text(driver):
    event = driver.channel.parse_event(oa_event("user_send_text", text="2"))
    assert (event.kind, event.text) == (InboundKind.TEXT, "2")


# -- tokens ------------------------------------------------------------------------------------

async def stored(database) -> channel_tokens.StoredTokens | None:
    return await channel_tokens.read(database, "zalo-oa")


async def test_the_settings_refresh_token_seeds_the_store_on_first_send(driver):
    assert await stored(driver.database) is None
    result = await driver.channel.send(USER, {"type": "message", "text": "Xin chào"})
    assert result.ok and result.platform_message_id
    tokens = await stored(driver.database)
    assert driver.fake.refreshes == 1 and tokens.generation == 1
    assert tokens.refresh_token == driver.fake.refresh_token  # the rotated one was kept
    assert tokens.access_expires_at > datetime.now(UTC) + timedelta(hours=24)


async def test_an_expired_token_during_a_send_is_refreshed_once(driver):
    assert (await driver.channel.send(USER, {"type": "message", "text": "1"})).ok
    driver.fake.expire_access()
    result = await driver.channel.send(USER, {"type": "message", "text": "2"})
    assert result.ok
    assert driver.fake.refreshes == 2
    assert driver.fake.texts_to(USER) == ["1", "2"]


async def test_a_token_refused_again_after_refresh_is_a_clear_failure(driver):
    assert (await driver.channel.send(USER, {"type": "message", "text": "1"})).ok
    driver.fake.script.extend([("-216",), ("-220",)])
    result = await driver.channel.send(USER, {"type": "message", "text": "2"})
    assert result.error == SendError.CONFIG
    assert "sau khi làm mới" in result.reason and "-220" in result.reason
    assert driver.fake.refreshes == 2  # exactly one refresh for this send
    assert driver.fake.texts_to(USER) == ["1"]


async def test_the_token_is_refreshed_before_it_expires(driver):
    assert (await driver.channel.send(USER, {"type": "message", "text": "1"})).ok
    soon = datetime.now(UTC) + timedelta(minutes=30)
    async with driver.database.transaction() as session:
        await session.execute(update(ChannelToken).values(access_expires_at=soon))
    driver.channel._tokens = None  # as after a restart: the store is the truth
    assert (await driver.channel.send(USER, {"type": "message", "text": "2"})).ok
    assert driver.fake.refreshes == 2
    assert (await stored(driver.database)).generation == 2


async def test_concurrent_sends_with_an_expired_token_refresh_once(driver):
    assert (await driver.channel.send(USER, {"type": "message", "text": "0"})).ok
    driver.fake.expire_access()
    driver.fake.refresh_latency = 0.1
    results = await asyncio.gather(*[
        driver.channel.send(USER, {"type": "message", "text": str(n)}) for n in range(1, 21)])
    assert all(result.ok for result in results)
    assert driver.fake.refreshes == 2


async def test_two_processes_share_one_rotation(zalo_oa_settings, fake_zalo_oa, database):
    settings = zalo_oa_settings()
    first = build_channels(settings, database)["zalo-oa"]
    second = build_channels(settings, database)["zalo-oa"]
    try:
        assert (await first.send(USER, {"type": "message", "text": "a"})).ok
        assert (await second.send(USER, {"type": "message", "text": "b"})).ok
        fake_zalo_oa.expire_access()
        results = await asyncio.gather(first.send(USER, {"type": "message", "text": "c"}),
                                       second.send(USER, {"type": "message", "text": "d"}))
    finally:
        await first.close()
        await second.close()
    assert all(result.ok for result in results)
    # one seed-time refresh, one after the expiry: the refresh token was never spent twice
    assert fake_zalo_oa.refreshes == 2


async def test_a_refresh_token_refused_by_zalo_says_to_redo_the_grant(driver):
    assert (await driver.channel.send(USER, {"type": "message", "text": "1"})).ok
    before = await stored(driver.database)
    driver.fake.refresh_token = "spent-elsewhere"  # e.g. used by another installation
    driver.fake.expire_access()
    result = await driver.channel.send(USER, {"type": "message", "text": "2"})
    assert result.error == SendError.CONFIG
    assert "-14020" in result.reason and "loaso zalo oa-auth" in result.reason
    assert await stored(driver.database) == before  # nothing half-written


async def test_without_any_token_sends_fail_with_the_command_to_run(zalo_oa_settings, database):
    channel = build_channels(zalo_oa_settings(zalo_oa_refresh_token=None), database)["zalo-oa"]
    try:
        result = await channel.send(USER, {"type": "message", "text": "x"})
    finally:
        await channel.close()
    assert result.error == SendError.CONFIG and "loaso zalo oa-auth" in result.reason


async def test_an_unreachable_oauth_server_is_transient(zalo_oa_settings, database):
    settings = zalo_oa_settings(zalo_oa_oauth_base="http://127.0.0.1:9")
    channel = build_channels(settings, database)["zalo-oa"]
    try:
        result = await channel.send(USER, {"type": "message", "text": "x"})
    finally:
        await channel.close()
    assert result.error == SendError.TRANSIENT and result.reason
    assert (await stored(database)).generation == 0  # the seed is still there, unspent


# -- the whole path: follow, reply through the sender, window ---------------------------------

async def test_a_follower_is_greeted_with_the_consent_buttons(zalo_oa_settings, fake_zalo_oa):
    async with running_app(zalo_oa_settings()) as (client, _):
        body, headers = fake_zalo_oa.webhook(oa_event("follow"))
        assert (await client.post("/webhook/zalo-oa", content=body,
                                  headers=headers)).status_code == 200
        await wait_until(lambda: any(m["buttons"] for m in fake_zalo_oa.sent))
    titles = [b["title"] for m in fake_zalo_oa.sent if m["buttons"] for b in m["buttons"]]
    assert titles[:2] == ["Đồng ý", "Không đồng ý"]


def test_capabilities_declare_the_seven_day_window():
    assert zalo_oa.CAPABILITIES.reply_window == timedelta(days=7)
    assert zalo_oa.CAPABILITIES.max_buttons == 5 and zalo_oa.CAPABILITIES.max_text_length == 2000


# -- loaso zalo oa-auth: the first grant, against the fake OAuth server -------------------------

def oa_auth_env(fake, database_url: str) -> dict[str, str]:
    return {"LOASO_DATABASE_URL": database_url, "LOASO_ZALO_OA_APP_ID": fake.app_id,
            "LOASO_ZALO_OA_APP_SECRET": fake.app_secret,
            "LOASO_ZALO_OA_SECRET_KEY": fake.secret_key,
            "LOASO_ZALO_OA_OAUTH_BASE": fake.base_url}


def run_oa_auth(env: dict[str, str], answer) -> tuple[int, str, str]:
    """Run the command as an administrator would: read the URL, approve, paste the answer."""
    import subprocess

    from tests.cli import popen

    process = popen(
        ["zalo", "oa-auth", "--redirect-uri", "https://loaso.namanphu.vn/zalo/callback"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    url = ""
    while not url:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        url = line.strip() if line.startswith("http") else ""
    out, err = process.communicate(answer(url) + "\n", timeout=60)
    return process.returncode, url + "\n" + out, err


def approve(url: str) -> str:
    """The administrator's browser: open the permission page, land on the callback address."""
    import httpx

    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302
    return response.headers["location"]


async def test_oa_auth_stores_the_first_grant(database_url, database):
    import base64
    import hashlib
    from urllib.parse import parse_qs, urlparse

    from tests.fakes.zalo_oa_api import FakeZaloOA, running_in_thread

    fake = FakeZaloOA()
    with running_in_thread(fake) as base_url:
        fake.base_url = base_url
        code, out, err = await asyncio.to_thread(
            run_oa_auth, oa_auth_env(fake, database_url), approve)
    assert code == 0, err
    assert "Đã lưu token Zalo OA" in out and fake.refresh_token not in out + err
    query = parse_qs(urlparse(out.splitlines()[0]).query)
    assert query["app_id"] == [fake.app_id]
    assert query["redirect_uri"] == ["https://loaso.namanphu.vn/zalo/callback"]
    digest = hashlib.sha256(fake.verifiers[-1].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"][0]
    tokens = await stored(database)
    assert tokens.refresh_token == fake.refresh_token and tokens.access_token in fake.valid_access


async def test_oa_auth_with_a_wrong_code_stores_nothing(database_url, database):
    from tests.fakes.zalo_oa_api import FakeZaloOA, running_in_thread

    fake = FakeZaloOA()
    with running_in_thread(fake) as base_url:
        fake.base_url = base_url
        code, out, err = await asyncio.to_thread(
            run_oa_auth, oa_auth_env(fake, database_url), lambda url: "not-a-code")
    assert code == 2 and "Không đổi được mã code" in err and "-14019" in err
    assert "Traceback" not in err
    assert await stored(database) is None


async def test_oa_auth_refuses_an_address_from_another_attempt(database_url, database):
    from tests.fakes.zalo_oa_api import FakeZaloOA, running_in_thread

    fake = FakeZaloOA()
    with running_in_thread(fake) as base_url:
        fake.base_url = base_url
        code, _, err = await asyncio.to_thread(
            run_oa_auth, oa_auth_env(fake, database_url),
            lambda url: approve(url).replace("state=", "state=x"))
    assert code == 2 and "state khác" in err
    assert await stored(database) is None and fake.verifiers == []
