"""The console's comment queue at campaign scale: 10,000 residents and 100,000 comments, on
SQLite and on PostgreSQL; p50/p95 of 50 loads of each page, server time.

Run: .venv/bin/python -m bench.console_bench [--comments 100000] [--residents 10000]
     [--loads 50] [--backend sqlite|postgresql|both] [--pg-url postgresql+asyncpg://…/postgres]

The data is made with bulk Core inserts (text from the shipped articles, folded for search as
the model does). The app runs in this process with its real routes, sign-in and database;
each page is requested through the ASGI interface and timed from request to last byte, so the
figure is the server's time without a network. The target (issue 14) is p95 ≤ 300 ms.
SQLite's planner statistics are refreshed once after the data is made, as the active worker
does at start and daily (`--no-analyze` leaves them out, to see the difference).
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
from db.models import Comment, User

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"
TARGET_MS = 300
PASSWORD = "bench-mat-khau-dai"
STANCES = ("tan_thanh", "khong_tan_thanh", "dong_y_mot_phan")
STATUSES = ("moi", "moi", "moi", "da_xem", "tiep_thu", "khong_tiep_thu", "trung_lap", "spam")
SOURCES = ("telegram", "telegram", "telegram", "zalo-oa", "meeting")
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
    start = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
    async with database.transaction() as session:
        await session.execute(insert(User), [
            {"id": number, "channel": "telegram", "address": str(700_000_000 + number),
             "status": "active", "created_at": start, "last_seen_at": start}
            for number in range(1, residents + 1)])
    batch = []
    for number in range(comments):
        draft_id, version, sections = rng.choice(drafts)
        flat = rng.choice(sections) if sections and rng.random() < 0.85 else None
        text = " ".join(rng.choices(words, k=rng.randint(8, 60)))
        moment = start + dt.timedelta(seconds=number * 30 + rng.randint(0, 29))
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


def pages(pack) -> dict[str, str]:
    draft = next(iter(pack.drafts))
    hamlet = pack.campaign.hamlets[0].id
    return {
        "first page": "/admin/comments",
        "filtered (draft, status, hamlet)": f"/admin/comments?draft={draft}&status=moi&hamlet={hamlet}",
        "text search without diacritics": "/admin/comments?q=dai+hoi+dang",
        "filtered page 20": f"/admin/comments?draft={draft}&stance=khong_tan_thanh&page=20",
    }


async def measure(url: str, loads: int, residents: int, comments: int,
                  analyze: bool = True) -> dict[str, list[float]]:
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
    # what the active worker does at start and daily (scheduler/jobs.py, db/maintenance.py)
    if analyze:
        await refresh_statistics(database)
    await database.dispose()
    settings = Settings(_env_file=None, database_url=url, content_dir=SHIPPED,
                        run_dir=Path(tempfile.mkdtemp()) / "run")
    service = Service(settings)
    app = create_app(service, run_sender=False)
    timings: dict[str, list[float]] = {}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            form = await client.get("/admin/login", headers=HTML)
            token = client.cookies.get("loaso_login_csrf")
            assert form.status_code == 200
            signed = await client.post("/admin/login", headers=HTML, data={
                "username": "bench", "password": PASSWORD, "csrf_token": token})
            assert signed.status_code == 303, signed.text
            for name, path in pages(pack).items():
                for _ in range(3):  # warm the caches, as a page in use is
                    await client.get(path, headers=HTML)
                samples = []
                for _ in range(loads):
                    begin = time.perf_counter()
                    answer = await client.get(path, headers=HTML)
                    samples.append((time.perf_counter() - begin) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
                timings[name] = samples
    return timings


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
    parser.add_argument("--no-analyze", action="store_true",
                        help="leave SQLite without planner statistics")
    args = parser.parse_args()
    results = {}
    if args.backend in ("sqlite", "both"):
        print("SQLite")
        with tempfile.TemporaryDirectory(prefix="loaso-console-bench-") as folder:
            results["SQLite"] = asyncio.run(measure(
                f"sqlite+aiosqlite:///{folder}/bench.db", args.loads, args.residents,
                args.comments, analyze=not args.no_analyze))
    if args.backend in ("postgresql", "both"):
        print("PostgreSQL")
        results["PostgreSQL"] = asyncio.run(with_postgres(args.pg_url, lambda url: measure(
            url, args.loads, args.residents, args.comments)))
    print(f"\n| database | page | p50 ms | p95 ms | target p95 ≤ {TARGET_MS} ms |")
    print("| --- | --- | ---: | ---: | --- |")
    for backend, timings in results.items():
        for name, samples in timings.items():
            worst = p95(samples)
            print(f"| {backend} | {name} | {statistics.median(samples):.1f} | {worst:.1f} | "
                  f"{'met' if worst <= TARGET_MS else 'MISSED'} |")


if __name__ == "__main__":
    main()
