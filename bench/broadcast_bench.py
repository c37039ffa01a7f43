"""A broadcast to 10,000 subscribers at the Bot API's limit: rate, lost, duplicates, and
how long a resident waits for a reply meanwhile. Also fan-out time and memory at 50,000.

    .venv/bin/python -m bench.broadcast_bench                          # both backends, ~6 min
    .venv/bin/python -m bench.broadcast_bench --backend sqlite --size 2000 --rates 200
    .venv/bin/python -m bench.broadcast_bench --fanout-only            # fan-out 5k vs 50k

One process holds the fake Bot API (tests/fakes/telegram_api.py, in this event loop),
throttling at `--limit` messages over any sliding second (429 with retry_after beyond it),
and the probe driver. Per run: a fresh database with N consenting subscribers (Core
inserts), a real `loaso serve` subprocess whose in-process sender has
LOASO_TELEGRAM_RATE_LIMIT set to the run's rate, and the fan-out done by a child process
(as `loaso broadcast` would). A /start from a new chat is posted to the webhook every
`--probe-ms` first on the idle bot (the baseline) and then all through the broadcast; its
latency runs from the POST to the fake receiving that chat's first message. The achieved
rate is counted at the fake, first to last bulk message, over every message it accepted: the
limit is the bot's, so the replies to the probing residents use it too (the broadcast's own
rate is printed beside it); lost and duplicates come from the fake's per-chat tally.
Fan-out memory: a child process fans out to N subscribers, and reports its peak RSS
(ru_maxrss) next to its RSS before the fan-out, for a small and a large N in the same
invocation. Figures go to stdout and bench/results/broadcast.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.webhook_bench import _busy_share, free_port, machine, percentile, pg_execute, pg_reachable
from tests.fakes.telegram_api import FakeTelegram, running

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "broadcast.json"
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "bench-secret_0123456789"
BULK_CHAT_BASE = 7_000_000_000  # subscriber i has chat id BULK_CHAT_BASE + i
TEXT = "Thông báo: Đại hội Đảng bộ xã Nam An Phụ khai mạc sáng mai tại hội trường UBND xã."

TARGET_RATE_SHARE = 0.97  # issue 20, item 23
TARGET_REPLY_P95_MS = 1000.0
MB = 1024 * 1024

_update_ids = itertools.count(810_000_001)
_probe_chats = itertools.count(8_100_000_001)


# -- databases -----------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def fresh_database(backend: str, workdir: Path, name: str):
    """A migrated, empty database for one run; a PostgreSQL one is dropped afterwards."""
    from db import migrations
    from db.engine import Database

    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / (name + '.db')}"
    else:
        await pg_execute(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await pg_execute(PG_ADMIN, f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    database = Database(url)
    await migrations.upgrade(database)
    await database.dispose()
    try:
        yield url
    finally:
        if backend == "postgresql":
            with contextlib.suppress(Exception):
                await pg_execute(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed_subscribers(url: str, count: int, *, chat_base: int = BULK_CHAT_BASE) -> list[int]:
    """`count` consenting Telegram residents subscribed to everything; their chat ids."""
    from sqlalchemy import insert, select

    from db.engine import Database
    from db.models import Subscription, User

    now = datetime.now(UTC)
    chats = [chat_base + i for i in range(count)]
    database = Database(url)
    try:
        for start in range(0, count, 1000):
            part = chats[start:start + 1000]
            async with database.transaction() as session:
                await session.execute(insert(User.__table__), [
                    {"channel": "telegram", "address": str(chat), "status": "active",
                     "consent_version": "bench", "consent_at": now, "created_at": now,
                     "last_seen_at": now} for chat in part])
                ids = (await session.execute(
                    select(User.id).where(User.channel == "telegram",
                                          User.address.in_([str(chat) for chat in part]))
                )).scalars().all()
                await session.execute(insert(Subscription.__table__), [
                    {"user_id": user_id, "kind": "all", "ref": "*", "created_at": now}
                    for user_id in ids])
    finally:
        await database.dispose()
    return chats


def peak_rss() -> int:
    """This process's peak RSS in bytes: VmHWM, which starts afresh at exec. (ru_maxrss does
    not: a child forked from a large benchmark process would report the parent's size.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux: KiB


