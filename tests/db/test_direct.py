"""Statements run on the DB-API cursor (db/direct.py) store and read what SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from db import direct, residents
from db import outbox as outbox_queries
from db.direct import DirectStatement, RowsStatement, row_values
from db.models import ConversationState, InboundEvent, OutboxMessage, OutboxStatus, User

NOW = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC)
outbox = OutboxMessage.__table__


def reply_row(recipient: str, text_: str = "Xin chào bà con", **extra) -> dict:
    return outbox_queries.queued_row(channel="telegram", recipient=recipient,
                                     payload={"type": "message", "text": text_}, priority=10,
                                     now=NOW, **extra)


async def stored(database, statement, **params) -> list[tuple]:
    """Rows exactly as the database holds them (no type processing)."""
    async with database.read() as session:
        return [tuple(row) for row in await session.execute(text(statement), params)]


async def test_a_reply_row_is_stored_as_sqlalchemy_stores_it(database):
    async with database.transaction() as session:
        session.add(outbox_queries.new_message(
            channel="telegram", recipient="orm", payload={"type": "message", "text": "Chào"},
            priority=10, now=NOW))
        await session.flush()
        await session.run_sync(outbox_queries.enqueue, [reply_row("direct", "Chào")])
    columns = ("channel, payload, priority, user_id, dedupe_key, status, attempts, "
               "next_attempt_at, created_at, lease_until")
    by_orm, = await stored(database, f"SELECT {columns} FROM outbox WHERE recipient = 'orm'")
    direct, = await stored(database, f"SELECT {columns} FROM outbox WHERE recipient = 'direct'")
    assert direct == by_orm  # same JSON text, same datetime spelling, same status string
    async with database.read() as session:
        message = (await session.execute(
            select(OutboxMessage).where(OutboxMessage.recipient == "direct"))).scalar_one()
    assert message.payload == {"type": "message", "text": "Chào"}
    assert message.created_at == NOW and message.created_at.tzinfo is not None


async def test_claimed_rows_come_back_processed(database):
    lease = NOW + timedelta(seconds=60)
    rows = [reply_row(f"r{index}", f"Tin số {index}") for index in range(3)]
    async with database.transaction() as session:
        claimed = await session.run_sync(outbox_queries.enqueue, rows, leased_until=lease)
    assert sorted(c.recipient for c in claimed) == ["r0", "r1", "r2"]
    assert {c.recipient: c.payload["text"] for c in claimed} == {
        "r0": "Tin số 0", "r1": "Tin số 1", "r2": "Tin số 2"}  # JSON decoded, not a string
    assert all(c.attempts == 1 and c.priority == 10 for c in claimed)
    async with database.read() as session:
        messages = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {m.id for m in messages} == {c.id for c in claimed}
    assert all(m.status == OutboxStatus.SENDING and m.lease_until == lease for m in messages)


async def test_dedupe_rows_report_only_new_keys(database):
    async with database.transaction() as session:
        first = await session.run_sync(residents.record_events,
                                       [("telegram", "1"), ("telegram", "2")], NOW)
    async with database.transaction() as session:
        second = await session.run_sync(residents.record_events,
                                        [("telegram", "2"), ("telegram", "3")], NOW)
    assert first == {("telegram", "1"), ("telegram", "2")}
    assert second == {("telegram", "3")}
    async with database.read() as session:
        times = (await session.execute(select(InboundEvent.received_at))).scalars().all()
    assert times == [NOW, NOW, NOW]


async def test_residents_join_the_session_and_changes_are_written(database):
    later = NOW + timedelta(hours=1)
    async with database.transaction() as session:
        created = await session.run_sync(residents.get_or_create_users,
                                         [("telegram", "a"), ("zalo-oa", "a")], NOW)
    async with database.transaction() as session:
        users = await session.run_sync(residents.get_or_create_users,
                                       [("telegram", "a"), ("telegram", "b")], later)
        known, new = users["telegram", "a"], users["telegram", "b"]
        assert known.id == created["telegram", "a"].id
        assert (known.created_at, known.last_seen_at) == (NOW, later)  # seen again, not new
        assert known in session and not session.dirty and not session.new
        # what a handler holds is the session's own object: queries return it, changes flush
        assert await session.get(User, known.id) is known
        known.consent_version = "v1"
        new.hamlet_id = "thon-1"
    async with database.read() as session:
        rows = {(u.channel, u.address): u for u in (await session.execute(select(User))).scalars()}
    assert len(rows) == 3
    assert rows["telegram", "a"].consent_version == "v1"
    assert rows["telegram", "b"].hamlet_id == "thon-1"
    assert rows["zalo-oa", "a"].last_seen_at == NOW


async def test_positions_round_trip(database):
    async with database.transaction() as session:
        users = await session.run_sync(residents.get_or_create_users,
                                       [("telegram", "a"), ("telegram", "b")], NOW)
        ids = [user.id for user in users.values()]
        await session.run_sync(residents.save_states, {
            ids[0]: ("comment.writing", {"draft": "d1", "ý": "kiến"}, ["Gửi", "Huỷ"]),
            ids[1]: (None, {}, [])}, NOW)
    async with database.transaction() as session:
        states = await session.run_sync(residents.load_states, ids + [999_999])
        await session.run_sync(residents.save_states, {ids[1]: ("menu", {}, ["1"])}, NOW)
    assert states == {ids[0]: ("comment.writing", {"draft": "d1", "ý": "kiến"}, ["Gửi", "Huỷ"]),
                      ids[1]: (None, {}, [])}
    async with database.read() as session:
        state = await session.get(ConversationState, ids[1])
    assert (state.state, state.options, state.updated_at) == ("menu", ["1"], NOW)


async def test_a_constraint_error_is_sqlalchemys_and_hides_the_message_text(database):
    secret = "Nội dung riêng của bà con"
    with pytest.raises(IntegrityError) as raised:
        async with database.transaction() as session:
            await session.run_sync(outbox_queries.enqueue, [
                reply_row("a", secret, dedupe_key="k"), reply_row("b", secret, dedupe_key="k")])
    assert secret not in str(raised.value)
    assert await stored(database, "SELECT count(*) FROM outbox") == [(0,)]  # rolled back
    async with database.transaction() as session:  # the connection is still usable
        await session.run_sync(outbox_queries.enqueue, [reply_row("c")])
    assert await stored(database, "SELECT recipient FROM outbox") == [("c",)]


def test_an_insert_that_leaves_out_a_python_default_is_refused(database):
    dialect = database.engine.dialect
    statement = insert(outbox).values(row_values(outbox, ("channel", "recipient", "payload"), 1))
    with pytest.raises(ValueError, match=r"outbox leaves out .*'attempts'.*'status'"):
        DirectStatement.compile(statement, dialect)


def test_parameters_must_be_named_by_row(database):
    statement = select(outbox.c.id).where(outbox.c.recipient == bindparam("recipient"))
    with pytest.raises(ValueError, match="not named <key>__<row>"):
        DirectStatement.compile(statement, database.engine.dialect)


async def test_one_compiled_statement_per_row_count(database):
    built: list[int] = []

    def build(_dialect: str, rows: int):
        built.append(rows)
        return select(outbox.c.recipient).where(outbox.c.recipient.in_(
            [values["recipient"] for values in row_values(outbox, ("recipient",), rows)]))

    statement = RowsStatement(build)
    async with database.transaction() as session:
        await session.run_sync(outbox_queries.enqueue, [reply_row("a"), reply_row("b")])
        connection = await session.connection()
        runs = [await connection.run_sync(statement.run, [{"recipient": r} for r in names])
                for names in (["a"], ["b"], ["a", "b"], ["x"])]
    assert [sorted(rows) for rows in runs] == [[("a",)], [("b",)], [("a",), ("b",)], []]
    assert built == [1, 2]  # one row twice, then two rows: compiled once each


async def test_a_resident_already_in_the_session_is_brought_up_to_date(database):
    later = NOW + timedelta(minutes=5)
    async with database.transaction() as session:
        created = await session.run_sync(residents.get_or_create_users, [("telegram", "a")], NOW)
    async with database.transaction() as session:
        held = await session.get(User, created["telegram", "a"].id)
        users = await session.run_sync(residents.get_or_create_users, [("telegram", "a")], later)
        assert users["telegram", "a"] is held and held.last_seen_at == later
        assert not session.dirty  # refreshed as loaded, not changed


async def test_rows_beyond_the_parameter_limit_go_in_several_statements(database, monkeypatch):
    monkeypatch.setattr(direct, "MAX_PARAMETERS", 25)  # 11 per claimed row: 2 rows a statement
    rows = [reply_row(f"r{index}") for index in range(5)]
    async with database.transaction() as session:
        claimed = await session.run_sync(outbox_queries.enqueue, rows,
                                         leased_until=NOW + timedelta(seconds=60))
    assert sorted(c.recipient for c in claimed) == [f"r{index}" for index in range(5)]
    assert await stored(database, "SELECT count(*) FROM outbox") == [(5,)]


async def test_after_a_schema_change_a_stale_prepared_statement_costs_one_error(database):
    """asyncpg keeps statements prepared per connection; after the table changes, one run
    fails and its connection is replaced, and the next run prepares afresh."""
    if database.is_sqlite:
        pytest.skip("prepared statements are cached by asyncpg only")
    lease = NOW + timedelta(seconds=60)
    async with database.transaction() as session:
        await session.run_sync(outbox_queries.enqueue, [reply_row("a")], leased_until=lease)
    async with database.transaction() as session:
        await session.execute(text("ALTER TABLE outbox ALTER COLUMN recipient TYPE TEXT"))
    with pytest.raises(DBAPIError) as raised:
        async with database.transaction() as session:
            await session.run_sync(outbox_queries.enqueue, [reply_row("b")], leased_until=lease)
    assert raised.value.connection_invalidated or "InvalidCachedStatement" in repr(raised.value)
    async with database.transaction() as session:
        claimed = await session.run_sync(outbox_queries.enqueue, [reply_row("c")],
                                         leased_until=lease)
    assert [c.recipient for c in claimed] == ["c"]
