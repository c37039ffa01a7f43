"""Nothing from the future: on 10/8/2025 and 1/3/2026, every page shows exactly the articles,
events and drafts true that day (the same `Content.visible(day)` the chat asks)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from tests.public.conftest import article_ids

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("day", ["2025-08-10", "2026-03-01"])
async def test_no_article_before_its_day(site, day):
    site.clock.set(day, "23:59")  # late in the day: tomorrow's article is still hidden
    today = dt.date.fromisoformat(day)
    pack = site.pack
    true_today = {article.id for article in pack.articles if article.visible_on(today)}
    not_yet = {article.id for article in pack.articles if article.from_ > today}
    assert true_today and not_yet  # the shipped pack has both on these days

    listed = article_ids((await site.get("/tin")).text)
    assert listed and listed <= true_today
    assert not listed & not_yet
    for article in pack.articles:
        response = await site.get(f"/tin/{article.id}")
        assert response.status_code == (200 if article.id in true_today else 404), article.id

    feed = ET.fromstring((await site.get("/tin/feed.xml")).content)
    in_feed = {entry.find(f"{ATOM}id").text.rsplit("/", 1)[1]
               for entry in feed.iter(f"{ATOM}entry")}
    assert in_feed and in_feed <= true_today

    for path in ("/", "/tin", "/van-kien", "/tin/feed.xml"):
        text = (await site.get(path)).text
        for article_id in not_yet:
            title = pack.article_by_id[article_id].title
            assert title not in text, (path, article_id)

    calendar = (await site.get("/lich")).text
    hidden = [event for event in pack.campaign.events if not event.visible_on(today)]
    if day == "2025-08-10":
        assert hidden  # the consultation of October is not in the calendar yet
    for event in hidden:
        assert event.name not in calendar, event.id


async def test_on_1_march_2026_the_next_days_article_is_hidden(site):
    site.clock.set("2026-03-01", "23:59")
    assert (await site.get("/tin/dot3-dua-nghi-quyet-vao-cuoc-song")).status_code == 404
    site.clock.set("2026-03-02", "00:00")
    assert (await site.get("/tin/dot3-dua-nghi-quyet-vao-cuoc-song")).status_code == 200


async def test_the_calendar_shows_events_as_known_that_day(site):
    site.clock.set("2025-08-10")
    page = (await site.get("/lich")).text
    assert "Đầu năm 2026" in page and "19–23/1/2026" not in page and "19–25/1/2026" not in page
    assert "Lấy ý kiến Nhân dân vào dự thảo" not in page  # in the calendar from 15/10/2025
    site.clock.set("2026-03-01")
    page = (await site.get("/lich")).text
    assert "19–23/1/2026" in page and "Đầu năm 2026" not in page and "19–25/1/2026" not in page


async def test_the_phase_follows_the_date_and_staffs_pin(site):
    from db import campaign

    site.clock.set("2026-03-01")
    page = (await site.get("/tin")).text
    assert "<strong>Đợt III:</strong>" in page
    async with site.service.database.transaction() as session:
        await campaign.set_override(session, phase_id="dot-2", stage_id="trong-dai-hoi",
                                    by="Kiểm thử", now=site.clock())
    page = (await site.get("/tin")).text
    assert "<strong>Đợt II:</strong>" in page and "Tiểu ban Tuyên truyền và Phục vụ Đại hội đang chọn" in page
    assert "Trong thời gian diễn ra Đại hội XIV" in page
