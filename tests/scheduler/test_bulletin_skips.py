"""Staff's skips and pauses (from the console) are what the scheduler honours."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import BulletinOccurrence
from scheduler import bulletins
from scheduler.bulletins import fire, occurrences, unfinished
from tests.conftest import count_rows
from tests.scheduler.test_bulletins import WEEKLY, mini_pack, subscribe

UTC = dt.UTC


def sundays(pack, count: int):
    found = list(occurrences(pack, dt.datetime(2026, 3, 1, tzinfo=UTC),
                             dt.datetime(2026, 3, 1, tzinfo=UTC) + dt.timedelta(weeks=count)))
    assert len(found) == count
    return found


async def test_a_skipped_occurrence_is_not_sent_and_the_next_one_is(database):
    await subscribe(database, 5)
    pack = mini_pack(WEEKLY)
    first, second = sundays(pack, 2)
    async with database.transaction() as session:
        assert await bulletins.skip(session, "hang-tuan", first.at, by="Lê Thị Lan",
                                    now=first.at - dt.timedelta(days=1))
        assert not await bulletins.skip(session, "hang-tuan", first.at, by="Ai đó",
                                        now=first.at - dt.timedelta(days=1))
    assert await fire(database, pack, first, now=first.at) is None
    assert await unfinished(database, pack, first.at + dt.timedelta(hours=1)) == []
    assert await count_rows(database, "outbox") == 0
    assert await fire(database, pack, second, now=second.at) == 5


async def test_a_skip_taken_back_before_its_time_is_sent(database):
    await subscribe(database, 2)
    pack = mini_pack(WEEKLY)
    [first] = sundays(pack, 1)
    async with database.transaction() as session:
        await bulletins.skip(session, "hang-tuan", first.at, by="Lê Thị Lan", now=first.at)
        assert await bulletins.unskip(session, "hang-tuan", first.at)
    assert await fire(database, pack, first, now=first.at) == 2


async def test_a_paused_bulletin_records_its_occurrences_as_skipped_until_resumed(database):
    await subscribe(database, 3)
    pack = mini_pack(WEEKLY)
    first, second = sundays(pack, 2)
    async with database.transaction() as session:
        assert await bulletins.pause(session, "hang-tuan", by="Lê Thị Lan", now=first.at)
        assert not await bulletins.pause(session, "hang-tuan", by="Lê Thị Lan", now=first.at)
    assert await fire(database, pack, first, now=first.at) is None
    assert await fire(database, pack, first, now=first.at) is None  # twice: still one row
    async with database.read() as session:
        [row] = (await session.execute(select(BulletinOccurrence))).scalars().all()
    assert (row.recipients, row.skipped_by) == (0, bulletins.PAUSED)
    async with database.transaction() as session:
        assert await bulletins.unpause(session, "hang-tuan")
    assert await fire(database, pack, first, now=first.at) is None  # skipped stays skipped
    assert await fire(database, pack, second, now=second.at) == 3
    assert await count_rows(database, "outbox") == 3
