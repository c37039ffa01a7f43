"""Bulletins: occurrences from the pack, fired once per (bulletin, time), caught up on restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from sqlalchemy import insert, select

from content.loader import load_pack
from content.models import Bulletin
from db.models import BulletinOccurrence, OutboxMessage, Subscription, User
from scheduler.bulletins import all_bulletins, fire, occurrences, unfinished
from scheduler.jobs import CampaignScheduler
from tests.conftest import MINI_PACK, SHIPPED_PACK, count_rows

UTC = dt.UTC
ZONE = dt.timezone(dt.timedelta(hours=7))


def mini_pack(*bulletins: dict):
    pack, report = load_pack(MINI_PACK)
    assert pack is not None, report.render()
    pack.bulletins = [Bulletin.model_validate(bulletin) for bulletin in bulletins]
    return pack


WEEKLY = {"id": "hang-tuan", "schedule": {"cron": "0 19 * * 0"},
          "audience": {"everyone": True}, "text": "Mời bà con đọc tin trong tuần."}
XIV_ONLY = {"id": "trong-xiv", "stage": "trong-dai-hoi", "schedule": {"cron": "0 7 * * *"},
            "audience": {"topics": ["dai-hoi-xiv"]}, "text": "Tin Đại hội XIV hôm nay."}


async def subscribe(database, count: int, *, ref: str = "*", kind: str = "all",
                    hamlet: str | None = None, first: int = 1) -> None:
    now = dt.datetime.now(UTC)
    async with database.transaction() as session:
        await session.execute(insert(User), [
            {"id": first + index, "channel": "console", "address": f"r{first + index}",
             "status": "active", "consent_version": "1", "consent_at": now, "created_at": now,
             "last_seen_at": now, "hamlet_id": hamlet} for index in range(count)])
        await session.execute(insert(Subscription), [
            {"user_id": first + index, "kind": kind, "ref": ref, "created_at": now}
            for index in range(count)])


def test_cron_occurrences_are_in_the_campaign_time_zone():
    pack = mini_pack(WEEKLY)
    start = dt.datetime(2026, 3, 1, tzinfo=UTC)  # a Sunday
    found = [due for due in occurrences(pack, start, start + dt.timedelta(days=15))
             if due.bulletin.id == "hang-tuan"]
    assert [due.at for due in found] == [dt.datetime(2026, 3, day, 12, 0, tzinfo=UTC)
                                         for day in (1, 8, 15)]  # 19:00 in Hà Nội


def test_dates_anniversaries_and_phase_starts():
    pack = mini_pack({"id": "hai-lan", "schedule": {"at": ["2026-01-19T07:00:00",
                                                          "2026-01-25T07:00:00+07:00"]},
                      "audience": {"everyone": True}, "text": "x"})
    start, end = dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    found = {(due.bulletin.id, due.at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M"))
             for due in occurrences(pack, start, end)}
    assert ("hai-lan", "19/01/2026 07:00") in found
    assert ("hai-lan", "25/01/2026 07:00") in found
    # phases and stages announce their start (dot-2 starts the day after the city congress)
    starts = {bulletin_id for bulletin_id, _ in found if bulletin_id.startswith("bat-dau-")}
    assert starts == {"bat-dau-dot-1", "bat-dau-dot-2", "bat-dau-truoc-khai-mac",
                      "bat-dau-trong-dai-hoi", "bat-dau-dot-3"}


def test_shipped_pack_reminds_on_every_confirmed_anniversary():
    pack, report = load_pack(SHIPPED_PACK)
    assert pack is not None, report.render()
    reminders = {b.id for b in all_bulletins(pack) if b.id.startswith("nhac-")}
    anniversaries = {f"nhac-{e.id}" for e in pack.campaign.events
                     if e.kind == "anniversary" and e.confirmed}
    assert reminders == anniversaries and len(anniversaries) >= 4
    assert {b.id for b in pack.bulletins} >= {"doc-tin-hang-tuan", "nghi-quyet-dai-hoi-xiv"}


async def test_an_occurrence_fans_out_once_however_often_it_fires(database):
    await subscribe(database, 30)
    pack = mini_pack(WEEKLY)
    due = next(occurrences(pack, dt.datetime(2026, 3, 1, tzinfo=UTC),
                           dt.datetime(2026, 3, 2, tzinfo=UTC)))
    now = due.at
    results = await asyncio.gather(*(fire(database, pack, due, now=now) for _ in range(5)))
    assert sorted(results, key=lambda r: r or 0)[-1] == 30
    assert await count_rows(database, "outbox") == 30
    assert await count_rows(database, "bulletin_occurrences") == 1
    assert await fire(database, pack, due, now=now) is None
    assert await count_rows(database, "outbox") == 30


async def test_an_interrupted_fan_out_is_completed_without_duplicates(database):
    await subscribe(database, 12)
    pack = mini_pack(WEEKLY)
    due = next(occurrences(pack, dt.datetime(2026, 3, 1, tzinfo=UTC),
                           dt.datetime(2026, 3, 2, tzinfo=UTC)))
    async with database.transaction() as session:  # a crash after the occurrence row
        session.add(BulletinOccurrence(bulletin_id=due.bulletin.id, scheduled_for=due.at,
                                       created_at=due.at))
    assert await fire(database, pack, due, now=due.at) is None  # maybe still in progress
    assert await count_rows(database, "outbox") == 0
    later = due.at + dt.timedelta(minutes=5)  # the process that claimed it is gone
    found = await unfinished(database, pack, later)
    assert [item.key for item in found] == [due.key]
    assert await fire(database, pack, due, now=later) == 12
    async with database.read() as session:
        keys = (await session.execute(select(OutboxMessage.dedupe_key))).scalars().all()
    assert len(keys) == len(set(keys)) == 12


async def test_a_bulletin_for_another_stage_is_not_sent(database):
    await subscribe(database, 3, kind="topic", ref="dai-hoi-xiv")
    pack = mini_pack(XIV_ONLY)
    inside = [due for due in occurrences(pack, dt.datetime(2026, 1, 18, tzinfo=UTC),
                                         dt.datetime(2026, 1, 21, tzinfo=UTC))
              if due.bulletin.id == "trong-xiv"]
    assert len(inside) == 3  # 18 (before the congress), 19 and 20 January
    sent = [await fire(database, pack, due, now=due.at) for due in inside]
    assert sent == [None, 3, 3]
    assert await count_rows(database, "outbox") == 6


async def test_audience_of_topics_and_hamlets(database):
    await subscribe(database, 2, kind="topic", ref="dai-hoi-xiv", hamlet="thon-1")
    await subscribe(database, 3, kind="topic", ref="lich-su", hamlet="thon-1", first=10)
    await subscribe(database, 4, kind="all", hamlet="thon-2", first=20)
    pack = mini_pack({"id": "thon-1-xiv", "schedule": {"at": ["2026-05-01T07:00:00"]},
                      "audience": {"topics": ["dai-hoi-xiv"], "hamlets": ["thon-1"]},
                      "text": "Họp thôn 1."})
    due = next(due for due in occurrences(pack, dt.datetime(2026, 4, 30, tzinfo=UTC),
                                          dt.datetime(2026, 5, 2, tzinfo=UTC))
               if due.bulletin.id == "thon-1-xiv")
    assert await fire(database, pack, due, now=due.at) == 2
    async with database.read() as session:
        recipients = (await session.execute(select(OutboxMessage.recipient))).scalars().all()
    assert sorted(recipients) == ["r1", "r2"]


async def test_restart_fires_what_was_missed_within_grace_and_skips_older(database, caplog):
    await subscribe(database, 4)
    pack = mini_pack({"id": "vua-lo", "schedule": {"at": ["2026-05-01T07:00:00"]},
                      "audience": {"everyone": True}, "text": "Vừa lỡ."},
                     {"id": "lo-lau", "schedule": {"at": ["2026-04-30T07:00:00"]},
                      "audience": {"everyone": True}, "text": "Lỡ lâu rồi."})
    now = dt.datetime(2026, 5, 1, 0, 30, tzinfo=UTC)  # 07:30 in Hà Nội
    scheduler = CampaignScheduler(database, lambda: pack, grace=dt.timedelta(hours=1),
                                  retention_days=365, clock=lambda: now)
    with caplog.at_level(logging.WARNING):
        fired = await scheduler.catch_up()
    assert fired == ["vua-lo@2026-05-01T00:00:00+00:00"]
    assert "lo-lau@2026-04-30" in caplog.text and "skipped" in caplog.text
    assert await count_rows(database, "outbox") == 4
    again = CampaignScheduler(database, lambda: pack, grace=dt.timedelta(hours=1),
                              retention_days=365, clock=lambda: now)
    assert await again.catch_up() == []  # a second restart sends nothing twice
    assert await count_rows(database, "outbox") == 4


async def test_a_first_start_does_not_report_bulletins_due_before_the_database_existed(
        database, caplog):
    from db.models import AppSecret

    await subscribe(database, 2)
    pack = mini_pack({"id": "truoc-khi-cai", "schedule": {"at": ["2026-04-30T07:00:00",
                                                                  "2026-05-01T07:00:00"]},
                      "audience": {"everyone": True}, "text": "Trước khi cài."})
    now = dt.datetime(2026, 5, 1, 0, 30, tzinfo=UTC)
    async with database.transaction() as session:  # what `loaso migrate` records on an empty database
        session.add(AppSecret(name="installed_at", value="",
                              created_at=dt.datetime(2026, 5, 1, 0, 10, tzinfo=UTC)))
    scheduler = CampaignScheduler(database, lambda: pack, grace=dt.timedelta(hours=1),
                                  retention_days=365, clock=lambda: now)
    with caplog.at_level(logging.INFO):
        assert await scheduler.catch_up() == []
    assert "missed while stopped" not in caplog.text
    assert await count_rows(database, "outbox") == 0


async def test_the_running_scheduler_fires_a_planned_bulletin(database):
    await subscribe(database, 2)
    soon = dt.datetime.now(UTC) + dt.timedelta(seconds=1.5)
    local = soon.astimezone(ZONE).replace(tzinfo=None, microsecond=0) + dt.timedelta(seconds=1)
    pack = mini_pack({"id": "sap-toi", "schedule": {"at": [local.isoformat()]},
                      "audience": {"everyone": True}, "text": "Sắp tới."})
    woken = asyncio.Event()
    scheduler = CampaignScheduler(database, lambda: pack, grace=dt.timedelta(minutes=5),
                                  retention_days=365, wake_sender=woken.set)
    await scheduler.start()
    try:
        assert scheduler.planned() >= 1
        await asyncio.wait_for(woken.wait(), timeout=10)
    finally:
        await scheduler.stop()
    assert await count_rows(database, "outbox") == 2


async def test_reload_drops_jobs_of_a_removed_bulletin(database):
    soon = (dt.datetime.now(ZONE) + dt.timedelta(hours=2)).replace(tzinfo=None, microsecond=0)
    pack = mini_pack({"id": "sap-toi", "schedule": {"at": [soon.isoformat()]},
                      "audience": {"everyone": True}, "text": "Sắp tới."})
    current = {"pack": pack}
    scheduler = CampaignScheduler(database, lambda: current["pack"],
                                  grace=dt.timedelta(minutes=5), retention_days=365)
    await scheduler.start()
    try:
        ids = {job.id.split("@")[0] for job in scheduler.scheduler.get_jobs()}
        assert "sap-toi" in ids
        current["pack"] = mini_pack()
        scheduler.plan()
        ids = {job.id.split("@")[0] for job in scheduler.scheduler.get_jobs()}
        assert "sap-toi" not in ids
    finally:
        await scheduler.stop()


@pytest.mark.parametrize("bad, message", [
    ({"schedule": {"cron": "0 25 * * *"}}, "không đọc được"),
    ({"schedule": {"phase_start": "dot-9"}}, "không tồn tại"),
    ({"audience": {"hamlets": ["thon-9"]}}, "'thon-9' không có trong hamlets"),
    ({"article": "khong-co", "text": None}, "bài 'khong-co' không tồn tại"),
])
def test_bad_bulletins_fail_the_content_check(tmp_path, bad, message):
    import shutil

    import yaml

    pack_dir = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack_dir)
    bulletin = {"id": "hong", "schedule": {"cron": "0 7 * * *"},
                "audience": {"everyone": True}, "text": "x"}
    bulletin.update(bad)
    bulletin = {key: value for key, value in bulletin.items() if value is not None}
    (pack_dir / "bulletins.yaml").write_text(yaml.safe_dump([bulletin], allow_unicode=True),
                                             encoding="utf-8")
    pack, report = load_pack(pack_dir)
    assert pack is None
    assert any(message in problem for problem in report.render().splitlines()), report.render()
    assert "bulletins.yaml:" in report.render()
