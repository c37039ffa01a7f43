"""Alembic migrations run on both backends, up and down."""

from sqlalchemy import inspect

from db import migrations
from db.engine import Database

TABLES = {"users", "conversation_states", "inbound_events", "outbox"}


async def table_names(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_downgrade_to_nothing_and_upgrade_again(database):
    assert await migrations.is_up_to_date(database)
    await migrations.downgrade(database, "base")
    assert not (await table_names(database)) & TABLES
    assert await migrations.current_revision(database) is None
    await migrations.upgrade(database)
    assert TABLES <= await table_names(database)
    assert await migrations.current_revision(database) == migrations.head_revision()


async def test_constraint_names_follow_the_naming_convention(database):
    async with database.engine.connect() as connection:
        uniques = await connection.run_sync(
            lambda sync: inspect(sync).get_unique_constraints("inbound_events"))
    assert [unique["name"] for unique in uniques] == ["uq_inbound_events_channel_event_id"]


async def test_sqlite_pragmas_are_on(empty_database_url):
    database = Database(empty_database_url)
    async with database.engine.connect() as connection:
        journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    await database.dispose()
    assert (journal, foreign_keys) == ("wal", 1)


async def test_models_and_migrations_agree(database):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import Base

    async with database.engine.connect() as connection:
        diff = await connection.run_sync(lambda sync: compare_metadata(
            MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata))
    assert diff == []


async def test_0005_folds_the_text_of_comments_already_there(database):
    import datetime as dt

    import sqlalchemy as sa

    await migrations.downgrade(database, "0004")
    columns = {"receipt": sa.String, "submission_key": sa.String, "draft_id": sa.String,
               "draft_version": sa.String, "section_label": sa.String, "section_order": sa.Integer,
               "section_quote": sa.Text, "stance": sa.String, "text": sa.Text, "source": sa.String,
               "status": sa.String, "created_at": sa.DateTime(timezone=True),
               "updated_at": sa.DateTime(timezone=True)}
    old_comments = sa.table("comments", *(sa.column(name, kind) for name, kind in columns.items()))
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    async with database.transaction() as session:
        await session.execute(sa.insert(old_comments).values(
            receipt="GY-AAAAAAAA", submission_key="k", draft_id="d", draft_version="1",
            section_label="", section_order=-1, section_quote="", stance="tan_thanh",
            text="Đường giao thông THÔN Đông", source="telegram", status="moi",
            created_at=moment, updated_at=moment))
    await migrations.upgrade(database)
    async with database.read() as session:
        folded = (await session.execute(sa.text("SELECT search_text FROM comments"))).scalar_one()
    assert folded == "duong giao thong thon dong"
