"""`loaso comments export`: every matching comment as CSV or XLSX, streamed, then audited.

The jobs live in their own modules: `export_filters` (what staff ask for), `export_rows` (one
comment as one row, and the CSV writer), `export_xlsx` (the XLSX writer) and `publish` (the
audit row, SHA-256 and publication). This module ties them together.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.reports.export_filters import audit_filters, describe_filters
from bot.reports.export_rows import Progress, RowMaker, Tally, comment_rows, write_csv
from bot.reports.publish import Published, installation_key, publish
from content.pack import Pack
from db import comments as comment_queries
from db.comments import CommentFilter
from db.engine import Database

FORMATS = ("csv", "xlsx")


async def export_comments(database: Database, pack: Pack, *, out: Path, kind: str,
                          where: CommentFilter, actor: str,
                          progress: Progress | None = None) -> Published:
    """The export behind `loaso comments export` (and bench/export_bench.py)."""
    maker = RowMaker(pack, await installation_key(database))
    tally = Tally()

    async def write(path: Path) -> int:
        async with database.read() as session:
            if progress:
                progress.start(await comment_queries.count_comments(session, where))
            batches = comment_rows(session, where)
            if kind == "csv":
                await write_csv(path, maker, batches, tally, progress)
            else:
                # xlsxwriter loads for an XLSX export only (10 MB, not in every `serve`)
                from bot.reports.export_xlsx import summary_writer, write_xlsx

                summary = summary_writer(maker, tally, actor=actor,
                                         when=dt.datetime.now(pack.zone),
                                         filters=describe_filters(pack, where))
                await write_xlsx(path, maker, batches, tally, progress,
                                 draft_hint=where.draft_id, summary=summary)
        return tally.rows

    return await publish(database, out, kind=kind, actor=actor, filters=audit_filters(where),
                         write=write)
