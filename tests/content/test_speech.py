"""Text normalised for reading aloud (content/speech): the case table, warnings, the table file.

The cases live in speech_cases.tsv (written → spoken), written from Vietnamese reading
conventions; the abbreviations they use come from the shipped pack's speech.yaml.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from content.speech import (
    SpeechNormaliser,
    SpeechOptions,
    SpeechTableError,
    load_abbreviations,
    normalise_for_speech,
    parse_abbreviations,
)
from content.speech.numbers import cardinal

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "content" / "packs" / "nam-an-phu"
CASES_FILE = Path(__file__).with_name("speech_cases.tsv")


def _cases() -> list:
    cases = []
    for number, line in enumerate(CASES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        written, spoken = line.split("\t")
        cases.append(pytest.param(written, spoken, id=f"L{number}:{written[:40]}"))
    return cases


CASES = _cases()
READER = SpeechNormaliser(load_abbreviations(PACK))


def test_the_table_has_at_least_150_cases():
    assert len(CASES) >= 150


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_reads_aloud(written: str, spoken: str):
    assert READER(written).text == spoken


# --- The number reader checked against an independent parser of spoken numbers -------------

_UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
          "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}


def _parse_spoken(words: list[str]) -> int:
    """Spoken Vietnamese number → int, reading "tỷ", "triệu", "nghìn" as multipliers."""
    for scale_word, scale in (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 1000)):
        if scale_word in words:
            at = len(words) - 1 - words[::-1].index(scale_word)  # "một nghìn tỷ": the last
            rest = _parse_spoken(words[at + 1:]) if words[at + 1:] else 0
            return _parse_spoken(words[:at]) * scale + rest
    value = 0
    if "trăm" in words:
        at = words.index("trăm")
        value, words = _UNITS[words[at - 1]] * 100, words[at + 1:]
    if words and words[0] == "linh":
        return value + _UNITS[words[1]]
    if words and words[0] == "mười":
        return value + 10 + (_UNITS[words[1]] if len(words) > 1 else 0)
    if len(words) >= 2 and words[1] == "mươi":
        return value + _UNITS[words[0]] * 10 + (_UNITS[words[2]] if len(words) > 2 else 0)
    return value + (_UNITS[words[0]] if words else 0)


def test_cardinal_reads_back_to_the_same_number():
    values = list(range(0, 2100)) + random.Random(19).sample(range(10**13), 3000)
    for value in values:
        words = cardinal(value).split()
        assert _parse_spoken(words) == value, (value, words)
        text = " " + " ".join(words) + " "
        # The unit rules: never "mươi một/bốn/năm" nor "mười năm"; "mốt/lăm/tư" only after tens.
        for wrong in (" mươi một ", " mươi bốn ", " mươi năm ", " mười năm ", " linh lăm ",
                      " linh mốt ", " linh tư ", " trăm mốt ", " trăm lăm "):
            assert wrong not in text, (value, text)


# --- Options ------------------------------------------------------------------------------

def test_le_instead_of_linh_and_ngan_instead_of_nghin():
    options = SpeechOptions(zero_tens="lẻ", thousand="ngàn")
    assert normalise_for_speech("có 105 và 1.005 người", options=options).text == (
        "có một trăm lẻ năm và một ngàn không trăm lẻ năm người")


def test_days_without_mong_or_with_mung():
    assert normalise_for_speech("ngày 2/9", options=SpeechOptions(small_day="")).text == (
        "ngày hai tháng Chín")
    assert normalise_for_speech("ngày 2/9", options=SpeechOptions(small_day="mùng")).text == (
        "ngày mùng hai tháng Chín")


@pytest.mark.parametrize("options", [{"zero_tens": "lẽ"}, {"thousand": "ngìn"}, {"small_day": "mòng"}])
def test_an_unknown_option_is_refused(options: dict):
    with pytest.raises(ValueError, match=next(iter(options))):
        SpeechOptions(**options)


# --- Warnings: unknown symbols and tokens are kept and listed --------------------------------

def test_an_unknown_symbol_is_kept_and_listed_once_with_its_count():
    spoken = READER("Theo § 5 và § 6 của Điều lệ ©.")
    assert spoken.text == "Theo § năm và § sáu của Điều lệ ©."
    assert [(warning.kind, warning.token, warning.count) for warning in spoken.warnings] == [
        ("symbol", "§", 2), ("symbol", "©", 1)]
    assert "§ năm" in spoken.warnings[0].context
    assert spoken.warnings[0].message.startswith("Ký hiệu “§” chưa biết cách đọc")
    assert "(2 lần)" in spoken.warnings[0].message


def test_an_abbreviation_missing_from_the_table_is_kept_and_listed():
    spoken = READER("Góp ý qua VNeID và ASEAN; UBND xã hỗ trợ.")
    assert spoken.text == "Góp ý qua VNeID và ASEAN; Ủy ban nhân dân xã hỗ trợ."
    assert [(warning.kind, warning.token) for warning in spoken.warnings] == [
        ("abbreviation", "VNeID"), ("abbreviation", "ASEAN")]
    assert "speech.yaml" in spoken.warnings[0].message


def test_a_roman_numeral_out_of_context_is_kept_and_listed_as_such():
    spoken = READER("XIV là con số của kỳ này.")
    assert spoken.text == "XIV là con số của kỳ này."
    assert [(warning.kind, warning.token) for warning in spoken.warnings] == [("roman", "XIV")]


def test_placeholders_and_addresses_are_dropped_and_listed():
    spoken = READER("Đại hội có [[CẦN BỔ SUNG: số đại biểu]] đại biểu. Xem dangcongsan.vn nhé.")
    assert spoken.text == "Xem nhé."
    assert [(warning.kind, warning.token) for warning in spoken.warnings] == [
        ("placeholder", "CẦN BỔ SUNG: số đại biểu"), ("address", "dangcongsan.vn")]


def test_capitalised_words_and_known_text_give_no_warning():
    spoken = READER("CHÀO MỪNG ĐẠI HỘI XIV! Đại hội XIV, UBND, TikTok: 50% … “trích dẫn” (ghi chú) – hết.")
    assert spoken.warnings == ()


def test_a_pack_without_a_table_warns_about_every_abbreviation():
    spoken = normalise_for_speech("UBND xã")
    assert spoken.text == "UBND xã"
    assert [warning.token for warning in spoken.warnings] == ["UBND"]


def test_every_shipped_article_reads_without_digits():
    for path in sorted((PACK / "articles").glob("*.md")):
        spoken = READER(path.read_text(encoding="utf-8").split("---", 2)[2]).text
        assert not any(char.isdigit() for char in spoken), path.name
        assert "**" not in spoken and "http" not in spoken and "[[" not in spoken, path.name


# --- The table file (speech.yaml) --------------------------------------------------------------

def test_the_shipped_table_reads_the_abbreviations_the_issue_names():
    table = load_abbreviations(PACK)
    for written in ("UBND", "HĐND", "MTTQ", "BCH", "TW", "TP.", "KH", "ĐU", "BTV", "HTX", "THCS"):
        assert table[written], written
    assert table["UBND"] == "Ủy ban nhân dân"


def test_a_pack_without_speech_yaml_has_an_empty_table(tmp_path: Path):
    assert load_abbreviations(tmp_path) == {}


@pytest.mark.parametrize(("text", "problem"), [
    ("abbreviations:\n  UBND: Ủy ban nhân dân\n  UBND: Ủy ban\n", "dòng 3: “UBND” có hai lần"),
    ("abbreviations:\n  HTX:\n", "“HTX” chưa có cách đọc"),
    ("abbreviations:\n  HTX: [hợp, tác]\n", "“HTX” chưa có cách đọc"),
    ("abbreviations:\n  12: mười hai\n", "chữ viết tắt không hợp lệ: 12"),
    ("abbreviations:\n  '-X': gạch\n", "“-X” phải bắt đầu bằng chữ cái"),
    ("abbreviation:\n  UBND: Ủy ban nhân dân\n", "mục không biết: abbreviation"),
    ("- UBND\n", "cần dạng “abbreviations:”"),
    ("abbreviations: [UBND]\n", "cần dạng “abbreviations:”"),
    ("abbreviations:\n  UBND: 'Ủy ban\n", "không đọc được YAML"),
])
def test_a_bad_table_is_refused_with_what_is_wrong(tmp_path: Path, text: str, problem: str):
    (tmp_path / "speech.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpeechTableError, match="speech.yaml") as raised:
        load_abbreviations(tmp_path)
    assert problem in str(raised.value)


def test_table_text_is_stored_nfc():
    table = parse_abbreviations("abbreviations:\n  HTX: ho\u031b\u0323p ta\u0301c xa\u0303\n")
    assert table == {"HTX": "hợp tác xã"}


def test_any_table_works_even_without_plain_word_keys():
    assert normalise_for_speech("ông / bà ở TP. Vinh", {"TP.": "Thành phố"}).text == (
        "ông, bà ở Thành phố Vinh")
    assert normalise_for_speech("theo KH/ĐU", {"KH/ĐU": "kế hoạch Đảng ủy"}).text == (
        "theo kế hoạch Đảng ủy")


def test_oddly_spaced_numbers_are_still_read():
    spoken = READER("Hết năm 2025.13 người và.07:30 nữa")
    assert not any(char.isdigit() for char in spoken.text), spoken.text
    assert "mười ba" in spoken.text