def fan_out_child(url: str, batch: str) -> dict[str, Any]:
    """Run one fan-out in a child process: its own CPU and a clean peak-RSS reading."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.broadcast_bench", "_fanout", url, batch],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    if completed.returncode != 0:
        raise RuntimeError(f"fan-out failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


async def _fanout_main(url: str, batch: str) -> None:
    from db.engine import Database
    from delivery.fanout import Audience, fan_out

    database = Database(url)
    async with database.read() as session:  # connect (and import drivers) before measuring
        await session.connection()
    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    result = await fan_out(database, batch=batch, audience=Audience(everyone=True), text=TEXT,
                           now=datetime.now(UTC))
    seconds = time.perf_counter() - started
    await database.dispose()
    peak = peak_rss()
    print(json.dumps({"rows": result.rows, "seconds": round(seconds, 2),
                      "rss_before_mb": round(before / MB, 1),
                      "peak_rss_mb": round(peak / MB, 1)}))


# -- the bot under test --------------------------------------------------------------------

class Serve:
    """`loaso serve` as a subprocess; killed for sure on the way out."""

    def __init__(self, url: str, api_base: str, rate: float, workdir: Path,
                 extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LOASO_DATABASE_URL": url,
                    "LOASO_TELEGRAM_TOKEN": FakeTelegram.token,
                    "LOASO_TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "LOASO_TELEGRAM_API_BASE": api_base,
                    "LOASO_TELEGRAM_RATE_LIMIT": str(rate),
                    "LOASO_LOG_LEVEL": "WARNING", "LOASO_RUN_DIR": str(workdir / "run"),
                    **(extra_env or {})}
        self.log_path = workdir / f"serve-{self.port}.log"

    async def __aenter__(self) -> Serve:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "loaso"), "serve", "--port", str(self.port)], cwd=ROOT, env=self.env,
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            for _ in range(200):
                if self.proc.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()

    async def wait_healthy(self, client: httpx.AsyncClient, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"loaso serve exited:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{self.base}/healthz", timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"loaso serve not healthy:\n{self.log_path.read_text()[-3000:]}")

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.proc.pid).cpu_times()
        return times.user + times.system


def start_update(chat_id: int) -> bytes:
    update_id = next(_update_ids)
    person = {"id": chat_id, "is_bot": False, "first_name": "Hoa", "language_code": "vi"}
    chat = {"id": chat_id, "first_name": "Hoa", "type": "private"}
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id % 1_000_000, "from": person, "chat": chat,
        "date": int(time.time()), "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}).encode()


class Probes:
    """A /start from a new chat every `every` seconds; latency to that chat's first message."""

    def __init__(self, fake: FakeTelegram, client: httpx.AsyncClient, url: str,
                 every: float) -> None:
        self.fake, self.client, self.url, self.every = fake, client, url, every
        self.posted: dict[int, float] = {}
        self.answered: dict[int, float] = {}
        self.failed = 0
        fake.on_send = self._on_send

    def _on_send(self, chat_id: int, text: str, at: float) -> None:
        if chat_id in self.posted and chat_id not in self.answered:
            self.answered[chat_id] = at

    async def run(self, until: asyncio.Event | None = None, count: int | None = None) -> list[int]:
        chats, tasks = [], []
        for number in itertools.count():
            if (count is not None and number >= count) or (until is not None and until.is_set()):
                break
            chat = next(_probe_chats)
            chats.append(chat)
            tasks.append(asyncio.create_task(self._post(chat)))
            await asyncio.sleep(self.every)
        await asyncio.gather(*tasks)
        return chats

    async def _post(self, chat: int) -> None:
        self.posted[chat] = time.monotonic()
        try:
            response = await self.client.post(
                self.url, content=start_update(chat), timeout=30,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                         "Content-Type": "application/json"})
            if response.status_code != 200:
                self.failed += 1
        except httpx.HTTPError:
            self.failed += 1

    async def latencies(self, chats: list[int], wait: float = 10.0) -> tuple[list[float], int]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(c not in self.answered for c in chats):
            await asyncio.sleep(0.05)
        values = [self.answered[c] - self.posted[c] for c in chats if c in self.answered]
        return values, sum(1 for c in chats if c not in self.answered)


# -- one run -------------------------------------------------------------------------------

