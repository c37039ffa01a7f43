"""The HTTP client that posts updates in the benchmarks' load phases.

The driver shares one process (and so one core) with the fake platform API, and in a
throughput run that process must not be what sets the pace. httpx costs about 1.5 ms of CPU
per request on these machines, aiohttp about 0.1 ms (bench/send_bench.py), so aiohttp is the
default; `--driver httpx` reproduces runs measured before it was.
"""

from __future__ import annotations

import aiohttp
import httpx

DRIVERS = ("aiohttp", "httpx")
TIMEOUT_S = 30.0


class DriverError(Exception):
    """The POST got no answer. `retry` says whether a platform would deliver it again
    (a refused or dropped connection: yes; a timeout: no, it may have been processed)."""

    def __init__(self, kind: str, *, retry: bool) -> None:
        super().__init__(kind)
        self.kind = kind
        self.retry = retry


class LoadDriver:
    def __init__(self, kind: str, connections: int) -> None:
        if kind not in DRIVERS:
            raise ValueError(f"unknown driver {kind!r}; choose one of {', '.join(DRIVERS)}")
        self.kind = kind
        self.connections = connections
        self._aiohttp: aiohttp.ClientSession | None = None
        self._httpx: httpx.AsyncClient | None = None

    async def __aenter__(self) -> LoadDriver:
        if self.kind == "aiohttp":
            self._aiohttp = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        else:
            limits = httpx.Limits(max_connections=self.connections,
                                  max_keepalive_connections=self.connections)
            self._httpx = httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(TIMEOUT_S))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._aiohttp is not None:
            await self._aiohttp.close()
        if self._httpx is not None:
            await self._httpx.aclose()

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST `body`; the response status, or DriverError if none came."""
        if self._aiohttp is not None:
            try:
                async with self._aiohttp.post(url, data=body, headers=headers) as response:
                    await response.read()
                    return response.status
            except TimeoutError as error:
                raise DriverError(type(error).__name__, retry=False) from error
            except aiohttp.ClientError as error:
                raise DriverError(type(error).__name__, retry=True) from error
        try:
            response = await self._httpx.post(url, content=body, headers=headers)
            return response.status_code
        except httpx.TimeoutException as error:
            raise DriverError(type(error).__name__, retry=False) from error
        except httpx.TransportError as error:
            raise DriverError(type(error).__name__, retry=True) from error

