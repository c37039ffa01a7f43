"""The planner's statistics: SQLite gets them from ANALYZE; PostgreSQL needs nothing."""

from sqlalchemy import text

from db.maintenance import refresh_statistics
from tests.conftest import BACKEND


async def test_sqlite_gets_statistics_for_the_queues_indexes(database):
    async with database.transaction() as session:
        await session.execute(text(
            "INSERT INTO users (channel, address, status, created_at, last_seen_at) "
            "VALUES ('telegram', '1', 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    await refresh_statistics(database)
    if BACKEND != "sqlite":
        return  # autovacuum analyses PostgreSQL's tables; refreshing must simply not fail
    async with database.read() as session:
        analysed = (await session.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))).scalars()
        assert "users" in set(analysed)
