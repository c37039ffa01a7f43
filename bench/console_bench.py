"""The console's comment queue at campaign scale: 10,000 residents and 100,000 comments, on
SQLite and on PostgreSQL; p50/p95 of 50 loads of each page, server time.

Run: .venv/bin/python -m bench.console_bench [--comments 100000] [--residents 10000]
     [--loads 50] [--backend sqlite|postgresql|both] [--pg-url postgresql+asyncpg://…/postgres]

The data is made with bulk Core inserts (text from the shipped articles, folded for search as
the model does). The app runs in this process with its real routes, sign-in and database;
each page is requested through the ASGI interface and timed from request to last byte, so the
figure is the server's time without a network. The target (issue 14) is p95 ≤ 300 ms.
SQLite's planner statistics are refreshed once after the data is made, as the active worker
does at start and daily, and PostgreSQL is vacuumed and analysed once, as autovacuum does
some time after a bulk load (`--no-analyze` leaves both out, to see the difference).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import insert

from bot.actions.accounts import add_account
from bot.app import create_app
from bot.console.passwords import hash_password
from bot.service import Service
from bot.settings import Settings
from content.loader import load_pack
from content.text import fold
from db import migrations
from db.audit import Who
from db.engine import Database
from db.maintenance import refresh_statistics
from db.models import Comment, OutboxMessage, QuizRound, Subscription, User

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"
TARGET_MS = 300
PASSWORD = "bench-mat-khau-dai"
STANCES = ("tan_thanh", "khong_tan_thanh", "dong_y_mot_phan")
STATUSES = ("moi", "moi", "moi", "da_xem", "tiep_thu", "khong_tiep_thu", "trung_lap", "spam")
SOURCES = ("telegram", "telegram", "telegram", "zalo-oa", "meeting")
CHANNELS = ("telegram", "telegram", "telegram", "zalo-oa", "zalo-bot")
OUTCOMES = ("sent",) * 17 + ("failed", "stopped", "queued")
BROADCASTS = 12
HTML = {"Accept": "text/html"}


def vocabulary() -> list[str]:
    words = []
    for path in sorted((SHIPPED / "articles").glob("*.md")):
        words += path.read_text(encoding="utf-8").split("---", 2)[-1].split()
    return [word for word in words if not word.startswith(("#", "[", "*", "|"))]


async def generate(database: Database, pack, *, residents: int, comments: int,
                   seed: int = 11) -> None:
    rng = random.Random(seed)
    words = vocabulary()
    hamlets = [hamlet.id for hamlet in pack.campaign.hamlets] + [None]
    drafts = [(draft_id, draft.version, pack.sections[draft_id])
              for draft_id, draft in pack.drafts.items()]
    # the comments spread over the 90 days up to now: the dashboard's last 30 days hold a third
    spacing = 90 * 86_400 // comments
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=spacing * comments)
    people = []
    for number in range(1, residents + 1):
        consented = rng.random() < 0.9
        people.append({
            "id": number, "channel": rng.choice(CHANNELS), "address": str(700_000_000 + number),
            "status": "active" if rng.random() < 0.97 else "stopped",
            "consent_version": "1" if consented else None,
            "consent_at": start if consented else None, "hamlet_id": rng.choice(hamlets),
            "created_at": start, "last_seen_at": start})
    async with database.transaction() as session:
        await session.execute(insert(User), people)
        subscribers = [person["id"] for person in people
                       if person["consent_at"] and rng.random() < 0.6]
        await session.execute(insert(Subscription), [
            {"user_id": user_id, "kind": "all", "ref": "*", "created_at": start}
            for user_id in subscribers])
        await session.execute(insert(QuizRound), [
            {"user_id": rng.choice(subscribers), "token": f"b{number:010d}",
             "questions": ["q"] * 10, "answers": [1] * 10, "score": rng.randint(0, 10),
             "started_at": start, "updated_at": start, "finished_at": start}
            for number in range(residents // 2)])
    # a bulletin or an announcement every few days, to every subscriber
    for number in range(BROADCASTS):
        batch = f"{'bulletin' if number % 3 else 'announcement'}:{number + 1}"
        async with database.transaction() as session:
            await session.execute(insert(OutboxMessage), [
                {"channel": "telegram", "recipient": str(user_id), "user_id": user_id,
                 "payload": {"type": "message", "text": "Bản tin"}, "priority": 0,
                 "status": rng.choice(OUTCOMES), "attempts": 1, "next_attempt_at": start,
                 "created_at": start, "batch": batch, "dedupe_key": f"{batch}:{user_id}:0"}
                for user_id in subscribers])
    batch = []
    for number in range(comments):
        draft_id, version, sections = rng.choice(drafts)
        flat = rng.choice(sections) if sections and rng.random() < 0.85 else None
        text = " ".join(rng.choices(words, k=rng.randint(8, 60)))
        moment = start + dt.timedelta(seconds=number * spacing + rng.randint(0, spacing - 1))
        batch.append({
            "receipt": f"GY-{number:08d}", "submission_key": f"bench:{number}",
            "draft_id": draft_id, "draft_version": version,
            "section_id": flat.section.id if flat else None,
            "section_label": flat.label[:400] if flat else "",
            "section_order": flat.order if flat else -1,
            "section_quote": flat.section.text[:1000] if flat else "",
            "stance": rng.choice(STANCES), "text": text, "search_text": fold(text),
            "user_id": rng.randint(1, residents), "hamlet_id": rng.choice(hamlets),
            "source": rng.choice(SOURCES), "status": rng.choice(STATUSES),
            "created_at": moment, "updated_at": moment})
        if len(batch) == 5000:
            async with database.transaction() as session:
                await session.execute(insert(Comment), batch)
            batch = []
    if batch:
        async with database.transaction() as session:
            await session.execute(insert(Comment), batch)


LEADER_PAGES = {"dashboard (a leader: one hamlet, one group)": "/admin"}


def pages(pack) -> dict[str, str]:
    draft = next(iter(pack.drafts))
    hamlet = pack.campaign.hamlets[0].id
    return {
        "dashboard": "/admin",
        "first page": "/admin/comments",
        "filtered (draft, status, hamlet)": f"/admin/comments?draft={draft}&status=moi&hamlet={hamlet}",
        "text search without diacritics": "/admin/comments?q=dai+hoi+dang",
        "filtered page 20": f"/admin/comments?draft={draft}&stance=khong_tan_thanh&page=20",
    }


async def measure(url: str, loads: int, residents: int, comments: int,
                  analyze: bool = True, only: str = "") -> dict[str, list[float]]:
    pack, report = load_pack(SHIPPED)
    assert pack is not None, report.render()
    database = Database(url)
    await migrations.upgrade(database)
    started = time.perf_counter()
    await generate(database, pack, residents=residents, comments=comments)
    print(f"  data: {residents:,} residents, {comments:,} comments in "
          f"{time.perf_counter() - started:.0f} s")
    async with database.transaction() as session:
        await add_account(session, pack, username="bench", name="Đo tốc độ", role="staff",
                          groups=[], areas=[], password_hash=hash_password(PASSWORD),
                          who=Who("bench"), now=dt.datetime.now(dt.UTC))
        await add_account(session, pack, username="bench.leader", name="Người phụ trách",
                          role="leader", groups=[pack.campaign.groups[0].id],
                          areas=[pack.campaign.hamlets[0].id],
                          password_hash=hash_password(PASSWORD), who=Who("bench"),
                          now=dt.datetime.now(dt.UTC))
    # what the active worker does at start and daily (scheduler/jobs.py, db/maintenance.py)
    if analyze:
        await refresh_statistics(database)
        if not database.is_sqlite:  # what autovacuum does some time after a bulk load:
            await settle(database)  # statistics, and the visibility map index-only scans need
    await database.dispose()
    settings = Settings(_env_file=None, database_url=url, content_dir=SHIPPED,
                        run_dir=Path(tempfile.mkdtemp()) / "run")
    service = Service(settings)
    app = create_app(service, run_sender=False)
    timings: dict[str, list[float]] = {}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        for username, wanted in (("bench", pages(pack)), ("bench.leader", LEADER_PAGES)):
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await sign_in(client, username)
                for name, path in wanted.items():
                    if only in name:
                        timings[name] = await load(client, path, loads)
    return timings


async def settle(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("VACUUM ANALYZE")


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/admin/login", headers=HTML)
    assert form.status_code == 200
    signed = await client.post("/admin/login", headers=HTML, data={
        "username": username, "password": PASSWORD,
        "csrf_token": client.cookies.get("loaso_login_csrf")})
    assert signed.status_code == 303, signed.text


async def load(client: httpx.AsyncClient, path: str, loads: int) -> list[float]:
    for _ in range(3):  # warm the caches, as a page in use is
        await client.get(path, headers=HTML)
    samples = []
    for _ in range(loads):
        begin = time.perf_counter()
        answer = await client.get(path, headers=HTML)
        samples.append((time.perf_counter() - begin) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


async def with_postgres(admin_url: str, work):
    import asyncpg

    name = "loaso_console_bench"
    plain = admin_url.replace("+asyncpg", "")
    admin = await asyncpg.connect(plain)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        return await work(admin_url.rsplit("/", 1)[0] + f"/{name}")
    finally:
        admin = await asyncpg.connect(plain)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", default="", help="only the pages whose name holds this")
    parser.add_argument("--no-analyze", action="store_true",
                        help="leave SQLite without planner statistics and PostgreSQL "
                             "unvacuumed (as right after a bulk load)")
    args = parser.parse_args()
    results = {}
    if args.backend in ("sqlite", "both"):
        print("SQLite")
        with tempfile.TemporaryDirectory(prefix="loaso-console-bench-") as folder:
            results["SQLite"] = asyncio.run(measure(
                f"sqlite+aiosqlite:///{folder}/bench.db", args.loads, args.residents,
                args.comments, analyze=not args.no_analyze, only=args.only))
    if args.backend in ("postgresql", "both"):
        print("PostgreSQL")
        results["PostgreSQL"] = asyncio.run(with_postgres(args.pg_url, lambda url: measure(
            url, args.loads, args.residents, args.comments, analyze=not args.no_analyze,
            only=args.only)))
    print(f"\n| database | page | p50 ms | p95 ms | target p95 ≤ {TARGET_MS} ms |")
    print("| --- | --- | ---: | ---: | --- |")
    for backend, timings in results.items():
        for name, samples in timings.items():
            worst = p95(samples)
            print(f"| {backend} | {name} | {statistics.median(samples):.1f} | {worst:.1f} | "
                  f"{'met' if worst <= TARGET_MS else 'MISSED'} |")


if __name__ == "__main__":
    main()
