"""Zalo Official Account (OA API v3): check the signed webhook, parse events, send CS messages.

Facts, sources and what is unverified: docs/platforms.md (Zalo Official Account). In short: events
are signed with SHA-256 over app id, raw body, timestamp and a key (A3); button taps come back
as ordinary `user_send_text` events (A4), so our button payloads carry BUTTON_PREFIX; replies go
through /v3.0/oa/message/cs with an OAuth v4 access token whose refresh token is single-use
(A5, A6; rotation in db/channel_tokens.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from bot.channels.base import SendError, SendResult, WebhookRejected, load_json
from bot.channels.json_http import JsonHttp, TransportFailed
from bot.channels.spec import ChannelSpec, RateLimit, Resources, http_url
from db import channel_tokens
from db.channel_tokens import Grant, NoRefreshToken
from db.engine import Database
from messages.types import Capabilities, Inbound, InboundKind, normalize_text, text_event

log = logging.getLogger(__name__)

NAME = "zalo-oa"
SIGNATURE_HEADER = "x-zevent-signature"
TIMESTAMP_HEADER = "x-zevent-timestamp"  # when sent, it must agree with the body's timestamp
_PING_BYTES = 1024  # an unsigned request is read only this small: a check has no event
SIGNATURE_VARIANTS = ("app_id/secret_key", "oa_id/secret_key", "app_id/app_secret",
                      "oa_id/app_secret")
_MILLISECONDS = re.compile(r"[0-9]{1,16}")
MAX_SKEW = timedelta(minutes=5)  # older or newer events are refused as replays
# Typed text never starts like this, so a tap (which arrives as text) is told apart.
BUTTON_PREFIX = "#ls:"
# 2,000 characters per text (-210 above); at most 5 buttons (community limit, UNVERIFIED);
# consultation replies only within 7 days of the resident's last interaction (-230).
CAPABILITIES = Capabilities(buttons=True, max_text_length=2000, max_buttons=5,
                            max_button_payload_bytes=64, reply_window=timedelta(days=7))
# Refresh this long before the access token (about 25 h) runs out.
REFRESH_MARGIN = timedelta(hours=1)

MEDIA_EVENTS = {"user_send_image", "user_send_gif", "user_send_sticker", "user_send_file",
                "user_send_audio", "user_send_video", "user_send_location", "user_send_link",
                "user_send_business_card"}

TOKEN_CODES = {-216, -220}  # access token invalid / expired: refresh once and retry
# Error code → (outcome, what it means for staff reading the outbox). Reference A5.
ERRORS: dict[int, tuple[SendError, str]] = {
    -32: (SendError.THROTTLED, "OA vượt giới hạn số lần gọi API"),
    -100: (SendError.TRANSIENT, "tệp đính kèm đã hết hạn"),
    -213: (SendError.STOPPED, "người dân chưa quan tâm (follow) OA"),
    -217: (SendError.STOPPED, "người dân đã chặn OA"),
    -230: (SendError.STOPPED, "người dân không tương tác với OA trong 7 ngày qua"),
    -232: (SendError.STOPPED, "người dân chưa tương tác hoặc tương tác đã hết hạn"),
    -219: (SendError.CONFIG, "ứng dụng Zalo đã bị gỡ hoặc vô hiệu hóa"),
    -221: (SendError.CONFIG, "OA chưa được xác thực"),
    -223: (SendError.CONFIG, "ứng dụng chưa được cấp quyền dùng API này"),
    -224: (SendError.CONFIG, "OA cần nâng cấp gói dịch vụ để gửi tin qua API"),
    -210: (SendError.PERMANENT, "tham số vượt giới hạn (văn bản quá 2.000 ký tự?)"),
}
THROTTLE_PAUSE = 30.0  # Zalo's -32 carries no retry-after


class TokenUnavailable(Exception):
    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def oa_id_of(data: dict[str, Any]) -> str | None:
    """The OA's id: recipient of user_* events, sender of oa_* echoes, flat on follow."""
    name = str(data.get("event_name", ""))
    holder = data.get("sender") if name.startswith("oa_") else data.get("recipient")
    if isinstance(holder, dict) and holder.get("id") is not None:
        return str(holder["id"])
    return str(data["oa_id"]) if data.get("oa_id") is not None else None


