"""Staff preview the public pages on another day under /admin/xem-truoc?as_of=…; the public
addresses ignore `as_of`, so nobody else can make them show another day."""

from __future__ import annotations

import pytest_asyncio

from tests.conftest import SHIPPED_PACK
from tests.console.conftest import HTML, Desk
from tests.public.conftest import article_ids

FUTURE = "dot3-dua-nghi-quyet-vao-cuoc-song"  # from 2/3/2026


@pytest_asyncio.fixture
async def staff_site(make_settings, clock_site):
    async with clock_site(make_settings(content_dir=SHIPPED_PACK)) as site:
        desk = Desk(site.client, site.service)
        await desk.account("bien.tap", "staff")
        await desk.account("truong.thon", "leader", areas=["thon-1"])
        site.desk = desk
        yield site


async def test_staff_see_another_day_with_links_kept_in_the_preview(staff_site):
    site = staff_site
    await site.desk.sign_in("bien.tap")
    response = await site.get("/admin/xem-truoc/tin?as_of=2026-03-02", headers=HTML)
    assert response.status_code == 200
    assert "<strong>Đợt III:</strong>" in response.text and FUTURE in article_ids(response.text)
    assert f'href="/admin/xem-truoc/tin/{FUTURE}?as_of=2026-03-02"' in response.text
    assert "Bản xem trước cho cán bộ." in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert response.headers["cache-control"] == "no-store" and "etag" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"
    article = await site.get(f"/admin/xem-truoc/tin/{FUTURE}?as_of=2026-03-02", headers=HTML)
    assert article.status_code == 200
    assert '<meta property="og:url" content="http://loaso.test/tin/' in article.text
    for path in ("", "/van-kien", "/lich"):
        assert (await site.get(f"/admin/xem-truoc{path}?as_of=2025-08-10",
                               headers=HTML)).status_code == 200, path
    # the day before, the article is not there yet, in the preview as anywhere
    assert (await site.get(f"/admin/xem-truoc/tin/{FUTURE}?as_of=2026-03-01",
                           headers=HTML)).status_code == 404
    # the public address ignores as_of, even for a signed-in staff member's browser
    public = await site.get("/tin?as_of=2026-03-02", headers=HTML)
    assert "<strong>Đợt I:</strong>" in public.text and FUTURE not in public.text
    assert (await site.get(f"/tin/{FUTURE}?as_of=2026-03-02")).status_code == 404


async def test_a_preview_of_another_day_ignores_the_pin_but_today_shows_it(staff_site):
    from db import campaign

    site = staff_site
    await site.desk.sign_in("bien.tap")
    async with site.service.database.transaction() as session:
        await campaign.set_override(session, phase_id="dot-3", stage_id=None, by="Kiểm thử",
                                    now=site.clock())
    today = (await site.get("/admin/xem-truoc/tin", headers=HTML)).text
    assert "<strong>Đợt III:</strong>" in today and "(đang theo giai đoạn cán bộ chọn)" in today
    other = (await site.get("/admin/xem-truoc/tin?as_of=2025-08-12", headers=HTML)).text
    assert "<strong>Đợt I:</strong>" in other


async def test_only_signed_in_staff_may_preview(staff_site):
    site = staff_site
    anonymous = await site.get("/admin/xem-truoc/tin?as_of=2026-03-02", headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
        "/admin/login?next=")
    assert (await site.get("/admin/xem-truoc/tin?as_of=2026-03-02")).status_code == 401
    await site.desk.sign_in("truong.thon")
    leader = await site.get("/admin/xem-truoc/tin?as_of=2026-03-02", headers=HTML)
    assert leader.status_code == 403 and FUTURE not in leader.text


async def test_a_bad_day_is_refused_clearly(staff_site):
    site = staff_site
    await site.desk.sign_in("bien.tap")
    for bad in ("2026-13-01", "01/03/2026", "hôm nay", "2026-03-01T00:00'"):
        response = await site.get("/admin/xem-truoc/tin", params={"as_of": bad}, headers=HTML)
        assert response.status_code == 400, bad
        assert "Ngày xem trước không hợp lệ" in response.text


async def test_the_console_navigation_offers_the_preview_to_staff_only(staff_site):
    site = staff_site
    await site.desk.sign_in("bien.tap")
    assert 'href="/admin/xem-truoc"' in (await site.get("/admin", headers=HTML)).text
    await site.desk.sign_in("truong.thon")
    assert 'href="/admin/xem-truoc"' not in (await site.get("/admin", headers=HTML)).text
