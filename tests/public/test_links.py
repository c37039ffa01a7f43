"""The chat's deep links: `/chat?start=tin:<article>` and `/chat?start=gy:<draft>`."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.public.links import StartLink, ask_about, comment_on, parse_start, resolve_start
from content.loader import load_pack
from content.search import SearchIndex
from content.store import Content
from tests.conftest import MINI_PACK

ZONE = dt.timezone(dt.timedelta(hours=7))


def test_links_and_the_payloads_the_chat_presses():
    assert ask_about("lich-su-dang") == "/chat?start=tin:lich-su-dang"
    assert comment_on("bao-cao") == "/chat?start=gy:bao-cao"
    assert parse_start("tin:lich-su-dang") == StartLink("tin", "lich-su-dang")
    assert parse_start("tin:lich-su-dang").payload == "news:art:lich-su-dang"
    assert parse_start("gy:bao-cao").payload == "gy:d:bao-cao"
    assert parse_start("gy-bao-cao") == StartLink("gy", "bao-cao")  # Telegram's spelling


@pytest.mark.parametrize("value", [
    None, "", "tin", "tin:", "gy:", "xx:bao-cao", "tin:Bao-Cao", "tin:-bao", "tin:bao cao",
    "tin:bao/../x", "gy:bao-cao:p1", "tin:" + "a" * 41, "tin:<script>", "tin:bao\n",
    "news:art:bao-cao"])
def test_anything_else_is_ignored(value):
    assert parse_start(value) is None


def test_only_what_residents_may_see_that_day_resolves():
    pack, report = load_pack(MINI_PACK)
    content = Content(pack, SearchIndex(pack))
    early = content.visible(dt.date(2025, 7, 26))
    moment = dt.datetime(2025, 7, 26, 9, tzinfo=ZONE)
    assert resolve_start("tin:lich-su-dang", early, moment) == StartLink("tin", "lich-su-dang")
    assert resolve_start("tin:nghi-quyet-xiv", early, moment) is None  # from 1/2/2026
    assert resolve_start("tin:khong-co", early, moment) is None
    assert resolve_start("gy:bao-cao", early, moment) == StartLink("gy", "bao-cao")
    assert resolve_start("gy:da-dong", early, moment) is None  # opens on 1/8/2025
    later = content.visible(dt.date(2025, 9, 10))
    assert resolve_start("gy:da-dong", later, dt.datetime(2025, 9, 10, tzinfo=ZONE)) == \
        StartLink("gy", "da-dong")  # closed: still readable in the chat
