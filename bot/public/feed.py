"""/tin/feed.xml: an Atom feed (RFC 4287) of the articles true today, newest first, for the
commune's portal to pull. Each entry has its summary as text and its body as escaped HTML,
a link to its page and the organisation as author. Ids are the pages' addresses, so keep
LOASO_PUBLIC_URL stable once a portal subscribes."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from fastapi import Request, Response

from bot.public import markdown
from bot.public.caching import cached
from bot.public.render import PageGroup, site_url
from bot.public.showing import Showing

group = PageGroup("feed")
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 30  # a portal pulls often; older articles stay on /tin


def _stamp(day: dt.date, zone: dt.tzinfo) -> str:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).isoformat()


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def atom(showing: Showing, site: str) -> bytes:
    pack = showing.pack
    zone = pack.zone
    articles = sorted(showing.view.articles, key=lambda item: (item.published, item.id),
                      reverse=True)[:ENTRIES]
    organisation = pack.campaign.organisation.name
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "vi"})
    _text(feed, "id", f"{site}/tin/feed.xml")
    _text(feed, "title", f"Tin Đại hội — {organisation}")
    _text(feed, "subtitle", "Loa Số: tin tuyên truyền Đại hội Đảng và lấy ý kiến góp ý "
                            "dự thảo văn kiện")
    newest = articles[0].published if articles else showing.day
    _text(feed, "updated", _stamp(newest, zone))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": f"{site}/tin/feed.xml"})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": f"{site}/tin"})
    author = ET.SubElement(feed, "author")
    _text(author, "name", organisation)
    _text(feed, "generator", "Loa Số")
    for item in articles:
        entry = ET.SubElement(feed, "entry")
        address = f"{site}/tin/{item.id}"
        _text(entry, "id", address)
        _text(entry, "title", item.title)
        _text(entry, "published", _stamp(item.published, zone))
        _text(entry, "updated", _stamp(item.published, zone))
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": address})
        topic = pack.topics.get(item.topic)
        if topic is not None:
            ET.SubElement(entry, "category", {"term": topic.id, "label": topic.name})
        _text(entry, "summary", markdown.plain(item.summary))
        _text(entry, "content", str(markdown.to_html(item.body)), type="html")
    # bytes for any encoding but "unicode" (the stubs leave that case as Any)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


@group.get("/tin/feed.xml", preview=False)
async def feed(request: Request, showing: Showing) -> Response:
    return cached(request, atom(showing, site_url(request)), media_type=MEDIA_TYPE,
                  now=showing.moment)
