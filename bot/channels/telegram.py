"""Telegram: verify the webhook secret, turn updates into neutral events, send through PTB.

python-telegram-bot supplies the types (`Update.de_json`) and the Bot API client (`Bot`, over
aiohttp through `AiohttpRequest`, which costs less CPU per send than PTB's httpx), but not
the dispatcher: routing and state live in handlers/ and the database, so that Zalo and
the terminal share them. Bot API reference: https://core.telegram.org/bots/api
"""

from __future__ import annotations

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
from bot.channels.base import SecretHeaderReceiver, SendError, SendResult, WebhookRejected
from bot.channels.polling import Backoff, Failure, PollHealth, keep_polling
from bot.channels.spec import (
    ChannelSpec,
    Inbox,
    Polling,
    RateLimit,
    WebhookRegistration,
    http_url,
)
from messages.types import NOT_UNDERSTOOD, Capabilities, Inbound, InboundKind, normalize_text, text_event

log = logging.getLogger(__name__)

# Opt in to PTB's future RetryAfter.retry_after type (timedelta); classify_error takes both.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# We call sendMessage, editMessageText and getUpdates through do_api_request on purpose (see
# send, poll); PTB's hint is noise.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(sendMessage|getUpdates|editMessageText)'",
                        category=PTBUserWarning)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
# Update kinds we ask Telegram for (setWebhook / getUpdates allowed_updates).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member",
                   "channel_post", "edited_channel_post"]
# Bot API: message text is 1-4096 characters; callback_data is 1-64 bytes.
CAPABILITIES = Capabilities(buttons=True, max_text_length=4096, max_buttons=16, files=True,
                            max_button_payload_bytes=64, edits_messages=True)
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


class TelegramChannel(SecretHeaderReceiver):
    name = "telegram"
    capabilities = CAPABILITIES
    secret_header = SECRET_HEADER

    def __init__(self, settings: TelegramSettings, *, pool_size: int = 32) -> None:
        assert settings.telegram_token is not None  # enabled() and `requires` check it
        super().__init__(settings.telegram_webhook_secret)
        token, api_base = settings.telegram_token.get_secret_value(), settings.telegram_api_base
        self._warned: set[tuple[str, str]] = set()  # (update kind, error) already logged
        request = AiohttpRequest(connection_pool_size=pool_size, read_timeout=10.0,
                                 write_timeout=10.0, connect_timeout=5.0, pool_timeout=5.0)
        updates = AiohttpRequest(read_timeout=40.0)
        self._requests = (request, updates)
        self.bot = Bot(token, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot",
                       request=request, get_updates_request=updates)

    # -- receiving -------------------------------------------------------------------------

    def parse_update(self, data: Any) -> Inbound:
        """An update we can read, or an acknowledged IGNORED event: once the secret matched
        and the update has its integer id, refusing it would only make Telegram redeliver it
        (holding back the updates behind it), so an update PTB or our checks cannot read is
        logged and ignored. Only a body that is no update at all is refused."""
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            raise WebhookRejected(400, "not a Telegram update")
        try:
            return classify(Update.de_json(data, self.bot))
        except Exception as error:  # PTB's constructors and our checks raise many kinds
            return self._not_understood(data, error)

    def _not_understood(self, data: dict[str, Any], error: Exception) -> Inbound:
        update_id = data["update_id"]
        kind = next((key for key in data if key != "update_id"), "empty update")
        if (kind, type(error).__name__) not in self._warned:
            self._warned.add((kind, type(error).__name__))
            # Field names and value types only: never the text of a message.
            log.warning("telegram update %d (%s) not understood, acknowledged and ignored: "
                        "%s; fields: %s", update_id, kind, _error_kind(error),
                        field_kinds(data))
        else:
            log.debug("telegram update %d (%s) not understood", update_id, kind)
        return Inbound("telegram", str(update_id), None, InboundKind.IGNORED,
                       what=NOT_UNDERSTOOD)

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
            if payload["type"] == "edit":  # the screen just pressed, redrawn in place
                request["message_id"] = int(payload["message_ref"])
                await self.bot.do_api_request("editMessageText", api_kwargs=request)
                return SendResult(platform_message_id=payload["message_ref"])
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
    """Reduce an Update to one neutral event; everything we do not serve is IGNORED.
    PTB does not check types, so what we read is checked here: a wrong one raises."""
    event_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is not None and chat.type != "private":
            return Inbound("telegram", event_id, None, InboundKind.IGNORED, what="group button")
        if not isinstance(query.data, str | None) or not isinstance(query.id, str):
            raise TypeError("callback_query.data or id is not a string")
        return Inbound("telegram", event_id, _chat_id(query.from_user.id), InboundKind.BUTTON,
                       button=query.data or "", button_ack=query.id, what="button",
                       message_ref=str(query.message.message_id) if query.message else None)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return Inbound("telegram", event_id, None, InboundKind.IGNORED, what="group member")
        status = member.new_chat_member.status
        kind = InboundKind.STOPPED if status in ("kicked", "left") else InboundKind.RESUMED
        return Inbound("telegram", event_id, _chat_id(member.chat.id), kind,
                       what=f"member {status}")
    message = update.message
    if message is None:
        # edited messages, channel posts, and kinds we did not ask for
        return Inbound("telegram", event_id, None, InboundKind.IGNORED, what=_update_kind(update))
    if message.chat.type != "private":
        return Inbound("telegram", event_id, None, InboundKind.IGNORED, what="group message")
    address = _chat_id(message.chat.id)
    if message.text is not None:
        if not isinstance(message.text, str):
            raise TypeError("message.text is not a string")
        return text_event("telegram", event_id, address, message.text)
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return Inbound("telegram", event_id, address, InboundKind.UNSUPPORTED, what="photo",
                       text=normalize_text(message.caption or ""),
                       photo=f"telegram:{largest.file_id}", photo_bytes=largest.file_size)
    return Inbound("telegram", event_id, address, InboundKind.UNSUPPORTED,
                   what=_message_kind(message))


