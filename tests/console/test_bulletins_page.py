"""/admin/bulletins: the next 14 days with audience sizes, skip one occurrence, pause a
bulletin (both kept in the database), past occurrences with their delivery counts; bad
requests refused with nothing written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from content.models import Bulletin
from db.models import BulletinOccurrence, BulletinPause, OutboxMessage
from scheduler.bulletins import occurrences
from tests.console.conftest import HTML
from tests.console.test_announcements import residents

DAILY = {"id": "sang-nay", "schedule": {"cron": "0 7 * * *"},
         "audience": {"hamlets": ["thon-1"], "everyone": True}, "text": "Tin sáng nay của xã."}


async def rows(desk, model) -> int:
    async with desk.database.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def staff_with_a_daily_bulletin(desk):
    desk.pack.bulletins = [Bulletin.model_validate(DAILY)]
    await residents(desk, "thon-1", 3)
    await residents(desk, "thon-2", 2)
    await desk.account("can.bo", "staff")
    await desk.sign_in("can.bo")
    now = dt.datetime.now(dt.UTC)
    return list(occurrences(desk.pack, now, now + dt.timedelta(days=14)))


async def test_the_next_14_days_with_audience_sizes_and_the_past_with_counts(desk):
    upcoming = await staff_with_a_daily_bulletin(desk)
    yesterday = upcoming[0].at - dt.timedelta(days=1)
    async with desk.database.transaction() as session:
        past = BulletinOccurrence(bulletin_id="sang-nay", scheduled_for=yesterday,
                                  recipients=3, created_at=yesterday)
        session.add(past)
        await session.flush()
        for number, status in enumerate(("sent", "sent", "failed")):
            session.add(OutboxMessage(channel="telegram", recipient=f"p{number}",
                                      payload={"text": "x"}, priority=0, status=status,
                                      attempts=1, next_attempt_at=yesterday,
                                      created_at=yesterday, batch=f"bulletin:{past.id}"))
    page = await desk.client.get("/admin/bulletins", headers=HTML)
    assert page.status_code == 200
    upcoming_html = page.text[page.text.index("next-title"):page.text.index("pause-title")]
    assert upcoming_html.count("Bỏ qua lần này") == len(upcoming) == 14
    assert upcoming_html.count('<td class="num">3</td>') == 14  # thon-1's subscribers
    past_html = page.text[page.text.index("past-title"):]
    assert '<td class="num">3</td>\n        <td class="num">2</td>\n        <td class="num">1</td>' \
        in past_html


async def test_skip_one_and_pause_the_bulletin_are_kept(desk):
    upcoming = await staff_with_a_daily_bulletin(desk)
    third = upcoming[2]
    answer = await desk.post("/admin/bulletins/skip", {"bulletin": "sang-nay",
                                                       "at": third.at.isoformat()})
    assert answer.status_code == 303
    async with desk.database.read() as session:
        [row] = (await session.execute(select(BulletinOccurrence))).scalars().all()
    assert (row.scheduled_for, row.recipients, row.skipped_by) == (third.at, 0, "Cán bộ can.bo")
    page = await desk.client.get("/admin/bulletins", headers=HTML)
    assert "Đã bỏ qua lần gửi này." in page.text and page.text.count("Đã bỏ qua</span>") == 1
    assert (await desk.post("/admin/bulletins/pause", {"bulletin": "sang-nay"})).status_code == 303
    async with desk.database.read() as session:
        pause = await session.get(BulletinPause, "sang-nay")
    assert pause.paused_by == "Cán bộ can.bo"
    page = await desk.client.get("/admin/bulletins", headers=HTML)
    assert page.text.count("Bản tin đang tạm dừng") == 14 and "Tiếp tục gửi sang-nay" in page.text
    await desk.post("/admin/bulletins/resume", {"bulletin": "sang-nay"})
    assert await rows(desk, BulletinPause) == 0
    assert [entry.action for entry in await desk.audit()][-3:] == [
        "bulletin.skip", "bulletin.pause", "bulletin.unpause"]


async def test_bad_requests_are_refused_and_nothing_is_written(desk):
    upcoming = await staff_with_a_daily_bulletin(desk)
    for form, problem in [
        ({"bulletin": "sang-nay", "at": "ngày mai"}, "Không rõ lần gửi nào"),
        ({"bulletin": "sang-nay", "at": "2020-01-01T00:00:00+00:00"}, "đã qua"),
        ({"bulletin": "sang-nay", "at": (upcoming[0].at + dt.timedelta(minutes=1)).isoformat()},
         "không có trong lịch"),
        ({"bulletin": "khong-co", "at": upcoming[0].at.isoformat()}, "Không có bản tin"),
    ]:
        answer = await desk.post("/admin/bulletins/skip", form)
        assert answer.status_code == 303
        page = await desk.client.get("/admin/bulletins", headers=HTML)
        assert problem in page.text and 'role="alert"' in page.text
    await desk.post("/admin/bulletins/pause", {"bulletin": "khong-co"})
    assert (await rows(desk, BulletinOccurrence), await rows(desk, BulletinPause)) == (0, 0)
    await desk.account("truong.thon", "leader", areas=["thon-1"])
    await desk.sign_in("truong.thon")
    answer = await desk.post("/admin/bulletins/pause", {"bulletin": "sang-nay"})
    assert answer.status_code == 403 and await rows(desk, BulletinPause) == 0
