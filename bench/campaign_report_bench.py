"""The campaign report at commune scale: 10,000 residents, 100,000 comments, 5,000 questions
and reports, 1,000 meetings; time to write the DOCX and the XLSX, and peak memory.

Run: .venv/bin/python -m bench.campaign_report_bench [--backend sqlite|postgresql|both]
     [--pg-url postgresql+asyncpg://…/postgres] [--rounds 2]

Data go in through SQLAlchemy core in batches (the same code on both backends). The report
runs through `bot.reports.campaign.write_report`, the function `loaso report campaign`
calls, in this process (best of `--rounds`), then once as the real command in a child
process for its peak RSS (`/usr/bin/time -v`). Baseline in the same run, the machine being
shared: one grouped count over the comments (the floor of any report over them).
Targets: ≤ 10 s, ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.console_bench import with_postgres
from bot.reports.campaign import period_of, write_report
from bot.reports.layout import letterhead
from bot.settings import Settings
from content.loader import load_pack
from db import migrations
from db.engine import Database
from db.listening_models import Inquiry, Meeting, SearchMiss
from db.models import Comment, QuizRound, Subscription, User

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"
LOASO = Path(sys.executable).parent / "loaso"
TARGET_S, TARGET_MB = 10.0, 300
START = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
BATCH = 5000


def rows_of(pack, residents: int, comments: int, questions: int, meetings: int):
    rng = random.Random(17)
    hamlets = [hamlet.id for hamlet in pack.campaign.hamlets]
    groups = [group.id for group in pack.campaign.groups]
    topics = [topic.id for topic in pack.campaign.topics]
    drafts = [(draft_id, draft.version, pack.sections[draft_id])
              for draft_id, draft in pack.drafts.items()]

    def when(index: int) -> dt.datetime:
        return START + dt.timedelta(seconds=index * 97 % (90 * 86400))

    yield User, [{"id": n, "channel": rng.choice(("telegram", "telegram", "zalo-oa")),
                  "address": str(800_000_000 + n), "status": "active",
                  "consent_version": "1", "consent_at": when(n), "hamlet_id": rng.choice(hamlets),
                  "created_at": when(n), "last_seen_at": when(n)} for n in range(1, residents + 1)]
    yield Subscription, [{"user_id": n, "kind": "all", "ref": "*", "created_at": when(n)}
                         for n in range(1, residents + 1, 2)]
    yield QuizRound, [{"user_id": rng.randint(1, residents), "token": f"b{n}", "questions": [],
                       "answers": [], "score": rng.randint(0, 5), "started_at": when(n),
                       "updated_at": when(n), "finished_at": when(n)} for n in range(residents)]

    def comment(n: int) -> dict:
        draft_id, version, sections = rng.choice(drafts)
        flat = rng.choice([None, *sections])
        created = when(n)
        return {"receipt": f"GY-B{n:07d}", "submission_key": f"b{n}", "draft_id": draft_id,
                "draft_version": version, "section_id": flat.section.id if flat else None,
                "section_label": flat.label[:400] if flat else "",
                "section_order": flat.order if flat else -1, "section_quote": "",
                "stance": rng.choice(("tan_thanh", "khong_tan_thanh", "dong_y_mot_phan")),
                "text": "Ý kiến góp ý vào dự thảo", "search_text": "y kien gop y vao du thao",
                "user_id": rng.randint(1, residents), "hamlet_id": rng.choice(hamlets),
                "source": rng.choice(("telegram", "zalo-oa", "meeting")),
                "status": rng.choice(("moi", "da_xem", "tiep_thu", "khong_tiep_thu")),
                "answered_at": created + dt.timedelta(hours=rng.randint(1, 200))
                if rng.random() < 0.4 else None, "created_at": created, "updated_at": created}

    yield Comment, [comment(n) for n in range(1, comments + 1)]
    yield Inquiry, [{"receipt": f"PA-B{n:07d}", "submission_key": f"pa{n}",
                     "kind": rng.choice(("hoi", "tin_sai", "kien_nghi")), "text": "Câu hỏi",
                     "user_id": rng.randint(1, residents), "source": "telegram",
                     "status": rng.choice(("moi", "dang_xu_ly", "da_tra_loi")),
                     "tags": [rng.choice(topics)] if rng.random() < 0.7 else [],
                     "sensitive": rng.random() < 0.02, "created_at": when(n),
                     "updated_at": when(n)} for n in range(1, questions + 1)]
    yield Meeting, [{"held_on": when(n * 7).date(), "group_id": rng.choice(groups),
                     "hamlet_id": None, "topic_id": rng.choice(topics),
                     "attendance": rng.randint(10, 200), "comments_gathered": rng.randint(0, 20),
                     "author": "bench", "created_at": when(n), "updated_at": when(n)}
                    for n in range(1, meetings + 1)]
    yield SearchMiss, [{"query": f"tu khoa {n % 200}", "asker": f"{n:012x}", "times": 1,
                        "first_at": when(n), "last_at": when(n)} for n in range(3000)]


async def fill(url: str, pack, sizes: tuple[int, int, int, int]) -> None:
    database = Database(url)
    try:
        await migrations.upgrade(database)
        for table, rows in rows_of(pack, *sizes):
            for start in range(0, len(rows), BATCH):
                async with database.transaction() as session:
                    await session.execute(insert(table), rows[start:start + BATCH])
    finally:
        await database.dispose()


async def measure(url: str, pack, rounds: int, directory: Path) -> dict[str, float]:
    database = Database(url)
    head = letterhead(Settings(_env_file=None), pack, "party")
    period = period_of(pack, "2025-11-01", "2026-01-31")
    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        async with database.read() as session:
            await session.execute(select(Comment.draft_id, Comment.stance, Comment.status,
                                         Comment.source, func.count()).group_by(
                Comment.draft_id, Comment.stance, Comment.status, Comment.source))
        figures["baseline_s"] = time.perf_counter() - started
        for kind in ("docx", "xlsx"):
            runs = []
            for _ in range(rounds):
                started = time.perf_counter()
                await write_report(database, pack, period, out=directory / f"r.{kind}",
                                   kind=kind, actor="bench", head=head,
                                   now=dt.datetime.now(dt.UTC))
                runs.append(time.perf_counter() - started)
            figures[f"{kind}_s"] = min(runs)
    finally:
        await database.dispose()
    return figures


def cli_peak(url: str, out: Path) -> float:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LOASO_")}
    env = {**clean, "LOASO_DATABASE_URL": url, "LOASO_CONTENT_DIR": str(SHIPPED),
           "LOASO_ENV_FILE": "", "LOASO_LOG_LEVEL": "WARNING"}
    result = subprocess.run(["/usr/bin/time", "-v", str(LOASO), "report", "campaign", "--from",
                             "2025-11-01", "--to", "2026-01-31", "--format", "xlsx", "--out",
                             str(out), "--force"], env=env, capture_output=True, text=True,
                            check=True)
    kilobytes = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                              result.stderr).group(1))
    return kilobytes / 1024


def run_backend(url: str, pack, args, directory: Path) -> dict[str, float]:
    started = time.perf_counter()
    asyncio.run(fill(url, pack, (args.residents, args.comments, args.questions, args.meetings)))
    print(f"  filled in {time.perf_counter() - started:.0f} s")
    figures = asyncio.run(measure(url, pack, args.rounds, directory))
    figures["peak_mb"] = cli_peak(url, directory / "cli.xlsx")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=5_000)
    parser.add_argument("--meetings", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pack, report = load_pack(SHIPPED)
    assert pack is not None, report.render()
    results = {}
    with tempfile.TemporaryDirectory(prefix="loaso-campaign-bench-") as temp:
        directory = Path(temp)
        if args.backend in ("sqlite", "both"):
            print("SQLite")
            results["SQLite"] = run_backend(f"sqlite+aiosqlite:///{directory / 'bench.db'}",
                                            pack, args, directory)
        if args.backend in ("postgresql", "both"):
            print("PostgreSQL")

            async def on_postgres(url: str):
                return await asyncio.to_thread(run_backend, url, pack, args, directory)

            results["PostgreSQL"] = asyncio.run(with_postgres(args.pg_url, on_postgres))
    print(f"\n{'database':12} {'DOCX s':>8} {'XLSX s':>8} {'baseline s':>11} {'peak MB':>8}  "
          f"target ≤ {TARGET_S:.0f} s, ≤ {TARGET_MB} MB")
    for name, figures in results.items():
        met = max(figures["docx_s"], figures["xlsx_s"]) <= TARGET_S and \
            figures["peak_mb"] <= TARGET_MB
        print(f"{name:12} {figures['docx_s']:>8.2f} {figures['xlsx_s']:>8.2f} "
              f"{figures['baseline_s']:>11.3f} {figures['peak_mb']:>8.0f}  "
              f"{'met' if met else 'MISSED'} (XLSX {figures['xlsx_s'] / figures['baseline_s']:.0f}× "
              "the grouped count)")


if __name__ == "__main__":
    main()
