"""The public pages on the shipped pack: what each shows, Open Graph tags, headers, 404s."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

from bot.public.links import ask_about, comment_on
from bot.public.render import TEMPLATES
from tests.public.conftest import article_ids, meta

PUBLIC = "https://loaso.xa.example"
PAGES = ["/", "/tin", "/tin/dot1-lich-su-dang", "/van-kien", "/lich", "/chat"]


async def test_every_page_is_vietnamese_html_with_the_security_headers(site):
    for path in PAGES:
        response = await site.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="vi">' in response.text
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "style=" not in response.text
        scripts = re.findall(r"<script[^>]*>", response.text)  # only the chat's own file
        assert scripts == ([] if path != "/chat" else
                           [re.search(r'<script src="/chat/static/chat\.js\?v=\w+" defer>',
                                      response.text).group(0)]), path
        assert unicodedata.is_normalized("NFC", response.text)


async def test_headings_are_in_order_on_every_page(site):
    for path in PAGES:
        levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", (await site.get(path)).text)]
        assert levels[0] == 1 and levels.count(1) == 1, path
        assert all(after <= before + 1 for before, after in zip(levels, levels[1:])), (path, levels)


async def test_open_graph_tags_use_the_public_address(site):
    page = (await site.get("/tin/dot1-lich-su-dang")).text
    article = site.pack.article_by_id["dot1-lich-su-dang"]
    assert meta(page, "og:type") == "article"
    assert html_lib.unescape(meta(page, "og:title")) == article.title
    assert html_lib.unescape(meta(page, "og:description")) == article.summary
    assert meta(page, "og:url") == f"{PUBLIC}/tin/dot1-lich-su-dang"
    listing = (await site.get("/tin")).text
    assert meta(listing, "og:type") == "website"
    assert meta(listing, "og:url") == f"{PUBLIC}/tin"
    assert meta(listing, "og:title") == "Tin Đại hội"
    assert "Đợt I" in meta(listing, "og:description")
    assert meta((await site.get("/")).text, "og:url") == f"{PUBLIC}/"


async def test_without_a_public_address_links_use_the_request_host(make_settings, clock_site):
    async with clock_site(make_settings()) as site:
        page = (await site.get("/tin")).text
    assert meta(page, "og:url") == "http://loaso.test/tin"


async def test_news_shows_the_current_phase_by_topic_then_earlier_phases(site):
    site.clock.set("2025-11-20")  # Đợt II, stage "Trước khai mạc Đại hội XIV"
    page = (await site.get("/tin")).text
    assert "Đợt II:" in page and "Giai đoạn hiện nay: Trước khai mạc Đại hội XIV." in page
    current, _, earlier = page.partition('<h2 id="cac-dot-truoc">Các đợt trước</h2>')
    view = site.service.content.current.visible(site.clock().date())
    in_stage = {article.id for article in view.articles_in("dot-2", "truoc-khai-mac")}
    assert article_ids(current) == in_stage
    for topic in view.topics_in("dot-2", "truoc-khai-mac"):
        assert f">{html_lib.escape(topic.name, quote=False)}</h2>" in current
    assert "<summary>Đợt II: Sau Đại hội Đảng bộ Thành phố</summary>" in earlier
    assert "<summary>Đợt I: " in earlier
    assert {article.id for article in view.articles_in("dot-1")} <= article_ids(earlier)


async def test_an_article_with_its_sources_and_the_chat_link(site):
    page = (await site.get("/tin/dot1-lich-su-dang")).text
    article = site.pack.article_by_id["dot1-lich-su-dang"]
    assert f"<h1>{html_lib.escape(article.title, quote=False)}</h1>" in page
    assert "Đăng ngày <time datetime=\"2025-07-28\">28/7/2025</time>" in page
    for source in article.sources:
        assert (f'<a href="{source.url}" target="_blank" rel="noopener noreferrer">'
                f"{html_lib.escape(source.title, quote=False)}</a>") in page
    assert f'<a class="button" href="{ask_about(article.id)}">Hỏi Loa Số</a>' in page
    assert ask_about(article.id) == "/chat?start=tin:dot1-lich-su-dang"


async def test_article_placeholders_read_as_being_updated(site):
    site.clock.set("2025-08-20")
    page = (await site.get("/tin/dot1-80-nam-cmt8-quoc-khanh")).text
    assert "CẦN BỔ SUNG" not in page and "(nội dung đang được cập nhật)" in page
    assert "<h2>Ở xã mình</h2>" in page  # a bold line alone is a sub-heading


async def test_head_answers_like_get_without_a_body(site):
    for path in ("/tin", "/tin/feed.xml"):
        full = await site.get(path)
        head = await site.client.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == full.headers["etag"]
        current = await site.client.head(path, headers={"If-None-Match": full.headers["etag"]})
        assert current.status_code == 304


async def test_unknown_article_is_a_404_page(site):
    for path in ("/tin/khong-co-bai-nay", "/tin/DOT1-LICH-SU-DANG", "/tin/a%3Cb%3E"):
        response = await site.get(path)
        assert response.status_code == 404, path
        assert "Không tìm thấy" in response.text and "<script" not in response.text
        assert response.headers["x-frame-options"] == "DENY"
        assert "etag" not in response.headers


async def test_drafts_open_for_comment_each_with_its_chat_link(site):
    page = (await site.get("/van-kien")).text
    draft = site.pack.drafts["du-thao-mau"]
    assert html_lib.escape(draft.title, quote=False) in page
    assert "Đang lấy ý kiến đến 23:59 ngày 31/12/2030." in page
    assert "Đây là văn bản MẪU" in page
    assert f'<a class="button" href="{comment_on(draft.id)}">Góp ý</a>' in page
    assert comment_on(draft.id) == "/chat?start=gy:du-thao-mau"
    for flat in site.pack.sections[draft.id]:
        assert html_lib.escape(flat.section.heading, quote=False) in page
    assert "Đã hết hạn góp ý" not in page


async def test_closed_and_future_drafts(make_settings, clock_site):
    async with clock_site(make_settings()) as site:  # the test pack: bao-cao, da-dong
        site.clock.set("2025-09-10")
        page = (await site.get("/van-kien")).text
        open_part, _, closed_part = page.partition("Đã hết hạn góp ý</h2>")
        assert comment_on("bao-cao") in open_part
        assert "Dự thảo đã hết hạn góp ý" in closed_part
        assert comment_on("da-dong") not in page  # no "Góp ý" once closed
        assert "Đã hết hạn góp ý lúc 17:00 ngày 31/08/2025." in closed_part
        site.clock.set("2025-07-25")  # da-dong opens on 1/8: not shown before
        page = (await site.get("/van-kien")).text
        assert comment_on("bao-cao") in page and "da-dong" not in page
        site.clock.set("2024-12-31")  # before either opens
        page = (await site.get("/van-kien")).text
        assert "Hiện chưa có dự thảo nào đang lấy ý kiến." in page
        assert "bao-cao" not in page and "da-dong" not in page


async def test_calendar_groups_upcoming_events_by_month(site):
    page = (await site.get("/lich")).text
    headings = re.findall(r'<h2 id="thang-\d+">([^<]+)</h2>', page)
    assert headings.index("Tháng 8/2025") < headings.index("Tháng 9/2025")
    assert "Đại hội đại biểu Đảng bộ xã Nam An Phụ lần thứ I" in page
    assert "(dự kiến)" in page  # the commune congress is not confirmed
    assert "Đầu năm 2026" in page  # the 14th Congress as it was known on 10/8/2025
    assert "Đã diễn ra gần đây" in page and "Ban hành Kế hoạch 04-KH/ĐU" in page


async def test_home_says_what_loa_so_is_and_links_to_chat_and_news(site):
    page = (await site.get("/")).text
    assert "<title>Loa Số — Đảng ủy xã Nam An Phụ</title>" in page
    assert '<a class="button" href="/chat">Trò chuyện với Loa Số</a>' in page
    assert '<a href="/tin">Đọc tin Đại hội</a>' in page
    assert "make run" in page and "1 dự thảo đang lấy ý kiến." in page


async def test_a_link_into_the_chat_names_what_it_was_about_and_what_to_press(site):
    page = (await site.get("/chat?start=tin:dot1-lich-su-dang")).text
    assert "95 năm Đảng ta" in page and 'href="/tin/dot1-lich-su-dang"' in page
    assert 'data-start="news:art:dot1-lich-su-dang"' in page
    page = (await site.get("/chat?start=gy:du-thao-mau")).text
    assert 'href="/van-kien#du-thao-mau"' in page and 'data-start="gy:d:du-thao-mau"' in page
    for junk in ("tin:<script>", "gy:khong-co", "tin:dot1-80-nam-cmt8-quoc-khanh", "x" * 400):
        page = (await site.get("/chat", params={"start": junk})).text
        assert "Bạn đang" not in page and "<script>" not in page and 'data-start=""' in page


async def test_the_style_sheet_is_served_small_and_for_a_year(site):
    page = (await site.get("/")).text
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', page).group(1)
    response = await site.get(href)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    assert len(response.content) < 8_000
    assert (await site.get("/static/..%2Fnews.py")).status_code == 404
    assert (await site.get("/static/nope.css")).status_code == 404


def test_templates_are_nfc():
    for path in TEMPLATES.glob("*.html"):
        assert unicodedata.is_normalized("NFC", path.read_text(encoding="utf-8")), path.name
