"""The first flows: greeting, privacy notice, consent, menu, help, and the fallbacks."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from db.models import ConversationState, User
from handlers import texts
from tests.utils import dialog


async def user_row(database, address="resident-1") -> User:
    async with database.read() as session:
        return (await session.execute(select(User).where(User.address == address))).scalar_one()


async def test_start_shows_greeting_notice_and_consent_options(make_settings):
    async with dialog(make_settings()) as talk:
        greeting, notice = await talk("/start")
    assert greeting == texts.GREETING
    assert "dữ liệu cá nhân" in notice and texts.PRIVACY_NOTICE_VERSION in notice
    assert "1. Đồng ý" in notice and "2. Không đồng ý" in notice


async def test_nothing_personal_is_stored_before_consent(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk("Tôi là Nguyễn Văn A, số 0912345678")
    user = await user_row(database)
    assert (user.consent_at, user.consent_version, user.consent_evidence) == (None, None, None)
    async with database.read() as session:
        state = await session.get(ConversationState, user.id)
    assert "0912345678" not in str(state.data) and "Nguyễn" not in str(state.data)


async def test_typing_the_number_presses_the_option_and_records_consent(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        replies = await talk("1")
    assert texts.CONSENT_RECORDED.format(version=texts.PRIVACY_NOTICE_VERSION) in replies
    user = await user_row(database)
    assert user.consent_version == texts.PRIVACY_NOTICE_VERSION
    assert user.consent_at is not None and user.consent_evidence.startswith("console:")


async def test_typed_answer_with_or_without_diacritics_counts(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk(unicodedata.normalize("NFD", "Đồng ý"))
    assert (await user_row(database)).consent_at is not None
    async with dialog(make_settings(), user="resident-2") as talk:
        await talk("/start")
        replies = await talk("khong dong y")
    assert texts.CONSENT_DECLINED in replies
    assert (await user_row(database, "resident-2")).consent_at is None


async def test_declining_stores_nothing_and_keeps_public_reading_open(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        replies = await talk("2")
    assert replies[0] == texts.CONSENT_DECLINED and replies[1].startswith(texts.MENU_TITLE)
    assert (await user_row(database)).consent_at is None


async def test_withdrawing_consent_clears_the_record(make_settings, database):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk("1")
        await talk("/menu")
        await talk.choose("Quyền riêng tư")
        replies = await talk.choose("Không đồng ý")
    assert texts.CONSENT_WITHDRAWN in replies
    user = await user_row(database)
    assert (user.consent_at, user.consent_version) == (None, None)


async def test_start_after_consent_goes_straight_to_the_menu(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/start")
        await talk("1")
        replies = await talk("/start")
    assert replies[0] == texts.GREETING and replies[1].startswith(texts.MENU_TITLE)


async def test_menu_lists_only_features_that_exist(make_settings):
    async with dialog(make_settings()) as talk:
        (menu,) = await talk("/menu")
    labels = [line.partition(". ")[2] for line in menu.splitlines() if line[:1].isdigit()]
    assert labels == ["Tin Đại hội", "Văn kiện & Góp ý", "Đăng ký nhận tin", "Hỏi đáp",
                      "Hỏi – Phản ánh", "Thi tìm hiểu", "Lịch sự kiện", "Trợ giúp", "Dữ liệu của tôi",
                      "Quyền riêng tư"]


async def test_help_lists_commands(make_settings):
    async with dialog(make_settings()) as talk:
        help_text, _ = await talk("/trogiup")
    commands = set(talk.service.processor.router.commands) - {"help"}  # an English alias, not advertised
    assert {"start", "dangky", "huy", "thi", "dulieu", "xoadulieu", "vaitro", "thongbao",
            "duyet"} <= commands
    for command in commands:
        assert f"/{command}" in help_text, f"/{command} is missing from /trogiup"


async def test_unknown_command_gets_a_helpful_answer_with_the_menu(make_settings):
    async with dialog(make_settings()) as talk:
        (command_answer,) = await talk("/khongco")
    assert "/khongco" in command_answer and "Trợ giúp" in command_answer


async def test_a_number_with_nothing_offered_is_plain_text(make_settings):
    async with dialog(make_settings()) as talk:
        await talk("/trogiup")  # the menu was shown: numbers now refer to it
        (answer,) = await talk("17")  # out of range: searched as text, nothing found
    assert answer.startswith("Loa Số chưa tìm thấy nội dung nào cho “17”")


async def test_a_stale_button_is_answered_not_crashed(make_settings):
    from messages.types import Inbound, InboundKind

    async with dialog(make_settings()) as talk:
        await talk.service.processor.handle(Inbound(
            "console", "stale-1", "resident-1", InboundKind.BUTTON, button="gone:42"))
        await talk.service.sender.drain()
    assert talk.printed[0].startswith(texts.STALE)


async def test_consent_time_is_shown_in_the_campaign_time_zone(make_settings):
    async with dialog(make_settings(timezone="Asia/Ho_Chi_Minh")) as talk:
        await talk("/start")
        await talk("1")
        await talk("/menu")
        status, _ = await talk.choose("Quyền riêng tư")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local_hour = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:")
    assert local_hour in status


async def test_the_notice_states_the_configured_retention_period(make_settings):
    async with dialog(make_settings()) as talk:
        _, notice = await talk("/start")
    assert "trong 365 ngày" in notice and "/xoadulieu" in notice
    async with dialog(make_settings(retention_days=180), user="resident-2") as talk:
        _, notice = await talk("/start")
    assert "trong 180 ngày" in notice and "{days}" not in notice


def test_the_handlers_fallback_period_is_the_settings_default():
    from bot.settings import Settings
    from handlers.consent import DEFAULT_RETENTION_DAYS

    assert DEFAULT_RETENTION_DAYS == Settings.model_fields["retention_days"].default
