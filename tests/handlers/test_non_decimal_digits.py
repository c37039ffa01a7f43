"""Digits that str.isdigit() accepts and int() refuses ("²", "①") typed or in a button:
answered like any other unknown input, never a traceback (issue 20, item 10)."""

from __future__ import annotations

import itertools

import pytest

from handlers import texts
from messages.types import Inbound, InboundKind, is_number
from tests.utils import dialog

_presses = itertools.count(1)
ODD_DIGITS = ("²", "①", "٣", "12²")


def test_only_ascii_digits_are_numbers():
    assert is_number("12") and not any(is_number(value) for value in ODD_DIGITS + ("",))


async def press(talk, payload: str) -> list[str]:
    before = len(talk.printed)
    await talk.service.processor.handle(Inbound(
        "console", f"{talk.session}:odd{next(_presses)}", talk.user, InboundKind.BUTTON,
        button=payload))
    await talk.service.sender.drain()
    return talk.printed[before:]


@pytest.mark.parametrize("digit", ODD_DIGITS)
async def test_odd_digits_typed_or_pressed_never_reach_int(make_settings, digit, caplog):
    async with dialog(make_settings(), user="odd-digits") as talk:
        await talk("/start")
        await talk(digit)  # typed where numbered options are shown
        for payload in (f"my:{digit}", f"news:arch:{digit}", f"faq:list:{digit}",
                        f"qz:tok:{digit}:1", f"dy:ok:{digit}", f"tb:ap:{digit}"):
            replies = await press(talk, payload)
            assert texts.APOLOGY not in replies, payload
        errors = talk.service.metrics.handler_errors.labels("console")._value.get()
    assert errors == 0
    assert "Traceback" not in caplog.text and "invalid literal" not in caplog.text
