"""JSON over HTTP for the Zalo channels, on aiohttp (as Telegram's sends are, through PTB).

The Zalo adapters need little of an HTTP client: a POST with a JSON or form body, and the
answer's status and JSON. httpx cost about fifteen times aiohttp's client CPU per request
(bench/send_bench.py), and every reply and every broadcast message goes through here.

Bodies are the bytes httpx would send (compact JSON in UTF-8, form fields urlencoded), so
the platforms see no change. The session is opened on first use, inside the running event
loop, and follows the loop if a new one runs the channel (tests do).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.channels.aiohttp_request import client_timeout

_JSON = {"Content-Type": "application/json"}
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class TransportFailed(Exception):
    """No HTTP answer: the connection failed or timed out. `kind` names the cause."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    data: Any  # the parsed JSON body; None if it was not JSON


class JsonHttp:
    def __init__(self, *, pool_size: int = 32, timeout: float = 10.0,
                 connect_timeout: float = 5.0) -> None:
        self._pool_size = pool_size
        self._connect = connect_timeout
        self._timeout = client_timeout(timeout, connect_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or session.closed or self._loop is not loop:
            session = self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                timeout=self._timeout,
                cookie_jar=aiohttp.DummyCookieJar())  # the APIs set none; skip the filtering
            self._loop = loop
        return session

    async def post(self, url: str, *, json: Any = None, form: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None,
                   timeout: float | None = None) -> Answer:
        """POST a JSON body (or form fields); the status and parsed JSON, whatever the
        status. TransportFailed if no answer came."""
        if form is not None:
            body, content = urlencode(form).encode(), _FORM
        else:
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode()
            content = _JSON
        options: dict[str, Any] = ({} if timeout is None
                                   else {"timeout": client_timeout(timeout, self._connect)})
        try:
            async with self._open().post(url, data=body, headers={**content, **(headers or {})},
                                         allow_redirects=False, **options) as response:
                status, raw = response.status, await response.read()
        except TimeoutError as error:
            raise TransportFailed("TimeoutError") from error
        except (aiohttp.ClientError, OSError) as error:
            raise TransportFailed(type(error).__name__) from error
        try:
            data = jsonlib.loads(raw) if raw else None
        except ValueError:  # includes undecodable bytes
            data = None
        return Answer(status, data)

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()
