"""Erasing a resident: what goes, what stays anonymous, and that exports show nothing of them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.reports.export import export_comments
from content.loader import load_pack
from db.comments import CommentFilter
from db.erasure import erase_resident, has_personal_data
from db.models import (
    Announcement,
    Comment,
    ConversationState,
    DataRequest,
    OutboxMessage,
    QuizRound,
    RoleGrant,
    Subscription,
    User,
)
from handlers import texts
from tests.conftest import MINI_PACK, count_rows
from tests.reports.test_export import read_csv

CONSENTED = datetime(2025, 9, 1, 20, 30, tzinfo=UTC)  # 03:30 on 2 September in Hà Nội
NOW = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def pack():
    loaded, report = load_pack(MINI_PACK)
    assert loaded is not None, report.render()
    return loaded


async def seed_resident(database, *, channel: str = "console", address: str = "resident-1",
                        name: str = "Nguyễn Văn Tư", last_seen: datetime = NOW,
                        draft: str = "bao-cao", comments: int = 1,
                        anonymous: int = 0) -> int:
    """A resident who gave consent and then used everything that keeps data; their id."""
    async with database.transaction() as session:
        user = User(channel=channel, address=address, status="active",
                    consent_version=texts.PRIVACY_NOTICE_VERSION, consent_at=CONSENTED,
                    consent_evidence=f"{channel}:ev-1", hamlet_id="thon-1",
                    leaderboard_name=name.split()[-1], created_at=CONSENTED,
                    last_seen_at=last_seen)
        session.add(user)
        await session.flush()
        session.add_all([Subscription(user_id=user.id, kind=kind, ref=ref, created_at=CONSENTED)
                         for kind, ref in (("all", "*"), ("topic", "lich-su"), ("group", "mttq"))])
        for index in range(comments + anonymous):
            number = next(_numbers)
            session.add(Comment(
                receipt=f"GY-SEED{number:04d}", submission_key=f"seed-{number}", draft_id=draft,
                draft_version="1", section_label="", stance="khong_tan_thanh",
                text=f"Cần thêm đèn đường cho thôn 1 (ý {number}).", user_id=user.id,
                signed_name=name if index < comments else None, hamlet_id="thon-1",
                source=channel, status="moi",
                created_at=CONSENTED, updated_at=CONSENTED))
        session.add(QuizRound(user_id=user.id, token=f"q{next(_numbers):05d}",
                              questions=[f"c{i}" for i in range(10)], answers=[0] * 10, score=7,
                              started_at=CONSENTED, updated_at=CONSENTED, finished_at=CONSENTED))
        session.add(RoleGrant(user_id=user.id, role="leader", groups=["mttq"], areas=["thon-1"],
                              granted_at=CONSENTED))
        session.add(ConversationState(user_id=user.id, state="gy.text", data={"name": name},
                                      options=["gy:send"], updated_at=CONSENTED))
        return user.id


async def test_erasure_cuts_every_link_and_logs_counts_only(database):
    user_id = await seed_resident(database)
    async with database.transaction() as session:
        session.add(OutboxMessage(channel="console", recipient="resident-1", user_id=user_id,
                                  payload={"type": "message", "text": "Bản tin"}, priority=0,
                                  status="queued", batch="announcement:1"))
        session.add(OutboxMessage(channel="console", recipient="resident-1", user_id=user_id,
                                  payload={"type": "message", "text": "Chào Nguyễn Văn Tư"},
                                  priority=10, status="sent"))
        session.add(Announcement(author_user_id=user_id, author="Ủy ban MTTQ xã",
                                 text="Họp thôn tối thứ Bảy.", status="done"))
    async with database.transaction() as session:
        counts = await erase_resident(session, user_id, now=NOW, via="console")
    assert counts == {"subscriptions": 3, "messages_cancelled": 1, "messages_in_flight": 0,
                      "messages_cleared": 2, "comments_anonymised": 1, "quiz_rounds": 1,
                      "roles_revoked": 1, "role_history_removed": 1, "invites_unlinked": 0,
                      "staff_account_unlinked": 0, "announcements_unlinked": 1,
                      "inquiries_unlinked": 0, "meetings_unlinked": 0, "profile": 1,
                      "consent": 1, "conversation": 1}
    async with database.read() as session:
        user = await session.get(User, user_id)
        assert (user.consent_version, user.consent_at, user.consent_evidence, user.hamlet_id,
                user.leaderboard_name) == (None,) * 5
        assert (user.channel, user.address) == ("console", "resident-1")  # still answerable
        comment = (await session.execute(select(Comment))).scalar_one()
        assert (comment.user_id, comment.signed_name, comment.hamlet_id) == (None, None, None)
        assert comment.text.startswith("Cần thêm đèn đường") and comment.stance == "khong_tan_thanh"
        assert (await session.execute(select(RoleGrant))).first() is None
        state = await session.get(ConversationState, user_id)
        assert (state.state, state.data, state.options) == (None, {}, [])
        outbox = list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
                      .scalars())
        assert [(row.status, row.error_class) for row in outbox] == [("stopped", "cancelled"),
                                                                      ("sent", None)]
        assert all("Nguyễn" not in str(row.payload) for row in outbox)
        (logged,) = (await session.execute(select(DataRequest))).scalars()
        assert (logged.kind, logged.via, logged.actions) == ("erase", "console", counts)
        assert not await has_personal_data(session, user_id)
    for table in ("subscriptions", "quiz_rounds"):
        assert await count_rows(database, table) == 0


async def test_export_after_erasure_shows_nothing_of_the_resident(database, pack, tmp_path):
    gone = await seed_resident(database, address="resident-1", name="Nguyễn Văn Tư",
                               anonymous=1)
    await seed_resident(database, address="resident-2", name="Trần Thị Hoa")
    await export_comments(database, pack, out=tmp_path / "before.csv", kind="csv",
                          where=CommentFilter(), actor="Cán bộ A")
    before = {row["Mã biên nhận"]: row for row in read_csv(tmp_path / "before.csv")}
    async with database.transaction() as session:
        theirs = set((await session.execute(
            select(Comment.receipt).where(Comment.user_id == gone))).scalars())
        await erase_resident(session, gone, now=NOW, via="cli")
    await export_comments(database, pack, out=tmp_path / "after.csv", kind="csv",
                          where=CommentFilter(), actor="Cán bộ A")
    after = {row["Mã biên nhận"]: row for row in read_csv(tmp_path / "after.csv")}
    assert after.keys() == before.keys() and len(after) == 3  # the consultation keeps them all
    labels = {before[receipt]["Người góp ý"] for receipt in theirs}
    assert "Nguyễn Văn Tư" in labels and any(label.startswith("ND-") for label in labels)
    for receipt in theirs:
        assert after[receipt]["Người góp ý"] == texts.GY_ANONYMOUS
        assert after[receipt]["Thôn"] == ""
        assert after[receipt]["Nội dung"] == before[receipt]["Nội dung"]
    everything = (tmp_path / "after.csv").read_text(encoding="utf-8-sig")
    assert all(label not in everything for label in labels)
    (kept,) = (row for receipt, row in after.items() if receipt not in theirs)
    assert (kept["Người góp ý"], kept["Thôn"]) == ("Trần Thị Hoa", "Thôn 1")  # others untouched


async def test_erasing_twice_finds_nothing_more(database):
    user_id = await seed_resident(database)
    async with database.transaction() as session:
        await erase_resident(session, user_id, now=NOW, via="console")
    async with database.transaction() as session:
        assert not await has_personal_data(session, user_id)
        again = await erase_resident(session, user_id, now=NOW, via="console")
    assert again["comments_anonymised"] == again["subscriptions"] == again["consent"] == 0


async def test_a_user_with_only_a_chat_address_holds_no_personal_data(database):
    async with database.transaction() as session:
        user = User(channel="telegram", address="42", status="active")
        session.add(user)
        await session.flush()
        assert not await has_personal_data(session, user.id)


async def test_erasing_an_unknown_user_is_refused_and_writes_nothing(database):
    async with database.transaction() as session:
        with pytest.raises(LookupError):
            await erase_resident(session, 999, now=NOW, via="cli")
    assert await count_rows(database, "data_requests") == 0
