"""The web chat: residents talk to Loa Số in a browser, at /chat or in a bubble the commune's
website embeds with one <script> tag (/chat/widget.js).

The browser keeps a random session token (localStorage); the resident is the address that
session was given, never an IP address or anything about the device. What Loa Số says goes
into the conversation's history (db/webchat.py) and to the open browsers at once
(web_hub.py); what the resident sends comes through web_transport.py, refused there with
nothing stored if it breaks the rules of web_guard.py. The page itself is a public page
(bot/public/chat.py); its script and style are in web_static/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import NoDecode

from bot.channels.spec import UNLIMITED, ChannelSpec, Resources
from bot.channels.web_guard import Buckets, Guard, origin_of
from db.engine import Database
from messages.types import Capabilities

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.channels.web_hub import WebChannel

NAME = "web"
# Buttons are buttons, and a long list of them scrolls; texts up to what a resident may send.
CAPABILITIES = Capabilities(buttons=True, max_text_length=4000, max_buttons=20)


class WebChatSettings(BaseModel):
    """LOASO_WEBCHAT_*: on unless turned off; no token needed."""

    webchat_enabled: bool = True
    # Sites that may embed the widget (https://xanamanphu.gov.vn,...): comma-separated origins.
    webchat_origins: Annotated[list[str], NoDecode] = []
    # Messages per second and at once: per browser session, and per network address (many
    # residents may share one, e.g. the commune hall's Wi-Fi).
    webchat_session_rate: float = Field(2.0, ge=0)
    webchat_session_burst: int = Field(20, ge=1)
    webchat_address_rate: float = Field(5.0, ge=0)
    webchat_address_burst: int = Field(40, ge=1)

    @field_validator("webchat_origins", mode="before")
    @classmethod
    def _webchat_origin_list(cls, value: Any) -> list[str]:
        items = value.split(",") if isinstance(value, str) else value
        origins = []
        for item in (str(item).strip() for item in items or []):
            if not item:
                continue
            origin = origin_of(item)
            if origin is None or origin.split("://")[0] not in ("http", "https") \
                    or origin != item.rstrip("/").lower():
                raise ValueError(f"cần địa chỉ gốc dạng https://ten-mien (không có đường dẫn), "
                                 f"nhận được '{item}'")
            origins.append(origin)
        return origins


def build(settings: Any, resources: Resources) -> WebChannel:
    from bot.channels.web_hub import WebChannel  # imported by the processes that serve
    database = resources.database
    guard = Guard(per_session=Buckets(settings.webchat_session_rate, settings.webchat_session_burst),
                  per_address=Buckets(settings.webchat_address_rate, settings.webchat_address_burst),
                  new_sessions=Buckets(0.2, 20))
    return WebChannel(database or Database(resources.database_url), capabilities=CAPABILITIES,
                      guard=guard, origins=tuple(settings.webchat_origins),
                      public_origin=origin_of(getattr(settings, "public_url", None)),
                      owns_database=database is None)


def _routes() -> APIRouter:
    from bot.channels.web_transport import router  # FastAPI, only where the app is built

    return router


CHANNEL: ChannelSpec[WebChatSettings] = ChannelSpec(
    name=NAME,
    label="Trang web",
    capabilities=CAPABILITIES,
    settings=WebChatSettings,
    settings_prefix="webchat",
    enabled=lambda settings: settings.webchat_enabled,
    build=build,
    limits=lambda settings: UNLIMITED,  # it writes to its own history, no platform to spare
    routes=_routes,
)
