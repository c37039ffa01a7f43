"""The campaign report on the pack's schedule (content `reports`): every week on its weekday
while a peak phase or stage runs (the week before), and the day after each phase ends (the
whole phase). Written into the console's report folder, kept (campaign_reports) for
download at /admin/reports, and sent to every staff and admin chat account: as a document
where the channel sends files (Telegram sendDocument), else as a console link.

A report is written once per (reason, period), so a restart or a second worker on the same
day sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bot.channels.registry import capabilities_of
from bot.reports import kept
from bot.reports.campaign import TITLE, period_of
from bot.reports.kept import FOLDER
from bot.reports.layout import letterhead
from bot.reports.publish import file_sha256
from bot.settings import Settings
from content.pack import Pack, Window
from db import outbox as outbox_queries
from db import roles
from db.engine import Database
from db.listening_models import CampaignReport
from db.models import Priority, User
from handlers import texts
from messages.render import render_document
from scheduler.notices import queue_notice

log = logging.getLogger(__name__)
DOWNLOADS = "/admin/reports"


@dataclass(frozen=True)
class Due:
    reason: str  # weekly, phase_end
    first: dt.date
    last: dt.date
    label: str  # the reason as staff read it


def _windows(pack: Pack) -> list[Window]:
    return [item for window in pack.windows for item in (window, *window.stages)]


def due_reports(pack: Pack, day: dt.date) -> list[Due]:
    """The reports due on `day` (campaign time) under the pack's schedule."""
    schedule = pack.campaign.reports
    due = []
    peaks = [window for window in _windows(pack) if window.id in schedule.weekly_during]
    if day.weekday() == schedule.weekday and any(
            window.contains(day - dt.timedelta(days=1)) for window in peaks):
        due.append(Due("weekly", day - dt.timedelta(days=7), day - dt.timedelta(days=1),
                       texts.REPORT_REASONS["weekly"]))
    if schedule.phase_end:
        for window in pack.windows:
            if window.ends == day:
                due.append(Due("phase_end", window.starts, day - dt.timedelta(days=1),
                               texts.REPORT_REASONS["phase_end"].format(phase=window.name)))
    return due


async def run_due(database: Database, pack: Pack, settings: Settings,
                  now: dt.datetime) -> list[CampaignReport]:
    """Write, keep and send the reports due today that were not written yet."""
    day = now.astimezone(pack.zone).date()
    folder = kept.report_folder(settings)
    written: list[CampaignReport] = []
    for due in due_reports(pack, day):
        async with database.read() as session:
            done = (await session.execute(select(CampaignReport.id).where(
                CampaignReport.reason == due.reason, CampaignReport.period_from == due.first,
                CampaignReport.period_to == due.last))).first()
        if done is not None:
            continue
        published = await kept.write(database, pack, settings, first=due.first, last=due.last,
                                     kind="docx", actor="Loa Số (tự động)", now=now,
                                     on_request=False)
        name = published.path.name
        async with database.transaction() as session:
            row = await kept.record(session, published, first=due.first, last=due.last,
                                    reason=due.reason, label=due.label, now=now)
            caption = texts.REPORT_CAPTION.format(
                title=TITLE, span=f"{due.first:%d/%m/%Y}–{due.last:%d/%m/%Y}", reason=due.label)
            link = f"{texts.REPORT_LINK} {(settings.public_url or '').rstrip('/')}{DOWNLOADS}"
            for user_id in await roles.staff_user_ids(session):
                user = await session.get(User, user_id)
                assert user is not None  # staff_user_ids reads existing residents
                for payload in render_document(str(published.path), name, caption, link,
                                               capabilities_of(user.channel)):
                    message = outbox_queries.new_message(
                        channel=user.channel, recipient=user.address, user_id=user.id,
                        payload=payload, priority=Priority.BULK, now=now)
                    message.batch = f"report:{row.id}"
                    session.add(message)
        log.info("campaign report %s written and sent (%s)", name, due.reason)
        written.append(row)
    if day.weekday() == pack.campaign.reports.weekday:
        opinion_row = await send_opinion(database, pack, settings, day, now, folder)
        if opinion_row is not None:
            written.append(opinion_row)
    return written


async def send_opinion(database: Database, pack: Pack, settings: Settings, day: dt.date,
                       now: dt.datetime, folder: Path) -> CampaignReport | None:
    """The weekly opinion summary of the week before: the DOCX kept, the digest in chat."""
    from bot.reports import opinion
    from bot.reports.layout import write_docx

    first, last = day - dt.timedelta(days=7), day - dt.timedelta(days=1)
    async with database.read() as session:
        if (await session.execute(select(CampaignReport.id).where(
                CampaignReport.kind == "opinion", CampaignReport.period_from == first))).first():
            return None
    gathered = await opinion.gather(database, pack, period_of(pack, first, last), now)
    name = f"tinh-hinh-du-luan-{first:%Y%m%d}-{last:%Y%m%d}.docx"
    write_docx(folder / name, opinion.document_spec(gathered, letterhead(settings, pack, "party"),
                                                    day))
    async with database.transaction() as session:
        row = CampaignReport(kind="opinion", period_from=first, period_to=last, file_name=name,
                             stored_name=f"{FOLDER}/{name}", sha256=file_sha256(folder / name),
                             reason="weekly", details={"label": texts.OPINION_TITLE},
                             created_at=now)
        session.add(row)
        await session.flush()
        for user_id in await roles.staff_user_ids(session):
            await queue_notice(session, user_id, opinion.digest(gathered),
                               batch=f"report:{row.id}", now=now)
    return row