def signature(body: bytes, timestamp: str, first: str, key: str) -> str:
    """hex SHA256(first + raw body + timestamp + key): a plain hash, not an HMAC (A3)."""
    return hashlib.sha256(first.encode() + body + timestamp.encode() + key.encode()).hexdigest()


async def exchange(http: JsonHttp, oauth_base: str, *, app_id: str, app_secret: str,
                   form: dict[str, str]) -> Grant:
    """POST /v4/oa/access_token (code or refresh grant); both answer shapes are accepted."""
    try:
        answer = await http.post(f"{oauth_base}/v4/oa/access_token",
                                 headers={"secret_key": app_secret},
                                 form={**form, "app_id": app_id})
    except TransportFailed as error:
        raise TokenUnavailable(f"không gọi được máy chủ OAuth Zalo ({error.kind})",
                               transient=True) from None
    if answer.status >= 500:
        raise TokenUnavailable(f"máy chủ OAuth Zalo lỗi HTTP {answer.status}", transient=True)
    data = answer.data
    if not isinstance(data, dict):
        raise TokenUnavailable("máy chủ OAuth Zalo trả lời không đúng định dạng JSON",
                               transient=True)
    inner = data.get("data")
    tokens: dict[str, Any] = inner if isinstance(inner, dict) else data
    if tokens.get("access_token") and tokens.get("refresh_token"):
        refresh_life = tokens.get("refresh_token_expires_in")
        return Grant(str(tokens["access_token"]), str(tokens["refresh_token"]),
                     int(tokens.get("expires_in") or 3600),
                     int(refresh_life) if refresh_life else None)
    detail = data.get("error_description") or data.get("error_name") or data.get("message") or ""
    raise TokenUnavailable(
        f"Zalo OAuth từ chối ({data.get('error')}: {detail}); chạy lại: loaso zalo oa-auth",
        transient=False)


class ZaloOASettings(BaseModel):
    """LOASO_ZALO_OA_*: the channel is on when the app id is set (then the keys must be)."""

    zalo_oa_app_id: str | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_oa_refresh_token: SecretStr | None = None
    # Sources disagree on the X-ZEvent-Signature inputs (docs/platforms.md, signature): which id comes
    # first and which key closes it. A mismatch logs the variant that would have matched.
    zalo_oa_signature: Literal["app_id/secret_key", "oa_id/secret_key", "app_id/app_secret",
                               "oa_id/app_secret"] = "app_id/secret_key"
    zalo_oa_rate_limit: float = Field(10.0, ge=0)

    @field_validator("zalo_oa_api_base", "zalo_oa_oauth_base")
    @classmethod
    def _zalo_oa_http_url(cls, value: str) -> str | None:
        return http_url(value)

    def zalo_oa_problems(self) -> list[str]:
        """What stops the OA from running (checked by the commands that run channels)."""
        if self.zalo_oa_app_id is None:
            return []
        return [f"LOASO_{name.upper()}: cần đặt khi dùng LOASO_ZALO_OA_APP_ID (lấy trong trang "
                "quản lý ứng dụng Zalo)"
                for name in ("zalo_oa_app_secret", "zalo_oa_secret_key")
                if getattr(self, name) is None]


