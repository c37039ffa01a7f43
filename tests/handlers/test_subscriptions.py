"""Subscribing (/dangky) and unsubscribing (/huy, "dừng") through the real handlers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Subscription, User
from delivery.fanout import Audience, count_recipients
from handlers import texts
from tests.conftest import count_rows
from tests.utils import dialog


async def choices(database) -> list[tuple[str, str]]:
    async with database.read() as session:
        rows = await session.execute(select(Subscription.kind, Subscription.ref)
                                     .order_by(Subscription.kind, Subscription.ref))
        return [tuple(row) for row in rows.all()]


async def hamlet_of(database) -> str | None:
    async with database.read() as session:
        return (await session.execute(select(User.hamlet_id))).scalar_one()


async def reach(database, audience: Audience) -> int:
    async with database.read() as session:
        return await count_recipients(session, audience)


async def subscribed_to_everything(talk, hamlet: str = "Thôn 1") -> None:
    await talk("/start")
    await talk.choose("Đồng ý")
    await talk("/dangky")
    await talk.choose(hamlet)
    await talk.choose("Tất cả các tin")


async def test_subscribe_to_everything_asks_consent_first(make_settings):
    async with dialog(make_settings()) as talk:
        replies = await talk("/dangky")
        assert "Đồng ý" in replies[-1] and "Không đồng ý" in replies[-1]
        assert await count_rows(talk.service.database, "subscriptions") == 0
        replies = await talk.choose("Đồng ý")
        assert "bạn ở thôn nào" in replies[-1]
        await talk.choose("Thôn 2")
        replies = await talk.choose("Tất cả các tin")
        assert "Đã đăng ký nhận tin" in replies[0] and "Thôn 2" in replies[0]
        database = talk.service.database
        assert await choices(database) == [("all", "*")]
        assert await hamlet_of(database) == "thon-2"
        assert await reach(database, Audience(topics=("lich-su",))) == 1
        assert await reach(database, Audience(hamlets=("thon-2",))) == 1
        assert await reach(database, Audience(hamlets=("thon-1",))) == 0


async def test_pick_topics_and_groups_with_toggles(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await talk("/dangky")
        await talk.choose("Không muốn cho biết")
        await talk.choose("Chọn theo chủ đề")
        replies = await talk.choose("Lịch sử Đảng")  # only the change, not the list again
        assert replies == [texts.SUB_TOPIC_ADDED.format(topic="Lịch sử Đảng", count=1)]
        await talk.choose("Đại hội XIV")
        replies = await talk.choose("Đại hội XIV")  # the same number again: unchosen
        assert replies == [texts.SUB_TOPIC_REMOVED.format(topic="Đại hội XIV", count=1)]
        await talk.choose("Tiếp tục ›")
        await talk.choose("Ủy ban MTTQ xã")
        replies = await talk.choose("Xong ✔")
        assert "Lịch sử Đảng; Ủy ban MTTQ xã" in replies[0]
        database = talk.service.database
        assert await choices(database) == [("group", "mttq"), ("topic", "lich-su")]
        assert await hamlet_of(database) is None
        assert await reach(database, Audience(topics=("dai-hoi-xiv",))) == 0
        assert await reach(database, Audience(groups=("mttq",))) == 1
        assert await reach(database, Audience(everyone=True)) == 1


async def test_choosing_nothing_is_refused_and_nothing_is_stored(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await talk("/dangky")
        await talk.choose("Thôn 1")
        await talk.choose("Chọn theo chủ đề")
        await talk.choose("Tiếp tục ›")
        replies = await talk.choose("Xong ✔")
        assert "chưa chọn mục nào" in replies[0]
        assert await count_rows(talk.service.database, "subscriptions") == 0


async def test_resubscribing_replaces_the_previous_choice(make_settings):
    async with dialog(make_settings()) as talk:
        await subscribed_to_everything(talk)
        replies = await talk("/dangky")
        assert "Bạn đang nhận: tất cả các tin (Thôn 1)" in replies[0]
        await talk.choose("Thôn 2")
        await talk.choose("Chọn theo chủ đề")
        await talk.choose("Nghị quyết Đại hội")
        await talk.choose("Tiếp tục ›")
        await talk.choose("Xong ✔")
        assert await choices(talk.service.database) == [("topic", "nghi-quyet")]
        assert await hamlet_of(talk.service.database) == "thon-2"


@pytest.mark.parametrize("stop", ["/huy", "dừng", "Hủy", "STOP", "huy", "dừng!"])
async def test_one_word_unsubscribes_from_everything(make_settings, stop):
    async with dialog(make_settings()) as talk:
        await subscribed_to_everything(talk)
        replies = await talk(stop)
        assert "Đã hủy mọi đăng ký" in replies[0]
        assert await count_rows(talk.service.database, "subscriptions") == 0
        replies = await talk(stop)
        assert "chưa đăng ký nhận tin nào" in replies[0]


async def test_stop_word_inside_the_flow_cancels_it_without_changes(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await talk("/dangky")
        replies = await talk("dừng")
        assert "chưa có gì thay đổi" in replies[0]
        assert await count_rows(talk.service.database, "subscriptions") == 0


async def test_stray_text_in_the_flow_shows_the_choices_again(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk.choose("Đồng ý")
        await talk("/dangky")
        replies = await talk("thôn tôi là thôn Đông")
        assert "bấm nút hoặc gõ số" in replies[0]
        await talk.choose("Thôn 1")  # the numbers still refer to the hamlets
        assert "Bạn muốn nhận những tin nào?" in talk.printed[-1]


async def test_blocked_resident_is_not_reached(make_settings):
    async with dialog(make_settings()) as talk:
        await subscribed_to_everything(talk)
        database = talk.service.database
        async with database.transaction() as session:
            user = (await session.execute(select(User))).scalar_one()
            user.status = "stopped"
        assert await reach(database, Audience(everyone=True)) == 0


async def test_withdrawn_consent_means_no_bulletins(make_settings):
    async with dialog(make_settings()) as talk:
        await subscribed_to_everything(talk)
        async with talk.service.database.transaction() as session:
            user = (await session.execute(select(User))).scalar_one()
            user.consent_at = None
        assert await reach(talk.service.database, Audience(everyone=True)) == 0


async def test_refusing_consent_explains_what_subscribing_needs(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/dangky")
        replies = await talk.choose("Không đồng ý")
        assert "không thể lưu đăng ký nhận tin" in replies[0]
        assert await count_rows(talk.service.database, "subscriptions") == 0
        async with talk.service.database.read() as session:
            assert (await session.execute(select(User.consent_at))).scalar_one() is None
