"""Webhook-to-reply throughput and latency: Loa Số beside the plainest PTB echo bot, one run.

    .venv/bin/python -m bench.webhook_bench                      # defaults, about 3-4 minutes
    .venv/bin/python -m bench.webhook_bench --updates 500 --rounds 1 --light-seconds 5
    .venv/bin/python -m bench.webhook_bench --channel zalo-oa   # or zalo-bot: Loa Số only

One process holds the fake Bot API (tests/fakes/telegram_api.py, served by uvicorn in this
event loop) and the load driver (bench/load_driver.py: aiohttp, or httpx with --driver).
Each bot runs as a subprocess on its own loopback port. Every update comes from a different
private chat, and a reply is timed from the start
of its webhook POST to the moment the fake Bot API receives the first sendMessage for that
chat. Runs alternate between the bots (echo, Loa Số, [Loa Số on PostgreSQL], echo, ...)
so that a noisy neighbour hurts both; the ratio is taken between medians of the runs.

Per run: warm-up (not measured), a closed-loop throughput phase (N updates, C in flight),
an open-loop light phase (R updates/s for S seconds), process RSS after start and after the
load, and the bot's CPU time per update. Separately, start-to-healthy of `loaso serve` is
timed over a few fresh spawns. Figures go to stdout and to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.load_driver import DRIVERS, DriverError, LoadDriver
from tests.fakes.telegram_api import FakeTelegram, running
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOA

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
BIN = Path(sys.executable).parent  # the venv's bin/, where `loaso` lives
TOKEN = FakeTelegram.token
SECRET = "bench-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXT = "xin chào"
MB = 1024 * 1024

# Targets (DESIGN): throughput ratio, light-load reply p95 on SQLite, idle RSS, start time.
TARGET_RATIO = 1.0
TARGET_LIGHT_P95_MS = 100.0
TARGET_RSS_MB = 150.0
TARGET_START_S = 3.0

NOISY_SHARE = 0.25  # a phase is flagged when other tenants used more than this of all cores

# What `loaso serve` says when its pre-flight check left a connection on a dead event loop.
LOOP_BUG = "attached to a different loop"

_children: list[subprocess.Popen] = []


def _kill_children() -> None:
    """Last resort at interpreter exit: no bot process outlives the benchmark."""
    for proc in _children:
        if proc.poll() is None:
            proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(timeout=5)


atexit.register(_kill_children)


# -- small helpers -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def median(values: list[float]) -> float | None:
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 3) if values else None


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import telegram

    return {
        **git_state(),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(psutil.virtual_memory().total / 1024 ** 3, 1),
        "python": platform.python_version(),
        "python_telegram_bot": telegram.__version__,
        "platform": platform.platform(),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "loadavg_at_start": list(os.getloadavg()),
    }


def git_state() -> dict[str, Any]:
    """The commit measured, and which files of the bot differed from it (others edit live)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=10).stdout.rstrip("\n")
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = git("status", "--porcelain", "--", "bot", "db", "handlers", "scheduler",
                  "content", "alembic", "pyproject.toml")
    return {"git_commit": git("rev-parse", "--short", "HEAD") or None,
            "git_commit_subject": git("log", "-1", "--format=%s") or None,
            "bot_files_changed_since_commit": [line[3:] for line in changed.splitlines()
                                               if len(line) > 3]}


# -- updates and replies -------------------------------------------------------------------

_update_ids = itertools.count(700_000_001)
_chat_ids = itertools.count(5_600_000_001)


def text_update(chat_id: int) -> bytes:
    """A private text message from a resident, shaped like tests/.../telegram/text.json."""
    update_id = next(_update_ids)
    person = {"id": chat_id, "is_bot": False, "first_name": "Lan", "last_name": "Nguyễn",
              "language_code": "vi"}
    chat = {"id": chat_id, "first_name": "Lan", "last_name": "Nguyễn", "type": "private"}
    update = {"update_id": update_id,
              "message": {"message_id": update_id % 1_000_000, "from": person, "chat": chat,
                          "date": int(time.time()), "text": TEXT}}
    return json.dumps(update, ensure_ascii=False).encode("utf-8")


@dataclass
class Route:
    """The webhook under test (--channel): its fake platform, events and Loa Số settings.

    Telegram is compared with the echo bot; the Zalo routes have no echo bot (PTB speaks only
    Telegram), so they are measured on their own, against the same phases.
    """

    name: str  # telegram | zalo-oa | zalo-bot
    fake: Any

    def key(self, chat_id: int) -> Any:
        """How the fake reports the recipient: Telegram ids are numbers, Zalo ids strings."""
        return chat_id if self.name == "telegram" else str(chat_id)

    def update(self, chat_id: int) -> tuple[bytes, dict[str, str]]:
        if self.name == "telegram":
            return text_update(chat_id), {SECRET_HEADER: SECRET}
        if self.name == "zalo-oa":  # signed now: Loa Số refuses events over 5 minutes old
            event = {"event_name": "user_send_text", "app_id": self.fake.app_id,
                     "sender": {"id": str(chat_id)}, "recipient": {"id": self.fake.oa_id},
                     "message": {"text": TEXT, "msg_id": f"{next(_update_ids):020x}"},
                     "user_id_by_app": str(chat_id)}
            return self.fake.webhook(event)
        update = {"event_name": "message.text.received", "message": {
            "message_id": f"{next(_update_ids):020x}", "text": TEXT,
            "chat": {"id": str(chat_id), "chat_type": "PRIVATE"},
            "from": {"id": str(chat_id), "display_name": "Lan", "is_bot": False},
            "date": int(time.time() * 1000)}}
        return json.dumps(update, ensure_ascii=False).encode(), {ZALO_BOT_HEADER: SECRET}

    def env(self, api_base: str) -> dict[str, str]:
        if self.name == "telegram":
            return {"LOASO_TELEGRAM_TOKEN": TOKEN, "LOASO_TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "LOASO_TELEGRAM_API_BASE": api_base,
                    "LOASO_TELEGRAM_RATE_LIMIT": "0"}  # unlimited: the echo bot has no limiter
        if self.name == "zalo-oa":
            fake = self.fake
            return {"LOASO_ZALO_OA_APP_ID": fake.app_id, "LOASO_ZALO_OA_APP_SECRET": fake.app_secret,
                    "LOASO_ZALO_OA_SECRET_KEY": fake.secret_key,
                    "LOASO_ZALO_OA_API_BASE": api_base, "LOASO_ZALO_OA_OAUTH_BASE": api_base,
                    # each run has a fresh database: seed it with the token the fake holds now
                    "LOASO_ZALO_OA_REFRESH_TOKEN": fake.refresh_token,
                    "LOASO_ZALO_OA_RATE_LIMIT": "0"}
        return {"LOASO_ZALO_BOT_TOKEN": self.fake.token, "LOASO_ZALO_BOT_WEBHOOK_SECRET": SECRET,
                "LOASO_ZALO_BOT_API_BASE": api_base, "LOASO_ZALO_BOT_RATE_LIMIT": "0"}


