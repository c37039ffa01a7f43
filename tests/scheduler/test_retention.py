"""The retention job against a controllable clock: what is past the period goes, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from content.loader import load_pack
from db.models import Comment, DataRequest, Subscription, User
from scheduler.retention import apply_retention
from tests.conftest import MINI_PACK, count_rows
from tests.db.test_erasure import seed_resident

# The mini pack's "da-dong" draft closed at 17:00 on 31/08/2025 (Hà Nội); "bao-cao" is open.
LAST_SEEN_SILENT = datetime(2025, 9, 1, tzinfo=UTC)
LAST_SEEN_ACTIVE = datetime(2026, 9, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack():
    loaded, report = load_pack(MINI_PACK)
    assert loaded is not None, report.render()
    return loaded


async def residents(database):
    silent = await seed_resident(database, address="silent", last_seen=LAST_SEEN_SILENT)
    active = await seed_resident(database, address="active", name="Trần Thị Hoa",
                                 last_seen=LAST_SEEN_ACTIVE, draft="da-dong")
    async with database.transaction() as session:  # keys as the chat flow writes them
        for comment in (await session.execute(select(Comment))).scalars():
            comment.submission_key = f"{comment.user_id}:{comment.receipt}"
    async with database.transaction() as session:
        session.add(Comment(receipt="GY-OPEN0001", submission_key="open-1", draft_id="bao-cao",
                            draft_version="1", stance="tan_thanh", text="Đồng ý với dự thảo.",
                            user_id=active, signed_name="Trần Thị Hoa", hamlet_id="thon-2",
                            source="console", status="moi", created_at=LAST_SEEN_ACTIVE,
                            updated_at=LAST_SEEN_ACTIVE))
        session.add(User(channel="telegram", address="never-agreed", status="active",
                         last_seen_at=LAST_SEEN_SILENT))
    return silent, active


async def comments_by_receipt(database) -> dict[str, Comment]:
    async with database.read() as session:
        return {c.receipt: c for c in (await session.execute(select(Comment))).scalars()}


async def test_nothing_is_due_before_the_period_ends(database, pack):
    await residents(database)
    counts = await apply_retention(database, pack, now=datetime(2026, 8, 1, tzinfo=UTC), days=365)
    assert counts["residents"] == 0 and counts["comments_unlinked"] == 0
    assert await count_rows(database, "subscriptions") == 6
    async with database.read() as session:
        (logged,) = (await session.execute(select(DataRequest))).scalars()
    assert (logged.kind, logged.via) == ("retention", "scheduler")


async def test_past_the_period_silent_residents_and_closed_consultations_are_anonymised(
        database, pack):
    silent, active = await residents(database)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    counts = await apply_retention(database, pack, now=now, days=365)
    assert counts["residents"] == 1  # the one who never agreed had nothing to anonymise
    assert counts["comments_anonymised"] == 1 and counts["comments_unlinked"] == 1
    assert counts["subscriptions"] == 3 and counts["consent"] == 1
    async with database.read() as session:
        gone, kept = await session.get(User, silent), await session.get(User, active)
        assert (gone.consent_at, gone.hamlet_id, gone.leaderboard_name) == (None, None, None)
        assert kept.consent_at is not None and kept.hamlet_id == "thon-1"
        subscribers = (await session.execute(select(Subscription.user_id).distinct())).scalars()
        assert list(subscribers) == [active]
        (logged,) = (await session.execute(select(DataRequest))).scalars()
    assert (logged.kind, logged.via, logged.actions) == ("retention", "scheduler", counts)
    comments = await comments_by_receipt(database)
    silent_comment = next(c for c in comments.values() if c.text.startswith("Cần") and
                          c.draft_id == "bao-cao")
    assert (silent_comment.user_id, silent_comment.signed_name, silent_comment.hamlet_id) == (
        None, None, None)
    closed = next(c for c in comments.values() if c.draft_id == "da-dong")
    # the chat's key was "<user id>:…": rewritten from the receipt, so no join finds them
    assert closed.submission_key == f"erased:{closed.receipt}"
    # closed consultation: the person is cut, the hamlet stays for the report by hamlet
    assert (closed.user_id, closed.signed_name, closed.hamlet_id) == (None, None, "thon-1")
    still_open = comments["GY-OPEN0001"]
    assert (still_open.user_id, still_open.signed_name) == (active, "Trần Thị Hoa")


async def test_a_second_run_finds_nothing_more_and_is_logged_again(database, pack):
    await residents(database)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    await apply_retention(database, pack, now=now, days=365)
    again = await apply_retention(database, pack, now=now, days=365)
    assert again["residents"] == 0 and again["comments_unlinked"] == 0
    assert await count_rows(database, "data_requests") == 2


async def test_a_shorter_period_reaches_further(database, pack):
    silent, active = await residents(database)
    counts = await apply_retention(database, pack, now=datetime(2025, 10, 15, tzinfo=UTC),
                                   days=30)
    assert counts["residents"] == 1 and counts["comments_unlinked"] == 1
    async with database.read() as session:
        assert (await session.get(User, silent)).consent_at is None
        assert (await session.get(User, active)).consent_at is not None
