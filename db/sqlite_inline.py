"""An aiosqlite look-alike that runs each SQLite call inline on the event loop.

aiosqlite hands every call (cursor, execute, fetchall, close, commit) to a worker thread and
back: a queue put, a thread wake-up, `call_soon_threadsafe`, a loop wake-up and GIL hand-offs,
about 28 of them per webhook update. That cost more CPU than SQLite's own work. Here the same
coroutines call the stdlib `sqlite3` connection directly and return without suspending.

Blocking the loop for the length of one SQLite call is fine for how Loa Số uses SQLite: the
calls are short (WAL, synchronous=NORMAL, so a commit does not fsync), in-process writers
already queue on `Database`'s asyncio lock, and WAL readers never wait for a writer. The one
wait that could be long is for the write lock held by *another process* (a `loaso` CLI
command, a separate `loaso worker`): see `_BUSY_WAIT_SECONDS`.

Only what SQLAlchemy's aiosqlite dialect uses is here (sqlalchemy/dialects/sqlite/aiosqlite.py
and sqlalchemy/connectors/asyncio.py); plug it in with
`create_async_engine(url, async_creator=creator_for(url))`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url

# The connection's busy_timeout is 0: SQLite's busy handler sleeps inside the call, which here
# would freeze the whole event loop (every webhook, the sender) while another process holds
# the write lock. Instead a statement that finds the database locked is retried after an
# asyncio sleep, so the loop keeps serving, for up to the 10 s the aiosqlite engine waited
# (busy_timeout=10000) before failing with "database is locked".
_BUSY_WAIT_SECONDS = 10.0
_BUSY_SLEEP_MAX = 0.05
# SQLITE_BUSY and SQLITE_BUSY_RECOVERY: the statement did nothing and may simply be run again.
# Not SQLITE_BUSY_SNAPSHOT (a read transaction that wants to write after another writer
# committed): waiting cannot fix that one.
_RETRYABLE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY}


def _retryable(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in _RETRYABLE  # absent on some errors


async def _retry_busy(call: Callable[..., Any], *args: Any) -> Any:
    """Run `call` again until the lock is free, sleeping on the loop between tries."""
    deadline = time.monotonic() + _BUSY_WAIT_SECONDS
    pause = 0.001
    while True:
        await asyncio.sleep(pause)
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _retryable(error) or time.monotonic() >= deadline:
                raise
        pause = min(pause * 2, _BUSY_SLEEP_MAX)


class Cursor:
    __slots__ = ("_connection", "_cursor")
    _cursor: sqlite3.Cursor  # set by __aenter__, which the adapter always awaits first

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # aiosqlite's `connection.cursor()` is awaited through `__aenter__`; the adapter does that.
    async def __aenter__(self) -> Cursor:
        self._cursor = self._connection._conn.cursor()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        try:
            self._cursor.execute(sql, parameters)
        except sqlite3.OperationalError as error:
            if not _retryable(error):
                raise
            await _retry_busy(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Any) -> Cursor:
        try:
            self._cursor.executemany(sql, seq_of_parameters)
        except sqlite3.OperationalError as error:
            if not _retryable(error):
                raise
            await _retry_busy(self._cursor.executemany, sql, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __aiter__(self) -> Cursor:  # server-side cursors (session.stream) iterate this way
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's queue to its thread, which the dialect's `isolation_level`
    setter uses directly: the call runs at once and its future is already done."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class Connection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        # Same names as aiosqlite: the dialect reads `_connection` (None once closed), `_conn`
        # and `_tx`.
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")  # the dialect maps this to a disconnect
        return self._connection

    def cursor(self) -> Cursor:
        return Cursor(self)

    async def commit(self) -> None:
        try:
            self._conn.commit()
        except sqlite3.OperationalError as error:
            if not _retryable(error):
                raise
            await _retry_busy(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:  # terminate() when a graceful close failed
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any],
                              deterministic: bool = False) -> None:
        self._conn.create_function(name, num_params, func, deterministic=deterministic)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value  # type: ignore[assignment]  # the dialect passes valid levels


def creator_for(url: str) -> Callable[[], Awaitable[Connection]]:
    """The `async_creator` for an `sqlite+aiosqlite` URL: the file and options the dialect
    would have given aiosqlite, with busy_timeout 0 (waiting is `_retry_busy`'s job)."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
    options["timeout"] = 0

    async def connect() -> Connection:
        return Connection(sqlite3.connect(*args, **options))  # type: ignore[call-overload]

    return connect