async def broadcast_run(backend: str, size: int, rate: float, args, workdir: Path) -> dict:
    label = f"{backend} rate {rate:g}"
    name = f"loaso_bcast_{os.getpid()}_{int(rate * 10)}"
    async with fresh_database(backend, workdir, name) as url:
        chats = await seed_subscribers(url, size)
        fake = FakeTelegram(throttle_sliding=args.limit, retry_after=1)
        async with running(fake) as api_base, Serve(url, api_base, rate, workdir) as serve, \
                httpx.AsyncClient() as client:
            await serve.wait_healthy(client)
            probes = Probes(fake, client, f"{serve.base}/webhook/telegram", args.probe_ms / 1000)
            await probes.run(count=5)  # warm-up: first requests pay for imports and caches
            idle_chats = await probes.run(count=args.idle_probes)
            idle, idle_missing = await probes.latencies(idle_chats)

            cpu_before, machine_before = serve.cpu_seconds(), psutil.cpu_times()
            done = asyncio.Event()
            probing = asyncio.create_task(probes.run(
                until=done, count=0 if args.no_probes_during else None))
            fanout = asyncio.create_task(asyncio.to_thread(fan_out_child, url, f"bench-{rate}"))
            wanted = set(chats)
            deadline = time.monotonic() + size / rate * 3 + 120
            while time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                if fanout.done() and fanout.exception():
                    raise fanout.exception()
                if len({m["chat_id"] for m in fake.sent if m["text"] == TEXT} & wanted) >= size:
                    break
            done.set()
            busy_chats = await probing
            fan = await fanout
            await asyncio.sleep(2.0)  # anything sent twice would arrive by now
            during, during_missing = await probes.latencies(busy_chats)
            cpu = serve.cpu_seconds() - cpu_before
            machine_busy = _busy_share(machine_before, psutil.cpu_times())
        # Counted by text: the campaign's own bulletins (if the pack's scheduler sends any
        # while we measure) are not this broadcast's duplicates.
        tally = fake.tally(chats, text=TEXT)
        bulk_times = sorted(m["at"] for m in fake.sent if m["text"] == TEXT)
        # requests the fake received in each whole second of the broadcast (the first and
        # last seconds are partial and left out), and the most in any sliding second
        seconds = range(int(bulk_times[0]) + 1, int(bulk_times[-1])) if bulk_times else ()
        per_second = sorted(fake.received_per_second[second] for second in seconds)
        peak_sliding = fake.peak_sliding
        # The limit is the bot's, not the broadcast's: the replies to the probing residents
        # share it. The share of the limit counts every message the fake accepted while the
        # broadcast ran; the bulk rate alone is reported beside it.
        accepted_times = sorted(m["at"] for m in fake.sent)
    span = bulk_times[-1] - bulk_times[0] if len(bulk_times) > 1 else None
    bulk_rate = (len(bulk_times) - 1) / span if span else 0.0
    in_span = (sum(1 for at in accepted_times if bulk_times[0] <= at <= bulk_times[-1])
               if span else 0)
    achieved = (in_span - 1) / span if span else 0.0
    result = {
        "label": label, "backend": backend, "size": size, "sender_rate": rate,
        "fake_limit": args.limit, "delivered": len(bulk_times), "seconds": round(span or 0, 2),
        "achieved_per_s": round(achieved, 1), "share_of_limit": round(achieved / args.limit, 3),
        "bulk_per_s": round(bulk_rate, 1), "replies_per_s": round(achieved - bulk_rate, 1),
        "lost": tally["lost"], "duplicates": tally["duplicates"],
        "throttled_429": fake.errors.get("429", 0),
        "received_per_second": _distribution(per_second), "peak_sliding_second": peak_sliding,
        "fanout_s": fan["seconds"],
        "idle_reply_ms": _summary(idle, idle_missing),
        "reply_ms": _summary(during, during_missing),
        "serve_cpu_s": round(cpu, 1), "machine_busy_share": round(machine_busy, 2),
    }
    print(f"  {label}: {achieved:.1f}/s ({achieved / args.limit:.1%} of {args.limit}: "
          f"{bulk_rate:.1f}/s broadcast + {achieved - bulk_rate:.1f}/s replies), "
          f"lost {tally['lost']}, dup {tally['duplicates']}, 429s {result['throttled_429']}, "
          f"reply p50/p95 {result['reply_ms']['p50']}/{result['reply_ms']['p95']} ms "
          f"(idle {result['idle_reply_ms']['p50']}/{result['idle_reply_ms']['p95']}), "
          f"machine busy {machine_busy:.0%}", flush=True)
    spread = result["received_per_second"]
    print(f"    requests received per second: min {spread.get('min')}, p5 {spread.get('p5')}, "
          f"median {spread.get('median')}, max {spread.get('max')}; peak sliding second "
          f"{peak_sliding}; histogram {spread.get('histogram')}", flush=True)
    return result


def _distribution(counts: list[int]) -> dict[str, Any]:
    """Requests the fake received per whole second: the spread, and how many seconds had
    each count (the histogram)."""
    if not counts:
        return {}
    return {"seconds": len(counts), "min": counts[0], "p5": percentile(counts, 0.05),
            "median": percentile(counts, 0.5), "max": counts[-1],
            "histogram": {str(count): counts.count(count) for count in sorted(set(counts))}}