class ZaloOAChannel:
    name = NAME
    capabilities = CAPABILITIES

    def __init__(self, *, app_id: str, app_secret: str, secret_key: str, database: Database,
                 api_base: str, oauth_base: str, signature_variant: str = SIGNATURE_VARIANTS[0],
                 seed_refresh_token: str | None = None, pool_size: int = 32,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 owns_database: bool = False) -> None:
        self.app_id = app_id
        self._keys = {"secret_key": secret_key, "app_secret": app_secret}
        self.variant = signature_variant
        self.database = database
        self.api_base = api_base
        self.oauth_base = oauth_base
        self._seed = seed_refresh_token
        self.clock = clock
        self._owns_database = owns_database
        self._tokens: channel_tokens.StoredTokens | None = None
        self._token_lock = asyncio.Lock()  # one refresh per process; the row lock does the rest
        self.http = JsonHttp(pool_size=pool_size)

    # -- receiving -------------------------------------------------------------------------

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        """Every request that carries an event needs a valid signature. One without an
        event (`{}`: Zalo's check that the webhook answers) is let through, to be answered
        200 with nothing stored; unsigned, it is read only if small."""
        given = (headers.get(SIGNATURE_HEADER) or "").strip()
        if not given and len(body) > _PING_BYTES:
            raise WebhookRejected(401, "missing X-ZEvent-Signature")
        data = _load(body)
        if not carries_event(data):
            return
        if not given:
            raise WebhookRejected(401, "missing X-ZEvent-Signature")
        timestamp = _timestamp(data)
        stated = headers.get(TIMESTAMP_HEADER)
        if stated is not None and stated.strip() != timestamp:
            raise WebhookRejected(403, "X-ZEvent-Timestamp differs from the body's timestamp")
        mac = given[4:] if given.lower().startswith("mac=") else given
        mac = mac.strip().lower()
        expected = self._signature(self.variant, body, data, timestamp)
        if expected is None or not hmac.compare_digest(expected.encode(), mac.encode()):
            matching = [variant for variant in SIGNATURE_VARIANTS if variant != self.variant
                        and (other := self._signature(variant, body, data, timestamp))
                        and hmac.compare_digest(other.encode(), mac.encode())]
            if matching:
                log.warning("zalo-oa signature matches variant %s, not the configured %s; "
                            "if that is right, set LOASO_ZALO_OA_SIGNATURE=%s",
                            matching[0], self.variant, matching[0])
            raise WebhookRejected(403, "wrong signature")
        sent = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
        if abs(self.clock() - sent) > MAX_SKEW:
            raise WebhookRejected(403, "timestamp more than 5 minutes from now")

    def _signature(self, variant: str, body: bytes, data: dict[str, Any], timestamp: str) -> str | None:
        first_name, key_name = variant.split("/")
        first = self.app_id if first_name == "app_id" else oa_id_of(data)
        key = self._keys[key_name]
        return signature(body, timestamp, first, key) if first and key else None

    def parse(self, body: bytes) -> list[Inbound]:
        data = _load(body)
        return [self.parse_event(data)] if carries_event(data) else []

    def parse_event(self, data: dict[str, Any]) -> Inbound:
        name = data.get("event_name")
        if not isinstance(name, str) or not name:
            raise WebhookRejected(400, "not a Zalo OA event")
        timestamp = str(data.get("timestamp", ""))
        if name in ("follow", "unfollow"):
            user = _id(data, "follower")
            kind = InboundKind.FOLLOW if name == "follow" else InboundKind.STOPPED
            # no msg_id on these: the user and the moment identify a redelivery
            return Inbound(NAME, f"{name}:{user}:{timestamp}", user, kind, what=name)
        if not name.startswith("user_send_") or name.startswith("user_send_group"):
            # our own oa_send_* echoes, seen/received receipts, tags, group chats, new names
            return Inbound(NAME, f"{name}:{timestamp}", None, InboundKind.IGNORED, what=name)
        user = _id(data, "sender")
        message = data.get("message")
        if not isinstance(message, dict) or not message.get("msg_id"):
            raise WebhookRejected(400, f"{name} without message.msg_id")
        event_id = str(message["msg_id"])
        if name == "user_send_text":
            text = message.get("text")
            if not isinstance(text, str):
                raise WebhookRejected(400, "user_send_text without text")
            if text.startswith(BUTTON_PREFIX):
                return Inbound(NAME, event_id, user, InboundKind.BUTTON,
                               button=normalize_text(text[len(BUTTON_PREFIX):]), what="button")
            return text_event(NAME, event_id, user, text)
        what = name.removeprefix("user_send_")
        if name not in MEDIA_EVENTS:
            what = "other message"
        if name == "user_send_image":  # a /phananh report may take it: its URL as the handle
            attachment = (message.get("attachments") or [{}])[0]
            url = (attachment.get("payload") or {}).get("url") if isinstance(attachment, dict) else None
            if isinstance(url, str) and url.startswith("https://"):
                return Inbound(NAME, event_id, user, InboundKind.UNSUPPORTED, what=what,
                               text=normalize_text(str(message.get("text") or "")),
                               photo=f"{NAME}:{url[:280]}")
        return Inbound(NAME, event_id, user, InboundKind.UNSUPPORTED, what=what)

    # -- sending ---------------------------------------------------------------------------

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult:
        if payload["type"] != "message":
            return SendResult()  # taps need no acknowledgement on Zalo
        message: dict[str, Any] = {"text": payload["text"]}
        if payload.get("buttons"):
            # oa.query.hide: the tap comes back as text without showing the payload in the chat
            message["attachment"] = {"type": "template", "payload": {"buttons": [
                {"title": label, "type": "oa.query.hide", "payload": BUTTON_PREFIX + data}
                for label, data in payload["buttons"]]}}
        request = {"recipient": {"user_id": recipient}, "message": message}
        rejected: str | None = None
        for _ in range(2):  # a rejected token is refreshed once, then the failure is reported
            try:
                token = await self.access_token(rejected=rejected)
            except TokenUnavailable as error:
                return SendResult(SendError.TRANSIENT if error.transient else SendError.CONFIG,
                                  reason=error.reason)
            result, code = await self._post_cs(request, token)
            if code not in TOKEN_CODES:
                return result
            rejected = token
        return SendResult(SendError.CONFIG, reason=f"Zalo từ chối access token cả sau khi làm "
                                                   f"mới ({code}); kiểm tra ứng dụng và OA")

    async def _post_cs(self, request: dict[str, Any], token: str) -> tuple[SendResult, int | None]:
        try:
            answer = await self.http.post(f"{self.api_base}/v3.0/oa/message/cs", json=request,
                                          headers={"access_token": token})
        except TransportFailed as error:
            return SendResult(SendError.TRANSIENT, reason=f"network: {error.kind}"), None
        if answer.status == 401:
            return SendResult(SendError.CONFIG, reason="HTTP 401"), -216
        if answer.status == 429:
            return SendResult(SendError.THROTTLED, retry_after=THROTTLE_PAUSE,
                              reason="HTTP 429"), None
        if answer.status >= 500:
            return SendResult(SendError.TRANSIENT, reason=f"HTTP {answer.status}"), None
        data = answer.data
        try:
            code = int(data.get("error", 0))
        except (ValueError, TypeError, AttributeError):
            return SendResult(SendError.TRANSIENT, reason="Zalo answered without JSON"), None
        if code == 0:
            message_id = (data.get("data") or {}).get("message_id")
            return SendResult(platform_message_id=str(message_id) if message_id else None), 0
        return classify_error(code, str(data.get("message", ""))), code

    # -- tokens ----------------------------------------------------------------------------

    async def access_token(self, *, rejected: str | None = None) -> str:
        """A usable access token: cached, else from the store, else rotated under the lock."""
        cached = self._tokens
        if cached is not None and cached.usable(self.clock(), REFRESH_MARGIN, not_this=rejected):
            return cached.access_token or ""
        async with self._token_lock:
            cached = self._tokens  # another send may have refreshed while we waited
            if cached is not None and cached.usable(self.clock(), REFRESH_MARGIN,
                                                    not_this=rejected):
                return cached.access_token or ""
            stored = await channel_tokens.read(self.database, NAME)
            if stored is None and self._seed:
                await channel_tokens.seed(self.database, NAME, self._seed, now=self.clock())
                stored = await channel_tokens.read(self.database, NAME)
            if stored is None:
                raise TokenUnavailable("Zalo OA chưa có token; chạy: loaso zalo oa-auth",
                                       transient=False)
            if not stored.usable(self.clock(), REFRESH_MARGIN, not_this=rejected):
                try:
                    stored = await channel_tokens.rotate(
                        self.database, NAME, self._refresh, now=self.clock,
                        margin=REFRESH_MARGIN, stale=rejected or stored.access_token)
                except NoRefreshToken:
                    raise TokenUnavailable("Zalo OA chưa có refresh token; chạy: "
                                           "loaso zalo oa-auth", transient=False) from None
                log.info("zalo-oa access token rotated (generation %d)", stored.generation)
            self._tokens = stored
            return stored.access_token or ""

    async def _refresh(self, refresh_token: str) -> Grant:
        return await exchange(self.http, self.oauth_base, app_id=self.app_id,
                              app_secret=self._keys["app_secret"],
                              form={"refresh_token": refresh_token,
                                    "grant_type": "refresh_token"})

    async def close(self) -> None:
        await self.http.close()
        if self._owns_database:
            await self.database.dispose()


