"""`loaso serve` with one fix, used by bench/webhook_bench.py only when `loaso serve` itself
fails to start with "attached to a different loop" (as it does on PostgreSQL at the time of
writing, see docs/benchmarks.md); once bot/cli.py is fixed this is never used.

bot/cli.py `serve` runs `asyncio.run(service.check_migrated())` before uvicorn starts. On
PostgreSQL that leaves a pooled asyncpg connection bound to the short-lived loop, and the
lifespan's own check in uvicorn's loop then fails with "... attached to a different loop".
Here the check releases the pool after itself (`database.dispose()`, which only closes idle
connections; the engine reconnects on demand), and everything else is the real command:

    python -m bench.loaso_serve --port PORT      (same LOASO_* settings as `loaso serve`)
"""

from __future__ import annotations

import sys

from bot.service import Service

_check_migrated = Service.check_migrated


async def _check_then_release(self: Service) -> None:
    try:
        await _check_migrated(self)
    finally:
        await self.database.dispose()  # no connection outlives the event loop that opened it


def main() -> None:
    Service.check_migrated = _check_then_release
    from bot.cli import main as loaso

    sys.argv = ["loaso", "serve", *sys.argv[1:]]
    loaso()


if __name__ == "__main__":
    main()
