"""Rendering replies into platform messages by capability."""

import pytest

from messages.render import render_reply, split_text
from messages.types import Capabilities, Option, Reply

BUTTONS = Capabilities(buttons=True, max_text_length=100, max_buttons=3)
NO_BUTTONS = Capabilities(buttons=False, max_text_length=100)


def test_split_prefers_paragraphs_then_lines_then_spaces():
    text = "a" * 60 + "\n\n" + "b" * 60
    assert split_text(text, 100) == ["a" * 60, "b" * 60]
    assert split_text("x" * 60 + "\n" + "y" * 60, 100) == ["x" * 60, "y" * 60]
    words = " ".join(["từ"] * 80)
    chunks = split_text(words, 100)
    assert all(len(chunk) <= 100 for chunk in chunks) and " ".join(chunks) == words


def test_split_hard_cuts_a_text_without_any_break():
    chunks = split_text("z" * 250, 100)
    assert chunks == ["z" * 100, "z" * 100, "z" * 50]


def test_options_become_buttons_on_the_last_chunk_only():
    reply = Reply("a" * 60 + "\n\n" + "b" * 60, (Option("Một", "x:1"), Option("Hai", "x:2")))
    first, last = render_reply(reply, BUTTONS)
    assert "buttons" not in first and last["buttons"] == [["Một", "x:1"], ["Hai", "x:2"]]


def test_options_become_a_numbered_list_without_buttons_or_when_too_many():
    reply = Reply("Chọn:", tuple(Option(f"Mục {i}", f"m:{i}") for i in range(1, 5)))
    for capabilities in (NO_BUTTONS, BUTTONS):  # 4 options > max_buttons 3
        (payload,) = render_reply(reply, capabilities)
        assert "buttons" not in payload
        assert "1. Mục 1" in payload["text"] and "4. Mục 4" in payload["text"]


def test_button_payload_over_the_platform_limit_is_a_programming_error():
    reply = Reply("Chọn:", (Option("Dài", "x:" + "đ" * 40),))
    with pytest.raises(ValueError, match="64 bytes"):
        render_reply(reply, BUTTONS)
