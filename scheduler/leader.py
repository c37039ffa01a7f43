"""One active worker per database: a PostgreSQL session advisory lock on its own connection.

The sender's claims are already safe with several workers (SKIP LOCKED) and every fan-out is
idempotent, so the lock is about fairness and order rather than correctness: one process
owns the bot's rate limit and the timed jobs; standbys wait and take over when the holder's
connection goes away (its process died, or the network dropped it). On SQLite everything
runs on one machine and the lock is not needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database

log = logging.getLogger(__name__)

LOCK_KEY = 0x4C6F61536F  # "LoaSo"


class LeadershipLost(Exception):
    """The lock's connection failed: another worker may be active now."""


class Leadership:
    def __init__(self, database: Database, *, retry_seconds: float = 5.0) -> None:
        self.database = database
        self.retry_seconds = retry_seconds
        self._connection: AsyncConnection | None = None
        self.needed = database.engine.dialect.name == "postgresql"

    async def acquire(self) -> None:
        """Return once this process is the active worker (at once where no lock is needed)."""
        if not self.needed:
            return
        announced = False
        while True:
            try:
                connection = await self.database.engine.connect()
            except Exception as error:  # the database is down: a standby keeps waiting
                log.warning("leader lock: cannot connect (%s); retrying", type(error).__name__)
                await asyncio.sleep(self.retry_seconds)
                continue
            try:
                held = (await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})).scalar_one()
                await connection.commit()  # session-level: the lock outlives the transaction
            except Exception as error:  # dropped between connecting and asking
                log.warning("leader lock: connection lost (%s); retrying", type(error).__name__)
                await _close_quietly(connection)
                await asyncio.sleep(self.retry_seconds)
                continue
            if held:
                self._connection = connection
                log.info("this worker is now the active one (advisory lock %d)", LOCK_KEY)
                return
            await connection.close()
            if not announced:
                log.info("another worker is active; standing by")
                announced = True
            await asyncio.sleep(self.retry_seconds)

    async def watch(self) -> None:
        """Return never while the lock is held; raise LeadershipLost when it is not."""
        if self._connection is None:
            await asyncio.Event().wait()  # nothing to lose
        while True:
            await asyncio.sleep(self.retry_seconds)
            connection = self._connection
            if connection is None:  # released meanwhile (shutting down): nothing held
                raise LeadershipLost("released")
            try:
                await connection.execute(text("SELECT 1"))
                await connection.commit()
            except Exception as error:
                self._connection = None
                await _close_quietly(connection)
                raise LeadershipLost(type(error).__name__) from error

    async def release(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            await connection.commit()
            await connection.close()
        except Exception as error:  # the connection broke: the server released the lock
            log.warning("leader lock: connection already gone at release (%s)",
                        type(error).__name__)
            await _close_quietly(connection)


async def _close_quietly(connection: AsyncConnection) -> None:
    """Drop a broken connection for good (not back into the pool: if the server still held
    our lock on it, a pooled session would keep holding it)."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