ROUTE = Route("telegram", None)  # replaced in main() by --channel
ZALO_BOT_HEADER = "X-Bot-Api-Secret-Token"


def new_batch(count: int) -> list[tuple[Any, bytes, dict[str, str]]]:
    """`count` updates from `count` chats no run has used before: (chat key, body, headers)."""
    return [(ROUTE.key(chat_id), *ROUTE.update(chat_id))
            for chat_id in itertools.islice(_chat_ids, count)]


class Replies:
    """The fake Bot API's on_send callback: first sendMessage time per chat id."""

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.messages = 0
        self._waiting: set[int] = set()
        self._done = asyncio.Event()

    def __call__(self, chat_id: int, text: str, at: float) -> None:
        self.messages += 1
        if chat_id not in self.first:
            self.first[chat_id] = at
            if chat_id in self._waiting:
                self._waiting.discard(chat_id)
                if not self._waiting:
                    self._done.set()

    async def wait_for(self, chats: list[int], timeout: float) -> bool:
        """True once every chat in `chats` has had a reply; False after `timeout` seconds."""
        self._waiting = {chat for chat in chats if chat not in self.first}
        if not self._waiting:
            return True
        self._done.clear()
        try:
            await asyncio.wait_for(self._done.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiting = set()


@dataclass
class Load:
    """What a phase observed, per chat: POST start, POST duration, errors."""

    started: dict[int, float] = field(default_factory=dict)
    acked: dict[int, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)

    async def post(self, driver: LoadDriver, url: str, chat_id: Any, body: bytes,
                   auth: dict[str, str]) -> None:
        """POST one update; like Telegram, deliver once more if the connection failed."""
        begin = time.monotonic()
        self.started[chat_id] = begin
        headers = {"content-type": "application/json", **auth}
        for attempt in (1, 2):
            try:
                status = await driver.post(url, body, headers)
                break
            except DriverError as error:
                if attempt == 2 or not error.retry:
                    self.errors.append(error.kind)
                    return
                self.retried.append(error.kind)
        self.acked[chat_id] = time.monotonic() - begin
        if status != 200:
            self.errors.append(f"HTTP {status}")

    def latencies(self, replies: Replies) -> list[float]:
        return [replies.first[chat] - begin for chat, begin in self.started.items()
                if chat in replies.first]


def summarize(load: Load, replies: Replies, sent: int) -> dict[str, Any]:
    latencies = load.latencies(replies)
    acks = list(load.acked.values())
    errors: dict[str, int] = {}
    for error in load.errors:
        errors[error] = errors.get(error, 0) + 1
    return {
        "updates": sent,
        "replied": len(latencies),
        "missing": sent - len(latencies),
        "post_errors": errors,
        "post_retries": len(load.retried),  # connection errors delivered again (counted once)
        "reply_ms": {"p50": ms(percentile(latencies, 0.50)),
                     "p95": ms(percentile(latencies, 0.95)),
                     "p99": ms(percentile(latencies, 0.99)),
                     "max": ms(max(latencies, default=None))},
        "ack_ms": {"p50": ms(percentile(acks, 0.50)), "p95": ms(percentile(acks, 0.95))},
    }


# -- bot processes -------------------------------------------------------------------------

@dataclass
class BotSpec:
    """How to start one bot under test, and how to prepare/clean its database."""

    key: str  # "echo", "loaso-sqlite", "loaso-pg"
    label: str
    workdir: Path
    pg_admin_url: str | None = None
    _seq: itertools.count = field(default_factory=itertools.count)
    database_url: str | None = None
    pg_database: str | None = None
    # "loaso serve", or "bench.loaso_serve" once `loaso serve` failed to start (see there)
    launcher: str = "loaso serve"
    launcher_note: str | None = None
    content_dir: str | None = None  # --content-dir; None: the bot's own default pack
    extra_env: dict[str, str] = field(default_factory=dict)  # --loaso-env KEY=VALUE

    @property
    def is_loaso(self) -> bool:
        return self.key.startswith("loaso")

    def argv(self, port: int, api_base: str) -> list[str]:
        if self.is_loaso and self.launcher != "loaso serve":
            return [sys.executable, "-m", "bench.loaso_serve", "--port", str(port)]
        if self.is_loaso:
            return [str(BIN / "loaso"), "serve", "--port", str(port)]
        return [sys.executable, "-m", "bench.echo_ptb", "--port", str(port),
                "--api-base", api_base, "--token", TOKEN]

    def env(self, api_base: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("LOASO_")}
        env["PYTHONUNBUFFERED"] = "1"
        if self.is_loaso:
            env.update(self.extra_env)
            env.update({
                "LOASO_DATABASE_URL": self.database_url or "",
                **ROUTE.env(api_base),
                "LOASO_LOG_LEVEL": "WARNING",
                "LOASO_RUN_DIR": str(self.workdir / "run"),  # pid files stay in the temp dir
            })
            if self.content_dir:
                env["LOASO_CONTENT_DIR"] = self.content_dir
        return env

    async def prepare(self, api_base: str) -> None:
        """A fresh, migrated database for the next process (nothing for the echo bot)."""
        if not self.is_loaso:
            return
        number = next(self._seq)
        if self.key == "loaso-sqlite":
            path = self.workdir / f"{self.key}-{number}" / "loaso.db"
            path.parent.mkdir(parents=True)
            self.database_url = f"sqlite+aiosqlite:///{path}"
        else:
            self.pg_database = f"loaso_bench_{os.getpid()}_{number}"
            await pg_execute(self.pg_admin_url, f'CREATE DATABASE "{self.pg_database}"')
            base, _, _ = self.pg_admin_url.rpartition("/")
            self.database_url = f"{base}/{self.pg_database}".replace(
                "postgresql://", "postgresql+asyncpg://", 1)
        await self._migrate(api_base)  # per run, so a migration added meanwhile is applied

    async def _migrate(self, api_base: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            str(BIN / "loaso"), "migrate", cwd=ROOT, env=self.env(api_base),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            output, _ = await asyncio.wait_for(proc.communicate(), 120)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise RuntimeError(f"loaso migrate timed out for {self.label}") from None
        if proc.returncode != 0:
            raise RuntimeError(f"loaso migrate failed for {self.label}:\n{output.decode()}")

    async def cleanup(self) -> None:
        if self.key == "loaso-pg" and self.pg_database:
            with contextlib.suppress(Exception):
                await pg_execute(self.pg_admin_url,
                                 f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
            self.pg_database = None


class BotProcess:
    """One bot subprocess on its own loopback port, stopped for sure on exit."""

    def __init__(self, spec: BotSpec, api_base: str, log_path: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = spec.argv(self.port, api_base)
        self.env = spec.env(api_base)
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.spawned_at = 0.0

    async def __aenter__(self) -> BotProcess:
        self._log = open(self.log_path, "ab")
        self.spawned_at = time.monotonic()
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _children.append(self.proc)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def wait_healthy(self, client: httpx.AsyncClient, timeout: float = 30.0) -> float:
        """Seconds from spawn until GET /healthz answered 200."""
        deadline = self.spawned_at + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.spec.label} exited with {self.proc.returncode} "
                                   f"before it was healthy:\n{self.log_tail()}")
            try:
                response = await client.get(f"{self.url}/healthz", timeout=2.0)
                if response.status_code == 200:
                    return time.monotonic() - self.spawned_at
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.02)
        raise RuntimeError(f"{self.spec.label} not healthy after {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def _tree(self) -> list[psutil.Process]:
        process = psutil.Process(self.proc.pid)
        return [process, *process.children(recursive=True)]

    def rss(self) -> int:
        return sum(process.memory_info().rss for process in self._tree())

    def cpu_seconds(self) -> float:
        total = 0.0
        for process in self._tree():
            times = process.cpu_times()
            total += times.user + times.system
        return total

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()  # graceful: Loa Số's lifespan stops the sender and disposes
            for _ in range(200):  # at most 10 s
                if proc.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None and proc in _children:
            _children.remove(proc)
        with contextlib.suppress(Exception):
            self._log.close()


async def pg_execute(admin_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url, timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def pg_reachable(admin_url: str) -> str | None:
    """None if we can create databases there, else why not."""
    try:
        await asyncio.wait_for(pg_execute(admin_url, "SELECT 1"), 5)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


# -- phases --------------------------------------------------------------------------------

async def closed_loop(driver: LoadDriver, url: str, replies: Replies,
                      batch: list[tuple[Any, bytes, dict]], concurrency: int,
                      timeout: float) -> tuple[Load, float, float | None, bool]:
    """Post `batch` with `concurrency` in flight; wait for every reply (bounded)."""
    load = Load()
    queue = iter(batch)

    async def worker() -> None:
        for chat_id, body, auth in queue:  # shared iterator: each update is posted once
            await load.post(driver, url, chat_id, body, auth)

    begin = time.monotonic()
    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        _, pending = await asyncio.wait(workers, timeout=timeout)
        if pending:
            load.errors.append("driver timeout")
    finally:
        await _cancel_all(workers)
    remaining = max(5.0, timeout - (time.monotonic() - begin))
    complete = await replies.wait_for([chat for chat, _, _ in batch], remaining)
    arrivals = [replies.first[chat] for chat, _, _ in batch if chat in replies.first]
    last = max(arrivals) if arrivals else None
    return load, begin, last, complete


async def open_loop(driver: LoadDriver, url: str, replies: Replies,
                    batch: list[tuple[Any, bytes, dict]], rate: float,
                    timeout: float) -> tuple[Load, float]:
    """Post one update every 1/rate seconds whatever the answers do; wait for the replies."""
    load = Load()
    tasks: list[asyncio.Task] = []
    begin = time.monotonic()
    worst_lag = 0.0
    try:
        for index, (chat_id, body, auth) in enumerate(batch):
            due = begin + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                worst_lag = max(worst_lag, -delay)
            tasks.append(asyncio.create_task(load.post(driver, url, chat_id, body, auth)))
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        load.errors.extend("driver timeout" for _ in pending)
    finally:
        await _cancel_all(tasks)
    await replies.wait_for([chat for chat, _, _ in batch], timeout)
    return load, worst_lag


async def _cancel_all(tasks: list[asyncio.Task]) -> None:
    """Cancel what is still running and collect every outcome (no 'never retrieved')."""
    for task in tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def run_bot(spec: BotSpec, round_no: int, args, api_base: str, fake: Any,
                  replies: Replies, client: httpx.AsyncClient, driver: LoadDriver,
                  logdir: Path) -> dict[str, Any]:
    """One bot, one run: spawn, healthy, idle RSS, warm-up, throughput, light load, RSS."""
    await spec.prepare(api_base)
    result: dict[str, Any] = {"bot": spec.key, "label": spec.label, "round": round_no,
                              "loadavg_before": list(os.getloadavg())}
    try:
        async with contextlib.AsyncExitStack() as stack:
            bot = await stack.enter_async_context(
                BotProcess(spec, api_base, logdir / f"{spec.key}-{round_no}.log"))
            try:
                result["start_to_healthy_s"] = round(await bot.wait_healthy(client), 3)
            except RuntimeError as error:
                if (not spec.is_loaso or spec.launcher != "loaso serve"
                        or LOOP_BUG not in str(error)):
                    raise
                # `loaso serve` hit the known pre-flight event loop bug (see
                # bench/loaso_serve.py); measure the same command with that one fix instead.
                await bot.stop()
                spec.launcher = "bench.loaso_serve"
                spec.launcher_note = f"`loaso serve` failed to start: {_last_line(str(error))}"
                print(f"\n  {spec.launcher_note}\n  retrying with python -m bench.loaso_serve "
                      "(loaso serve + the fix) ...", end=" ", flush=True)
                bot = await stack.enter_async_context(
                    BotProcess(spec, api_base, logdir / f"{spec.key}-{round_no}-fallback.log"))
                result["start_to_healthy_s"] = round(await bot.wait_healthy(client), 3)
            result["launcher"] = spec.launcher
            await asyncio.sleep(args.settle)
            result["rss_idle_after_start_mb"] = round(bot.rss() / MB, 1)
            webhook = f"{bot.url}/webhook/{ROUTE.name}"

            if args.warmup:
                warm = new_batch(args.warmup)
                load, _, _, complete = await closed_loop(driver, webhook, replies, warm,
                                                         min(8, args.concurrency), 60)
                result["warmup"] = {"updates": len(warm), "complete": complete,
                                    "errors": len(load.errors)}
            fake.reset()
            messages_before = replies.messages

            batch = new_batch(args.updates)
            profiler = (start_profiler(bot.proc.pid, args.output.parent /
                                       f"profile-{spec.key}-{round_no}.txt")
                        if args.profile else None)
            timeout = max(60.0, args.updates / 20)
            try:
                with CpuWindow(bot, spec) as cpu:
                    load, begin, last, complete = await closed_loop(
                        driver, webhook, replies, batch, args.concurrency, timeout)
            finally:
                if profiler is not None:
                    result["profile"] = await stop_profiler(profiler)
            throughput = summarize(load, replies, len(batch))
            elapsed = (last - begin) if last else None
            throughput.update({
                "concurrency": args.concurrency,
                "complete": complete,
                "elapsed_s": round(elapsed, 3) if elapsed else None,
                "updates_per_s": round(throughput["replied"] / elapsed, 1) if elapsed else None,
                "bot_cpu_ms_per_update": round(cpu.bot_s * 1000 / len(batch), 2),
                "bot_cpu_share": round(cpu.bot_s / elapsed, 2) if elapsed else None,
                # the machine over the phase: how busy both cores were, and how much of that
                # was neither the bot, nor this process, nor PostgreSQL (other tenants)
                **cpu.figures(),
                "messages_per_update": round((replies.messages - messages_before) / len(batch), 3),
                "fake_errors": dict(getattr(fake, "errors", {})),
            })
            throughput["noisy"] = noisy(throughput, elapsed)
            result["throughput"] = throughput

            await asyncio.sleep(1.0)  # let the sender record its outcomes before light load
            light_batch = new_batch(max(1, round(args.light_rate * args.light_seconds)))
            with CpuWindow(bot, spec) as cpu:
                load, worst_lag = await open_loop(driver, webhook, replies, light_batch,
                                                  args.light_rate, 30.0)
            light = summarize(load, replies, len(light_batch))
            first = min(load.started.values(), default=0.0)
            light.update({"rate_per_s": args.light_rate, "seconds": args.light_seconds,
                          "driver_worst_lag_ms": ms(worst_lag), **cpu.figures(),
                          # [seconds into the phase, reply latency ms] per update, to see spikes
                          "timeline": [[round(begin - first, 3),
                                        ms(replies.first[chat] - begin)
                                        if chat in replies.first else None]
                                       for chat, begin in load.started.items()]})
            light["noisy"] = noisy(light, args.light_seconds)
            result["light"] = light

            await asyncio.sleep(args.settle)
            result["rss_idle_after_load_mb"] = round(bot.rss() / MB, 1)
    finally:
        await spec.cleanup()
    return result


def start_profiler(pid: int, path: Path) -> tuple[subprocess.Popen, Path] | None:
    """py-spy on the bot during the throughput phase (--profile): collapsed stacks to `path`."""
    py_spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if py_spy is None:
        print("(--profile: py-spy not found; `.venv/bin/pip install py-spy`)", file=sys.stderr)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([py_spy, "record", "--pid", str(pid), "--rate", "250", "--threads",
                             "--nonblocking", "--format", "raw", "--output", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _children.append(proc)
    return proc, path


async def stop_profiler(profiler: tuple[subprocess.Popen, Path] | None) -> str | None:
    if profiler is None:
        return None
    proc, path = profiler
    proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl+C
    for _ in range(200):  # at most 10 s
        if proc.poll() is not None:
            break
        await asyncio.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    _children.remove(proc)
    return str(path) if path.exists() else None


def _last_line(text: str) -> str:
    """The line of a log tail that says what went wrong: the last exception, else the end."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines
              if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line) and "Warning" not in line]
    return (errors or lines or [""])[-1][:300]


def _busy_share(before, after) -> float:
    """Share of all cores' time that was busy between two psutil.cpu_times() readings."""
    idle = (after.idle - before.idle) + (getattr(after, "iowait", 0) - getattr(before, "iowait", 0))
    total = sum(after) - sum(before)
    return min(1.0, max(0.0, (total - idle) / total)) if total > 0 else 0.0


@dataclass
class CpuWindow:
    """CPU accounting over one phase: the bot, this process, PostgreSQL, and the rest."""

    bot: BotProcess
    spec: BotSpec
    began: float = 0.0

    def __enter__(self) -> CpuWindow:
        self.began = time.monotonic()
        self._bot, self._own = self.bot.cpu_seconds(), _own_cpu()
        self._machine, self._db = psutil.cpu_times(), _db_server_cpu(self.spec)
        return self

    def __exit__(self, *exc) -> None:
        wall = time.monotonic() - self.began
        self.bot_s = self.bot.cpu_seconds() - self._bot
        self.own_s = _own_cpu() - self._own
        db = _db_server_cpu(self.spec)
        self.db_s = None if db is None else db - self._db
        # /proc/stat gives the busy share; capacity is wall time x cores (robust to a VM
        # whose tick counters jump); "others" = busy time that was none of ours.
        self.busy_share = _busy_share(self._machine, psutil.cpu_times())
        capacity = wall * (os.cpu_count() or 1)
        self.other_s = max(0.0, self.busy_share * capacity - self.bot_s - self.own_s
                           - (self.db_s or 0.0))

    def figures(self) -> dict[str, Any]:
        return {"bot_cpu_s": round(self.bot_s, 2),
                "driver_and_fake_cpu_s": round(self.own_s, 2),
                "db_server_cpu_s": None if self.db_s is None else round(self.db_s, 2),
                "machine_cpu_busy_share": round(self.busy_share, 2),
                "other_cpu_s": round(self.other_s, 2)}


def _db_server_cpu(spec: BotSpec) -> float | None:
    """CPU-seconds of the local PostgreSQL server processes (PostgreSQL runs only)."""
    if spec.key != "loaso-pg":
        return None
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info.get("cpu_times")
        if process.info.get("name") in ("postgres", "postmaster") and times is not None:
            total += times.user + times.system
    return total


async def wait_for_quiet(limit: float, threshold: float = 0.3) -> tuple[float, float]:
    """Wait (at most `limit` s) until the machine was under `threshold` busy for a second."""
    began = time.monotonic()
    while True:
        before = psutil.cpu_times()
        await asyncio.sleep(1.0)
        busy = _busy_share(before, psutil.cpu_times())
        waited = time.monotonic() - began
        if busy < threshold or waited >= limit:
            return waited, busy


def noisy(phase: dict[str, Any], wall: float | None) -> bool:
    """Other tenants took more than a quarter of the machine during this phase."""
    return bool(wall) and phase["other_cpu_s"] > NOISY_SHARE * wall * (os.cpu_count() or 1)


def _own_cpu() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


async def startup_times(spec: BotSpec, repeats: int, api_base: str, client: httpx.AsyncClient,
                        logdir: Path) -> list[float]:
    """Fresh spawns of an idle bot on one migrated database; seconds to healthy, each."""
    await spec.prepare(api_base)
    times = []
    try:
        for attempt in range(repeats):
            async with BotProcess(spec, api_base,
                                  logdir / f"startup-{spec.key}-{attempt}.log") as bot:
                times.append(round(await bot.wait_healthy(client), 3))
            await asyncio.sleep(0.5)
    finally:
        await spec.cleanup()
    return times


# -- report --------------------------------------------------------------------------------

def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "MISS")


def build_summary(runs: list[dict[str, Any]], startup: dict[str, list[float]],
                  keys: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    summary: dict[str, Any] = {}
    for key in keys:
        mine = [run for run in runs if run["bot"] == key and "throughput" in run]
        if not mine:
            continue
        summary[key] = {
            "runs": len(mine),
            "updates_per_s": [run["throughput"]["updates_per_s"] for run in mine],
            "updates_per_s_median": median([run["throughput"]["updates_per_s"] for run in mine]),
            "reply_p50_ms_median": median([run["throughput"]["reply_ms"]["p50"] for run in mine]),
            "reply_p95_ms_median": median([run["throughput"]["reply_ms"]["p95"] for run in mine]),
            "reply_p99_ms_median": median([run["throughput"]["reply_ms"]["p99"] for run in mine]),
            "cpu_ms_per_update_median": median(
                [run["throughput"]["bot_cpu_ms_per_update"] for run in mine]),
            "light_p50_ms_median": median([run["light"]["reply_ms"]["p50"] for run in mine]),
            "light_p95_ms_median": median([run["light"]["reply_ms"]["p95"] for run in mine]),
            "light_p95_ms_worst": max(run["light"]["reply_ms"]["p95"] or 0 for run in mine),
            "rss_after_start_mb_max": max(run["rss_idle_after_start_mb"] for run in mine),
            "rss_after_load_mb_max": max(run["rss_idle_after_load_mb"] for run in mine),
            "missing_replies": sum(run["throughput"]["missing"] + run["light"]["missing"]
                                   for run in mine),
        }
    for key, times in startup.items():
        summary.setdefault(key, {})["start_to_healthy_s"] = times
        summary[key]["start_to_healthy_s_median"] = median(times)

    echo = summary.get("echo", {}).get("updates_per_s_median")
    echo_cpu = summary.get("echo", {}).get("cpu_ms_per_update_median")
    for key in ("loaso-sqlite", "loaso-pg"):
        mine = summary.get(key, {}).get("updates_per_s_median")
        if echo and mine:
            summary[key]["ratio_to_echo"] = round(mine / echo, 2)
        # Less sensitive to the neighbours than wall-clock rates: bot CPU per update, echo
        # over Loa Số (1.0 = as cheap as the echo bot; below 1 = that much more CPU).
        mine_cpu = summary.get(key, {}).get("cpu_ms_per_update_median")
        if echo_cpu and mine_cpu:
            summary[key]["cpu_ratio_to_echo"] = round(echo_cpu / mine_cpu, 2)

    sqlite = summary.get("loaso-sqlite", {})
    targets = []

    def target(name: str, value, limit: str, ok: bool | None) -> None:
        targets.append({"target": name, "value": value, "limit": limit, "verdict": verdict(ok)})

    ratio = sqlite.get("ratio_to_echo")
    target("Loa Số throughput vs echo bot (SQLite)", ratio, f">= {TARGET_RATIO}x",
           None if ratio is None else ratio >= TARGET_RATIO)
    if "ratio_to_echo" in summary.get("loaso-pg", {}):
        pg_ratio = summary["loaso-pg"]["ratio_to_echo"]
        target("Loa Số throughput vs echo bot (PostgreSQL)", pg_ratio, f">= {TARGET_RATIO}x",
               pg_ratio >= TARGET_RATIO)
    p95 = sqlite.get("light_p95_ms_median")
    target("reply p95 at light load, SQLite (median of runs, ms)", p95,
           f"<= {TARGET_LIGHT_P95_MS:.0f}", None if p95 is None else p95 <= TARGET_LIGHT_P95_MS)
    for phase in ("start", "load"):
        rss = sqlite.get(f"rss_after_{phase}_mb_max")
        target(f"idle loaso serve RSS after {phase} (worst run, MB)", rss,
               f"<= {TARGET_RSS_MB:.0f}", None if rss is None else rss <= TARGET_RSS_MB)
    start = sqlite.get("start_to_healthy_s_median")
    target("loaso serve start to healthy (median, s)", start, f"<= {TARGET_START_S}",
           None if start is None else start <= TARGET_START_S)
    return summary, targets


def fmt(value, width: int = 8) -> str:
    if value is None:
        return "-".rjust(width)
    if isinstance(value, float):
        return f"{value:{width}.1f}"
    return str(value).rjust(width)


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    print()
    print(f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gb']} GB RAM, "
          f"Python {m['python']}, PTB {m['python_telegram_bot']}, {m['date']}")
    changed = m.get("bot_files_changed_since_commit") or []
    print(f"Loa Số at commit {m.get('git_commit')}"
          + (f" plus uncommitted changes in {len(changed)} file(s): {', '.join(changed[:8])}"
             + (" ..." if len(changed) > 8 else "") if changed else ""))
    a = report["args"]
    print(f"Load: {a['updates']} updates at concurrency {a['concurrency']} (throughput), "
          f"{a['light_rate']}/s for {a['light_seconds']} s (light), warm-up {a['warmup']}, "
          f"{a['rounds']} round(s), PostgreSQL in {min(a['pg_rounds'], a['rounds'])}, "
          f"driver {a.get('driver', 'httpx')}")
    print()
    header = (f"{'run':<24}{'upd/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'ack95':>8}"
              f"{'cpu/upd':>8}{'miss':>6} |{'lt p50':>8}{'lt p95':>8} |"
              f"{'start':>7}{'RSS0':>7}{'RSS1':>7}")
    print("Per run (latencies in ms; cpu/upd = bot CPU ms per update; lt = light load; "
          "RSS0/RSS1 = MB after start/after load)")
    print(header)
    print("-" * len(header))
    for run in report["runs"]:
        star = "*" if run.get("launcher", "loaso serve") != "loaso serve" else ""
        flag = "!" if any(run.get(phase, {}).get("noisy")
                          for phase in ("throughput", "light")) else ""
        name = f"{run['label']}{star} #{run['round']}{flag}"
        if "throughput" not in run:
            print(f"{name:<24} FAILED: {_last_line(run.get('error', ''))}")
            continue
        t, light = run["throughput"], run["light"]
        print(f"{name:<24}{fmt(t['updates_per_s'])}"
              f"{fmt(t['reply_ms']['p50'])}{fmt(t['reply_ms']['p95'])}{fmt(t['reply_ms']['p99'])}"
              f"{fmt(t['ack_ms']['p95'])}{fmt(t['bot_cpu_ms_per_update'])}"
              f"{fmt(t['missing'] + light['missing'], 6)} |"
              f"{fmt(light['reply_ms']['p50'])}{fmt(light['reply_ms']['p95'])} |"
              f"{run['start_to_healthy_s']:>7.2f}{run['rss_idle_after_start_mb']:>7.0f}"
              f"{run['rss_idle_after_load_mb']:>7.0f}")
    print()
    print("CPU during the throughput phase (CPU-seconds; 2 cores give 2 per second of wall time)")
    print(f"{'run':<24}{'wall s':>8}{'bot':>8}{'share':>7}{'driver':>8}{'PG srv':>8}"
          f"{'others':>8}{'busy':>7} | light phase:{'others':>7}{'busy':>6}")
    for run in report["runs"]:
        if "throughput" not in run:
            continue
        t = run["throughput"]
        star = "*" if run.get("launcher", "loaso serve") != "loaso serve" else ""
        print(f"{run['label'] + star + ' #' + str(run['round']):<24}{fmt(t['elapsed_s'])}"
              f"{fmt(t['bot_cpu_s'])}{t['bot_cpu_share'] or 0:>7.2f}"
              f"{fmt(t['driver_and_fake_cpu_s'])}{fmt(t['db_server_cpu_s'])}"
              f"{fmt(t['other_cpu_s'])}{t['machine_cpu_busy_share']:>7.0%} |"
              f"{'':12}{fmt(run['light']['other_cpu_s'], 7)}"
              f"{run['light']['machine_cpu_busy_share']:>6.0%}")
    print("(share = bot CPU / wall time, 1.0 = one core; driver = this process: load driver "
          "and fake Bot API; others = everything else on the machine; busy = both cores)")
    if any(run.get(phase, {}).get("noisy") for run in report["runs"]
           for phase in ("throughput", "light")):
        print(f"! = other tenants used more than {NOISY_SHARE:.0%} of the machine in a phase "
              "of this run: its figures say more about the neighbours than about the bot")
    print()
    print("Medians over runs")
    for key, data in report["summary"].items():
        if "updates_per_s_median" not in data and "start_to_healthy_s" not in data:
            continue
        line = f"  {key:<14}"
        if "updates_per_s_median" in data:
            line += (f" {data['updates_per_s_median']:.1f} upd/s "
                     f"(runs {', '.join(f'{v:.0f}' for v in data['updates_per_s'] if v)}),"
                     f" reply p50/p95/p99 {data['reply_p50_ms_median']:.0f}/"
                     f"{data['reply_p95_ms_median']:.0f}/{data['reply_p99_ms_median']:.0f} ms,"
                     f" light p50/p95 {data['light_p50_ms_median']:.1f}/"
                     f"{data['light_p95_ms_median']:.1f} ms")
        if "cpu_ms_per_update_median" in data:
            line += f", bot CPU {data['cpu_ms_per_update_median']:.1f} ms/update"
        if "ratio_to_echo" in data:
            line += f", ratio {data['ratio_to_echo']:.2f}x echo"
        if "cpu_ratio_to_echo" in data:
            line += f" (by CPU per update {data['cpu_ratio_to_echo']:.2f}x)"
        if "start_to_healthy_s" in data:
            line += f"; start to healthy {data['start_to_healthy_s']} s"
        print(line)
    for run in report["runs"]:
        if run.get("launcher", "loaso serve") != "loaso serve":
            print(f"  * {run['label']} #{run['round']} ran as `python -m bench.loaso_serve`: "
                  f"`loaso serve` failed to start on this database")
            break
    if report.get("postgresql_skipped"):
        print(f"  (PostgreSQL row skipped: {report['postgresql_skipped']})")
    print()
    print("Targets")
    for item in report["targets"]:
        print(f"  {item['verdict']}  {item['target']}: {item['value']} (target {item['limit']})")
    print()


# -- main ----------------------------------------------------------------------------------

async def main(args) -> int:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)

    workdir = Path(tempfile.mkdtemp(prefix="loaso-bench-"))
    logdir = workdir / "logs"
    logdir.mkdir()
    command = " ".join([".venv/bin/python -m bench.webhook_bench", *sys.argv[1:]])
    report: dict[str, Any] = {"machine": machine(), "command": command,
                              "args": vars(args), "runs": []}
    content = str(args.content_dir.resolve()) if args.content_dir else None
    specs = [BotSpec(key, label, workdir, content_dir=content, extra_env=args.loaso_env)
             for key, label in (("echo", "PTB echo"), ("loaso-sqlite", "Loa Số SQLite"))
             if key in args.bots]
    if "loaso-pg" not in args.bots:
        report["postgresql_skipped"] = "not in --bots"
    elif args.pg != "off":
        why = await pg_reachable(args.pg_admin_url)
        if why is None:
            specs.append(BotSpec("loaso-pg", "Loa Số PostgreSQL", workdir,
                                 pg_admin_url=args.pg_admin_url, content_dir=content,
                                 extra_env=args.loaso_env))
        elif args.pg == "require":
            print(f"PostgreSQL not reachable at {args.pg_admin_url}: {why}", file=sys.stderr)
            return 2
        else:
            report["postgresql_skipped"] = why
    else:
        report["postgresql_skipped"] = "--pg off"

    global ROUTE
    fake = {"telegram": lambda: FakeTelegram(token=TOKEN), "zalo-oa": FakeZaloOA,
            "zalo-bot": FakeZaloBot}[args.channel]()
    ROUTE = Route(args.channel, fake)
    replies = Replies()
    fake.on_send = replies
    started = time.monotonic()
    connections = max(256, args.concurrency * 2)
    try:
        async with (running(fake) as api_base,
                    httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client,
                    LoadDriver(args.driver, connections) as driver):
            print(f"fake {args.channel} API at {api_base}; bot logs in {logdir}", flush=True)

            startup: dict[str, list[float]] = {}
            if args.startup_repeats:
                for spec in specs:
                    if spec.key != "loaso-sqlite":
                        continue  # the target is about the default (SQLite) install
                    print(f"start-to-healthy x{args.startup_repeats}: {spec.label}", flush=True)
                    try:
                        startup[spec.key] = await startup_times(spec, args.startup_repeats,
                                                                api_base, client, logdir)
                    except RuntimeError as error:
                        print(f"  FAILED: {_last_line(str(error))}", flush=True)
                        report.setdefault("startup_errors", {})[spec.key] = str(error)

            for round_no in range(1, args.rounds + 1):
                for spec in specs:
                    if spec.key == "loaso-pg" and round_no > args.pg_rounds:
                        continue
                    if args.quiet_wait:
                        waited, busy = await wait_for_quiet(args.quiet_wait)
                        if waited >= 1:
                            print(f"(waited {waited:.0f} s for a quieter machine, "
                                  f"now {busy:.0%} busy)", flush=True)
                    print(f"round {round_no}: {spec.label} ...", end=" ", flush=True)
                    try:
                        run = await run_bot(spec, round_no, args, api_base, fake, replies,
                                            client, driver, logdir)
                    except RuntimeError as error:
                        print(f"FAILED\n{error}", flush=True)
                        report["runs"].append({"bot": spec.key, "label": spec.label,
                                               "round": round_no, "error": str(error)})
                        continue
                    report["runs"].append(run)
                    t = run["throughput"]
                    print(f"{t['updates_per_s']} upd/s, p95 {t['reply_ms']['p95']} ms, "
                          f"light p95 {run['light']['reply_ms']['p95']} ms, "
                          f"missing {t['missing'] + run['light']['missing']}", flush=True)
                    await asyncio.sleep(1.0)
    finally:
        _kill_children()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    report["launcher_notes"] = {spec.key: spec.launcher_note for spec in specs
                                if spec.launcher_note}
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    keys = [spec.key for spec in specs]
    report["startup"] = startup
    report["summary"], report["targets"] = build_summary(report["runs"], startup, keys)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n",
                           encoding="utf-8")
    print_report(report)
    print(f"wall time {report['wall_seconds']} s; JSON written to {args.output}")
    failed = [run for run in report["runs"] if "error" in run]
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhook_bench",
        description="Webhook-to-reply throughput and latency: Loa Số vs a plain PTB echo bot")
    parser.add_argument("--updates", type=int, default=2000,
                        help="updates in the throughput phase (default 2000)")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="webhook POSTs in flight in the throughput phase (default 32)")
    parser.add_argument("--light-rate", type=float, default=20.0,
                        help="updates per second in the open-loop light phase (default 20)")
    parser.add_argument("--light-seconds", type=float, default=10.0,
                        help="length of the light phase (default 10)")
    parser.add_argument("--warmup", type=int, default=50,
                        help="unmeasured updates before the throughput phase (default 50)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs per bot, interleaved echo, Loa Số, ... (default 2)")
    parser.add_argument("--startup-repeats", type=int, default=3,
                        help="fresh idle spawns of loaso serve (SQLite) timed to healthy "
                             "(default 3)")
    parser.add_argument("--settle", type=float, default=1.5,
                        help="idle seconds before each RSS reading (default 1.5)")
    parser.add_argument("--quiet-wait", type=float, default=0.0,
                        help="before each run, wait up to this many seconds for the machine "
                             "to be under 30%% busy (default 0: do not wait)")
    parser.add_argument("--pg", choices=["auto", "off", "require"], default="auto",
                        help="also run Loa Số on PostgreSQL: if reachable (auto), never, or "
                             "fail without it")
    parser.add_argument("--pg-rounds", type=int, default=1,
                        help="rounds that include the PostgreSQL row (default 1: the first)")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="where to create and drop a fresh database per PostgreSQL run")
    parser.add_argument("--bots", default="echo,loaso-sqlite,loaso-pg",
                        help="which bots to run; each round runs them in the order echo, "
                             "loaso-sqlite, loaso-pg (default: all three; loaso-pg only if "
                             "PostgreSQL is reachable)")
    parser.add_argument("--channel", choices=["telegram", "zalo-oa", "zalo-bot"],
                        default="telegram",
                        help="webhook route to load: /webhook/<channel> against that platform's "
                             "fake (default telegram; the Zalo routes run without the echo bot)")
    parser.add_argument("--driver", choices=DRIVERS, default="aiohttp",
                        help="HTTP client of the load phases (default aiohttp: the cheaper "
                             "one, so the driver does not set the pace; httpx as before commit 51f6e14)")
    parser.add_argument("--profile", action="store_true",
                        help="sample each bot with py-spy during the throughput phase; "
                             "collapsed stacks go next to the JSON file")
    parser.add_argument("--content-dir", type=Path, default=None,
                        help="content pack for Loa Số (LOASO_CONTENT_DIR); default: its own")
    parser.add_argument("--loaso-env", action="append", default=[], metavar="LOASO_X=VALUE",
                        help="extra setting for Loa Số, repeatable (e.g. "
                             "LOASO_SEND_CONCURRENCY=64); the benchmark's own settings win")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (databases, bot logs)")
    args = parser.parse_args(argv)
    extra = {}
    for item in args.loaso_env:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("LOASO_"):
            parser.error(f"--loaso-env wants LOASO_NAME=value, got {item!r}")
        extra[key] = value
    args.loaso_env = extra
    args.bots = [name.strip() for name in args.bots.split(",") if name.strip()]
    if args.channel != "telegram":
        args.bots = [name for name in args.bots if name != "echo"]  # the echo bot is PTB
    unknown = set(args.bots) - {"echo", "loaso-sqlite", "loaso-pg"}
    if unknown or not args.bots:
        parser.error(f"--bots: unknown {', '.join(sorted(unknown)) or '(empty)'}")
    for name in ("updates", "concurrency", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.light_rate <= 0 or args.light_seconds <= 0:
        parser.error("--light-rate and --light-seconds must be positive")
    if (args.updates > 100_000 or args.rounds > 20 or args.light_seconds > 600
            or not 0 <= args.quiet_wait <= 600):
        parser.error("keep it bounded: --updates <= 100000, --rounds <= 20, "
                     "--light-seconds <= 600, 0 <= --quiet-wait <= 600")
    return args


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import uvloop
    except ImportError:  # the bots use uvloop through uvicorn[standard]; so does the driver
        factory = None
    else:
        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        try:
            return runner.run(main(args))
        except (KeyboardInterrupt, asyncio.CancelledError):
            print("\ninterrupted; bot processes stopped", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(run())
