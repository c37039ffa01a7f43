"""Typing a button's label where buttons are shown presses it, on every channel (a resident
who reads and types rather than taps, or whose channel shows buttons as text)."""

from __future__ import annotations

import pytest

from handlers import texts
from tests.bot.test_flows_on_every_channel import CHANNELS, on_channel  # noqa: F401
from tests.conftest import count_rows


@pytest.mark.parametrize("name", CHANNELS)
async def test_typed_labels_press_their_buttons(on_channel, name):
    async with on_channel(name) as resident:
        await resident.say("/start")
        await resident.say("Đồng ý")
        await resident.say("/menu")
        intro = resident.texts(await resident.say("dang ky nhan tin"))  # no diacritics
        assert texts.SUB_INTRO.split("\n")[0][:30] in intro
        what = resident.texts(await resident.say("thôn 2."))
        assert texts.SUB_ASK_WHAT[:30] in what
        done = resident.texts(await resident.say("TẤT CẢ CÁC TIN"))
        assert "Đã đăng ký nhận tin" in done and "Thôn 2" in done
        assert await count_rows(resident.service.database, "subscriptions") == 1


@pytest.mark.parametrize("name", CHANNELS[:1])
async def test_text_that_names_no_option_is_read_as_text(on_channel, name):
    async with on_channel(name) as resident:
        await resident.say("/start")
        await resident.say("Đồng ý")
        await resident.say("/dangky")
        replies = resident.texts(await resident.say("Thôn"))  # a part of several labels
        assert texts.SUB_CHOOSE_WITH_BUTTONS in replies
        assert await count_rows(resident.service.database, "subscriptions") == 0
