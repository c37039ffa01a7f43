"""Searches without results are counted per query and per resident hash, never with who
asked; a query shows once 3 different residents asked it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db import search_misses
from db.listening_models import SearchMiss
from tests.utils import dialog


async def test_misses_are_counted_by_distinct_residents(make_settings, database):
    settings = make_settings()
    for user in ("a", "b", "b", "c", "d"):
        async with dialog(settings, user=f"nguoi-{user}") as talk:
            await talk("/timkiem xyzzy quạt trần")
    async with dialog(settings, user="nguoi-e") as talk:
        await talk("/timkiem lịch sử")  # found: not counted
    async with database.read() as session:
        rows = list((await session.execute(select(SearchMiss))).scalars())
        since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        until = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        shown = await search_misses.asked_by_many(session, since=since, until=until)
        fewer = await search_misses.asked_by_many(session, since=since, until=until, smallest=5)
    assert {row.query for row in rows} == {"xyzzy quat tran"} and len(rows) == 4
    assert all(len(row.asker) == 12 and "nguoi" not in row.asker for row in rows)
    assert shown == [("xyzzy quat tran", 4, 5)] and fewer == []
