"""What the web chat refuses, before anything is stored: a site that may not talk to it, a
body that is not a JSON message, a text over the limit, a session it never handed out, and
more messages than a person types. Each refusal has a status, a code the page acts on and a
sentence in Vietnamese the page shows as it is.

Rate limits are token buckets per session and per network address. The address is used for
that only (a commune's Wi-Fi puts many residents behind one, hence its larger bucket) and is
never stored: residents are known by the random session their browser keeps.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from messages.source_tags import source_tag

MAX_TEXT = 4000  # characters a resident may send in one message
MAX_BODY = 64 * 1024  # bytes of one request: 4,000 characters fit even as \\uXXXX escapes
EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TAP_BYTES = 64
MAX_LABEL = 200


@dataclass(frozen=True)
class Refusal(Exception):
    status: int
    code: str
    message: str  # Vietnamese, shown to the resident as it is
    retry_after: float | None = None

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}


WRONG_ORIGIN = Refusal(403, "origin", "Trang web này không được phép dùng khung trò chuyện "
                       "của Loa Số.")
NOT_JSON = Refusal(415, "binary", "Chỉ nhận tin nhắn chữ (JSON UTF-8), không nhận tệp hay dữ "
                   "liệu nhị phân.")
MALFORMED = Refusal(400, "malformed", "Tin nhắn không đúng định dạng, chưa được gửi.")
TOO_BIG = Refusal(413, "too_long", f"Tin nhắn dài quá {MAX_TEXT:,} ký tự".replace(",", ".")
                  + ", chưa được gửi. Bạn chia thành vài tin ngắn hơn nhé.")
UNKNOWN_SESSION = Refusal(401, "session", "Phiên trò chuyện không hợp lệ hoặc đã hết hạn. "
                          "Trang sẽ mở phiên mới.")


def too_fast(seconds: float) -> Refusal:
    return Refusal(429, "too_fast", "Bạn gửi nhanh quá, xin chờ vài giây rồi gửi tiếp.",
                   retry_after=max(1.0, round(seconds, 1)))


class Buckets:
    """Token buckets by key: `rate` per second, up to `burst` at once. Full buckets are
    forgotten once there are many, so a flood of keys does not hold memory."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 keep: int = 10_000) -> None:
        self.rate, self.burst, self.clock, self.keep = rate, burst, clock, keep
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.rate)

    def wait(self, key: str) -> float:
        """0 if a message may go now (and take it), else the seconds until one may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        tokens = self._level(key, now)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > self.keep:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        for key in [key for key in self._buckets if self._level(key, now) >= self.burst]:
            del self._buckets[key]


@dataclass
class Guard:
    """The rate limits of one process (each `loaso serve` counts its own)."""

    per_session: Buckets
    per_address: Buckets
    new_sessions: Buckets  # per network address: a script opening sessions is a script too

    def admit(self, buckets: Buckets, key: str) -> None:
        if (wait := buckets.wait(key)) > 0:
            raise too_fast(wait)


def check_origin(origin: str | None, allowed: set[str], *, required: bool) -> None:
    """Browsers send Origin with every POST; a request from a site not allowed is refused.
    (A GET from the page's own origin may come without one.)"""
    if origin is None:
        if required:
            raise WRONG_ORIGIN
        return
    if origin.rstrip("/").lower() not in allowed:
        raise WRONG_ORIGIN


def parse_message(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The request as {"session", "id", and one of "text" / "tap" (+"label") / "open"
    (+"src")}."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise NOT_JSON
    if len(body) > MAX_BODY:
        raise TOO_BIG
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise NOT_JSON from None
    except ValueError:
        raise MALFORMED from None
    if not isinstance(data, dict) or not isinstance(data.get("session"), str):
        raise MALFORMED
    if not isinstance(data.get("id"), str) or not EVENT_ID.match(data["id"]):
        raise MALFORMED
    kinds = [kind for kind in ("text", "tap", "open") if kind in data]
    if len(kinds) != 1 or not isinstance(data[kinds[0]], str):
        raise MALFORMED
    if "text" in data:
        if len(data["text"]) > MAX_TEXT:
            raise TOO_BIG
        if not data["text"].strip():
            raise MALFORMED
    for key in ("tap", "open"):
        if len(data.get(key, "").encode("utf-8")) > MAX_TAP_BYTES:
            raise MALFORMED
    if "tap" in data and not data["tap"]:
        raise MALFORMED
    label = data.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise MALFORMED
    if "src" in data and ("open" not in data or source_tag(data["src"]) is None):
        raise MALFORMED  # the page sends a poster's tag with its opening only, as /chat read it
    return data


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, lowercased; None for anything that is not one."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None
