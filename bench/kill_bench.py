"""`kill -9` of the worker in the middle of a 10,000-recipient broadcast: lost and duplicates.

    .venv/bin/python -m bench.kill_bench                       # 5 runs each backend, ~10 min
    .venv/bin/python -m bench.kill_bench --backend sqlite --runs 2 --size 2000

Per run: a fresh database with N consenting subscribers, one broadcast fanned out to them,
and the fake Bot API in this process. A `loaso worker` subprocess (lease
LOASO_OUTBOX_LEASE_SECONDS=5, so a dead worker's rows come back within seconds) sends it;
it is killed with SIGKILL at a random point of the broadcast (a random number of messages
delivered), the rows left in 'sending' are counted, and a new worker is started; `--kills`
times, then the last worker finishes the broadcast. From the fake's per-chat record: lost
= subscribers who never got the message (must be 0), duplicates = extra copies, which are
allowed only for rows that were in flight at a kill: every duplicated chat must be among
the rows 'sending' at some kill, and their number is compared with those rows'.
Figures go to stdout and bench/results/kill.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.broadcast_bench import (
    BIN,
    PG_ADMIN,
    ROOT,
    SECRET,
    TEXT,
    fresh_database,
    seed_subscribers,
)
from bench.webhook_bench import machine, pg_reachable
from tests.fakes.telegram_api import FakeTelegram, running

RESULTS = ROOT / "bench" / "results" / "kill.json"


class Worker:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                str(BIN / "loaso"), "worker", cwd=ROOT, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                await self.kill()


def delivered(fake: FakeTelegram) -> int:
    return len(fake.sent)  # cheap enough to poll; the worker sends nothing else here


async def outbox_rows(url: str, status: str) -> set[str]:
    from db.engine import Database
    from db.models import OutboxMessage

    database = Database(url)
    try:
        async with database.read() as session:
            return set((await session.execute(select(OutboxMessage.recipient).where(
                OutboxMessage.status == status))).scalars())
    finally:
        await database.dispose()


async def unfinished(url: str) -> int:
    from db.engine import Database
    from db.models import OutboxMessage

    database = Database(url)
    try:
        async with database.read() as session:
            return (await session.execute(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status.in_(["queued", "sending"])))).scalar_one()
    finally:
        await database.dispose()


async def one_run(backend: str, number: int, args, workdir: Path, rng: random.Random) -> dict:
    from db.engine import Database
    from delivery.fanout import Audience, fan_out

    name = f"loaso_kill_{os.getpid()}_{number}"
    async with fresh_database(backend, workdir, name) as url:
        chats = await seed_subscribers(url, args.size)
        database = Database(url)
        await fan_out(database, batch=f"kill-{number}", audience=Audience(everyone=True),
                      text=TEXT, now=datetime.now(UTC))
        await database.dispose()
        fake = FakeTelegram()
        async with running(fake) as api_base:
            env = {**os.environ, "LOASO_DATABASE_URL": url,
                   "LOASO_TELEGRAM_TOKEN": fake.token,
                   "LOASO_TELEGRAM_WEBHOOK_SECRET": SECRET, "LOASO_TELEGRAM_API_BASE": api_base,
                   "LOASO_TELEGRAM_RATE_LIMIT": str(args.rate),
                   "LOASO_OUTBOX_LEASE_SECONDS": str(args.lease),
                   "LOASO_SENDER_POLL_SECONDS": "0.2", "LOASO_LOG_LEVEL": "WARNING",
                   "LOASO_RUN_DIR": str(workdir / "run")}
            worker = Worker(env, workdir / f"worker-{backend}-{number}.log")
            kills: list[dict[str, Any]] = []
            in_flight: set[str] = set()
            started = time.monotonic()
            try:
                await worker.start()
                for _ in range(args.kills):
                    # A random moment of what is left of the broadcast.
                    now_at = delivered(fake)
                    target = rng.randint(now_at + 1, max(now_at + 1, int(args.size * 0.97)))
                    while delivered(fake) < target and worker.proc.returncode is None:
                        await asyncio.sleep(0.005)
                    await worker.kill()
                    sending = await outbox_rows(url, "sending")
                    kills.append({"delivered_at_kill": delivered(fake),
                                  "sending_at_kill": len(sending)})
                    in_flight |= sending
                    await worker.start()
                deadline = time.monotonic() + args.size / 50 + 120
                while time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    if fake.tally(chats, TEXT)["lost"] == 0 and await unfinished(url) == 0:
                        break
            finally:
                await worker.stop()
            seconds = time.monotonic() - started
            tally = fake.tally(chats, TEXT)
            copies = Counter(m["chat_id"] for m in fake.sent if m["text"] == TEXT)
            duplicated = {str(chat) for chat in chats if copies[chat] > 1}
    flight = sum(kill["sending_at_kill"] for kill in kills)
    result = {"backend": backend, "run": number, "size": args.size, "kills": kills,
              "lost": tally["lost"], "duplicates": tally["duplicates"],
              "sending_at_kills": flight,
              "duplicates_outside_in_flight": len(duplicated - in_flight),
              "seconds": round(seconds, 1)}
    print(f"  {backend} run {number}: killed at {[k['delivered_at_kill'] for k in kills]} "
          f"delivered, 'sending' then {[k['sending_at_kill'] for k in kills]}; lost "
          f"{tally['lost']}, duplicates {tally['duplicates']} (outside in-flight rows: "
          f"{result['duplicates_outside_in_flight']}), {seconds:.0f} s", flush=True)
    return result


async def main(args) -> int:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and (why := await pg_reachable(PG_ADMIN)):
        print(f"PostgreSQL not reachable ({why}); SQLite only")
        backends = [b for b in backends if b != "postgresql"]
    rng = random.Random(args.seed)
    report: dict[str, Any] = {"machine": machine(), "args": vars(args), "runs": []}
    with tempfile.TemporaryDirectory(prefix="loaso-kill-") as tmp:
        for backend in backends:
            for number in range(1, args.runs + 1):
                report["runs"].append(await one_run(backend, number, args, Path(tmp), rng))
    print("\n| backend | runs | kills | lost | duplicates | rows 'sending' at the kills "
          "| duplicates outside them | verdict |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    ok = True
    for backend in backends:
        runs = [run for run in report["runs"] if run["backend"] == backend]
        lost = sum(run["lost"] for run in runs)
        dups = sum(run["duplicates"] for run in runs)
        flight = sum(run["sending_at_kills"] for run in runs)
        outside = sum(run["duplicates_outside_in_flight"] for run in runs)
        passed = lost == 0 and outside == 0 and dups <= flight
        ok &= passed
        print(f"| {backend} | {len(runs)} | {sum(len(run['kills']) for run in runs)} | {lost} "
              f"| {dups} | {flight} | {outside} | {'PASS' if passed else 'MISS'} |")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0 if ok else 1


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5, help="runs per backend")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=2, help="SIGKILLs per run")
    parser.add_argument("--rate", type=float, default=0,
                        help="LOASO_TELEGRAM_RATE_LIMIT of the worker (0: as fast as it goes)")
    parser.add_argument("--lease", type=int, default=5, help="LOASO_OUTBOX_LEASE_SECONDS")
    parser.add_argument("--seed", type=int, default=20261126)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
