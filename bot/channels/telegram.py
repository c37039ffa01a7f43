"""Telegram: verify the webhook secret, turn updates into neutral events, send through PTB.

python-telegram-bot supplies the types (`Update.de_json`) and the Bot API client (`Bot`, over
aiohttp through `AiohttpRequest`, which costs less CPU per send than PTB's httpx), but not
the dispatcher: routing and state live in handlers/ and the database, so that Zalo and
the terminal share them. Bot API reference: https://core.telegram.org/bots/api
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import warnings
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBUserWarning

from bot.channels.aiohttp_request import AiohttpRequest
from bot.channels.base import (
    SendError,
    SendResult,
    WebhookRejected,
    check_secret_header,
    load_json,
)
from bot.channels.spec import (
    ChannelSpec,
    Inbox,
    Polling,
    RateLimit,
    Resources,
    WebhookRegistration,
    http_url,
)
from messages.types import Capabilities, Inbound, InboundKind, normalize_text, text_event

log = logging.getLogger(__name__)

# Opt in to PTB's future RetryAfter.retry_after type (timedelta); classify_error takes both.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# We call sendMessage through do_api_request on purpose (see send); PTB's hint is noise.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'",
                        category=PTBUserWarning)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
# Update kinds we ask Telegram for (setWebhook / getUpdates allowed_updates).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member",
                   "channel_post", "edited_channel_post"]
# Bot API: message text is 1-4096 characters; callback_data is 1-64 bytes.
CAPABILITIES = Capabilities(buttons=True, max_text_length=4096, max_buttons=16, files=True,
                            max_button_payload_bytes=64)
# Bot API rule for secret_token: 1-256 characters from A-Z a-z 0-9 _ -
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramSettings(BaseModel):
    """LOASO_TELEGRAM_*: the channel is on when the token is set."""

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    telegram_rate_limit: float = Field(30.0, ge=0)
    telegram_chat_rate_limit: float = Field(1.0, gt=0)
    telegram_chat_burst: int = Field(3, ge=1)

    @field_validator("telegram_api_base")
    @classmethod
    def _telegram_http_url(cls, value: str) -> str | None:
        return http_url(value)

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("chỉ gồm 1–256 ký tự A-Z, a-z, 0-9, _ và - (quy định của Telegram)")
        return value

    def telegram_problems(self) -> list[str]:
        """What stops Telegram from running (checked by the commands that run channels)."""
        if (self.telegram_token is not None and self.telegram_mode == "webhook"
                and self.telegram_webhook_secret is None):
            return ["LOASO_TELEGRAM_WEBHOOK_SECRET: cần đặt khi dùng "
                    "LOASO_TELEGRAM_MODE=webhook (hoặc chọn polling)"]
        return []

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None


class TelegramChannel:
    name = "telegram"
    capabilities = CAPABILITIES

    def __init__(self, token: str, *, webhook_secret: str | None, api_base: str,
                 pool_size: int = 32) -> None:
        self._secret = webhook_secret.encode() if webhook_secret else None
        request = AiohttpRequest(connection_pool_size=pool_size, read_timeout=10.0,
                                 write_timeout=10.0, connect_timeout=5.0, pool_timeout=5.0)
        updates = AiohttpRequest(read_timeout=40.0)
        self._requests = (request, updates)
        self.bot = Bot(token, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot",
                       request=request, get_updates_request=updates)

    # -- receiving -------------------------------------------------------------------------

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        check_secret_header(headers, SECRET_HEADER, self._secret)

    def parse(self, body: bytes) -> list[Inbound]:
        return [self.parse_update(load_json(body))]

    def parse_update(self, data: Any) -> Inbound:
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            raise WebhookRejected(400, "not a Telegram update")
        try:
            update = Update.de_json(data, self.bot)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise WebhookRejected(400, "malformed Telegram update") from None
        return classify(update)

    # -- sending ---------------------------------------------------------------------------

    async def send(self, recipient: str, payload: dict[str, Any]) -> SendResult:
        try:
            if payload["type"] == "button_ack":
                await self.bot.answer_callback_query(payload["handle"])
                return SendResult()
            if payload["type"] == "document":
                with open(payload["path"], "rb") as document:
                    sent = await self.bot.send_document(
                        int(recipient), document, filename=payload["file_name"],
                        caption=payload["caption"])
                return SendResult(platform_message_id=str(sent.message_id))
            request = {"chat_id": int(recipient), "text": payload["text"]}
            if payload.get("buttons"):
                request["reply_markup"] = {"inline_keyboard": [
                    [{"text": label, "callback_data": data}] for label, data in payload["buttons"]]}
            # The raw result is enough (we keep only message_id); building a Message object
            # for every bulk message would cost more than the rest of the send.
            message = await self.bot.do_api_request("sendMessage", api_kwargs=request)
            return SendResult(platform_message_id=str(message["message_id"]))
        except TelegramError as error:
            return classify_error(error)

    async def close(self) -> None:
        await self.bot.shutdown()
        for request in self._requests:  # Bot.shutdown() skips them: Bot.initialize() never ran
            await request.shutdown()


def classify_error(error: TelegramError) -> SendResult:
    """Map PTB's exceptions onto the closed set. Order matters: BadRequest is a NetworkError."""
    reason = str(error)
    if isinstance(error, RetryAfter):
        retry = error.retry_after
        seconds = retry.total_seconds() if isinstance(retry, timedelta) else float(retry)
        return SendResult(SendError.THROTTLED, retry_after=seconds, reason=reason)
    if isinstance(error, Forbidden):
        return SendResult(SendError.STOPPED, reason=reason)
    if isinstance(error, InvalidToken):
        return SendResult(SendError.CONFIG, reason="token rejected by the Bot API")
    if isinstance(error, (BadRequest, ChatMigrated)):
        return SendResult(SendError.PERMANENT, reason=reason)
    if isinstance(error, (TimedOut, NetworkError)):
        return SendResult(SendError.TRANSIENT, reason=reason)
    return SendResult(SendError.PERMANENT, reason=reason)


