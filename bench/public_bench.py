"""The public pages with the shipped pack: p50/p95 server time of each page, in full and as a
304 to a reader holding the current copy, and each page's size raw and gzipped.

Run: .venv/bin/python -m bench.public_bench [--loads 300] [--day 2026-01-20]
     [--backend sqlite|postgresql|both] [--pg-url postgresql+asyncpg://…/postgres]

The app runs in this process with its real routes, templates and database (each page reads
staff's phase pin, as residents' pages do); each page is requested through the ASGI interface
and timed from request to last byte, so the figure is the server's time without a network.
The campaign's clock is set to `--day` (default 20/1/2026, during the 14th Congress: the
longest /tin, with two earlier periods). The target (issue 15) is p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from bench.console_bench import p95, with_postgres
from bot.app import create_app
from bot.service import Service
from bot.settings import Settings
from db import migrations
from db.engine import Database

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"
TARGET_MS = 50
ZONE = dt.timezone(dt.timedelta(hours=7))


def pages(service: Service, day: dt.date) -> dict[str, str]:
    view = service.content.current.visible(day)
    newest = max(view.articles, key=lambda article: article.published)
    return {"/": "/", "/tin": "/tin", "/tin/<id>": f"/tin/{newest.id}",
            "/van-kien": "/van-kien", "/lich": "/lich", "/tin/feed.xml": "/tin/feed.xml"}


async def timed(client: httpx.AsyncClient, path: str, headers: dict[str, str],
                status: int) -> float:
    begin = time.perf_counter()
    answer = await client.get(path, headers=headers)
    elapsed = (time.perf_counter() - begin) * 1000
    assert answer.status_code == status, (path, answer.status_code)
    return elapsed


async def measure(url: str, loads: int, day: dt.date) -> dict[str, dict]:
    database = Database(url)
    await migrations.upgrade(database)
    await database.dispose()
    settings = Settings(_env_file=None, database_url=url, content_dir=SHIPPED,
                        run_dir=Path(tempfile.mkdtemp()) / "run",
                        public_url="https://loaso.example")
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=ZONE)
    service = Service(settings, clock=lambda: moment)
    app = create_app(service, run_sender=False)
    results: dict[str, dict] = {}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, path in pages(service, day).items():
                first = await client.get(path)
                for _ in range(5):  # warm the caches, as a page in use is
                    await client.get(path)
                full = [await timed(client, path, {}, 200) for _ in range(loads)]
                current = {"If-None-Match": first.headers["etag"]}
                not_modified = [await timed(client, path, current, 304) for _ in range(loads)]
                results[name] = {"full": full, "304": not_modified, "bytes": len(first.content),
                                 "gzip": len(gzip.compress(first.content, 6))}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=300)
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2026, 1, 20))
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results = {}
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="loaso-public-bench-") as folder:
            results["SQLite"] = asyncio.run(measure(f"sqlite+aiosqlite:///{folder}/bench.db",
                                                    args.loads, args.day))
    if args.backend in ("postgresql", "both"):
        results["PostgreSQL"] = asyncio.run(with_postgres(
            args.pg_url, lambda url: measure(url, args.loads, args.day)))
    print(f"\nday {args.day}, {args.loads} loads each\n")
    print(f"| database | page | 200 p50 ms | 200 p95 ms | 304 p50 ms | 304 p95 ms | "
          f"bytes | gzip | target p95 ≤ {TARGET_MS} ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for backend, timings in results.items():
        for name, figures in timings.items():
            worst = max(p95(figures["full"]), p95(figures["304"]))
            print(f"| {backend} | `{name}` | {statistics.median(figures['full']):.1f} | "
                  f"{p95(figures['full']):.1f} | {statistics.median(figures['304']):.1f} | "
                  f"{p95(figures['304']):.1f} | {figures['bytes']:,} | {figures['gzip']:,} | "
                  f"{'met' if worst <= TARGET_MS else 'MISSED'} |")


if __name__ == "__main__":
    main()
