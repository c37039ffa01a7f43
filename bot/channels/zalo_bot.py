"""Zalo Bot Platform: a Telegram-like bot API with a static token, text only, no buttons.

Facts, sources and what is unverified: docs/platforms.md (Zalo Bot Platform). Calls are
`POST <base>/bot<token>/<method>` with JSON and answer `{"ok": …, "result": …}`; webhooks
carry `X-Bot-Api-Secret-Token` and arrive wrapped in that envelope or flat (B3), so both are
accepted. Options print as a numbered list (the shared renderer does that for buttons=False).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

from bot.channels.base import SecretHeaderReceiver, SendError, SendResult, WebhookRejected
from bot.channels.json_http import JsonHttp, TransportFailed
from bot.channels.polling import Backoff, Failure, PollHealth, keep_polling
from bot.channels.spec import (
    ChannelSpec,
    Inbox,
    Polling,
    RateLimit,
    WebhookRegistration,
    http_url,
)
from messages.types import Capabilities, Inbound, InboundKind, text_event

log = logging.getLogger(__name__)

NAME = "zalo-bot"
SECRET_HEADER = "x-bot-api-secret-token"
# sendMessage text is 1-2000 characters (B2); there are no buttons in the documented API.
CAPABILITIES = Capabilities(buttons=False, max_text_length=2000)
TEXT_EVENT = "message.text.received"
UNSUPPORTED = {"message.image.received": "image", "message.sticker.received": "sticker",
               "message.voice.received": "voice", "message.link.received": "link",
               "message.unsupported.received": "unsupported message"}


# A message without event_name is told apart by what it carries (B3, getUpdates sample).
_CARRIES = (("text", TEXT_EVENT), ("photo", "message.image.received"),
            ("sticker", "message.sticker.received"))
_MAX_ID = 128  # ids are short opaque strings; anything longer is not one


def _event_of(message: dict[str, Any]) -> str:
    return next((name for key, name in _CARRIES if message.get(key) is not None),
                "message.unsupported.received")


def _is_id(value: Any) -> bool:
    return (isinstance(value, str) and 0 < len(value) <= _MAX_ID) or (
        type(value) is int and abs(value) < 10 ** 20)


class ZaloBotSettings(BaseModel):
    """LOASO_ZALO_BOT_*: the channel is on when the token is set."""

    zalo_bot_token: SecretStr | None = None
    zalo_bot_webhook_secret: SecretStr | None = None
    zalo_bot_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_mode: Literal["webhook", "polling"] = "webhook"
    zalo_bot_rate_limit: float = Field(30.0, ge=0)

    @field_validator("zalo_bot_api_base")
    @classmethod
    def _zalo_bot_http_url(cls, value: str) -> str | None:
        return http_url(value)

    def zalo_bot_problems(self) -> list[str]:
        """What stops the Zalo Bot from running (checked by the commands that run channels)."""
        if self.zalo_bot_token is not None and self.zalo_bot_mode == "webhook":
            secret = self.zalo_bot_webhook_secret
            if secret is None or not 8 <= len(secret.get_secret_value()) <= 256:
                return ["LOASO_ZALO_BOT_WEBHOOK_SECRET: cần 8–256 ký tự khi dùng "
                        "LOASO_ZALO_BOT_MODE=webhook (hoặc chọn polling)"]
        return []


class ZaloBotError(Exception):
    def __init__(self, result: SendResult, code: int | None = None) -> None:
        super().__init__(result.reason)
        self.result = result
        self.code = code


class ZaloBotChannel(SecretHeaderReceiver):
    name = NAME
    capabilities = CAPABILITIES
    secret_header = SECRET_HEADER

    def __init__(self, settings: ZaloBotSettings, *, pool_size: int = 32) -> None:
        assert settings.zalo_bot_token is not None  # enabled() and `requires` check it
        super().__init__(settings.zalo_bot_webhook_secret)
        token = settings.zalo_bot_token.get_secret_value()
        self._base = f"{settings.zalo_bot_api_base}/bot{token}"
        self.http = JsonHttp(pool_size=pool_size)

    # -- receiving -------------------------------------------------------------------------

    def parse_update(self, data: Any) -> Inbound:
        """One update, flat or in the getUpdates envelope. Its `event_name` may be missing
        (the getUpdates documentation's sample has none): the message then says what it
        is. An event we do not know is acknowledged and ignored, not refused."""
        if isinstance(data, dict) and "result" in data and "event_name" not in data:
            if data.get("ok") is not True:
                raise WebhookRejected(400, "not a Zalo Bot update")
            data = data["result"]  # the getUpdates-style envelope
        if not isinstance(data, dict):
            raise WebhookRejected(400, "not a Zalo Bot update")
        name = data.get("event_name")
        message = data.get("message")
        if name is None and isinstance(message, dict):
            name = _event_of(message)
        if not isinstance(name, str) or not name:
            raise WebhookRejected(400, "not a Zalo Bot update")
        if name != TEXT_EVENT and name not in UNSUPPORTED:
            ids = message.get("message_id") if isinstance(message, dict) else data.get("date")
            return Inbound(NAME, f"{name}:{ids}"[:200], None, InboundKind.IGNORED,
                           what="unknown event")
        if message is None and name == "message.unsupported.received":
            # protected accounts and documents may come without a message: nobody to answer
            return Inbound(NAME, f"{name}:{data.get('date', '')}", None, InboundKind.IGNORED,
                           what=name)
        if not isinstance(message, dict):
            raise WebhookRejected(400, f"{name} without message")
        chat = message.get("chat")
        if not isinstance(chat, dict) or not (_is_id(message.get("message_id"))
                                              and _is_id(chat.get("id"))):
            raise WebhookRejected(400, f"{name} without message_id or chat.id")
        event_id, address = str(message["message_id"]), str(chat["id"])
        if str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE":
            return Inbound(NAME, event_id, None, InboundKind.IGNORED, what="group message")
        if name == TEXT_EVENT:
            text = message.get("text")
            if not isinstance(text, str):
                raise WebhookRejected(400, "text event without text")
            return text_event(NAME, event_id, address, text)
        return Inbound(NAME, event_id, address, InboundKind.UNSUPPORTED, what=UNSUPPORTED[name])

    # -- the API ---------------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   timeout: float | None = None) -> Any:
        """One Bot API call: its `result`, or ZaloBotError carrying the classified failure."""
        try:
            answer = await self.http.post(f"{self._base}/{method}", json=params or {},
                                          timeout=timeout)
        except TransportFailed as error:
            raise ZaloBotError(SendResult(SendError.TRANSIENT,
                                          reason=f"network: {error.kind}")) from None
        data = answer.data
        if isinstance(data, dict) and data.get("ok") is True:
            return data.get("result")
        result = classify_error(answer.status, data)
        code = data.get("error_code") if isinstance(data, dict) else answer.status
        raise ZaloBotError(result, code if isinstance(code, int) else answer.status)

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult:
        if payload["type"] != "message":
            return SendResult()
        try:
            result = await self.call("sendMessage", {"chat_id": recipient,
                                                     "text": payload["text"]})
        except ZaloBotError as error:
            return error.result
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return SendResult(platform_message_id=str(message_id) if message_id else None)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_updates(self, timeout: int) -> list[dict[str, Any]]:
        """getUpdates holds up to `timeout` s and returns one update object (not a list, B2)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)},
                                     timeout=timeout + 10)
        except ZaloBotError as error:
            if error.code == 408:  # nothing arrived within the timeout
                return []
            raise
        if isinstance(result, list):
            return [update for update in result if update]
        return [result] if result else []

    async def close(self) -> None:
        await self.http.close()


