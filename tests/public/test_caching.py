"""ETag and Last-Modified on the public pages: 304 for a current copy, a new tag when what
the page shows changes (a content reload, a new day), none on a staff preview."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime, parsedate_to_datetime

from tests.conftest import SHIPPED_PACK
from tests.public.conftest import Clock, serving

PAGES = ["/", "/tin", "/tin/kiem-chung-thong-tin", "/van-kien", "/lich", "/tin/feed.xml"]


async def test_a_current_copy_gets_304_and_no_body(site):
    for path in PAGES:
        first = await site.get(path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('W/"') and first.headers["cache-control"] == "public, max-age=60"
        again = await site.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == etag
        assert (await site.get(path, headers={"If-None-Match": f'"x", {etag}'})).status_code == 304
        assert (await site.get(path, headers={"If-Modified-Since": modified})).status_code == 304
        assert (await site.get(path, headers={"If-None-Match": '"other"'})).status_code == 200
        earlier = format_datetime(parsedate_to_datetime(modified) - dt.timedelta(seconds=1),
                                  usegmt=True)
        assert (await site.get(path, headers={"If-Modified-Since": earlier})).status_code == 200
        # If-None-Match decides when both are sent
        assert (await site.get(path, headers={"If-None-Match": '"other"',
                                              "If-Modified-Since": modified})).status_code == 200
        assert (await site.get(path, headers={"If-Modified-Since": "mardi"})).status_code == 200


async def test_a_content_reload_changes_the_tag(make_settings, tmp_path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(SHIPPED_PACK, pack)
    clock = Clock()
    async with serving(make_settings(content_dir=pack), clock) as site:
        before = {path: (await site.get(path)).headers["etag"] for path in PAGES}
        unchanged = await site.service.reload_content()  # the same files: the same pages
        assert unchanged and {path: (await site.get(path)).headers["etag"]
                              for path in PAGES} == before
        article = pack / "articles" / "kiem-chung-thong-tin.md"
        article.write_text(article.read_text(encoding="utf-8").replace(
            "Nghe tin đồn về Đại hội?", "Nghe tin đồn về Đại hội ư?"), encoding="utf-8")
        assert await site.service.reload_content()
        changed = await site.get("/tin/kiem-chung-thong-tin",
                                 headers={"If-None-Match": before["/tin/kiem-chung-thong-tin"]})
        assert changed.status_code == 200 and "Đại hội ư?" in changed.text
        assert changed.headers["etag"] != before["/tin/kiem-chung-thong-tin"]
        assert (await site.get("/tin")).headers["etag"] != before["/tin"]
        assert (await site.get("/tin/feed.xml")).headers["etag"] != before["/tin/feed.xml"]


async def test_a_new_day_with_a_new_article_changes_the_tag(site):
    site.clock.set("2025-08-13")
    before = (await site.get("/tin")).headers["etag"]
    site.clock.set("2025-08-14")  # "80 năm Cách mạng Tháng Tám" appears
    response = await site.get("/tin", headers={"If-None-Match": before})
    assert response.status_code == 200 and "80 năm Cách mạng Tháng Tám" in response.text


async def test_a_page_that_comes_back_is_not_dated_before_the_change(site):
    """Pinned, then unpinned: the unpinned page is new again for a copy of the pinned one."""
    from db import campaign

    first = await site.get("/tin")
    async with site.service.database.transaction() as session:
        await campaign.set_override(session, phase_id="dot-3", stage_id=None, by="Kiểm thử",
                                    now=site.clock())
    site.clock.moment += dt.timedelta(minutes=5)
    pinned = await site.get("/tin")
    assert pinned.headers["etag"] != first.headers["etag"]
    async with site.service.database.transaction() as session:
        await campaign.clear_override(session, by="Kiểm thử", now=site.clock())
    site.clock.moment += dt.timedelta(minutes=5)
    back = await site.get("/tin", headers={"If-Modified-Since": pinned.headers["last-modified"]})
    assert back.status_code == 200 and back.headers["etag"] == first.headers["etag"]
    assert parsedate_to_datetime(back.headers["last-modified"]) > parsedate_to_datetime(
        pinned.headers["last-modified"])


async def test_errors_are_not_cached(site):
    response = await site.get("/tin/khong-co")
    assert response.status_code == 404 and response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