def classify_error(code: int, message: str) -> SendResult:
    outcome, meaning = ERRORS.get(code, (SendError.PERMANENT, "Zalo từ chối tin nhắn"))
    reason = f"Zalo {code}: {meaning} ({message})" if message else f"Zalo {code}: {meaning}"
    retry = THROTTLE_PAUSE if outcome == SendError.THROTTLED else None
    return SendResult(outcome, retry_after=retry, reason=reason)


def _load(body: bytes) -> dict[str, Any]:
    data = load_json(body)
    if not isinstance(data, dict):
        raise WebhookRejected(400, "not a Zalo OA event")
    return data


def carries_event(data: dict[str, Any]) -> bool:
    """Whether a request is an event at all: `{}` and other checks carry no event_name."""
    return "event_name" in data


def _timestamp(data: dict[str, Any]) -> str:
    """Epoch milliseconds, sent as a string (large numbers overflow some JSON parsers).
    ASCII digits only: "²" is a digit to str.isdigit() but not to int()."""
    value = data.get("timestamp")
    if (isinstance(value, bool) or not isinstance(value, (str, int))
            or not _MILLISECONDS.fullmatch(str(value))):
        raise WebhookRejected(400, "event without a timestamp")
    return str(value)


def _id(data: dict[str, Any], holder: str) -> str:
    value = data.get(holder)
    if not isinstance(value, dict) or value.get("id") in (None, ""):
        raise WebhookRejected(400, f"{data.get('event_name')} without {holder}.id")
    return str(value["id"])


