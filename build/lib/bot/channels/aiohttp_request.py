"""A python-telegram-bot HTTP backend on aiohttp, to make each Bot API call cheaper.

PTB's default backend, `HTTPXRequest`, spends 1-2 ms of CPU per sendMessage in
httpx/httpcore (walking the pool, anyio locks, building Request objects). `AiohttpRequest`
plugs aiohttp's client in through PTB's documented extension point, `BaseRequest`, and
otherwise behaves like `HTTPXRequest`: the same form-encoded body (multipart when files are
uploaded), PTB's User-Agent, no redirects followed, `TimedOut` / `NetworkError` for
transport failures, and `(status, body)` returned for every HTTP answer, since
`BaseRequest._request_wrapper` turns 4xx/5xx bodies into RetryAfter, Forbidden and so on.

Differences from `HTTPXRequest`, all deliberate:
- aiohttp has no timeout for the write phase, so `write_timeout` is accepted and ignored
  (httpx applies it per socket write; a sendMessage body fits in the socket buffer anyway).
- Proxies come only from `proxy=`: with `trust_env` aiohttp would read ~/.netrc in a worker
  thread on every request, so HTTP(S)_PROXY variables are not consulted.
- The session is created inside the running event loop, in `initialize()` or on first use
  (PTB calls `initialize()` only from `Bot.initialize()`), and is bound to that loop.
"""

from __future__ import annotations

import asyncio
from typing import Final
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB passes this sentinel for "not given: use the default from the constructor".
_DEFAULT: Final = BaseRequest.DEFAULT_NONE
# What httpx sends for a dict `data=` (aiohttp would label raw bytes application/octet-stream).
_FORM_HEADERS: Final = {"Content-Type": "application/x-www-form-urlencoded"}
_POOL_TIMEOUT_MESSAGE: Final = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* "
    "sent to Telegram. Consider adjusting the connection pool size or the pool timeout.")


def client_timeout(read: float | None, connect: float | None) -> aiohttp.ClientTimeout:
    """Read and connect timeouts as PTB and httpx mean them, in aiohttp's terms (also used
    by json_http). `connect` bounds getting a connection (DNS and opening; here the pool wait
    is ours, see do_request), `sock_connect` the opening alone, `sock_read` the longest
    silence once the request is written. No `total`: it would also cut off long but healthy
    uploads."""
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect,
                                 sock_read=read)


def _given(value: object, default: float | None) -> float | None:
    """A timeout passed to do_request, or the constructor's one when PTB passed its sentinel."""
    return default if value is _DEFAULT else value  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """`telegram.request.BaseRequest` on one `aiohttp.ClientSession`.

    Args:
        connection_pool_size: most requests (and connections) in flight at once; more wait
            for a free one, up to `pool_timeout`.
        read_timeout, write_timeout, connect_timeout, pool_timeout: defaults in seconds, as
            for `HTTPXRequest` (`None`: no limit); `write_timeout` is not enforced.
        keepalive_timeout: seconds an idle connection is kept for reuse (httpx's default).
        proxy: URL of an HTTP proxy, or `None` for a direct connection.
    """

    __slots__ = ("_connect_timeout", "_default_timeout", "_keepalive_timeout", "_pool_size",
                 "_pool_timeout", "_proxy", "_read_timeout", "_session", "_slots")

    def __init__(self, connection_pool_size: int = 256, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, *, keepalive_timeout: float = 5.0,
                 proxy: str | None = None) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        del write_timeout  # see the module docstring
        self._pool_size = connection_pool_size
        self._keepalive_timeout = keepalive_timeout
        self._proxy = proxy
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        # Built once: nearly every call uses the defaults, so no timeout object per request.
        self._default_timeout = client_timeout(read_timeout, connect_timeout)
        self._session: aiohttp.ClientSession | None = None
        # One slot per connection. aiohttp's connector can also queue requests, but only under
        # its connect timeout and with the same exception as a slow connect; waiting here
        # gives PTB's meaning: at most pool_timeout, then "Pool timeout", nothing sent.
        self._slots = asyncio.Semaphore(connection_pool_size)

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout; PTB adds getUpdates' long-poll timeout to it."""
        return self._read_timeout

    def _open(self) -> aiohttp.ClientSession:
        # A fresh semaphore too: an asyncio primitive binds to the loop it first waits in.
        self._slots = asyncio.Semaphore(self._pool_size)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size,
                                           keepalive_timeout=self._keepalive_timeout),
            headers={"User-Agent": self.USER_AGENT},
            timeout=self._default_timeout,
            proxy=self._proxy,
            # The Bot API sets no cookies; the dummy jar skips cookie filtering per request.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def initialize(self) -> None:
        """Open the session now (otherwise the first request does)."""
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        """Close the session and its connections; a later request or initialize() reopens."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None | object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body, whatever the status."""
        session = self._session
        if session is None or session.closed:
            session = self._open()
        slots = self._slots

        if read_timeout is _DEFAULT and connect_timeout is _DEFAULT:
            timeout = self._default_timeout
        else:  # rare: getUpdates (read + long-poll timeout) or a caller's own timeouts
            timeout = client_timeout(_given(read_timeout, self._read_timeout),
                                      _given(connect_timeout, self._connect_timeout))

        data: bytes | aiohttp.FormData | None = None
        headers = None
        if request_data is not None:
            if request_data.contains_files:
                data = _multipart(request_data)
            else:
                parameters = request_data.json_parameters
                if parameters:  # like httpx: no body and no Content-Type without parameters
                    # urlencode: UTF-8 and quote_plus, the very bytes httpx sends for `data=`.
                    data = urlencode(parameters).encode()
                    headers = _FORM_HEADERS

        if slots.locked():  # every connection busy: wait for one, at most pool_timeout
            try:
                async with asyncio.timeout(_given(pool_timeout, self._pool_timeout)):
                    await slots.acquire()
            except TimeoutError as error:
                raise TimedOut(_POOL_TIMEOUT_MESSAGE) from error
        else:
            await slots.acquire()  # returns at once
        try:
            async with session.request(method, url, data=data, headers=headers,
                                       timeout=timeout, allow_redirects=False) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # connect or read; asyncio's TimeoutError since 3.11
            raise TimedOut from error
        except (aiohttp.ClientError, OSError) as error:
            # The class name helps when the message is empty (e.g. ServerDisconnectedError).
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
        finally:
            slots.release()


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """Parameters then files, as httpx lays out `data=` plus `files=`. quote_fields=False
    keeps UTF-8 file names as they are (httpx does not percent-encode them either)."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
