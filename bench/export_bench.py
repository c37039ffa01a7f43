"""Comment export at scale: 100,000 comments to CSV and XLSX, time and peak memory.

Run: .venv/bin/python -m bench.export_bench [--rows 100000] [--rounds 2] [--no-xlsx-baseline]

A fresh SQLite database gets `--rows` comments of Vietnamese text (bulk insert with the
stdlib driver). Each export then runs through `bot.reports.export.export_comments`, the
function `loaso comments export` calls, in this process (time, best of `--rounds`), and once
more as the real `loaso comments export` command in a child process for its peak RSS
(`/usr/bin/time -v` when present, else psutil sampling). Baselines in the same run, because
the machine is shared and noisy: a bare `SELECT` written with the stdlib csv module (what
any export costs at least), and xlsxwriter's own per-cell `write_string` in constant_memory
mode over the same rows (what our row writer replaces).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

from bot.reports.export import export_comments
from content.loader import load_pack
from db import migrations
from db.comments import CommentFilter
from db.engine import Database

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "packs" / "nam-an-phu"
LOASO = Path(sys.executable).parent / "loaso"
TARGETS = {"csv": 2.0, "xlsx": 5.0}
RSS_TARGET_MB = 200
STANCES = ("tan_thanh", "khong_tan_thanh", "dong_y_mot_phan")
STATUSES = ("moi", "moi", "moi", "da_xem", "tiep_thu", "khong_tiep_thu", "trung_lap", "spam")
SOURCES = ("telegram", "telegram", "telegram", "zalo-oa", "meeting", "console")
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")
TRICKY = ("=1+1", "+84912345678", "-1 ý kiến", "@cmd", " =HYPERLINK(\"x\")", "dòng 1\n=2+2")


def vocabulary() -> list[str]:
    words = []
    for path in sorted((SHIPPED / "articles").glob("*.md")):
        words += path.read_text(encoding="utf-8").split("---", 2)[-1].split()
    return [word for word in words if not word.startswith(("#", "[", "*", "|"))]


def generate(db_path: Path, rows: int, seed: int = 5) -> None:
    """Users and comments straight through sqlite3.executemany: seconds, not minutes."""
    rng = random.Random(seed)
    pack, report = load_pack(SHIPPED)
    assert pack is not None, report.render()
    words = vocabulary()
    hamlets = [hamlet.id for hamlet in pack.campaign.hamlets] or [None]
    drafts = [(draft_id, draft.version, pack.sections[draft_id])
              for draft_id, draft in pack.drafts.items()]
    users = max(1, rows // 5)
    start = dt.datetime(2025, 9, 1)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.executemany(
            "INSERT INTO users (id, channel, address, status, created_at, last_seen_at) "
            "VALUES (?, 'telegram', ?, 'active', ?, ?)",
            [(number, str(700_000_000 + number), str(start), str(start))
             for number in range(1, users + 1)])

        def comment(number: int) -> tuple:
            draft_id, version, sections = rng.choice(drafts)
            flat = rng.choice([None, *sections])
            text = " ".join(rng.choices(words, k=rng.randint(15, 70)))
            if number % 97 == 0:
                text = rng.choice(TRICKY)
            when = start + dt.timedelta(seconds=number * 37)
            return (f"GY-B{number:07d}", f"bench-{number}", draft_id, version,
                    flat.section.id if flat else None, flat.label if flat else "",
                    flat.order if flat else -1, "", rng.choice(STANCES), text,
                    rng.randint(1, users), rng.choice(NAMES) if rng.random() < 0.3 else None,
                    rng.choice(hamlets), rng.choice(SOURCES),
                    "Hội nghị thôn" if rng.random() < 0.1 else None, rng.choice(STATUSES),
                    " ".join(rng.choices(words, k=12)) if rng.random() < 0.2 else None,
                    " ".join(rng.choices(words, k=25)) if rng.random() < 0.1 else None,
                    str(when), str(when))

        connection.executemany(
            "INSERT INTO comments (receipt, submission_key, draft_id, draft_version, section_id, "
            "section_label, section_order, section_quote, stance, text, user_id, signed_name, "
            "hamlet_id, source, source_detail, status, staff_note, answer, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (comment(number) for number in range(1, rows + 1)))
    connection.close()


def bare_csv(db_path: Path, out: Path) -> int:
    """The floor: the same columns from one SELECT, written by csv.writer, nothing else."""
    connection = sqlite3.connect(db_path)
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in connection.execute(
                "SELECT receipt, draft_id, draft_version, section_label, stance, text, "
                "signed_name, hamlet_id, source, status, staff_note, answer, created_at "
                "FROM comments ORDER BY draft_id, section_order, id"):
            writer.writerow(row)
            count += 1
    connection.close()
    return count


def per_cell_xlsx(db_path: Path, out: Path) -> int:
    """xlsxwriter as documented: constant_memory, write_string for every cell."""
    connection = sqlite3.connect(db_path)
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True,
                                              "strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    count = 0
    for count, row in enumerate(connection.execute(
            "SELECT receipt, draft_id, draft_version, section_label, stance, text, "
            "signed_name, hamlet_id, source, status, staff_note, answer, created_at "
            "FROM comments ORDER BY draft_id, section_order, id"), start=1):
        for col, value in enumerate(row):
            if value is not None:
                sheet.write_string(count, col, str(value))
    workbook.close()
    connection.close()
    return count


def timed(function, *args) -> tuple[object, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


async def export_once(url: str, pack, out: Path, kind: str) -> tuple[int, float, float]:
    """Rows, wall seconds and CPU seconds (all threads: aiosqlite reads in its own)."""
    database = Database(url)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        published = await export_comments(database, pack, out=out, kind=kind,
                                          where=CommentFilter(), actor="bench")
        return published.rows, time.perf_counter() - started, time.process_time() - cpu
    finally:
        await database.dispose()


def cli_peak(env: dict[str, str], out: Path, kind: str) -> tuple[float, float]:
    """Peak RSS (MB) and wall time (s) of the real command in a child process."""
    command = [str(LOASO), "comments", "export", "--format", kind, "--out", str(out),
               "--by", "bench"]
    started = time.perf_counter()
    if Path("/usr/bin/time").exists():
        result = subprocess.run(["/usr/bin/time", "-v", *command], env=env, capture_output=True,
                                text=True, check=True)
        wall = time.perf_counter() - started
        kilobytes = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                                  result.stderr).group(1))
        return kilobytes / 1024, wall
    import psutil

    process = psutil.Popen(command, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    return peak / 2**20, time.perf_counter() - started


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-xlsx-baseline", action="store_true",
                        help="skip xlsxwriter's per-cell baseline (about 15 s)")
    args = parser.parse_args()
    pack, report = load_pack(SHIPPED)
    assert pack is not None, report.render()
    with tempfile.TemporaryDirectory(prefix="loaso-export-bench-") as temp:
        directory = Path(temp)
        db_path = directory / "bench.db"
        url = f"sqlite+aiosqlite:///{db_path}"

        async def migrate() -> None:
            database = Database(url)
            await migrations.upgrade(database)
            await database.dispose()

        asyncio.run(migrate())
        _, generate_seconds = timed(generate, db_path, args.rows)
        print(f"Generated {args.rows:,} comments in {generate_seconds:.1f} s "
              f"({db_path.stat().st_size / 2**20:.0f} MB SQLite)")

        figures: dict[str, float] = {"rows": args.rows}
        cpu = time.process_time()
        count, figures["baseline_csv_s"] = timed(bare_csv, db_path, directory / "bare.csv")
        figures["baseline_csv_cpu_s"] = round(time.process_time() - cpu, 2)
        assert count == args.rows
        for kind in ("csv", "xlsx"):
            seconds, cpu = [], []
            for _ in range(args.rounds):
                rows, elapsed, used = asyncio.run(
                    export_once(url, pack, directory / f"e.{kind}", kind))
                assert rows == args.rows, rows
                seconds.append(elapsed)
                cpu.append(used)
            figures[f"{kind}_s"] = min(seconds)
            figures[f"{kind}_cpu_s"] = round(min(cpu), 2)
            figures[f"{kind}_s_runs"] = [round(value, 2) for value in seconds]
            figures[f"{kind}_mb"] = round((directory / f"e.{kind}").stat().st_size / 2**20, 1)
        if not args.no_xlsx_baseline:
            _, figures["baseline_xlsx_per_cell_s"] = timed(per_cell_xlsx, db_path,
                                                           directory / "per-cell.xlsx")
        clean = {key: value for key, value in os.environ.items()
                 if not key.startswith("LOASO_")}
        env = {**clean, "LOASO_DATABASE_URL": f"sqlite:///{db_path}",
               "LOASO_CONTENT_DIR": str(SHIPPED), "LOASO_LOG_LEVEL": "WARNING"}
        for kind in ("csv", "xlsx"):
            peak, wall = cli_peak(env, directory / f"cli.{kind}", kind)
            figures[f"{kind}_cli_peak_rss_mb"] = round(peak, 1)
            figures[f"{kind}_cli_wall_s"] = round(wall, 2)
        shutil.rmtree(directory, ignore_errors=True)

    base = figures["baseline_csv_s"]
    print(f"\n{'measure':44} {'value':>10} {'target':>10}  result")
    for kind in ("csv", "xlsx"):
        value = figures[f"{kind}_s"]
        print(f"{kind.upper() + ' export (in process, best of ' + str(args.rounds) + ')':44} "
              f"{value:>8.2f} s {TARGETS[kind]:>8.1f} s  {verdict(value <= TARGETS[kind])}"
              f"   runs {figures[f'{kind}_s_runs']}, CPU {figures[f'{kind}_cpu_s']} s, "
              f"{value / base:.1f}× bare csv, {figures[f'{kind}_mb']} MB file")
    for kind in ("csv", "xlsx"):
        peak = figures[f"{kind}_cli_peak_rss_mb"]
        print(f"{'loaso comments export --format ' + kind + ' peak RSS':44} {peak:>7.0f} MB "
              f"{RSS_TARGET_MB:>7} MB  {verdict(peak <= RSS_TARGET_MB)}"
              f"   (command wall time {figures[f'{kind}_cli_wall_s']} s incl. start-up)")
    print(f"{'baseline: bare SELECT + stdlib csv.writer':44} {base:>8.2f} s"
          f"   (CPU {figures['baseline_csv_cpu_s']} s)")
    if "baseline_xlsx_per_cell_s" in figures:
        per_cell = figures["baseline_xlsx_per_cell_s"]
        print(f"{'baseline: xlsxwriter write_string per cell':44} {per_cell:>8.2f} s"
              f"   ({per_cell / figures['xlsx_s']:.1f}× our XLSX export)")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    rounded = {key: round(value, 3) if isinstance(value, float) else value
               for key, value in figures.items()}
    (results / "export.json").write_text(json.dumps(rounded, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