def _summary(values: list[float], missing: int) -> dict[str, Any]:
    def ms(q):
        value = percentile(values, q)
        return None if value is None else round(value * 1000, 1)
    return {"n": len(values), "missing": missing, "p50": ms(0.5), "p95": ms(0.95),
            "max": ms(1.0)}


async def fanout_runs(backend: str, sizes: list[int], workdir: Path) -> list[dict]:
    results = []
    for size in sizes:
        name = f"loaso_fanout_{os.getpid()}_{size}"
        async with fresh_database(backend, workdir, name) as url:
            await seed_subscribers(url, size)
            fan = await asyncio.to_thread(fan_out_child, url, "bench-fanout")
        fan |= {"backend": backend, "recipients": size,
                "rows_per_s": round(fan["rows"] / fan["seconds"]) if fan["seconds"] else None}
        print(f"  fan-out {backend} {size:,}: {fan['seconds']} s, peak RSS "
              f"{fan['peak_rss_mb']} MB (before {fan['rss_before_mb']} MB)", flush=True)
        results.append(fan)
    return results


async def main(args) -> int:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (why := await pg_reachable(PG_ADMIN)):
        print(f"PostgreSQL not reachable ({why}); SQLite only")
        backends = [b for b in backends if b != "postgresql"]
    report: dict[str, Any] = {"machine": machine(), "args": vars(args), "runs": [],
                              "fanout": []}
    with tempfile.TemporaryDirectory(prefix="loaso-bcast-") as tmp:
        workdir = Path(tmp)
        if not args.fanout_only:
            for backend in backends:
                for rate in args.rates:
                    report["runs"].append(await broadcast_run(backend, args.size, rate, args,
                                                              workdir))
        for backend in backends:
            report["fanout"] += await fanout_runs(backend, args.fanout_sizes, workdir)
    print_report(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0 if all(_passed(run) for run in report["runs"]) else 1


def _passed(run: dict) -> bool:
    p95 = run["reply_ms"]["p95"]
    replies_fine = (run["reply_ms"]["n"] == 0 and run["reply_ms"]["missing"] == 0) or (
        p95 is not None and p95 <= TARGET_REPLY_P95_MS and run["reply_ms"]["missing"] == 0)
    return (run["share_of_limit"] >= TARGET_RATE_SHARE and run["lost"] == 0
            and run["duplicates"] == 0 and replies_fine)


def print_report(report: dict) -> None:
    if report["runs"]:
        print(f"\n| run | sent/s | share of {report['args']['limit']}/s | lost | dup | 429s "
              "| reply p50 / p95 ms (idle) | fan-out s | bot CPU s | machine busy | verdict |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
        for run in report["runs"]:
            r, i = run["reply_ms"], run["idle_reply_ms"]
            print(f"| {run['label']} | {run['achieved_per_s']} | {run['share_of_limit']:.1%} "
                  f"| {run['lost']} | {run['duplicates']} | {run['throttled_429']} "
                  f"| {r['p50']} / {r['p95']} ({i['p50']} / {i['p95']}) | {run['fanout_s']} "
                  f"| {run['serve_cpu_s']} | {run['machine_busy_share']:.0%} "
                  f"| {'PASS' if _passed(run) else 'MISS'} |")
    if report["fanout"]:
        print("\n| fan-out | recipients | seconds | rows/s | RSS before MB | peak RSS MB |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for fan in report["fanout"]:
            print(f"| {fan['backend']} | {fan['recipients']:,} | {fan['seconds']} "
                  f"| {fan['rows_per_s']} | {fan['rss_before_mb']} | {fan['peak_rss_mb']} |")


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--size", type=int, default=10_000, help="subscribers per broadcast")
    parser.add_argument("--limit", type=int, default=200,
                        help="the fake Bot API's messages per sliding second")
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")],
                        default=[200.0, 195.0], help="LOASO_TELEGRAM_RATE_LIMIT values to run")
    parser.add_argument("--probe-ms", type=float, default=200.0)
    parser.add_argument("--idle-probes", type=int, default=20)
    parser.add_argument("--no-probes-during", action="store_true",
                        help="no resident writes during the broadcast: the bulk rate alone")
    parser.add_argument("--fanout-sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[5_000, 50_000])
    parser.add_argument("--fanout-only", action="store_true")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_fanout"]:  # the child of fan_out_child
        asyncio.run(_fanout_main(argv[1], argv[2]))
        return 0
    return asyncio.run(main(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(run())
