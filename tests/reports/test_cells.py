"""The formula-injection neutraliser: what a spreadsheet would evaluate gets a leading quote."""

from __future__ import annotations

import unicodedata

import pytest

from bot.reports.cells import (
    cell_text,
    docx_text,
    is_dangerous,
    neutralise,
    spreadsheet_text,
)


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+84912345678", "'+84912345678"),
    ("-1", "'-1"),
    ("@cmd", "'@cmd"),
    ("\t=x", "'\t=x"),
    ("\tchữ", "'\tchữ"),  # a leading tab is a trigger by itself
    ("\r=x", "'\r'=x"),
    ("\0x", "'\0x"),
    (" =x", "' =x"),
    ("\u00a0=x", "'\u00a0=x"),  # NBSP
    ("\u200b@x", "'\u200b@x"),  # zero-width space pasted from a phone
    ("   +1", "'   +1"),
    ("a\n=b", "a\n'=b"),
    ("a\r\n=b", "a\r\n'=b"),
    ("a\r-b", "a\r'-b"),
    ("dòng 1\n  @lệnh\ndòng 3", "dòng 1\n'  @lệnh\ndòng 3"),
    ("=a\n+b", "'=a\n'+b"),
])
def test_triggers_get_a_leading_quote_on_every_line(value, expected):
    assert neutralise(value) == expected
    assert is_dangerous(value)
    assert not is_dangerous(neutralise(value).replace("'", "X"))  # nothing else was left


@pytest.mark.parametrize("value", [
    "", "Tán thành", "GY-ABCD2345", "a-b = c", "Điều 5: tăng 10%", "e-mail", "x\ny", "\n",
    "1+1", "Đồng ý\n\nvì lý do sau",
])
def test_harmless_text_is_left_alone(value):
    assert neutralise(value) == value
    assert not is_dangerous(value)


def test_cell_text_normalises_to_nfc_and_neutralises():
    decomposed = unicodedata.normalize("NFD", "Đồng ý một phần")
    assert cell_text(decomposed) == "Đồng ý một phần"
    assert cell_text(unicodedata.normalize("NFD", "=ổn")) == "'=ổn"
    assert cell_text(None) == ""


def test_docx_text_replaces_what_xml_cannot_carry_and_adds_no_quote():
    assert docx_text("a\x01b\x0bc") == "a\ufffdb\ufffdc"
    assert docx_text("\0=x") == "\ufffd=x"
    assert docx_text("dòng\tmột\ndòng hai") == "dòng\tmột\ndòng hai"
    for written in ("=HYPERLINK(\"http://x\")", "@lệnh", "+84912345678", "-1", " =x"):
        assert docx_text(written) == written  # Word evaluates nothing: printed as written
    assert docx_text("Nghi\u0303") == "Nghĩ"  # NFC


def test_spreadsheet_text_defuses_xlsxwriter_rich_string_markup():
    assert spreadsheet_text("<r><t>x</t></r>") == "'<r><t>x</t></r>"
    assert spreadsheet_text("<b>đậm</b>") == "<b>đậm</b>"
    assert spreadsheet_text("=SUM(A1)") == "'=SUM(A1)"


@pytest.mark.parametrize("value, expected", [
    ("\u200e=1+1", "'\u200e=1+1"),  # left-to-right mark
    ("\u202e@SUM(A1)", "'\u202e@SUM(A1)"),  # right-to-left override
    ("\u180e-1", "'\u180e-1"),  # Mongolian vowel separator
    ("\u2066\u200f+1", "'\u2066\u200f+1"),  # isolate, then a mark
    ("a\u2028=b", "a\u2028'=b"),  # line separator
    ("a\u2029=b", "a\u2029'=b"),  # paragraph separator
    ("a\v=b", "a\v'=b"),  # vertical tab
    ("a\f@b", "a\f'@b"),  # form feed
    ("a\x85-b", "a\x85'-b"),  # next line (NEL)
    ("ý kiến\u2028 \u200e+84", "ý kiến\u2028' \u200e+84"),
])
def test_direction_marks_and_other_line_breaks_do_not_hide_a_trigger(value, expected):
    assert neutralise(value) == expected
    assert cell_text(value) == expected


@pytest.mark.parametrize("value", ["a\u2028b", "x\u200ey", "Thôn 1\vThôn 2", "a - b"])
def test_harmless_values_with_those_characters_stay_as_they_are(value):
    assert neutralise(value) == value