def classify(update: Update) -> Inbound:
    """Reduce an Update to one neutral event; everything we do not serve is IGNORED."""
    event_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is not None and chat.type != "private":
            return Inbound("telegram", event_id, None, InboundKind.IGNORED, what="group button")
        return Inbound("telegram", event_id, str(query.from_user.id), InboundKind.BUTTON,
                       button=query.data or "", button_ack=query.id, what="button")
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return Inbound("telegram", event_id, None, InboundKind.IGNORED, what="group member")
        status = member.new_chat_member.status
        kind = InboundKind.STOPPED if status in ("kicked", "left") else InboundKind.RESUMED
        return Inbound("telegram", event_id, str(member.chat.id), kind, what=f"member {status}")
    message = update.message
    if message is None:
        # edited messages, channel posts, and kinds we did not ask for
        return Inbound("telegram", event_id, None, InboundKind.IGNORED, what=_update_kind(update))
    if message.chat.type != "private":
        return Inbound("telegram", event_id, None, InboundKind.IGNORED, what="group message")
    address = str(message.chat.id)
    if message.text is not None:
        return text_event("telegram", event_id, address, message.text)
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return Inbound("telegram", event_id, address, InboundKind.UNSUPPORTED, what="photo",
                       text=normalize_text(message.caption or ""),
                       photo=f"telegram:{largest.file_id}", photo_bytes=largest.file_size)
    return Inbound("telegram", event_id, address, InboundKind.UNSUPPORTED,
                   what=_message_kind(message))


def _update_kind(update: Update) -> str:
    for kind in ("edited_message", "channel_post", "edited_channel_post", "inline_query",
                 "poll", "chat_member", "chat_join_request"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other update"


def _message_kind(message) -> str:
    for kind in ("photo", "sticker", "voice", "video", "audio", "document", "location",
                 "contact", "animation", "video_note", "poll", "venue", "dice"):
        if getattr(message, kind, None):
            return kind
    return "non-text message"


# -- polling and webhook registration ---------------------------------------------------------

async def poll(channel: TelegramChannel, inbox: Inbox, *, timeout: int = 25) -> None:
    """Long-poll getUpdates forever; each update goes through the same processor as the webhook."""
    bot = channel.bot
    await bot.delete_webhook(drop_pending_updates=False)  # getUpdates refuses while one is set
    offset = None
    failures = 0
    log.info("telegram polling started")
    while True:
        try:
            updates = await bot.get_updates(offset=offset, timeout=timeout,
                                            allowed_updates=ALLOWED_UPDATES)
            failures = 0
        except Conflict:
            log.error("another process is polling this bot or a webhook is set; retrying")
            await asyncio.sleep(10)
            continue
        except TelegramError as error:
            failures += 1
            delay = min(60, 2 ** failures)
            log.warning("getUpdates failed (%s); retrying in %ss", type(error).__name__, delay)
            await asyncio.sleep(delay)
            continue
        for update in updates:
            try:
                await inbox.handle(classify(update))
            except Exception:
                # The update stays unconfirmed (offset not advanced) and is fetched again.
                log.exception("could not store telegram update %s", update.update_id)
                await asyncio.sleep(2)
                break
            offset = update.update_id + 1


async def register_webhook(settings: TelegramSettings, url: str) -> None:
    """setWebhook with our secret and the update kinds we serve."""
    assert settings.telegram_token and settings.telegram_webhook_secret  # checked by requires
    channel = TelegramChannel(settings.telegram_token.get_secret_value(), webhook_secret=None,
                              api_base=settings.telegram_api_base)
    try:
        await channel.bot.set_webhook(
            url=url, secret_token=settings.telegram_webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES, max_connections=40)
    finally:
        await channel.close()


def build(settings: TelegramSettings, resources: Resources) -> TelegramChannel:
    assert settings.telegram_token is not None  # enabled() said so
    secret = settings.telegram_webhook_secret
    return TelegramChannel(settings.telegram_token.get_secret_value(),
                           webhook_secret=secret.get_secret_value() if secret else None,
                           api_base=settings.telegram_api_base, pool_size=resources.pool_size)


CHANNEL: ChannelSpec[TelegramSettings] = ChannelSpec(
    name="telegram",
    label="Telegram",
    capabilities=CAPABILITIES,
    settings=TelegramSettings,
    problems=TelegramSettings.telegram_problems,
    enabled=lambda settings: settings.telegram_token is not None,
    build=build,
    limits=lambda settings: RateLimit(rate=settings.telegram_rate_limit,
                                      chat_rate=settings.telegram_chat_rate_limit,
                                      chat_burst=settings.telegram_chat_burst),
    polling=Polling(wanted=lambda settings: settings.telegram_mode == "polling", run=poll),
    webhook_registration=WebhookRegistration(
        platform="Telegram", requires=("telegram_token", "public_url", "telegram_webhook_secret"),
        register=register_webhook, default=True),
)
