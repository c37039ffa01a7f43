"""Whatever a pack author types is shown as text: markup in titles, summaries, bodies,
sources, draft and calendar texts never reaches the page or the feed as markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from bot.public.markdown import inline_html, to_html


class Tags(HTMLParser):
    """The elements, attribute names and link targets a browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()
        self.hrefs: list[str] = []

    @classmethod
    def of(cls, html: str) -> Tags:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag, attrs) -> None:
        self.names.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("href", "src", "action"):
                self.hrefs.append(value or "")


EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ATOM = "{http://www.w3.org/2005/Atom}"

ARTICLE = f"""---
id: bai-doc-hai
title: Tiêu đề {EVIL} it's
phases: [dot-1]
topic: lich-su
summary: Tóm tắt {EVIL} [bấm](javascript:alert(3))
from: 2025-07-25
sources:
  - title: Nguồn {EVIL} độc hại
    url: "javascript:alert(4)"
  - title: Nguồn có dấu ngoặc
    url: "https://dangcongsan.vn/a?b=1&c=<x>"
---
Đoạn một {EVIL}

[liên kết xấu](javascript:alert(5)) [dữ liệu](data:text/html;base64,PHNjcmlwdD4=)
[tốt](https://nhandan.vn/bai)

<a href='https://x.vn' onclick='alert(6)'>thẻ a</a>

![ảnh <b>](https://x.vn/a.png)
"""


async def test_markup_from_the_pack_is_escaped_everywhere(make_settings, clock_site, pack_copy):
    pack = pack_copy()
    (pack / "sources.yaml").unlink()  # unchecked sources: the page must still be safe
    (pack / "articles" / "bai-doc-hai.md").write_text(ARTICLE, encoding="utf-8")
    draft = (pack / "drafts" / "bao-cao.yaml")
    draft.write_text(draft.read_text(encoding="utf-8").replace(
        "summary: Dự thảo để kiểm thử.", f"summary: Dự thảo {EVIL}"), encoding="utf-8")
    async with clock_site(make_settings(content_dir=pack)) as site:
        site.clock.set("2025-08-10")
        pages = {path: (await site.get(path)).text
                 for path in ("/tin", "/tin/bai-doc-hai", "/van-kien", "/chat")}
        feed = (await site.get("/tin/feed.xml")).content
    for path, html in pages.items():
        tags = Tags.of(html)
        own_script = {"script"} if path == "/chat" else set()  # the chat's own, checked below
        assert not tags.names & ({"script", "img", "iframe", "object"} - own_script), path
        assert not [name for name in tags.attributes if name.startswith("on")], path
        assert all(href.startswith(("https://", "http://", "/", "#")) for href in tags.hrefs), path
    assert re.findall(r"<script[^>]*>", pages["/chat"]) == [
        re.search(r'<script src="/chat/static/chat\.js\?v=[0-9a-f]+" defer>', pages["/chat"]).group(0)]
    article = pages["/tin/bai-doc-hai"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert ("<h1>Tiêu đề &lt;script&gt;alert(1)&lt;/script&gt;"
            "&lt;img src=x onerror=alert(2)&gt; it&#39;s</h1>") in article
    assert "[bấm](javascript:alert(3))" in article  # left as text, not a link
    assert ('<a href="https://nhandan.vn/bai" target="_blank" rel="noopener noreferrer">tốt</a>'
            in article)
    assert "Nguồn &lt;script&gt;alert(1)&lt;/script&gt;" in article  # shown, not linked
    assert 'href="https://dangcongsan.vn/a?b=1&amp;c=&lt;x&gt;"' in article
    assert "&lt;a href='https://x.vn' onclick='alert(6)'&gt;" in article
    assert "ảnh &lt;b&gt;" in article  # an image shows its description only
    assert "Dự thảo &lt;script&gt;" in pages["/van-kien"]
    entry = next(entry for entry in ET.fromstring(feed).iter(f"{ATOM}entry")
                 if entry.find(f"{ATOM}id").text.endswith("/bai-doc-hai"))
    assert "<script" not in entry.find(f"{ATOM}content").text  # the HTML inside is escaped
    assert EVIL in entry.find(f"{ATOM}title").text  # plain text, escaped by XML itself
    assert b"<script" not in feed


def test_markdown_keeps_only_web_links_and_marks_them_external():
    html = to_html("[a](https://x.vn) [b](http://y.vn) [c](mailto:a@b.vn) [d](/tin) "
                   "[e](JaVaScRiPt:alert(1)) [f](vbscript:x) <https://z.vn>")
    assert html.count('target="_blank" rel="noopener noreferrer"') == 3  # a, b, the autolink
    assert "mailto:" not in html.replace("[c](mailto:a@b.vn)", "")
    assert 'href="/tin"' not in html and "javascript" not in html.lower().replace(
        "[e](javascript:alert(1))", "")


def test_markdown_headings_stay_below_the_page_heading():
    html = to_html("# Một\n\n## Hai\n\n**Ba**\n\nĐoạn **đậm** giữa câu.\n\n- **Bốn**")
    assert "<h2>Một</h2>" in html and "<h3>Hai</h3>" in html and "<h2>Ba</h2>" in html
    assert "<h1>" not in html and "Đoạn <strong>đậm</strong> giữa câu." in html
    assert "<li><strong>Bốn</strong></li>" in html  # a bold list item stays a list item


def test_summaries_render_inline_with_placeholders_filled():
    assert inline_html("Một *hai* [[CẦN BỔ SUNG: số liệu]]") == (
        "Một <em>hai</em> (nội dung đang được cập nhật)")
