"""Campaign reports kept for download at /admin/reports (table campaign_reports): written into
the console's report folder and recorded, whether the pack's schedule asked for one
(scheduled.py, which sends it to staff in the same transaction as the record) or a staff
member did from the console's reports page (audited in that transaction)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.campaign import period_of, write_report
from bot.reports.layout import letterhead
from bot.reports.publish import Published
from bot.settings import Settings
from content.pack import Pack
from db.engine import Database
from db.listening_models import CampaignReport

FOLDER = "reports"  # under LOASO_CONSOLE_EXPORT_DIR
ON_REQUEST = "on_demand"  # CampaignReport.reason of a report a staff member asked for


def report_folder(settings: Settings) -> Path:
    folder = Path(settings.console_export_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_name(first: dt.date, last: dt.date, kind: str, *, made: dt.datetime | None = None) -> str:
    """bao-cao-ke-hoach-<from>-<to>.<kind>; one asked for carries the time it was made, so
    asking twice for the same period keeps both."""
    stamp = f"-lap-{made:%Y%m%d%H%M%S}" if made is not None else ""
    return f"bao-cao-ke-hoach-{first:%Y%m%d}-{last:%Y%m%d}{stamp}.{kind}"


async def write(database: Database, pack: Pack, settings: Settings, *, first: dt.date,
                last: dt.date, kind: str, actor: str, now: dt.datetime,
                on_request: bool) -> Published:
    """The report for [first, last] in the report folder (not yet recorded)."""
    name = file_name(first, last, kind, made=now.astimezone(pack.zone) if on_request else None)
    return await write_report(
        database, pack, period_of(pack, first, last), out=report_folder(settings) / name,
        kind=kind, actor=actor, head=letterhead(settings, pack, "party"), now=now)


async def record(session: AsyncSession, published: Published, *, first: dt.date,
                 last: dt.date, reason: str, label: str, now: dt.datetime) -> CampaignReport:
    """The written report kept for download (flushed: its id is known)."""
    name = published.path.name
    row = CampaignReport(kind="campaign", period_from=first, period_to=last, file_name=name,
                         stored_name=f"{FOLDER}/{name}", sha256=published.sha256, reason=reason,
                         details={"label": label}, created_at=now)
    session.add(row)
    await session.flush()
    return row