def build(settings: ZaloOASettings, resources: Resources) -> ZaloOAChannel:
    """The rotating tokens live in the database: the process's, or one of its own (closed
    with the channel) when a CLI command opened none."""
    assert settings.zalo_oa_app_id and settings.zalo_oa_app_secret and settings.zalo_oa_secret_key
    seed = settings.zalo_oa_refresh_token
    return ZaloOAChannel(
        app_id=settings.zalo_oa_app_id,
        app_secret=settings.zalo_oa_app_secret.get_secret_value(),
        secret_key=settings.zalo_oa_secret_key.get_secret_value(),
        database=resources.database or Database(resources.database_url),
        owns_database=resources.database is None,
        api_base=settings.zalo_oa_api_base, oauth_base=settings.zalo_oa_oauth_base,
        signature_variant=settings.zalo_oa_signature,
        seed_refresh_token=seed.get_secret_value() if seed else None,
        pool_size=resources.pool_size)


CHANNEL: ChannelSpec[ZaloOASettings] = ChannelSpec(
    name=NAME,
    label="Zalo",  # the OA and the bot are two doors into the same Zalo app for residents
    capabilities=CAPABILITIES,
    settings=ZaloOASettings,
    problems=ZaloOASettings.zalo_oa_problems,
    enabled=lambda settings: settings.zalo_oa_app_id is not None,
    build=build,
    limits=lambda settings: RateLimit(rate=settings.zalo_oa_rate_limit),  # none per chat
    webhook_manual="Zalo OA khai báo webhook trong trang quản lý ứng dụng Zalo",
)
