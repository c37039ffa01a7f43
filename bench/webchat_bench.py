"""The web chat under load, on one `loaso serve` (SQLite, sender in the same process):

1. 2,000 web chats held open at once (each an event stream of its own session), and the
   server's memory per open chat: (RSS with them open − RSS before) / 2,000;
2. message → reply at 50 messages/s spread over those chats: from the POST to the reply's
   arrival on that chat's event stream, p50/p95/max (target, issue 15: p95 ≤ 100 ms), after
   40 messages one at a time (light load), and the server's CPU time per message;
3. what a first visit downloads, gzipped: /chat with its style sheets, script and icon, and
   the widget (widget.js, then the frame's page and files when the bubble is opened).

Run: .venv/bin/python -m bench.webchat_bench [--chats 2000] [--rate 50] [--seconds 20]

Sessions are written straight into the database before the server starts (the server hands
out only a few per network address and minute, and every client here is 127.0.0.1); for the
same reason the per-address message limit is off (LOASO_WEBCHAT_ADDRESS_RATE=0).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from db.engine import Database
from db.webchat_models import WebchatSession

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"
LOASO = str(Path(sys.executable).parent / "loaso")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def make_sessions(url: str, count: int) -> list[str]:
    database = Database(url)
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        session.add_all(WebchatSession(token_hash=hashlib.sha256(token.encode()).hexdigest(),
                                       address=f"wbench{number:011d}", created_at=now,
                                       last_seen_at=now) for number, token in enumerate(tokens))
    await database.dispose()
    return tokens


class Chat:
    """One open chat: an event stream read by a task, waking whoever waits for a reply."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.replies: asyncio.Queue[float] = asyncio.Queue()
        self.turn = asyncio.Lock()  # one message in flight per chat, so replies pair up

    async def open(self, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        self.writer.write((f"GET /chat/api/events?session={self.token} HTTP/1.1\r\n"
                           "Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").encode())
        await self.writer.drain()
        while True:  # headers, then the stream up to "ready"
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("stream closed")
            if line.startswith(b"event: ready"):
                break
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while line := await self.reader.readline():
            if line.startswith(b"data: ") and b'"author": "loaso"' in line:
                self.replies.put_nowait(time.perf_counter())

    def close(self) -> None:
        self.task.cancel()
        self.writer.close()


async def first_load(base: str) -> dict[str, int]:
    """Bytes a first visit downloads (gzip -6 of each response, as a proxy would send)."""
    async with httpx.AsyncClient(base_url=base) as client:
        async def size(path: str) -> int:
            return len(gzip.compress((await client.get(path)).content, 6))

        async def page_with_files(path: str) -> int:
            html = (await client.get(path)).text
            files = re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js|svg)(?:\?v=\w+)?)"', html)
            return len(gzip.compress(html.encode(), 6)) + sum([await size(f) for f in files])

        chat = await page_with_files("/chat")
        widget = await size("/chat/widget.js")
        frame = await page_with_files("/chat?embed=1")
    return {"chat": chat, "widget": widget, "widget_opened": widget + frame}


async def run(chats: int, rate: float, seconds: float) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="webchat-bench-"))
    url = f"sqlite+aiosqlite:///{folder}/bench.db"
    env = {**os.environ, "LOASO_DATABASE_URL": url, "LOASO_CONTENT_DIR": str(SHIPPED),
           "LOASO_RUN_DIR": str(folder / "run"), "LOASO_WEBCHAT_ADDRESS_RATE": "0",
           "LOASO_LOG_LEVEL": "WARNING"}
    subprocess.run([LOASO, "migrate"], env=env, check=True, capture_output=True, cwd=folder)
    tokens = await make_sessions(url, chats)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([LOASO, "serve", "--port", str(port)], env=env, cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            loads = await first_load(base)
            process = psutil.Process(server.pid)
            before = process.memory_info().rss
            opened: list[Chat] = []
            began = time.perf_counter()
            for start in range(0, chats, 100):
                batch = [Chat(token) for token in tokens[start:start + 100]]
                await asyncio.gather(*(chat.open(port) for chat in batch))
                opened += batch
            open_seconds = time.perf_counter() - began
            await asyncio.sleep(2)
            held = process.memory_info().rss
            assert process.is_running() and len(opened) == chats

            latencies: list[float] = []
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as sender:
                async def one(chat: Chat, number: int) -> None:
                    async with chat.turn:
                        while not chat.replies.empty():
                            chat.replies.get_nowait()
                        sent = time.perf_counter()
                        response = await sender.post("/chat/api/send", headers={"Origin": base},
                                                     json={"session": chat.token,
                                                           "id": f"bench{number:010d}",
                                                           "text": "/menu"})
                        assert response.status_code == 200, response.text
                        arrived = await asyncio.wait_for(chat.replies.get(), 60)
                        latencies.append((arrived - sent) * 1000)

                for number in range(40):  # light load first: one message at a time
                    await one(opened[number], 10_000_000 + number)
                light, latencies[:] = sorted(latencies), []
                cpu_before = sum(process.cpu_times()[:2])
                tasks, total = [], int(rate * seconds)
                start = time.perf_counter()
                for number in range(total):
                    await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
                    tasks.append(asyncio.create_task(one(opened[number % chats], number)))
                await asyncio.gather(*tasks)
                achieved = total / (time.perf_counter() - start)
                cpu_ms = (sum(process.cpu_times()[:2]) - cpu_before) * 1000 / total
            still_open = sum(not chat.task.done() for chat in opened)
            for chat in opened:
                chat.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    latencies.sort()
    return {
        "chats": chats, "open_seconds": round(open_seconds, 1), "still_open": still_open,
        "rss_before_mb": round(before / 2**20, 1), "rss_held_mb": round(held / 2**20, 1),
        "kb_per_chat": round((held - before) / chats / 1024, 1),
        "light_p50_ms": round(statistics.median(light), 1),
        "light_p95_ms": round(light[int(len(light) * 0.95) - 1], 1),
        "messages": len(latencies), "rate": round(achieved, 1),
        "server_cpu_ms_per_message": round(cpu_ms, 2), "load_average": os.getloadavg()[0],
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "max_ms": round(latencies[-1], 1), **{f"{k}_gzip_bytes": v for k, v in loads.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    result = asyncio.run(run(args.chats, args.rate, args.seconds))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
