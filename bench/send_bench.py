"""Client CPU per Telegram send: PTB's HTTPXRequest beside Loa Số's AiohttpRequest.

    .venv/bin/python -m bench.send_bench                     # 5000 sends, 64 in flight, 2 rounds
    .venv/bin/python -m bench.send_bench --messages 2000 --loop asyncio

The fake Bot API (tests/fakes/telegram_api.py) runs as a subprocess, so that this process
holds only the client: its CPU time (`time.process_time()`, all threads) over a run,
divided by the messages sent, is what one sendMessage costs the sender. Each message is
`bot.do_api_request("sendMessage", api_kwargs={"chat_id": i, "text": "xin chào"})`, as
TelegramChannel.send makes it, with C in flight (C workers on one Bot). Runs alternate
between the clients (httpx, aiohttp, httpx, ...) so that machine noise hits both, each after
an unmeasured warm-up that also opens the connections; the fake's tally checks that every
message arrived exactly once. `--loop uvloop` (the default when installed) is the loop
`loaso serve` gets from uvicorn; `--loop asyncio` is the one of `loaso worker`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels.aiohttp_request import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegram

# do_api_request("sendMessage") is what TelegramChannel.send does on purpose; PTB's hint is noise.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'")

ROOT = Path(__file__).resolve().parent.parent
TOKEN = FakeTelegram.token
TEXT = "xin chào"

CLIENTS: dict[str, Callable[[int], BaseRequest]] = {
    "httpx": lambda pool: HTTPXRequest(connection_pool_size=pool),
    "aiohttp": lambda pool: AiohttpRequest(connection_pool_size=pool),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fake_call(base: str, path: str, body: dict | None = None) -> dict:
    """The fake's remote control (/_fake/stats, /_fake/config), outside the measured loop."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@contextlib.contextmanager
def fake_api() -> Iterator[str]:
    """The fake Bot API in its own process on a free loopback port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_api", "--port",
                             str(port)], cwd=ROOT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fake_call(base, "/_fake/stats")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the fake Bot API did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def send_all(bot: Bot, first_chat: int, count: int, concurrency: int) -> None:
    """`count` sendMessage calls, `concurrency` in flight; any failure aborts the run."""
    chats = iter(range(first_chat, first_chat + count))

    async def worker() -> None:
        for chat in chats:
            await bot.do_api_request("sendMessage", api_kwargs={"chat_id": chat, "text": TEXT})

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def one_run(name: str, base: str, args: argparse.Namespace) -> dict[str, float]:
    fake_call(base, "/_fake/config", {"reset": True})
    request = CLIENTS[name](args.concurrency)
    bot = Bot(TOKEN, base_url=f"{base}/bot", request=request)
    try:
        await send_all(bot, 1, args.warmup, args.concurrency)
        chat0 = 1_000_000
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await send_all(bot, chat0, args.messages, args.concurrency)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    finally:
        await request.shutdown()
    stats = fake_call(base, "/_fake/stats")
    expected = args.warmup + args.messages
    if stats["sent"] != expected or stats["duplicates"] or stats["errors"]:
        raise SystemExit(f"{name}: the fake saw {stats}, expected {expected} sends, no errors")
    return {"per_s": args.messages / wall, "cpu_ms": cpu * 1000 / args.messages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000, help="measured sends per run")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="sends in flight (and the connection pool size)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per client, alternating")
    parser.add_argument("--warmup", type=int, default=500, help="unmeasured sends per run")
    try:
        import uvloop  # noqa: F401
        default_loop = "uvloop"
    except ImportError:
        default_loop = "asyncio"
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default=default_loop)
    args = parser.parse_args()

    def run(coro):
        if args.loop == "uvloop":
            import uvloop
            return uvloop.run(coro)
        return asyncio.run(coro)

    print(f"send_bench: {args.messages} sendMessage per run, {args.concurrency} in flight, "
          f"{args.rounds} rounds, {args.loop} loop, fake Bot API in a subprocess")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in CLIENTS}
    with fake_api() as base:
        for round_ in range(1, args.rounds + 1):
            for name in CLIENTS:
                result = run(one_run(name, base, args))
                results[name].append(result)
                print(f"  round {round_} {name:8} {result['per_s']:8.0f} msg/s "
                      f"{result['cpu_ms']:7.3f} ms CPU/msg", flush=True)

    print(f"\n{'client':10}{'msg/s':>10}{'CPU ms/msg':>13}   (medians of {args.rounds} runs)")
    medians = {}
    for name, runs in results.items():
        medians[name] = {key: statistics.median(run[key] for run in runs)
                         for key in ("per_s", "cpu_ms")}
        print(f"{name:10}{medians[name]['per_s']:10.0f}{medians[name]['cpu_ms']:13.3f}")
    httpx, aio = medians["httpx"], medians["aiohttp"]
    print(f"ratio httpx/aiohttp: CPU per message {httpx['cpu_ms'] / aio['cpu_ms']:.2f}x, "
          f"throughput aiohttp/httpx {aio['per_s'] / httpx['per_s']:.2f}x")


if __name__ == "__main__":
    main()
