"""/tin/feed.xml: valid Atom (RFC 4287) the portal can pull, one entry per article of the day."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://loaso.xa.example"


def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None  # RFC 3339 date-times carry their offset
    return moment


async def test_the_feed_is_atom_with_every_article_of_the_day(site):
    site.clock.set("2025-09-30")
    response = await site.get("/tin/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    assert feed.find(f"{ATOM}id").text == f"{PUBLIC}/tin/feed.xml"
    assert feed.find(f"{ATOM}title").text == "Tin Đại hội — Đảng ủy xã Nam An Phụ"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Đảng ủy xã Nam An Phụ"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": f"{PUBLIC}/tin/feed.xml", "alternate": f"{PUBLIC}/tin"}

    day = dt.date(2025, 9, 30)
    expected = sorted((article for article in site.pack.articles if article.visible_on(day)),
                      key=lambda article: (article.published, article.id), reverse=True)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}id").text for entry in entries] == [
        f"{PUBLIC}/tin/{article.id}" for article in expected]
    assert _time(feed.find(f"{ATOM}updated").text) == _time(
        entries[0].find(f"{ATOM}updated").text)
    for entry, article in zip(entries, expected):
        assert entry.find(f"{ATOM}title").text == article.title
        assert entry.find(f"{ATOM}link").get("href") == f"{PUBLIC}/tin/{article.id}"
        assert _time(entry.find(f"{ATOM}published").text).date() == article.published
        assert entry.find(f"{ATOM}summary").text
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html" and content.text.startswith("<")
        assert "[[CẦN BỔ SUNG" not in content.text
        assert entry.find(f"{ATOM}category").get("term") == article.topic


async def test_the_feed_passes_the_atom_schema_rules_that_matter(site):
    """Every feed and entry has exactly one id, title and updated; ids are absolute URIs."""
    tree = etree.fromstring((await site.get("/tin/feed.xml")).content)
    namespaces = {"a": "http://www.w3.org/2005/Atom"}
    for element in [tree, *tree.findall("a:entry", namespaces)]:
        for child in ("id", "title", "updated"):
            assert len(element.findall(f"a:{child}", namespaces)) == 1, child
        assert element.findtext("a:id", namespaces=namespaces).startswith("https://")
    for entry in tree.findall("a:entry", namespaces):  # RFC 4287 4.1.1.1: no content src
        assert entry.find("a:link[@rel='alternate']", namespaces) is not None


async def test_a_feed_without_articles_is_still_valid(make_settings, clock_site):
    async with clock_site(make_settings()) as site:
        site.clock.set("2025-07-01")  # before the test pack's first article
        feed = ET.fromstring((await site.get("/tin/feed.xml")).content)
    assert feed.findall(f"{ATOM}entry") == []
    assert _time(feed.find(f"{ATOM}updated").text).date() == dt.date(2025, 7, 1)
