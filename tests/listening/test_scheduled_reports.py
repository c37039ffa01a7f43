"""The campaign report on the pack's schedule: due weekly in a peak and the day after a
phase ends, written once, kept for download, sent to staff and admins as a Telegram
document (a console link on channels that cannot send files)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.reports.scheduled import due_reports
from content.loader import load_pack
from db.listening_models import CampaignReport
from db.models import OutboxMessage, Role, RoleGrant, User
from tests.conftest import MINI_PACK, wait_until
from tests.utils import running_app


@pytest.fixture(scope="module")
def pack():
    return load_pack(MINI_PACK)[0]


def with_peak(pack, *periods):
    from content.pack import Pack

    campaign = pack.campaign.model_copy(update={"reports": pack.campaign.reports.model_copy(
        update={"weekly_during": periods})})
    return Pack.build(campaign, pack.articles, pack.faq, pack.slogans, list(pack.drafts.values()),
                      bulletins=pack.bulletins, quiz=pack.quiz, sources=pack.sources)


def test_reports_are_due_weekly_in_a_peak_and_after_each_phase(pack):
    first = pack.windows[0]
    (ended,) = due_reports(pack, first.ends)
    assert (ended.reason, ended.first, ended.last) == (
        "phase_end", first.starts, first.ends - dt.timedelta(days=1))
    assert "kết thúc Đợt I" == ended.label
    peak = with_peak(pack, "dot-1")
    monday = first.starts + dt.timedelta(days=(7 - first.starts.weekday()) % 7 + 7)
    (weekly,) = due_reports(peak, monday)
    assert (weekly.first, weekly.last) == (monday - dt.timedelta(days=7),
                                          monday - dt.timedelta(days=1))
    assert due_reports(peak, monday + dt.timedelta(days=1)) == []
    assert due_reports(pack, monday) == []  # no peak named: no weekly report


async def test_the_report_goes_to_staff_as_a_document_once(telegram_settings, fake_telegram,
                                                         tmp_path):
    settings = telegram_settings(public_url="https://loaso.example", console_export_dir=tmp_path)
    async with running_app(settings) as (client, service):
        async with service.database.transaction() as session:
            for index, (channel, role) in enumerate((("telegram", Role.STAFF),
                                                     ("zalo-oa", Role.ADMIN),
                                                     ("telegram", Role.LEADER))):
                user = User(channel=channel, address=str(5550 + index), consent_at=dt.datetime.now(dt.UTC))
                session.add(user)
                await session.flush()
                session.add(RoleGrant(user_id=user.id, role=role, groups=[], areas=[]))
        pack = service.content.current.pack
        day_after = pack.windows[0].ends
        now = dt.datetime.combine(day_after, dt.time(8), pack.zone).astimezone(dt.UTC)
        (written,) = await service.send_campaign_reports(now)
        assert await service.send_campaign_reports(now) == []  # once per period
        await wait_until(lambda: fake_telegram.documents)
        async with service.database.read() as session:
            rows = list((await session.execute(select(CampaignReport))).scalars())
            queued = list((await session.execute(select(OutboxMessage).where(
                OutboxMessage.batch == f"report:{written.id}"))).scalars())
    (document,) = fake_telegram.documents
    assert document["chat_id"] == 5550 and document["file_name"] == written.file_name
    assert "kết thúc Đợt I" in document["caption"] and document["size"] > 5000
    link = next(row.payload for row in queued if row.channel == "zalo-oa")
    assert link["type"] == "message" and "https://loaso.example/admin/reports" in link["text"]
    assert len(rows) == 1 and (tmp_path / rows[0].stored_name).is_file()


async def test_the_opinion_digest_goes_to_staff_every_week(make_settings, database, tmp_path):
    from tests.utils import dialog

    async with dialog(make_settings(console_export_dir=tmp_path)) as talk:
        async with database.transaction() as session:
            user = User(channel="console", address="can-bo", consent_at=dt.datetime.now(dt.UTC))
            session.add(user)
            await session.flush()
            session.add(RoleGrant(user_id=user.id, role=Role.STAFF, groups=[], areas=[]))
        monday = dt.datetime(2026, 1, 12, 1, 0, tzinfo=dt.UTC)  # a Monday, no phase ends
        (row,) = await talk.service.send_campaign_reports(monday)
        assert await talk.service.send_campaign_reports(monday) == []
    assert (row.kind, row.period_from, row.period_to) == ("opinion", dt.date(2026, 1, 5),
                                                         dt.date(2026, 1, 11))
    async with database.read() as session:
        (notice,) = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.batch == f"report:{row.id}"))).scalars()
    assert notice.payload["text"].startswith("🗞 Tình hình dư luận 05/01/2026–11/01/2026")
    assert (tmp_path / row.stored_name).is_file()
