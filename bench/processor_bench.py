"""CPU per event in the inbound processor alone: this checkout beside an earlier commit.

    .venv/bin/python -m bench.processor_bench --compare b820d9f        # SQLite and PostgreSQL
    .venv/bin/python -m bench.processor_bench --backend sqlite --in-flight 1,2,32 --rounds 3
    .venv/bin/python -m bench.processor_bench --compare 80e4a93 --http  # routes included

No HTTP and no sending: each event is a new resident writing "xin chào" through the console
channel into `InboundProcessor.handle` (dedupe row, resident, position, reply row, one
transaction per group), with N events in flight. The figure is the process's CPU time
(`time.process_time()`) over the measured events, after an unmeasured warm-up, on a freshly
migrated database (a SQLite file, or a throw-away PostgreSQL database dropped afterwards).

With `--compare REV` the same measurement also runs on REV, checked out into a temporary git
worktree, and the runs alternate (REV, this checkout, REV, ...) so that machine noise hits
both; the ratio is between medians. Each run is a child process of this script with the
tree under test first on its import path, so REV needs no copy of this file.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def measure_http(tree: Path, backend: str, in_flight: int, events: int) -> dict:
    """`--http`: the whole webhook path inside the app: each event a Telegram update POSTed
    to /webhook/telegram of `create_app` (routing, secret check, parsing, the processor),
    called through the ASGI interface directly, without a client library or a socket whose
    cost would be the same for both trees. Replies are stored, not sent (no sender)."""
    import copy

    from asgi_lifespan import LifespanManager

    from bot.app import create_app
    from bot.service import Service
    from bot.settings import Settings
    from db import migrations

    secret = "bench-secret_0123456789"
    template = json.loads((tree / "tests" / "channels" / "fixtures" / "telegram" / "text.json")
                          .read_text(encoding="utf-8"))
    template["message"]["text"] = "xin chào"
    async with scratch_database(backend) as (scratch, url):
        settings = Settings(_env_file=None, database_url=url, run_dir=Path(scratch) / "run",
                            content_dir=tree / "tests" / "content" / "fixtures" / "mini",
                            telegram_token="123456:bench", telegram_webhook_secret=secret,
                            telegram_api_base="http://127.0.0.1:9", telegram_rate_limit=0)
        service = Service(settings)
        await migrations.upgrade(service.database)
        app = create_app(service, run_sender=False)
        numbers = iter(range(1, 10 ** 9))
        headers = [(b"content-type", b"application/json"),
                   (b"x-telegram-bot-api-secret-token", secret.encode())]

        async def one() -> None:
            number = next(numbers)
            update = copy.deepcopy(template)
            update["update_id"] = number
            update["message"]["from"]["id"] = update["message"]["chat"]["id"] = 10 ** 9 + number
            body = json.dumps(update).encode()
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": "POST", "scheme": "http", "path": "/webhook/telegram",
                     "raw_path": b"/webhook/telegram", "query_string": b"", "root_path": "",
                     "headers": [*headers, (b"content-length", str(len(body)).encode())],
                     "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
                     "state": {}}
            sent = {"more": True}

            async def receive():
                if sent["more"]:
                    sent["more"] = False
                    return {"type": "http.request", "body": body, "more_body": False}
                await asyncio.sleep(3600)

            statuses = []

            async def send(message):
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            await app(scope, receive, send)
            if statuses != [200]:
                raise RuntimeError(f"webhook answered {statuses}")

        async with LifespanManager(app):
            figures = await timed(one, in_flight, events)
    return figures


async def measure(tree: Path, backend: str, in_flight: int, events: int) -> dict:
    """One run in this (child) process, importing the project from `tree`."""
    import bot
    from bot.channels.console import ConsoleChannel
    from bot.service import Service
    from bot.settings import Settings
    from db import migrations
    if tree.resolve() not in Path(bot.__file__).resolve().parents:
        raise RuntimeError(f"imported {bot.__file__}, not the tree under test {tree}")
    async with scratch_database(backend) as (scratch, url):
        settings = Settings(_env_file=None, database_url=url, run_dir=Path(scratch) / "run",
                            content_dir=tree / "tests" / "content" / "fixtures" / "mini")
        channel = ConsoleChannel(io.StringIO())
        service = Service(settings, channels={"console": channel})
        await migrations.upgrade(service.database)
        numbers = iter(range(10 ** 9))

        async def one() -> None:
            number = next(numbers)
            await service.processor.handle(
                channel.event(f"r{number}", "xin chào", session=f"e{number}"))

        figures = await timed(one, in_flight, events)
        await service.close()
    return figures


@asynccontextmanager
async def scratch_database(backend: str) -> AsyncIterator[tuple[str, str]]:
    """A scratch folder and a fresh database's URL: a SQLite file in the folder, or a
    throw-away PostgreSQL database, dropped afterwards."""
    with tempfile.TemporaryDirectory() as scratch:
        pg_name = f"loaso_bench_{uuid.uuid4().hex[:10]}"
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{scratch}/bench.db"
        else:
            await _pg(f"CREATE DATABASE {pg_name}")
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_name}"
        try:
            yield scratch, url
        finally:
            if backend != "sqlite":
                await _pg(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")


async def timed(one: Callable[[], Awaitable[None]], in_flight: int, events: int) -> dict:
    """CPU and wall time of `events` calls of `one`, `in_flight` at a time, after an
    unmeasured warm-up (caches, compiled statements, the pool)."""
    for _ in range(200):
        await one()
    done, cpu, wall = 0, time.process_time(), time.perf_counter()
    while done < events:
        await asyncio.gather(*(one() for _ in range(in_flight)))
        done += in_flight
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_ms_per_event": round(cpu * 1000 / done, 3),
            "events_per_s": round(done / wall, 1)}


async def _pg(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def run_child(tree: Path, backend: str, in_flight: int, events: int, http: bool = False) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), "--backend",
         backend, "--in-flight", str(in_flight), "--events", str(events),
         *(["--http"] if http else [])],
        cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"run on {tree} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worktree(revision: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="loaso-bench-tree-"))
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(path), revision],
                   cwd=ROOT, check=True)
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        work = measure_http if args.http else measure
        print(json.dumps(asyncio.run(work(Path(args.child), args.backend[0],
                                          args.in_flight[0], args.events))))
        return 0
    trees = {"this checkout": ROOT}
    if args.compare:
        trees = {args.compare: worktree(args.compare), **trees}
    results: dict[tuple, list[dict]] = {}
    try:
        for backend in args.backend:
            for in_flight in args.in_flight:
                for round_no in range(1, args.rounds + 1):
                    for name, tree in trees.items():
                        print(f"{backend}, {in_flight} in flight, {name}, round {round_no} ...",
                              end=" ", flush=True)
                        result = run_child(tree, backend, in_flight, args.events, args.http)
                        print(f"{result['cpu_ms_per_event']} ms CPU/event, "
                              f"{result['events_per_s']} events/s", flush=True)
                        results.setdefault((backend, in_flight, name), []).append(result)
    finally:
        for tree in trees.values():
            if tree != ROOT:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                               check=False)
    print(f"\n{args.events} events per run, {args.rounds} round(s), medians; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    for backend in args.backend:
        for in_flight in args.in_flight:
            cpu = {name: statistics.median(r["cpu_ms_per_event"]
                                           for r in results[backend, in_flight, name])
                   for name in trees}
            line = ", ".join(f"{name} {value:.3f}" for name, value in cpu.items())
            ratio = (f"; {args.compare} / this checkout = "
                     f"{cpu[args.compare] / cpu['this checkout']:.2f}x" if args.compare else "")
            print(f"  {backend:<10} {in_flight:>3} in flight: ms CPU/event {line}{ratio}")
    return 0


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench.processor_bench",
                                     description="CPU per event in the inbound processor")
    parser.add_argument("--backend", default="sqlite,postgresql",
                        type=lambda text: text.split(","),
                        help="comma-separated: sqlite, postgresql (default both)")
    parser.add_argument("--in-flight", default="1,32",
                        type=lambda text: [int(part) for part in text.split(",")],
                        help="events handled concurrently, comma-separated (default 1,32)")
    parser.add_argument("--events", type=int, default=3000, help="measured events per run")
    parser.add_argument("--rounds", type=int, default=2, help="runs per tree and setting")
    parser.add_argument("--compare", metavar="REV", help="also measure this git revision")
    parser.add_argument("--http", action="store_true",
                        help="the whole webhook path in the app (POST /webhook/telegram "
                             "through ASGI), not the processor alone")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.backend) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend {', '.join(sorted(unknown))}; use sqlite, postgresql")
    return args


if __name__ == "__main__":
    sys.exit(main())