# Telegram's ids fit in 52 bits (Bot API, "Chat"); anything longer cannot be a real chat and
# would only fail at every send.
_MAX_ID = 2 ** 53


def _chat_id(value: Any) -> str:
    if type(value) is not int or not -_MAX_ID < value < _MAX_ID:
        raise ValueError("chat id is not a 52-bit integer")
    return str(value)


def _error_kind(error: Exception) -> str:
    """The exception's class, with its message only where that names fields (PTB's
    TypeError for a missing argument), never where it could carry a value."""
    if isinstance(error, TypeError | KeyError):
        return f"{type(error).__name__}: {str(error)[:200]}"
    return type(error).__name__


def field_kinds(value: Any, depth: int = 3) -> str:
    """The shape of a JSON value without its content: `{message{chat{id:int},text:str}}`."""
    if isinstance(value, dict):
        if depth == 0:
            return "{…}"
        return "{" + ",".join(
            f"{str(key)[:40]}{field_kinds(item, depth - 1)}" if isinstance(item, dict)
            else f"{str(key)[:40]}:{field_kinds(item, depth - 1)}"
            for key, item in list(value.items())[:30]) + "}"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list",
            type(None): "null"}.get(type(value), type(value).__name__)


def _update_kind(update: Update) -> str:
    for kind in ("edited_message", "channel_post", "edited_channel_post", "inline_query",
                 "poll", "chat_member", "chat_join_request"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other update"


def _message_kind(message: Any) -> str:
    for kind in ("photo", "sticker", "voice", "video", "audio", "document", "location",
                 "contact", "animation", "video_note", "poll", "venue", "dice"):
        if getattr(message, kind, None):
            return kind
    return "non-text message"


# -- polling and webhook registration ---------------------------------------------------------

async def poll(channel: TelegramChannel, inbox: Inbox, health: PollHealth, *,
               timeout: int = 25, backoff: Backoff | None = None) -> None:
    """Long-poll getUpdates forever; each update goes through the same parsing and processor
    as the webhook. Updates are fetched raw so that one PTB cannot read is acknowledged
    like on the webhook, instead of failing the whole batch at every fetch."""
    bot = channel.bot
    offset: int | None = None

    async def prepare() -> None:
        await bot.delete_webhook(drop_pending_updates=False)  # getUpdates refuses while set

    async def fetch() -> list[Any]:
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        result = await bot.do_api_request("getUpdates", api_kwargs=params,
                                          read_timeout=timeout + 10)
        return result if isinstance(result, list) else []

    def passed(data: Any) -> None:
        nonlocal offset
        if isinstance(data, dict) and type(data.get("update_id")) is int:
            offset = data["update_id"] + 1  # confirms it and every update before it

    await keep_polling("telegram", prepare=prepare, fetch=fetch, parse=channel.parse_update,
                       inbox=inbox, diagnose=diagnose_polling, health=health, backoff=backoff,
                       passed=passed)


def diagnose_polling(error: BaseException) -> Failure | None:
    if isinstance(error, InvalidToken):  # 401 or 404: the token is wrong
        return Failure("sai token: kiểm tra LOASO_TELEGRAM_TOKEN", slow=True)
    if isinstance(error, Conflict):
        # a webhook was set again, or another process polls this bot (Telegram allows one)
        return Failure("xung đột: có webhook hoặc một tiến trình khác đang nhận tin của bot",
                       again=True)
    if isinstance(error, RetryAfter):
        return Failure("Telegram yêu cầu chờ (429)",
                       after=classify_error(error).retry_after)
    if isinstance(error, TelegramError):  # network errors, timeouts, 5xx
        return Failure(f"không kết nối được Telegram ({type(error).__name__}: {error})")
    return None


async def register_webhook(settings: TelegramSettings, url: str) -> None:
    """setWebhook with our secret and the update kinds we serve."""
    assert settings.telegram_token and settings.telegram_webhook_secret  # checked by requires
    channel = TelegramChannel(settings)
    try:
        await channel.bot.set_webhook(
            url=url, secret_token=settings.telegram_webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES, max_connections=40)
    finally:
        await channel.close()


CHANNEL: ChannelSpec[TelegramSettings] = ChannelSpec(
    name="telegram",
    label="Telegram",
    capabilities=CAPABILITIES,
    settings=TelegramSettings,
    problems=TelegramSettings.telegram_problems,
    enabled=lambda settings: settings.telegram_token is not None,
    build=lambda settings, resources: TelegramChannel(settings, pool_size=resources.pool_size),
    limits=lambda settings: RateLimit(rate=settings.telegram_rate_limit,
                                      chat_rate=settings.telegram_chat_rate_limit,
                                      chat_burst=settings.telegram_chat_burst),
    polling=Polling(wanted=lambda settings: settings.telegram_mode == "polling", run=poll),
    webhook_registration=WebhookRegistration(
        platform="Telegram", requires=("telegram_token", "public_url", "telegram_webhook_secret"),
        register=register_webhook, default=True),
)