def classify_error(status: int, data: Any) -> SendResult:
    """Map an answer that is not ok onto the closed set (codes mirror HTTP, as on Telegram)."""
    code, description = status, f"HTTP {status}"
    if isinstance(data, dict):
        try:
            code = int(data.get("error_code") or status)
        except (TypeError, ValueError):
            pass
        description = str(data.get("description") or description)
    reason = f"Zalo Bot {code}: {description}"
    if code == 429:
        retry = (data.get("parameters") or {}).get("retry_after") if isinstance(data, dict) else None
        return SendResult(SendError.THROTTLED, retry_after=float(retry or 1), reason=reason)
    if code in (401, 404):
        return SendResult(SendError.CONFIG, reason=reason)
    if code == 403:
        return SendResult(SendError.STOPPED, reason=reason)
    if code == 408 or code >= 500:
        return SendResult(SendError.TRANSIENT, reason=reason)
    return SendResult(SendError.PERMANENT, reason=reason)


# -- polling and webhook registration ---------------------------------------------------------

async def poll(channel: ZaloBotChannel, inbox: Inbox, health: PollHealth, *,
               timeout: int = 25, backoff: Backoff | None = None) -> None:
    """Long-poll the Zalo Bot API forever, through the same parsing and processor as its
    webhook.

    Zalo's getUpdates has no offset: an update is handed out once, so one that cannot be
    stored is lost after its log line (a redelivered one is still deduplicated).
    """
    await keep_polling(NAME, prepare=channel.delete_webhook,  # getUpdates refuses while set
                       fetch=lambda: channel.get_updates(timeout), parse=channel.parse_update,
                       inbox=inbox, diagnose=diagnose_polling, health=health, backoff=backoff)


def diagnose_polling(error: BaseException) -> Failure | None:
    if not isinstance(error, ZaloBotError):
        return None
    if error.result.error == SendError.CONFIG:  # 401 or 404
        return Failure("sai token: kiểm tra LOASO_ZALO_BOT_TOKEN", slow=True)
    if error.code == 409:  # a webhook was set again meanwhile
        return Failure("xung đột: bot đang có webhook", again=True)
    if error.result.error == SendError.THROTTLED:
        return Failure("Zalo Bot yêu cầu chờ (429)", after=error.result.retry_after)
    return Failure(f"không kết nối được Zalo Bot ({error.result.reason})")


async def register_webhook(settings: ZaloBotSettings, url: str) -> None:
    """`loaso webhook set --channel zalo-bot`: setWebhook with our secret."""
    assert settings.zalo_bot_token and settings.zalo_bot_webhook_secret  # checked by requires
    channel = ZaloBotChannel(settings)
    try:
        await channel.set_webhook(url, settings.zalo_bot_webhook_secret.get_secret_value())
    finally:
        await channel.close()


CHANNEL: ChannelSpec[ZaloBotSettings] = ChannelSpec(
    name=NAME,
    label="Zalo",  # the OA and the bot are two doors into the same Zalo app for residents
    capabilities=CAPABILITIES,
    settings=ZaloBotSettings,
    problems=ZaloBotSettings.zalo_bot_problems,
    enabled=lambda settings: settings.zalo_bot_token is not None,
    build=lambda settings, resources: ZaloBotChannel(settings, pool_size=resources.pool_size),
    limits=lambda settings: RateLimit(rate=settings.zalo_bot_rate_limit),  # none per chat
    polling=Polling(wanted=lambda settings: settings.zalo_bot_mode == "polling", run=poll),
    webhook_registration=WebhookRegistration(
        platform="Zalo Bot",
        requires=("zalo_bot_token", "public_url", "zalo_bot_webhook_secret"),
        register=register_webhook),
)
