"""Consent is checked where personal data is written, not only where a flow starts.

Each test reaches a write with consent withdrawn by an old button, or with a button the
resident was never shown (forged, or typed as `#ls:…` on Zalo OA), and finds nothing stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from db.models import Announcement, ConversationState, OutboxMessage, RoleGrant, User
from delivery import announcements as service
from handlers import texts
from messages.types import Inbound, InboundKind
from tests.conftest import count_rows
from tests.handlers.test_announcements import NOW, clock, people, write  # noqa: F401 (fixture)
from tests.handlers.test_consultation import REASONS, comments, open_section
from tests.handlers.test_quiz import press
from tests.scheduler.test_announcements import mini_pack
from tests.utils import dialog


async def send_button(database) -> str:
    """The preview's "Gửi" payload, as the resident's chat still shows it."""
    async with database.read() as session:
        state = (await session.execute(select(ConversationState))).scalar_one()
    return f"gy:send:{state.data['key']}"


async def resident(database, address: str = "resident-1") -> User:
    async with database.read() as session:
        return (await session.execute(select(User).where(User.address == address))).scalar_one()


async def test_forged_subscription_buttons_store_nothing_without_consent(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Không đồng ý")
        await press(talk, "sub:h:thon-1")
        replies = await press(talk, "sub:all")
        assert texts.CONSENT_NEEDED_TO_SAVE in replies
    assert await count_rows(database, "subscriptions") == 0
    user = await resident(database)
    assert (user.hamlet_id, user.consent_at) == (None, None)


async def test_old_decline_button_mid_flow_then_send_stores_no_signed_comment(make_settings,
                                                                              database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await talk.choose("Góp ý mục này")
        await talk.choose("Đồng ý")
        await talk.choose("Không tán thành")
        await talk(REASONS)
        await talk.choose("Ghi tên")
        await talk("Nguyễn Văn Tư")
        await talk.choose("Thôn 1")
        send = await send_button(database)
        await press(talk, "consent:no")  # the notice's old button, still in the chat
        assert (await resident(database)).consent_at is None
        refused = await press(talk, send)
        assert refused[0] == texts.CONSENT_NEEDED_TO_SAVE
        assert await comments(database) == []
        await talk.choose("Đồng ý")  # agreeing again carries on with the same comment
    (stored,) = await comments(database)
    assert (stored.signed_name, stored.hamlet_id) == ("Nguyễn Văn Tư", "thon-1")


async def test_disagreement_without_text_through_an_old_stance_button_is_refused(
        make_settings, database):
    async with dialog(make_settings()) as talk:
        await open_section(talk)
        await talk.choose("Góp ý mục này")
        await talk.choose("Đồng ý")
        await talk.choose("Tán thành")
        await talk.choose("Bỏ qua")
        await press(talk, "gy:st:khong_tan_thanh")  # re-tapped from the screen before
        await press(talk, "gy:id:anon")
        refused = await talk.choose("Gửi")
        assert refused[0] == texts.GY_STANCE_NEEDS_TEXT.format(stance="Không tán thành")
        assert await comments(database) == []


async def test_leaderboard_name_is_not_kept_after_consent_is_withdrawn(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await press(talk, "quiz:join")
        await talk("Tư")
        await press(talk, "consent:no")
        replies = await press(talk, "quiz:h:thon-1")
        assert texts.CONSENT_NEEDED_TO_SAVE in replies
    user = await resident(database)
    assert (user.leaderboard_name, user.hamlet_id, user.consent_at) == (None, None, None)


async def test_an_announcement_whose_author_lost_the_role_is_not_approved(make_settings,
                                                                          database, people):
    settings = make_settings()
    async with dialog(settings, user="leader", clock=clock) as leader:
        await write(leader)
        await leader.choose("Gửi ngay")
    async with database.transaction() as session:
        await session.execute(update(RoleGrant).where(RoleGrant.id == people)
                              .values(revoked_at=NOW, revoked_by="test"))
    async with dialog(settings, user="staff", clock=clock) as staff:
        await staff("/duyet")
        (refused, *_) = await staff.choose("Duyệt #1")
    assert refused.startswith(texts.DY_AUTHOR_LOST_ROLE.format(id=1))
    async with database.read() as session:
        (row,) = (await session.execute(select(Announcement))).scalars()
    assert (row.status, row.decision_note) == ("cancelled", service.AUTHOR_LOST_ROLE)
    assert await service.release_due(database, mini_pack(), now=NOW) == 0


async def test_a_scheduled_announcement_is_not_sent_once_its_author_lost_the_role(
        make_settings, database, people):
    async with dialog(make_settings(), user="leader", clock=clock) as leader:
        await write(leader)
        await leader.choose("Gửi ngay")
    async with dialog(make_settings(), user="staff", clock=clock) as staff:
        await staff("/duyet")
        await staff.choose("Duyệt #1")
    async with database.transaction() as session:
        await session.execute(update(RoleGrant).where(RoleGrant.id == people)
                              .values(revoked_at=NOW, revoked_by="test"))
    assert await service.release_due(database, mini_pack(), now=NOW) == 0
    async with database.read() as session:
        (row,) = (await session.execute(select(Announcement))).scalars()
        batch = (await session.execute(select(OutboxMessage).where(
            OutboxMessage.batch == "announcement:1"))).scalars().all()
    assert row.status == "cancelled" and batch == []


@pytest.mark.parametrize("typed", ["xin chào", "Xin chào!", "Alo", "/menu", "/start", "Cảm ơn"])
async def test_a_greeting_or_command_is_not_taken_for_a_leaderboard_name(make_settings,
                                                                        database, typed):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await press(talk, "quiz:join")
        before = len(talk.printed)
        inbound = Inbound("console", f"{talk.session}:typed", talk.user, InboundKind.TEXT,
                          text=typed)  # as text, as channels without commands deliver it
        await talk.service.processor.handle(inbound)
        await talk.service.sender.drain()
        (asked,) = talk.printed[before:]
        assert asked.startswith(texts.QUIZ_NAME_NOT_A_NAME.format(text=typed)[:40])
        assert (await resident(database)).leaderboard_name is None
        await talk("Lan")  # still asked for a name: a real one is taken
        await talk.choose(texts.QUIZ_NO_HAMLET)
    assert (await resident(database)).leaderboard_name == "Lan"
